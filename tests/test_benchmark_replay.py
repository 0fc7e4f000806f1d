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
