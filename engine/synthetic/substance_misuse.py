SOURCE_ID = "substance_misuse"
PROVENANCE = ""
