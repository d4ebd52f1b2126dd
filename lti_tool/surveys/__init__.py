"""Needs-assessment surveys (анкетирование), analytical reports and competence dynamics."""
