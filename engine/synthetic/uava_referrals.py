"""Domestic-abuse service referrals: the specialist service's referral spreadsheet (the seeds' UAVA).

Mimics the workbook a commissioned domestic-abuse service sends the partnership: a Notes sheet,
then one sheet per April-March year (one name with a trailing space), each with notes above a
two-row merged header (Referral / Victim), referral dates as Excel dates with some typed as
``dd/mm/yyyy`` text, district labels with footnote digits, the DASH risk level with ``-`` where
no assessment was done, footnotes below. Every row is simulated: referrals at the 2019 county
report's scale (1,627 a year, rising), placed where domestic crime is, from police, self-referral
and other agencies, at standard, medium or high risk, with repeat referrals varying by district.
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.common import BAD_DAY_DATES, footnoted_names, mark, mixed_dates, spoil, yearly_references
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish
from engine.synthetic.output import Table
from engine.synthetic.period import FY_START_MONTH, fy_label
from engine.synthetic.profile import weighted_choice

SOURCE_ID = "uava_referrals"
FILE_NAME = "uava_referrals.xlsx"
NOT_ASSESSED = "-"
UNKNOWN_DISTRICTS = ("Out of county", "Not known")
HEADER = ["Ref No.", "Date Received", "Referral Source", "Status", "District", "DASH Risk Level", "Repeat Referral"]
GROUPS = [("Referral", 1, 3), ("Victim", 4, 6)]
DISTRICT_NOTE = "Includes referrals taken by the service's outreach worker based in the district."
PROVENANCE = (
    "Domestic-abuse service referrals (SYNTHETIC). Mimics the referral spreadsheet a commissioned domestic-abuse "
    "service (the seeds' UAVA) sends the partnership: date received, referral source, status (accepted or awaiting "
    "acceptance, which the 2019 county report says the extract now includes), home district, DASH risk level and "
    "whether the victim was referred before within 12 months. Every row is simulated at the 2019 county report's "
    "scale (1,627 referrals a year, about 2.3 per 1,000 residents, rising about 10% a year); sources, risk levels "
    "and the repeat share (about 30%, varying by district) are assumptions."
)


class Settings(Strict):
    referral_rate: float  # per 1,000 residents a year, at the middle of the period
    yearly_growth: float
    intensity_exponent: float
    plausible: tuple[float, float]
    sources: dict[str, float]
    risk: dict[str, float]
    not_assessed: float
    repeat_share: float
    district_spread: float
    awaiting_acceptance: float
    text_dates: float
    footnoted_districts: int
    bad_rows: dict[str, float]


def _growing(ctx: Context, rng: np.random.Generator, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Referrals whose rate rises by ``yearly_growth`` through the period (the seeds' "has increased"):
    drawn at the highest rate, each kept with the chance its day's rate bears to it."""
    top = (1 + settings.yearly_growth) ** (ctx.period.years / 2)
    lsoa, days = ctx.incidents(rng, settings.referral_rate * top, settings.intensity_exponent)
    years_before_end = (ctx.period.last_day - days).astype(int) / 365.25
    keep = rng.random(len(days)) < (1 + settings.yearly_growth) ** -years_before_end
    return lsoa[keep], days[keep]


def _repeats(rng: np.random.Generator, settings: Settings, district: np.ndarray, n_districts: int) -> np.ndarray:
    base = np.log(settings.repeat_share / (1 - settings.repeat_share))
    chance = 1 / (1 + np.exp(-(base + rng.normal(0, settings.district_spread, n_districts))))
    return rng.random(len(district)) < chance[district]


def _year_starts(days: np.ndarray) -> np.ndarray:
    """The April-March year each day falls in, by its starting year."""
    months = days.astype("datetime64[M]").astype(int)
    return (months - (FY_START_MONTH - 1)) // 12 + 1970


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    geo = ctx.geography
    lsoa, days = _growing(ctx, rng, settings)
    district = geo.lsoa_district[lsoa]
    n = len(lsoa)
    source = weighted_choice(rng, settings.sources, n)
    status = np.where(rng.random(n) < settings.awaiting_acceptance, "Awaiting acceptance", "Accepted").astype(object)
    risk = weighted_choice(rng, settings.risk, n)
    mark(risk, rng, settings.not_assessed, NOT_ASSESSED)
    repeat = np.where(_repeats(rng, settings, district, len(geo.district_names)), "Y", "N").astype(object)
    names = [str(name) for name in geo.district_names]
    labels, chosen = footnoted_names(rng, names, settings.footnoted_districts)
    districts = labels[district]
    dates, typed = mixed_dates(rng, days, settings.text_dates)
    bad = spoil(rng, settings.bad_rows, {"unknown_district": (districts, UNKNOWN_DISTRICTS),
                                         "bad_date": (dates, BAD_DAY_DATES)})
    references = yearly_references(days, "UAVA/{yy:02d}/", 5)
    year = _year_starts(days)
    sheets: dict[str, Table] = {}
    bad_rows: dict[str, list[tuple[str | None, int]]] = {kind: [] for kind in bad}
    sheet_names = [fy_label(start, "-") for start in np.unique(year).tolist()]
    sheet_names[rng.integers(0, len(sheet_names))] += " "  # a trailing space, as in real workbooks
    footer = [f"{number} {DISTRICT_NOTE}" for number in range(1, len(chosen) + 1)]
    footer += ["Status: referrals awaiting acceptance are included (from this year's extract onwards).",
               f"DASH Risk Level: {NOT_ASSESSED} = no risk assessment completed."]
    for start, sheet in zip(np.unique(year).tolist(), sheet_names):
        rows = np.flatnonzero(year == start)
        sheets[sheet] = Table(
            preamble=[f"Domestic abuse service referrals, April {start} to March {start + 1} (SYNTHETIC DEMO DATA)",
                      "Source: specialist domestic abuse service referral spreadsheet (simulated by Saferbook)",
                      "Repeat Referral: Y = the victim was referred to the service before within 12 months."],
            header=HEADER, groups=GROUPS, formats={1: "dd/mm/yyyy"}, footer=footer,
            columns=[references[rows], dates[rows], source[rows], status[rows], districts[rows], risk[rows],
                     repeat[rows]])
        position = {int(r): i for i, r in enumerate(rows)}
        for kind, spoilt in bad.items():
            bad_rows[kind] += [(sheet, position[int(r)]) for r in spoilt if int(r) in position]
    notes = Table(preamble=["Notes", "This workbook lists every referral the service received, one sheet per "
                            "April-March year.", "SYNTHETIC DEMO DATA made up by Saferbook: not real referrals."],
                  header=[], columns=[])
    return publish(ctx, SOURCE_ID, FILE_NAME, sheets, notes_sheets={"Notes": notes},
                   description="domestic abuse service referrals: source, status, district, risk, repeat",
                   provenance=PROVENANCE,
                   date_forms={"Referral / Date Received": "Excel date; some typed as dd/mm/yyyy text"},
                   markers={NOT_ASSESSED: "no DASH risk assessment completed"},
                   bad_rows=bad_rows, text_dates=len(np.setdiff1d(typed, bad.get("bad_date", []))),
                   unknown_district_values=list(UNKNOWN_DISTRICTS),
                   footnoted_labels={str(labels[i]): names[i] for i in chosen})
