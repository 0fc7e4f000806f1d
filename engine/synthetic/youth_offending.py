SOURCE_ID = "youth_offending"
PROVENANCE = ""
