SOURCE_ID = "fire_incidents"
PROVENANCE = ""
