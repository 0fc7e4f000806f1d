"""Key findings: sentences in the seeds' style from the Report's numbers (counted, measured, profiles, groups)."""
