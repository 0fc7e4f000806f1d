SOURCE_ID = "probation_caseload"
PROVENANCE = ""
