"""The render benchmark's fair yardstick replays the engine's xlsxwriter calls and makes the very same file.

``benchmarks/render_replay.py`` records every top-level call a render makes on xlsxwriter and replays them on
a fresh workbook; the benchmark times the replay as xlsxwriter's own cost for the workbook. That is only a
yardstick if the replay makes the rendered bytes, and if a replay that differs in one cell is told apart.
"""
from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import pytest

from engine.api import prepare, theme
from engine.render import render_workbook

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def replay_module():
    spec = importlib.util.spec_from_file_location("bench_render_replay", REPO / "benchmarks" / "render_replay.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered(replay_module):
    prepared = prepare(REPO / "specs" / "examples" / "breakdown.yaml", areas=["Melton"])
    report, look = prepared.reports[0], theme(prepared)
    calls, data = replay_module.recorded(lambda: render_workbook(report, look))
    return calls, data, render_workbook(report, look)


def test_the_replay_makes_the_rendered_workbook_byte_for_byte(replay_module, rendered):
    calls, data, again = rendered
    assert data == again  # recording does not change what the render makes
    assert replay_module.replay(calls) == data
    methods = {c.method for c in calls}
    assert {"add_format", "add_worksheet", "add_table", "add_chart", "insert_chart", "conditional_format",
            "close"} <= methods
    assert [c.method for c in calls].count("close") == 1


def test_a_replay_that_differs_in_one_cell_is_told_apart(replay_module, rendered):
    calls, data, _ = rendered
    at = next(i for i, c in enumerate(calls) if c.method == "write_string")
    changed = list(calls)
    changed[at] = replay_module.Call(calls[at].target, "write_string", (*calls[at].args[:2], "changed", *calls[at].args[3:]),
                                     calls[at].kwargs, calls[at].made, calls[at].plain)
    other = replay_module.replay(changed)
    assert other != data
    with zipfile.ZipFile(io.BytesIO(other)) as book:
        assert b"changed" in book.read("xl/sharedStrings.xml")


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


def _values(data: bytes) -> list[list]:
    """Every sheet's stored values; a date as its serial number (without its number format, openpyxl reads the
    stored serial as a number)."""
    import datetime

    import openpyxl
    from openpyxl.utils.datetime import to_excel

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [[to_excel(v) if isinstance(v, datetime.datetime) else v
             for row in sheet.iter_rows(values_only=True) for v in row if v is not None] for sheet in book.worksheets]


def test_each_floor_variant_takes_out_its_feature_and_keeps_the_cells(replay_module, rendered):
    """The floor table (bench_render --floor) charges a feature with the replay's time less the time without it: so
    each variant must lack exactly that feature and still hold every value of the workbook."""
    calls, data, _ = rendered
    whole = _parts(data)
    assert any(n.startswith("xl/charts/") for n in whole) and any(n.startswith("xl/tables/") for n in whole)
    assert any(b"<conditionalFormatting" in v for n, v in whole.items() if n.startswith("xl/worksheets/sheet"))
    cells = _values(data)
    features = replay_module.FEATURES
    variants = {name: _parts(replay_module.replay(strip(calls))) for name, strip in features.items()}

    assert not any(n.startswith("xl/charts/") for n in variants["charts"])
    assert not any(n.startswith("xl/tables/") for n in variants["Excel tables"])
    assert not any(b"<conditionalFormatting" in v for n, v in variants["conditional formats"].items()
                   if n.startswith("xl/worksheets/sheet"))
    assert variants["cell, row and column formats"]["xl/styles.xml"].count(b"<xf ") < whole["xl/styles.xml"].count(b"<xf ")
    for name, strip in features.items():
        assert _values(replay_module.replay(strip(calls))) == cells, name
