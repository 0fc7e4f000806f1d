"""Police recorded-crime extract: one row per crime, Home Office offence classes and flags.

Mimics a force crime system's CSV export (Windows-1252, notes above the header, ``dd/mm/yyyy``
text dates). Counts per LSOA, month and crime type copy the bundled police.uk data, so the
extract agrees with it; what police.uk does not publish (the Home Office group and subgroup,
and the domestic / hate / alcohol / drug flags) is drawn at the seeds' rates.
"""
from __future__ import annotations

import numpy as np
from pydantic import Field

from engine.synthetic.common import (BAD_DAY_DATES, code_shape_counts, spoil, uk_date_text, unknown_codes,
                                     yearly_references)
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish, rows_in
from engine.synthetic.output import Table

SOURCE_ID = "police_crime"
FILE_NAME = "police_crime_extract.csv"
ENCODING = "cp1252"
MISSING = "N/A"
FLAGS = ("domestic", "hate", "alcohol", "drug")
HEADER = ["Crime Reference", "Date Committed", "LSOA Code", "Offence Group (HO)", "Offence Type (HO)",
          "Domestic Flag", "Hate Flag", "Alcohol Flag", "Drug Flag"]
PROVENANCE = (
    "Police crime extract (SYNTHETIC). Mimics a force crime-system export: one row per recorded crime "
    "with its Home Office offence group and type and domestic, hate, alcohol-related and drug-related "
    "flags. The number of crimes per LSOA, month and crime type copies the real police.uk street-level "
    "data; offence types and flags are simulated at the seed assessments' rates (a third of violence "
    "domestic-related, about 9% of crime alcohol-related, hate crime about 1% of crime, mostly violence)."
)


class Settings(Strict):
    fallback_rates: dict[str, float]
    plausible: tuple[float, float]
    reference_prefix: str = Field(min_length=1)
    home_office: dict[str, list[tuple[str, str, float]]]
    flags: dict[str, dict[str, float]]
    always_hate_subgroups: list[str] = []
    bad_rows: dict[str, float]


def _home_office(rng: np.random.Generator, kinds: np.ndarray, crime_types: tuple[str, ...],
                 settings: Settings) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Each crime's (Home Office group, subgroup) option, drawn from its police.uk type's mix."""
    options: list[tuple[str, str]] = []
    chosen = np.zeros(len(kinds), dtype=np.int64)
    for index, name in enumerate(crime_types):
        rows = np.flatnonzero(kinds == index)
        mix = settings.home_office[name]
        weights = np.array([w for _, _, w in mix], dtype=float)
        chosen[rows] = len(options) + rng.choice(len(mix), size=len(rows), p=weights / weights.sum())
        options += [(group, subgroup) for group, subgroup, _ in mix]
    return chosen, options


def _flags(rng: np.random.Generator, chosen: np.ndarray, options: list[tuple[str, str]],
           settings: Settings) -> dict[str, np.ndarray]:
    """Each flag drawn at its Home Office group's rate; aggravated subgroups are always hate crimes."""
    flags = {}
    for name in FLAGS:
        shares = settings.flags.get(name, {})
        chance = np.array([shares.get(group, shares.get("default", 0.0)) for group, _ in options])
        if name == "hate":
            chance[[i for i, (_, sub) in enumerate(options) if sub in settings.always_hate_subgroups]] = 1.0
        flags[name] = rng.random(len(chosen)) < chance[chosen]
    return flags


def _records(ctx: Context, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LSOA position (-1 for no location), date and crime-type index of every crime, in date order."""
    counts, blank = ctx.police.counts, ctx.police.no_location
    lsoa, month, kind = np.nonzero(counts)
    repeat = counts[lsoa, month, kind]
    blank_month, blank_kind = np.nonzero(blank)
    repeat_blank = blank[blank_month, blank_kind]
    lsoa = np.concatenate([np.repeat(lsoa, repeat), np.full(repeat_blank.sum(), -1)])
    month = np.concatenate([np.repeat(month, repeat), np.repeat(blank_month, repeat_blank)])
    kind = np.concatenate([np.repeat(kind, repeat), np.repeat(blank_kind, repeat_blank)])
    first = (np.datetime64(ctx.period.first_day, "M") + month).astype("datetime64[D]")
    length = ((np.datetime64(ctx.period.first_day, "M") + month + 1).astype("datetime64[D]") - first).astype(int)
    days = first + (rng.random(len(first)) * length).astype(int)
    order = np.lexsort((rng.random(len(days)), days))  # date order, as recorded; random within a day
    return lsoa[order], days[order], kind[order]


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    lsoa, days, kind = _records(ctx, rng)
    chosen, options = _home_office(rng, kind, ctx.police.crime_types, settings)
    flags = _flags(rng, chosen, options, settings)
    group = np.array([g for g, _ in options], dtype=object)[chosen]
    subgroup = np.array([s for _, s in options], dtype=object)[chosen]

    codes = np.where(lsoa >= 0, ctx.geography.lsoa_codes[np.maximum(lsoa, 0)], MISSING).astype(object)
    dates = uk_date_text(days)
    bad = spoil(rng, settings.bad_rows, {
        "unknown_lsoa": (codes, unknown_codes(rng, list(ctx.geography.lsoa_codes), 50)),
        "bad_date": (dates, BAD_DAY_DATES),
    }, exclude=np.flatnonzero(lsoa < 0))
    yes_no = np.array(["N", "Y"], dtype=object)
    columns = [yearly_references(days, settings.reference_prefix + "/{yy:02d}/", 6), dates, codes, group, subgroup,
               *(yes_no[flags[name].astype(int)] for name in FLAGS)]
    table = Table(
        preamble=[f"Recorded crime extract – all offences, {ctx.period.span_text} (SYNTHETIC DEMO DATA)",
                  "Source: force crime recording system (simulated by Saferbook; counts follow police.uk)",
                  f"Run date: {ctx.config.document_date:%d/%m/%Y}"],
        header=HEADER, columns=columns, footer=[f"Records: {len(days)}"])
    bad_rows = {kind: rows_in(None, rows) for kind, rows in bad.items()}
    bad_rows["missing_lsoa"] = rows_in(None, np.flatnonzero(lsoa < 0))
    return publish(ctx, SOURCE_ID, FILE_NAME, {None: table}, encoding=ENCODING,
                   description="record-level recorded crime with Home Office classes and flags",
                   provenance=PROVENANCE, date_forms={"Date Committed": "dd/mm/yyyy text"},
                   markers={MISSING: "no location recorded"}, bad_rows=bad_rows,
                   flag_values={"Y": "flagged", "N": "not flagged"},
                   bad_row_detail={"unknown_lsoa": code_shape_counts(codes[bad.get("unknown_lsoa", [])], ctx.geography.lsoa_codes)})
