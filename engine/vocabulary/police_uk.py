"""police.uk's published vocabulary: the street-level files' columns and the crime types.

The reader (:mod:`engine.ingest.police_uk`) maps the headers to these tidy names; the spec checks
(:mod:`engine.spec.checks`) use them to catch a misspelt column or crime type before any data is read.
"""
from __future__ import annotations

#: police.uk header -> tidy column name used in specs' ``where:`` filters.
COLUMN_NAMES: dict[str, str] = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Reported by": "reported_by",
    "Falls within": "falls_within",
    "Longitude": "longitude",
    "Latitude": "latitude",
    "Location": "location",
    "LSOA code": "small_area_code",
    "LSOA name": "small_area_name",
    "Crime type": "crime_type",
    "Last outcome category": "last_outcome",
}
TIDY_COLUMNS = tuple(COLUMN_NAMES.values())

#: The crime types police.uk publishes (its fixed vocabulary since May 2017).
CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)
KNOWN_VALUES: dict[str, tuple[str, ...]] = {"crime_type": CRIME_TYPES}
