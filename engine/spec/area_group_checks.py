"""Cross-references of ``area_groups``: each names a lookup source and indicators that must exist.

Run from :func:`engine.spec.checks.cross_reference_problems` on the raw YAML mapping, like the
other reference checks, so a misspelt indicator here is reported in the same run as any other
problem in the spec.
"""
from __future__ import annotations

from typing import Any, Iterator

from engine.suggest import did_you_mean

KeyPath = tuple[str | int, ...]


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def area_group_problems(data: dict[str, Any], indicator_ids: list[str]) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(key_path, message)`` for every area group naming an unknown source or indicator."""
    sources = _mapping(data.get("sources"))
    groups = data.get("area_groups") if isinstance(data.get("area_groups"), list) else []
    ids = [_mapping(group).get("id") for group in groups]
    for position, group in enumerate(groups):
        group = _mapping(group)
        here: KeyPath = ("area_groups", position)
        if isinstance(ids[position], str) and ids[position] in ids[:position]:
            yield here + ("id",), f"area group id {ids[position]!r} is used twice; ids name workbook tables and must be unique"
        ref = group.get("source")
        if isinstance(ref, str):
            if ref not in sources:
                yield here + ("source",), f"unknown source {ref!r}{did_you_mean(ref, sources)}"
            elif _mapping(sources[ref]).get("type") == "police_uk":
                yield here + ("source",), (f"source {ref!r} is a police_uk folder; an area group's groups come from "
                                           "a csv, excel or table source with one row per small area")
        listed = group.get("indicators") if isinstance(group.get("indicators"), list) else []
        for item, indicator in enumerate(listed):
            if isinstance(indicator, str) and indicator not in indicator_ids:
                yield here + ("indicators", item), f"unknown indicator {indicator!r}{did_you_mean(indicator, indicator_ids)}"
