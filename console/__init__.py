"""The counselor web console: caseload, transcripts, note review, enrolment."""
