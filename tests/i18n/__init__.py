"""Russian-first checks: complete catalogues and pages without English strings."""
