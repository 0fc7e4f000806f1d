"""No internal identifiers on any sheet a partner sees (issue 17): the spec's ids and keys stay in the spec.

Every visible cell of built workbooks is scanned for the spec's source ids, indicator, breakdown, hotspot and
area-group ids, its column keys, and the spec's own keys (``zero_markers``, ``partner_areas`` …): a partner
reads "Police recorded crime extract" and "Offence Type (HO)", never ``police_crime`` or ``ho_type``.

Only ids of several words joined by underscores are looked for: a one-word id ("burglary") is also an English
word. A file name that holds an id ("marac_referrals.csv", "youth_offending.xlsx") is the partner's own file,
named where a row was read from, and is allowed.
"""
from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from engine.api import build
from engine.spec.loader import load_spec
from engine.spec.models import Spec, as_column

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "specs" / "examples"
NWL = "North_West_Leicestershire_E07000134"


def _model_keys(model: type[BaseModel], seen: set[type]) -> set[str]:
    """Every field name of ``model`` and of the models its fields hold, however nested (in lists, dicts, unions)."""
    if model in seen:
        return set()
    seen.add(model)
    keys = set(model.model_fields)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            hint = stack.pop()
            if isinstance(hint, type) and issubclass(hint, BaseModel):
                keys |= _model_keys(hint, seen)
            stack += list(typing.get_args(hint))
    return keys


def internal_words(spec: Spec) -> set[str]:
    """The spec's ids, column keys and keys that a sheet must not show (those of several words)."""
    words = set(spec.sources) | {i.id for i in spec.indicators} | {b.id for b in spec.breakdowns}
    words |= {h.id for h in spec.hotspots} | {g.id for g in spec.area_groups} | _model_keys(Spec, set())
    for source in spec.sources.values():
        columns = dict(source.columns or {}) | (source.unpivot.fields if source.unpivot else {})
        words |= {as_column(c).name for c in columns.values()}
    return {w for w in words if "_" in w.strip("_")}


def shown_identifiers(book: Path, words: set[str]) -> list[tuple[str, str, str, str]]:
    """(sheet, cell, identifier, text) for every visible cell that shows one of ``words``."""
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
                         + r")(?!\w|\.\w)")
    found = []
    for sheet in load_workbook(book).worksheets:
        if sheet.sheet_state != "visible":  # the engine's settings sheet is for the add-in, not the reader
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (match := pattern.search(cell.value)):
                    found.append((sheet.title, cell.coordinate, match.group(1), cell.value[:120]))
    return found


def test_the_scan_finds_an_identifier_where_one_is_shown(tmp_path):
    """The scan is not vacuous: an id written into a sheet is found, a file name holding one is not."""
    import xlsxwriter
    book = tmp_path / "ids.xlsx"
    workbook = xlsxwriter.Workbook(book)
    sheet = workbook.add_worksheet("Methodology")
    sheet.write(0, 0, "Missing is not zero. In hospital_admissions, a district …")
    sheet.write(1, 0, "rows read from hospital_admissions.xlsx")
    workbook.add_worksheet("Settings").hide()
    workbook.worksheets()[1].write(0, 0, "hospital_admissions")
    workbook.close()
    assert shown_identifiers(book, {"hospital_admissions"}) == [
        ("Methodology", "A1", "hospital_admissions", "Missing is not zero. In hospital_admissions, a district …")]


def test_the_spec_words_include_ids_column_keys_and_spec_keys():
    spec, _ = load_spec(REPO / "specs" / "community_safety.yaml")
    words = internal_words(spec)
    assert {"street_crime", "total_crime", "ho_type", "person_id", "zero_markers", "partner_areas"} <= words
    assert "burglary" not in words


@pytest.mark.parametrize("example, area", [("counted", "Melton"), ("measured", "Melton"), ("breakdown", "Melton")])
def test_an_example_workbook_shows_no_identifier(tmp_path, example, area):
    """Small example specs whose sources have no titles: a sheet names them by their descriptions."""
    spec, _ = load_spec(EXAMPLES / f"{example}.yaml")
    (book,) = build(EXAMPLES / f"{example}.yaml", tmp_path, areas=[area])
    assert shown_identifiers(book, internal_words(spec)) == []


def test_the_demo_workbook_and_dashboard_show_no_identifier(demo_command):
    """The North West Leicestershire workbook and the county dashboard as ``saferbook demo`` writes them."""
    out = demo_command["out"]
    books = {"community_safety": next(out.glob(f"{NWL}_*.xlsx")), "dashboard": next(out.glob("*_County_*.xlsx"))}
    found = []
    for spec_name, book in books.items():
        spec, _ = load_spec(REPO / "specs" / f"{spec_name}.yaml")
        found += shown_identifiers(book, internal_words(spec))
    assert found == []
