"""Police incidents that are not recorded crimes: anti-social behaviour by category, domestic and hate incidents.

Mimics a force command-and-control (incident log) export as CSV: one row per incident, the
closing category (ASB personal / nuisance / environmental, domestic incident, hate incident) and,
for hate incidents, the monitored strand. police.uk publishes ASB without its category and no
non-crime domestic or hate incidents, so every row here is simulated at the seeds' rates and
shares; none copies a real record.
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.common import (BAD_DAY_DATES, code_shape_counts, spoil, uk_date_text, unknown_codes,
                                     yearly_references)
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish, rows_in
from engine.synthetic.output import Table
from engine.synthetic.profile import weighted_choice

SOURCE_ID = "police_incidents"
FILE_NAME = "police_incidents.csv"
ENCODING = "utf-8"
HEADER = ["Incident Reference", "Date Reported", "LSOA Code", "Incident Category", "Hate Strand"]
PROVENANCE = (
    "Police incident log (SYNTHETIC). Mimics a force incident-log export of incidents that are not recorded "
    "crimes: anti-social behaviour closed as personal, nuisance or environmental, domestic incidents and hate "
    "incidents with their monitored strand. Every row is simulated: ASB at about 9 per 1,000 residents a year "
    "(the 2019 county report's 8.9), nuisance about 78% of it (77% and 80% in the 2012 assessments), hate "
    "incidents at about 0.8 per 1,000 (0.77) with 62% racial, 18% sexual orientation and 10% disability."
)


class Settings(Strict):
    categories: dict[str, float]  # incident category -> incidents per 1,000 residents a year
    intensity_exponent: dict[str, float]
    hate_category: str  # the category whose rows carry a strand
    strands: dict[str, float]
    plausible: tuple[float, float]
    bad_rows: dict[str, float]


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    lsoa_parts, day_parts, category_parts = [], [], []
    for category, rate in settings.categories.items():
        lsoa, days = ctx.incidents(rng, rate, settings.intensity_exponent[category])
        lsoa_parts.append(lsoa)
        day_parts.append(days)
        category_parts.append(np.full(len(lsoa), category, dtype=object))
    lsoa, days, category = (np.concatenate(parts) for parts in (lsoa_parts, day_parts, category_parts))
    order = np.argsort(days, kind="stable")
    lsoa, days, category = lsoa[order], days[order], category[order]
    hate = category == settings.hate_category
    strand = np.full(len(lsoa), "", dtype=object)
    strand[hate] = weighted_choice(rng, settings.strands, int(hate.sum()))
    codes = ctx.geography.lsoa_codes[lsoa].astype(object)
    dates = uk_date_text(days)
    bad = spoil(rng, settings.bad_rows, {
        "unknown_lsoa": (codes, unknown_codes(rng, list(ctx.geography.lsoa_codes), 20)),
        "bad_date": (dates, BAD_DAY_DATES),
    })
    columns = [yearly_references(days, "INC/{yy:02d}/", 6), dates, codes, category, strand]
    table = Table(
        preamble=[f"Incident log – non-crime incidents, {ctx.period.span_text} (SYNTHETIC DEMO DATA)",
                  "Source: force incident log (simulated by Saferbook; no row is a real incident)",
                  f"Run date: {ctx.config.document_date:%d/%m/%Y}"],
        header=HEADER, columns=columns, footer=[f"Records: {len(days)}"])
    return publish(ctx, SOURCE_ID, FILE_NAME, {None: table}, encoding=ENCODING,
                   description="non-crime police incidents: ASB by category, domestic and hate incidents",
                   provenance=PROVENANCE, date_forms={"Date Reported": "dd/mm/yyyy text"},
                   markers={}, bad_rows={kind: rows_in(None, rows) for kind, rows in bad.items()},
                   bad_row_detail={"unknown_lsoa": code_shape_counts(codes[bad.get("unknown_lsoa", [])],
                                                                     ctx.geography.lsoa_codes)})
