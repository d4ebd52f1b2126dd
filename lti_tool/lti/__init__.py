"""LTI 1.3 wiring: the only package that imports pylti1p3."""
