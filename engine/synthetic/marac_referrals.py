"""IDVA / MARAC referrals: one row per referral to the multi-agency risk assessment conference.

Mimics a MARAC coordinator's referral log saved from Excel as "CSV UTF-8" (with a byte-order
mark), months written ``Jan-22``. Each district's repeat-referral share is drawn around the
SafeLives 40% threshold the 2019 report measures against, so some districts sit above it and
some below.
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.common import BAD_MONTH_DATES, month_year_text, spoil, yearly_references
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish, rows_in
from engine.synthetic.output import Table
from engine.synthetic.profile import weighted_choice

SOURCE_ID = "marac_referrals"
FILE_NAME = "marac_referrals.csv"
ENCODING = "utf-8-sig"
UNKNOWN_DISTRICTS = ("Out of area", "Outside force area")
HEADER = ["MARAC Case No.", "Referral Month", "District", "Referring Agency", "Victim Gender",
          "Repeat Referral", "IDVA Engaged", "Children in Household", "Victim Ethnicity", "Victim Disability",
          "Victim LGBT"]
PROVENANCE = (
    "IDVA / MARAC referrals (SYNTHETIC). Mimics a MARAC coordinator's referral log: month of referral, "
    "district, referring agency, victim gender, whether it was a repeat referral (within 12 months of a "
    "previous one) and whether the victim engaged with the IDVA service. Repeat referrals are about 40% "
    "overall, varying by district around the SafeLives threshold the 2019 performance report uses (45% "
    "against 40%); 89% engage with the IDVA service, as in the 2012 assessment. Children in the household: "
    "none in about 40% of cases, otherwise 1 + a Poisson number (about 1.3 children per case overall; an assumption "
    "near SafeLives' published MARAC figures). Victim ethnicity, disability and LGBT identity at the 2012 "
    "assessment's IDVA equality shares (89.6% White British, 6% disabled, 2 of 414 LGBT)."
)


class Settings(Strict):
    referral_rate: float
    intensity_exponent: float
    plausible: tuple[float, float]
    repeat_share: float
    district_spread: float
    idva_engaged: float
    male_victim_share: float
    agencies: dict[str, float]
    no_children: float
    more_children: float  # mean of the Poisson number of further children where there is one
    ethnicity: dict[str, float]
    disability: float
    lgbt: float
    bad_rows: dict[str, float]


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    geo = ctx.geography
    lsoa, days = ctx.incidents(rng, settings.referral_rate, settings.intensity_exponent)
    district = geo.lsoa_district[lsoa]
    base = np.log(settings.repeat_share / (1 - settings.repeat_share))
    district_repeat = 1 / (1 + np.exp(-(base + rng.normal(0, settings.district_spread, len(geo.district_names)))))
    repeat = rng.random(len(lsoa)) < district_repeat[district]
    yes_no = np.array(["No", "Yes"], dtype=object)
    months = month_year_text(days)
    districts = geo.district_names[district].astype(object)
    bad = spoil(rng, settings.bad_rows, {"unknown_district": (districts, UNKNOWN_DISTRICTS),
                                         "bad_date": (months, BAD_MONTH_DATES)})
    columns = [yearly_references(days, "MARAC/{yy:02d}/", 4), months, districts,
               weighted_choice(rng, settings.agencies, len(lsoa)),
               np.where(rng.random(len(lsoa)) < settings.male_victim_share, "M", "F").astype(object),
               yes_no[repeat.astype(int)], yes_no[(rng.random(len(lsoa)) < settings.idva_engaged).astype(int)]]
    # Drawn after every other column, so adding it left the other columns' values as they were.
    with_children = rng.random(len(lsoa)) >= settings.no_children
    columns.append(np.where(with_children, 1 + rng.poisson(settings.more_children, len(lsoa)), 0).astype(object))
    # The IDVA service's equality monitoring (drawn last for the same reason).
    columns += [weighted_choice(rng, settings.ethnicity, len(lsoa)),
                yes_no[(rng.random(len(lsoa)) < settings.disability).astype(int)],
                yes_no[(rng.random(len(lsoa)) < settings.lgbt).astype(int)]]
    table = Table(
        preamble=[f"MARAC referrals, {ctx.period.span_text} (SYNTHETIC DEMO DATA)",
                  "Source: MARAC coordinator's referral log (simulated by Saferbook)",
                  "Repeat Referral: a further referral within 12 months of a previous one (SafeLives definition)."],
        header=HEADER, columns=columns)
    return publish(ctx, SOURCE_ID, FILE_NAME, {None: table}, encoding=ENCODING,
                   description="MARAC referrals with repeat-referral and IDVA-engagement flags",
                   provenance=PROVENANCE, date_forms={"Referral Month": "mmm-yy text (Jan-22)"},
                   markers={}, bad_rows={kind: rows_in(None, rows) for kind, rows in bad.items()},
                   unknown_district_values=list(UNKNOWN_DISTRICTS), threshold=0.40)
