"""The names a reader sees for a spec's sources and columns, never the ids the spec keys them by.

A partner reads "Police recorded crime extract" and "Offence Type (HO)", the names in their own files
and the spec's titles; ``police_crime`` and ``ho_type`` are the spec's keys, which mean nothing on a
printed page. Every sentence that names a source or a column takes its words from here.
"""
from __future__ import annotations

from engine.spec.models import Source, Spec, as_column


def words(identifier: str) -> str:
    """An id as words, for a thing the spec gives no name: "lsoa_2011_2021" -> "lsoa 2011 2021"."""
    return identifier.replace("_", " ")


def source_title(spec: Spec, name: str) -> str:
    """A source as a reader knows it: its title, else its description, else its id in words."""
    source = spec.sources.get(name)
    if source is None:
        return words(name)
    return source.title or source.description or words(name)


def column_label(source: Source, column: str) -> str:
    """A column as the source's file heads it (the spec's ``columns`` key read into ``column``), else its name in
    words: ``ho_type`` -> "Offence Type (HO)"."""
    specs = dict(source.columns or {})
    if source.unpivot is not None:
        specs.update(source.unpivot.field_specs())
    for header, spec in specs.items():
        if as_column(spec).name == column:
            return header
    return words(column)


def source_description(spec: Spec, name: str) -> str:
    """A source's description, for a sentence that says what its rows are; its title when it has none."""
    source = spec.sources.get(name)
    return (source.description if source is not None else "") or source_title(spec, name)
