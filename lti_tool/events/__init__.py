"""Events and tutorials: sign-up, attendance, participation grading, protocols, grade outbox."""
