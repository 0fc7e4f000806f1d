SOURCE_ID = "hospital_admissions"
PROVENANCE = ""
