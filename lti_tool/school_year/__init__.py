"""The school year as a whole: its plan by month and form, the archive of past years, and opening the next."""
