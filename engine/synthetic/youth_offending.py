"""Youth offending: offences by 10-17 year olds that led to a caution or court outcome.

Mimics a youth offending service case-system export in xlsx: YOT case ID, age, gender,
ethnicity, home district, offence type (the seeds' table 8 categories), first-time entrant,
outcome and offence date (mostly Excel dates, some typed as text). Each district's offence mix
strays from the county's (a Dirichlet draw), so area-versus-county percentages differ as in
the seeds.
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.common import BAD_DAY_DATES, mark, mixed_dates, spoil
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish, rows_in
from engine.synthetic.output import Table
from engine.synthetic.profile import weighted_choice

SOURCE_ID = "youth_offending"
FILE_NAME = "youth_offending.xlsx"
SHEET = "Offences"
MISSING = "N/A"
UNKNOWN_DISTRICTS = ("Out of area", "Other local authority")
HEADER = ["YOT Case ID", "Offence Date", "Age at Offence", "Gender", "Ethnicity", "Home District",
          "Offence Type", "First Time Entrant", "Outcome"]
PROVENANCE = (
    "Youth offending (SYNTHETIC). Mimics a youth offending service's case records: offences by 10-17 year "
    "olds resulting in a caution or court outcome, with age, gender, ethnicity, home district, offence type, "
    "first-time-entrant flag and outcome. Offence mix from the seed assessments' Leicestershire table "
    "(violence 28%, theft and handling 19%, criminal damage 12% …), about half of young people first-time "
    "entrants, 75% aged 15-17; volume about a third of 2011/12's (127 offences in North West Leicestershire, "
    "48 in Rutland), following the fall in first-time entrants the 2019 performance report shows."
)


class Settings(Strict):
    offences_rate: float
    offences_per_offender_extra: float
    fte_share: float
    fte_offences_extra: float
    intensity_exponent: float
    plausible: tuple[float, float]
    ages: dict[int, float]
    male_share: float
    district_concentration: float
    offence_types: dict[str, tuple[float, float]]
    outcomes: dict[str, dict[str, float]]
    ethnicity_not_recorded: float
    text_dates: float
    bad_rows: dict[str, float]


def _district_mixes(rng: np.random.Generator, settings: Settings, n_districts: int,
                    column: int) -> list[dict[str, float]]:
    """Each district's offence mix: a Dirichlet draw around the county's (all offences or FTEs')."""
    county = {name: shares[column] for name, shares in settings.offence_types.items() if shares[column] > 0}
    alpha = np.array(list(county.values())) / sum(county.values()) * settings.district_concentration
    return [dict(zip(county, rng.dirichlet(alpha))) for _ in range(n_districts)]


def _offence_types(rng: np.random.Generator, settings: Settings, district: np.ndarray, fte: np.ndarray,
                   n_districts: int) -> np.ndarray:
    out = np.empty(len(district), dtype=object)
    for is_fte, mixes in ((False, _district_mixes(rng, settings, n_districts, 0)),
                          (True, _district_mixes(rng, settings, n_districts, 1))):
        for d, mix in enumerate(mixes):
            rows = np.flatnonzero((district == d) & (fte == is_fte))
            out[rows] = weighted_choice(rng, mix, len(rows))
    return out


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    geo = ctx.geography
    extra = settings.offences_per_offender_extra
    mean_offences = 1 + settings.fte_share * settings.fte_offences_extra + (1 - settings.fte_share) * extra
    expected = settings.offences_rate * geo.lsoa_population.sum() / 1000 * ctx.period.years / mean_offences
    home = ctx.place(rng, int(rng.poisson(expected)), settings.intensity_exponent)
    n_people = len(home)
    fte = rng.random(n_people) < settings.fte_share
    offences = 1 + rng.poisson(np.where(fte, settings.fte_offences_extra, extra))
    person = np.repeat(np.arange(n_people), offences)
    case_ids = np.array([f"YJ{n:06d}" for n in rng.choice(900_000, n_people, replace=False) + 100_000], dtype=object)
    ages = np.array(list(settings.ages))[rng.choice(len(settings.ages), n_people, p=np.array(list(settings.ages.values())) / sum(settings.ages.values()))]
    gender = np.where(rng.random(n_people) < settings.male_share, "Male", "Female").astype(object)
    ethnicity = ctx.profile.ethnicity(rng, home)
    mark(ethnicity, rng, settings.ethnicity_not_recorded, MISSING)

    district = geo.lsoa_district[home][person]
    offence = _offence_types(rng, settings, district, fte[person], len(geo.district_names))
    outcome = np.empty(len(person), dtype=object)
    for is_fte, key in ((True, "first_time"), (False, "repeat")):
        rows = np.flatnonzero(fte[person] == is_fte)
        outcome[rows] = weighted_choice(rng, settings.outcomes[key], len(rows))
    days = ctx.period.random_days(rng, len(person))
    order = np.lexsort((person, days))
    person, district, offence, outcome, days = (a[order] for a in (person, district, offence, outcome, days))
    dates, typed = mixed_dates(rng, days, settings.text_dates)
    districts = geo.district_names[district].astype(object)
    bad = spoil(rng, settings.bad_rows, {"unknown_district": (districts, UNKNOWN_DISTRICTS),
                                         "bad_date": (dates, BAD_DAY_DATES)})
    columns = [case_ids[person], dates, ages[person].astype(float), gender[person], ethnicity[person], districts,
               offence, np.where(fte[person], "Y", "N").astype(object), outcome]
    table = Table(
        preamble=[f"Youth offending: offences resulting in a caution or court outcome, {ctx.period.span_text} (SYNTHETIC DEMO DATA)",
                  "Source: youth offending service case management system (simulated by Saferbook)",
                  "One row per offence. First Time Entrant: the young person's first formal outcome."],
        header=HEADER, columns=columns, formats={1: "dd/mm/yyyy"})
    text_dates = np.setdiff1d(typed, bad.get("bad_date", []))
    return publish(ctx, SOURCE_ID, FILE_NAME, {SHEET: table},
                   description="offences by 10-17 year olds with first-time-entrant flag and outcome",
                   provenance=PROVENANCE,
                   date_forms={"Offence Date": "Excel date; some typed as dd/mm/yyyy text"},
                   markers={MISSING: "ethnicity not recorded"},
                   bad_rows={kind: rows_in(SHEET, rows) for kind, rows in bad.items()},
                   text_dates=len(text_dates), unknown_district_values=list(UNKNOWN_DISTRICTS))
