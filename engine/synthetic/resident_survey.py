SOURCE_ID = "resident_survey"
PROVENANCE = ""
