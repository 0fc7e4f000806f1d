"""Which police.uk columns a spec's indicators, breakdowns and hotspots can read once the reader is done.

The reader needs every column (a repeat is a row equal to another in every column read), but the
Crime IDs, coordinates and location text, nearly one distinct value a row, are about half of a
national year's memory and no count reads them unless the spec names them. Once the repeats are
found they are let go. Which columns a spec names is found by looking for each column's tidy name
among every key and text value of the spec: a spec that names a column anywhere (a filter, a
breakdown, a hotspot) keeps it, so nothing a spec can reach is ever dropped.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.spec.models import Spec
from engine.vocabulary.police_uk import TIDY_COLUMNS

#: what the engine itself reads from every police.uk row: where, when and what
ALWAYS_KEPT = frozenset({"month", "small_area_code", "crime_type"})


def columns_kept(spec: Spec) -> tuple[str, ...]:
    """The tidy police.uk columns kept after reading, in the reader's order: the engine's own and any the spec names."""
    named = set(_texts(spec.model_dump(mode="json")))
    return tuple(c for c in TIDY_COLUMNS if c in ALWAYS_KEPT or c in named)


def _texts(value: Any) -> Iterator[str]:
    """Every key and text value in a dumped spec, however deeply nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)
