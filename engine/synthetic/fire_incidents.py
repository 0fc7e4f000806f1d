"""Fire and rescue incidents: one row per fire attended, by LSOA, with the seeds' fire categories.

Mimics an Incident Recording System export in xlsx: notes above the header and real Excel
date-times. Deliberate fires follow crime hotspots (the seeds' deliberate-fire top-10 areas are
crime hotspots too); accidental dwelling fires follow residents.
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.common import (BAD_DAY_DATES, as_datetimes, code_shape_counts, spoil, unknown_codes,
                                     yearly_references)
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish, rows_in
from engine.synthetic.output import Table
from engine.synthetic.profile import weighted_choice

SOURCE_ID = "fire_incidents"
FILE_NAME = "fire_incidents.xlsx"
SHEET = "Incidents"
DELIBERATE_PRIMARY = "Deliberate Primary Fire"
DELIBERATE_SECONDARY = "Deliberate Secondary Fire"
ACCIDENTAL_DWELLING = "Accidental Dwelling Fire"
ACCIDENTAL_OTHER = "Accidental Other Primary Fire"
ROAD_VEHICLE = "Road Vehicle"
HEADER = ["Incident Number", "Incident Date", "LSOA Code", "Incident Category", "Property Type", "Motive"]
PROVENANCE = (
    "Fire and rescue incidents (SYNTHETIC). Mimics a fire and rescue service's Incident Recording System "
    "extract: one row per fire attended, with date and time, LSOA, category (deliberate primary, deliberate "
    "secondary, accidental dwelling, other accidental primary) and property type (road vehicle, dwelling …). "
    "Scale from the seed assessments: about 1 deliberate fire per 1,000 residents a year (North West "
    "Leicestershire 102, Rutland 22 in 2011/12), 30% of them primary fires, about half of those road vehicles."
)


class Settings(Strict):
    deliberate_rate: float
    deliberate_primary_share: float
    road_vehicle_share_of_primary: float
    accidental_dwelling_rate: float
    accidental_other_rate: float
    intensity_exponent: float
    plausible: tuple[float, float]
    seasonality: list[float]
    property_types: dict[str, dict[str, float]]
    bad_rows: dict[str, float]


def _categories(rng: np.random.Generator, n: int, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Deliberate fires split into primary (some road vehicles) and secondary."""
    primary = rng.random(n) < settings.deliberate_primary_share
    category = np.where(primary, DELIBERATE_PRIMARY, DELIBERATE_SECONDARY).astype(object)
    vehicle = primary & (rng.random(n) < settings.road_vehicle_share_of_primary)
    prop = np.empty(n, dtype=object)
    prop[vehicle] = ROAD_VEHICLE
    for name in (DELIBERATE_PRIMARY, DELIBERATE_SECONDARY):
        rows = (category == name) & ~vehicle
        prop[rows] = weighted_choice(rng, settings.property_types[name], int(rows.sum()))
    return category, prop


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    lsoa, days = ctx.incidents(rng, settings.deliberate_rate, settings.intensity_exponent, settings.seasonality)
    category, prop = _categories(rng, len(lsoa), settings)
    motive = np.full(len(lsoa), "Deliberate", dtype=object)
    parts = [(lsoa, days, category, prop, motive)]
    for name, rate, exponent in ((ACCIDENTAL_DWELLING, settings.accidental_dwelling_rate, 0.0),
                                 (ACCIDENTAL_OTHER, settings.accidental_other_rate, 0.3)):
        more_lsoa, more_days = ctx.incidents(rng, rate, exponent)
        n = len(more_lsoa)
        parts.append((more_lsoa, more_days, np.full(n, name, dtype=object),
                      weighted_choice(rng, settings.property_types[name], n), np.full(n, "Accidental", dtype=object)))
    lsoa, days, category, prop, motive = (np.concatenate(column) for column in zip(*parts))
    seconds = rng.integers(0, 24 * 60, len(days)) * 60
    order = np.lexsort((seconds, days))
    lsoa, days, category, prop, motive, seconds = (a[order] for a in (lsoa, days, category, prop, motive, seconds))

    numbers = yearly_references(days, "{year}", 6)
    when = as_datetimes(days, seconds)
    codes = ctx.geography.lsoa_codes[lsoa].astype(object)
    bad = spoil(rng, settings.bad_rows, {
        "unknown_lsoa": (codes, unknown_codes(rng, list(ctx.geography.lsoa_codes), 20)),
        "bad_date": (when, BAD_DAY_DATES),
    })
    table = Table(
        preamble=[f"Fires attended, {ctx.period.span_text} (SYNTHETIC DEMO DATA)",
                  "Source: fire and rescue service Incident Recording System (simulated by Saferbook)",
                  "Deliberate = motive recorded as deliberate. Road vehicle fires are primary fires."],
        header=HEADER, columns=[numbers, when, codes, category, prop, motive],
        footer=["Produced by the Data & Intelligence team. Figures are provisional."],
        formats={1: "dd/mm/yyyy hh:mm"})
    return publish(ctx, SOURCE_ID, FILE_NAME, {SHEET: table},
                   description="fires attended: deliberate primary / secondary, accidental dwelling, other",
                   provenance=PROVENANCE, date_forms={"Incident Date": "Excel date-time"},
                   markers={}, bad_rows={kind: rows_in(SHEET, rows) for kind, rows in bad.items()},
                   categories=[DELIBERATE_PRIMARY, DELIBERATE_SECONDARY, ACCIDENTAL_DWELLING, ACCIDENTAL_OTHER],
                   bad_row_detail={"unknown_lsoa": code_shape_counts(codes[bad.get("unknown_lsoa", [])], ctx.geography.lsoa_codes)})
