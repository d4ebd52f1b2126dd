"""Administrators: dynamic registration, platforms and deployments, keys, failed grade pushes."""
