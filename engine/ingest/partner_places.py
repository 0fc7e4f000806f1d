"""Place rows of partner-keyed extracts (youth offending, probation, MARAC, …) on a partner area.

Many partner systems record only the district, never the small area: their rows are placed on
the spec's partner areas directly, by code (``partner_area_code``) or by name
(``partner_area_name``). Names are matched the way an analyst would read them: case, spacing
and "&" against "and" do not matter, and ``geography.partner_areas.aliases`` maps the partner's
own spellings ("NW Leicestershire") to the lookup's names. Rows naming no partner area of the
spec ("Out of area", "Total", "England") are excluded from every count and listed, never
guessed.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

PARTNER_NAME_COLUMN = "partner_area_name"
PARTNER_CODE_COLUMN = "partner_area_code"
PARTNER_KEY_COLUMNS = (PARTNER_CODE_COLUMN, PARTNER_NAME_COLUMN)


def normalised_name(text: object) -> str:
    """The form names are compared in: casefolded, '&' read as 'and', runs of spaces and dots collapsed."""
    value = str(text).casefold().replace("&", " and ")
    return re.sub(r"[\s.]+", " ", value).strip()


def partner_key_column(columns) -> str | None:
    """Which partner-area key a tidy table has (code preferred), or None if it has neither."""
    return next((c for c in PARTNER_KEY_COLUMNS if c in columns), None)


def partner_positions(values: pd.Series, key: str, codes: np.ndarray, names: np.ndarray,
                      aliases: dict[str, str], missing: int, unknown: int) -> np.ndarray:
    """Index into the partner arrays for every row; ``missing`` for blanks, ``unknown`` for the rest.

    Mapped once per distinct value, not once per row.
    """
    if key == PARTNER_CODE_COLUMN:
        lookup = {str(code).strip().upper(): i for i, code in enumerate(codes)}
        normalise = lambda text: str(text).strip().upper()  # noqa: E731 - one-line key function
    else:
        lookup = {normalised_name(name): i for i, name in enumerate(names)}
        by_name = {normalised_name(name): i for i, name in enumerate(names)}
        for alias, name in aliases.items():
            if normalised_name(name) in by_name:
                lookup[normalised_name(alias)] = by_name[normalised_name(name)]
        normalise = normalised_name
    text = values.astype("string").fillna("").str.strip()
    distinct = pd.unique(text)
    table = {value: (missing if value == "" else lookup.get(normalise(value), unknown)) for value in distinct}
    return text.map(table).to_numpy(dtype=np.int64)
