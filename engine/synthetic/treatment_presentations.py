"""Substance-misuse treatment: the provider's list of new presentations to treatment, with demographics.

Mimics the client-level extract a treatment provider shares with the partnership for its needs
assessment (the seeds' "demographic profile of clients accessing services"): one row per client
starting treatment, in xlsx with notes above a two-row merged header (Client / Demographics /
Treatment), presentation dates as Excel dates with some typed as text, footnote digits on
district labels, and the provider's own disclosure control: an ethnic group that fewer than five
of a district's clients share is withheld as ``[c]``. Adult drug, adult alcohol and young
people's clients differ in sex, age and substance as the seeds describe, and each lives where
that kind of client concentrates, so districts' profiles differ.
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.common import BAD_DAY_DATES, footnoted_names, mixed_dates, spoil
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish, rows_in
from engine.synthetic.output import Table
from engine.synthetic.profile import weighted_choice

SOURCE_ID = "treatment_presentations"
FILE_NAME = "treatment_presentations.xlsx"
SHEET = "New presentations"
WITHHELD = "[c]"
UNKNOWN_DISTRICTS = ("No fixed abode", "Out of area")
HEADER = ["Client ID", "Date of Presentation", "Home District", "Age Band", "Sex", "Ethnicity", "Client Group",
          "Primary Substance"]
GROUPS = [("Client", 1, 2), ("Demographics", 3, 5), ("Treatment", 6, 7)]
DISTRICT_NOTE = "Includes clients seen at the provider's satellite clinic in the district."
PROVENANCE = (
    "Substance-misuse treatment presentations (SYNTHETIC). Mimics a treatment provider's client-level list of new "
    "presentations to structured treatment: home district, age band, sex, ethnicity, client group (adult drug, adult "
    "alcohol, young people) and primary substance; an ethnic group fewer than five of a district's clients share is "
    "withheld by the provider. Shares from the 2012 assessments' treatment profile for Leicestershire and Rutland: "
    "adult drug clients 70% male, average age 35, 90% opiates; adult alcohol clients 58% male, average age 45; young "
    "people 57% male, cannabis 50%, alcohol 15%. No national figures are simulated."
)


class ClientGroup(Strict):
    rate: float  # new presentations per 1,000 residents a year
    intensity_exponent: float
    male_share: float
    age_bands: dict[str, float]
    substances: dict[str, float]


class Settings(Strict):
    groups: dict[str, ClientGroup]
    plausible: tuple[float, float]
    not_stated: float
    withhold_below: int
    text_dates: float
    footnoted_districts: int
    bad_rows: dict[str, float]


def _withheld(ethnicity: np.ndarray, district: np.ndarray, below: int, keep: str) -> np.ndarray:
    """Rows whose ethnic group fewer than ``below`` of the district's clients share (``keep`` never is)."""
    pairs = np.char.add(district.astype(str), "\x00" + ethnicity.astype(str))
    _, inverse, counts = np.unique(pairs, return_inverse=True, return_counts=True)
    return np.flatnonzero((counts[inverse] < below) & (ethnicity != keep))


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    geo = ctx.geography
    parts: dict[str, list[np.ndarray]] = {key: [] for key in ("lsoa", "days", "group", "age", "sex", "substance")}
    for name, group in settings.groups.items():
        lsoa, days = ctx.incidents(rng, group.rate, group.intensity_exponent)
        parts["lsoa"].append(lsoa)
        parts["days"].append(days)
        parts["group"].append(np.full(len(lsoa), name, dtype=object))
        parts["age"].append(weighted_choice(rng, group.age_bands, len(lsoa)))
        parts["sex"].append(np.where(rng.random(len(lsoa)) < group.male_share, "Male", "Female").astype(object))
        parts["substance"].append(weighted_choice(rng, group.substances, len(lsoa)))
    lsoa, days, client_group, age, sex, substance = (np.concatenate(parts[key]) for key in parts)
    order = np.argsort(days, kind="stable")
    lsoa, days, client_group, age, sex, substance = (a[order] for a in (lsoa, days, client_group, age, sex, substance))
    n = len(lsoa)
    district = geo.lsoa_district[lsoa]
    ethnicity = ctx.profile.ethnicity(rng, lsoa)
    ethnicity[rng.random(n) < settings.not_stated] = "Not stated"
    majority = max(ctx.profile.ethnicity_mix["default"], key=ctx.profile.ethnicity_mix["default"].get)
    ethnicity[_withheld(ethnicity, district, settings.withhold_below, majority)] = WITHHELD
    names = [str(name) for name in geo.district_names]
    labels, chosen = footnoted_names(rng, names, settings.footnoted_districts)
    districts = labels[district]
    dates, typed = mixed_dates(rng, days, settings.text_dates)
    bad = spoil(rng, settings.bad_rows, {"unknown_district": (districts, UNKNOWN_DISTRICTS),
                                         "bad_date": (dates, BAD_DAY_DATES)})
    client_ids = np.array([f"TR{v:07d}" for v in rng.choice(9_000_000, n, replace=False) + 1_000_000], dtype=object)
    footer = [f"{number} {DISTRICT_NOTE}" for number in range(1, len(chosen) + 1)]
    footer += [f"Ethnicity: {WITHHELD} = withheld by the provider (fewer than {settings.withhold_below} of the "
               "district's clients in that group).", f"Total new presentations: {n:,}"]
    table = Table(
        preamble=[f"New presentations to structured treatment, {ctx.period.span_text} (SYNTHETIC DEMO DATA)",
                  "Source: substance-misuse treatment provider's client list (simulated by Saferbook)",
                  "One row per client starting treatment. Young people: clients under 18."],
        header=HEADER, groups=GROUPS, formats={1: "dd/mm/yyyy"}, footer=footer,
        columns=[client_ids, dates, districts, age, sex, ethnicity, client_group, substance])
    return publish(ctx, SOURCE_ID, FILE_NAME, {SHEET: table},
                   description="new presentations to substance-misuse treatment with demographics",
                   provenance=PROVENANCE,
                   date_forms={"Client / Date of Presentation": "Excel date; some typed as dd/mm/yyyy text"},
                   markers={WITHHELD: f"ethnicity withheld (fewer than {settings.withhold_below} clients)"},
                   bad_rows={kind: rows_in(SHEET, rows) for kind, rows in bad.items()},
                   text_dates=len(np.setdiff1d(typed, bad.get("bad_date", []))),
                   unknown_district_values=list(UNKNOWN_DISTRICTS),
                   footnoted_labels={str(labels[i]): names[i] for i in chosen})
