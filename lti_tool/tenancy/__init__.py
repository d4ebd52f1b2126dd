"""Tenancy: networks (associations / tutor centres), LTI users, courses, enrollments and tool roles."""
