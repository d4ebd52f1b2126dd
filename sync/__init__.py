"""The sync worker: pulls course rosters over LTI NRPS and pushes completions over LTI AGS."""
