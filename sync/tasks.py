"""Celery tasks: thin wrappers that take ids and call the functions of `sync` services."""
