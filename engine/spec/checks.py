"""Checks that need the whole spec in view: names that must refer to something that exists.

Kept apart from the models so that each message can carry the exact key path of the offending
value (pydantic's whole-model validators lose it).
"""
from __future__ import annotations

from typing import Iterator

from engine.ingest.police_uk import KNOWN_VALUES as POLICE_UK_VALUES, TIDY_COLUMNS as POLICE_UK_COLUMNS
from engine.spec.models import Spec, Where
from engine.spec.suggest import did_you_mean

KeyPath = tuple[str | int, ...]


def cross_reference_problems(spec: Spec) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(key_path, message)`` for every dangling reference in ``spec``."""
    sources = spec.sources
    for key, ref in (
        (("geography", "small_areas", "source"), spec.geography.small_areas.source),
        (("geography", "partner_areas", "source"), spec.geography.partner_areas.source),
        (("geography", "population", "source"), spec.geography.population.source),
    ):
        if ref not in sources:
            yield key, f"unknown source {ref!r}{did_you_mean(ref, sources)}"

    seen_ids: set[str] = set()
    for position, indicator in enumerate(spec.indicators):
        here: KeyPath = ("indicators", position)
        if indicator.id in seen_ids:
            yield here + ("id",), f"indicator id {indicator.id!r} is used twice; ids name workbook tables and must be unique"
        seen_ids.add(indicator.id)
        source = sources.get(indicator.source)
        if source is None:
            yield here + ("source",), f"unknown source {indicator.source!r}{did_you_mean(indicator.source, sources)}"
            continue
        if source.type == "police_uk":
            yield from _police_uk_filter_problems(indicator.where, here + ("where",))

    if spec.trend_table:
        for position, row in enumerate(spec.trend_table.rows):
            if row not in seen_ids:
                yield ("trend_table", "rows", position), f"unknown indicator {row!r}{did_you_mean(row, seen_ids)}"


def _police_uk_filter_problems(where: Where, here: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """police.uk has a fixed vocabulary, so a misspelt crime type can be caught before reading data."""
    for column, condition in where.items():
        if column not in POLICE_UK_COLUMNS:
            yield here + (column,), f"unknown police.uk column {column!r}{did_you_mean(column, POLICE_UK_COLUMNS)}"
            continue
        known = POLICE_UK_VALUES.get(column)
        if not known:
            continue
        operator = next(name for name in ("equals", "not_equals", "in", "not_in", "between")
                        if getattr(condition, "in_" if name == "in" else name) is not None)
        for position, value in enumerate(condition.values()):
            if value not in known:
                path = here + (column, operator) + ((position,) if operator in ("in", "not_in", "between") else ())
                label = column.replace("_", " ")
                yield path, f"unknown {label} {value!r}{did_you_mean(str(value), known)}"
