"""The methodist's year: dashboard, yearly report, clusters' work, the "Tutor" status commission."""
