"""Probation caseload: offenders resident in each district at the period end, with needs and reoffending.

Mimics the caseload extract behind the seeds' adult offender dashboard, in xlsx with a merged
two-row header (Demographics / Where they live / Assessed needs / Outcome): gender, age band,
ethnicity, urban/rural, area classification, OASys needs and whether the person reoffended
within 12 months. Districts differ from the county (a logit shift per district in ages and
needs; ethnicity and classification follow where offenders live), so area-versus-county
profiles carry real ▲ / ▼ differences.
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.common import BAD_DAY_DATES, as_datetimes, mark, spoil
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish, rows_in
from engine.synthetic.output import Table

SOURCE_ID = "probation_caseload"
FILE_NAME = "probation_caseload.xlsx"
SHEET = "Caseload"
NOT_ASSESSED = "N/A"
NOT_GEOCODED = "[x]"
UNKNOWN_DISTRICTS = ("Out of area", "No fixed abode")
PROVENANCE = (
    "Probation caseload (SYNTHETIC). Mimics a probation service caseload extract: people on the caseload "
    "at the period end by home district, with gender, age band, ethnicity, urban/rural, area classification "
    "(2001 OAC supergroup), the LSOA they live in, OASys needs (accommodation, education/training/employment, finance, relationships, "
    "lifestyle, drugs, alcohol, thinking and behaviour, attitudes) and reoffending within 12 months. Scale "
    "from the seed assessments' adult offender dashboard: about 2.5 people per 1,000 residents (1,675 in "
    "Leicestershire county, 179 in North West Leicestershire), 86% male, relationships need 56%, attitudes "
    "40%, reoffending about 14%."
)


class Settings(Strict):
    caseload_rate: float
    intensity_exponent: float
    plausible: tuple[float, float]
    male_share: float
    age_bands: dict[str, float]
    needs: dict[str, float]
    not_assessed: float
    not_geocoded: float
    district_spread: float
    reoffending_share: float
    reoffending_effects: dict[str, float]
    snapshot_years: int
    bad_rows: dict[str, float]


def _logit(p: np.ndarray | float) -> np.ndarray:
    return np.log(np.asarray(p) / (1 - np.asarray(p)))


def _chance(logit: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-logit))


def _age_bands(rng: np.random.Generator, settings: Settings, district: np.ndarray, n_districts: int) -> np.ndarray:
    """Age band by a district-shifted multinomial: some districts have younger caseloads."""
    bands = np.array(list(settings.age_bands), dtype=object)
    base = np.log(np.array(list(settings.age_bands.values())))
    shifted = base + rng.normal(0, settings.district_spread, (n_districts, len(bands)))
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    cumulative = p.cumsum(axis=1)[district]
    return bands[np.minimum((rng.random(len(district))[:, None] > cumulative).sum(axis=1), len(bands) - 1)]


def _needs(rng: np.random.Generator, settings: Settings, district: np.ndarray, n_districts: int) -> dict[str, np.ndarray]:
    shift = rng.normal(0, settings.district_spread, (n_districts, len(settings.needs)))
    return {name: rng.random(len(district)) < _chance(_logit(share) + shift[district, i])
            for i, (name, share) in enumerate(settings.needs.items())}


def _reoffended(rng: np.random.Generator, settings: Settings, age: np.ndarray, male: np.ndarray,
                needs: dict[str, np.ndarray]) -> np.ndarray:
    """Reoffending raised by youth, sex and needs, with the overall share held at the setting."""
    effects = settings.reoffending_effects
    logit = np.zeros(len(age))
    for band in settings.age_bands:
        logit += effects.get(band, 0.0) * (age == band)
    logit += effects.get("Male", 0.0) * male
    for name, has in needs.items():
        logit += effects.get(name, 0.0) * has
    low, high = -20.0, 20.0
    for _ in range(60):  # bisection for the intercept that gives the overall share
        middle = (low + high) / 2
        low, high = (middle, high) if _chance(logit + middle).mean() < settings.reoffending_share else (low, middle)
    return rng.random(len(age)) < _chance(logit + low)


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    geo = ctx.geography
    n_districts = len(geo.district_names)
    expected = settings.caseload_rate * geo.lsoa_population.sum() / 1000
    home = ctx.place(rng, int(rng.poisson(expected)), settings.intensity_exponent)
    home = home[np.argsort(geo.lsoa_district[home], kind="stable")]
    n = len(home)
    district = geo.lsoa_district[home]
    male = rng.random(n) < settings.male_share
    age = _age_bands(rng, settings, district, n_districts)
    needs = _needs(rng, settings, district, n_districts)
    reoffended = _reoffended(rng, settings, age, male, needs)

    yes_no = np.array(["N", "Y"], dtype=object)
    need_columns = {name: yes_no[has.astype(int)] for name, has in needs.items()}
    not_assessed = np.flatnonzero(rng.random(n) < settings.not_assessed)
    for column in need_columns.values():
        column[not_assessed] = NOT_ASSESSED
    urban = np.where(ctx.profile.urban[home], "Urban", "Rural").astype(object)
    classification = ctx.profile.classification[home].copy()
    not_geocoded = mark(urban, rng, settings.not_geocoded, NOT_GEOCODED)
    classification[not_geocoded] = NOT_GEOCODED
    last = ctx.period.last_day
    days = last - rng.integers(0, 365 * settings.snapshot_years, n)
    sentenced = as_datetimes(days)
    districts = geo.district_names[district].astype(object)
    bad = spoil(rng, settings.bad_rows, {"unknown_district": (districts, UNKNOWN_DISTRICTS),
                                         "bad_date": (sentenced, BAD_DAY_DATES)})
    crn = np.array([f"{chr(65 + c)}{d:06d}" for c, d in zip(rng.integers(0, 26, n).tolist(),
                                                           rng.choice(900_000, n, replace=False) + 100_000)], dtype=object)
    lsoa = geo.lsoa_codes[home].astype(object)
    lsoa[not_geocoded] = NOT_GEOCODED
    header = ["CRN", "Sentence Date", "District", "Gender", "Age Band", "Ethnicity", "Urban/Rural",
              "Area Classification (OAC)", "LSOA", *need_columns, "Reoffended (12 months)"]
    first_need = 9
    table = Table(
        preamble=[f"Probation caseload as at {last.astype(object):%d/%m/%Y}: people resident in the area (SYNTHETIC DEMO DATA)",
                  "Source: probation case management and OASys (simulated by Saferbook)",
                  "Needs: N/A = no OASys assessment yet. [x] = address not matched to an area. Reoffending tracked for 12 months."],
        header=header,
        columns=[crn, sentenced, districts, np.where(male, "Male", "Female").astype(object), age,
                 ctx.profile.ethnicity(rng, home), urban, classification, lsoa, *need_columns.values(),
                 yes_no[reoffended.astype(int)]],
        groups=[("Demographics", 3, 5), ("Where they live", 6, 8),
                ("Assessed needs (OASys)", first_need, first_need + len(need_columns) - 1),
                ("Outcome", first_need + len(need_columns), first_need + len(need_columns))],
        formats={1: "d-mmm-yy"})
    return publish(ctx, SOURCE_ID, FILE_NAME, {SHEET: table},
                   description="probation caseload profile: demographics, area, needs, reoffending",
                   provenance=PROVENANCE, date_forms={"Sentence Date": "Excel date shown d-mmm-yy"},
                   markers={NOT_ASSESSED: "no OASys assessment: needs not known",
                            NOT_GEOCODED: "address not matched to an area"},
                   bad_rows={kind: rows_in(SHEET, rows) for kind, rows in bad.items()},
                   unknown_district_values=list(UNKNOWN_DISTRICTS))
