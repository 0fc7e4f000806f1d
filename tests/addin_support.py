"""Shared by the add-in tests: a demo project one month longer, builds, and an independent reader of
what a built workbook shows. conftest's ``project`` and ``september`` fixtures make the shared project and its
September workbook once per run."""
from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import sys
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from engine.api import build, prepare, workbook_bytes
from engine.contract.names import AS_BUILT_SHEETS
from engine.contract.settings_sheet import SHEET_SETTINGS
from engine.report import NOT_AVAILABLE, SUPPRESSED
from fake_excel import typed

REPO_ROOT = Path(__file__).resolve().parents[1]
AREA = "Melton"
POLICE = Path("data/police_uk/leicestershire")
OCTOBER_2022 = "2022-10-leicestershire-street.csv.gz"
GENERATED = Path("data/synthetic/generated")


def make_project(root: Path, latest_month: bool = True) -> Path:
    """A copy of the demo spec and data whose police.uk files start in October 2020 (November 2020's
    rows relabelled), so that a workbook can be built for 2022-09 and refreshed to 2022-10. Without
    ``latest_month`` the October 2022 file has not "landed" yet. Returns the spec's path."""
    shutil.copytree(REPO_ROOT / "data", root / "data", ignore=shutil.ignore_patterns("generated", ".generated*"))
    (root / GENERATED).symlink_to(REPO_ROOT / GENERATED, target_is_directory=True)  # the SYNTHETIC extracts, read only
    shutil.copytree(REPO_ROOT / "specs", root / "specs")
    _drop_synthetic_indicators(root / "specs" / "community_safety.yaml")
    shutil.copy(REPO_ROOT / "saferbook.schema.json", root / "saferbook.schema.json")
    shutil.copy(REPO_ROOT / "saferbook-project.yaml", root / "saferbook-project.yaml")  # the project's identifier
    police = root / POLICE
    text = gzip.open(police / "2020-11-leicestershire-street.csv.gz", "rt", encoding="utf-8").read()
    with gzip.open(police / "2020-10-leicestershire-street.csv.gz", "wt", encoding="utf-8") as out:
        out.write(text.replace("\n2020-11,", "\n2020-10,"))
    if not latest_month:
        (police / OCTOBER_2022).unlink()
    spec = root / "specs" / "community_safety.yaml"
    # The peer-group export is for the 12 months to 2022-10 only, so a build for 2022-09 could not use it.
    text = spec.read_text(encoding="utf-8")
    spec.write_text(re.sub(r"\npeer_groups:\n(?:  .*\n)+", "\n", text), encoding="utf-8")
    return spec


SYNTHETIC_INDICATORS = "  # --- SYNTHETIC partner extracts: "  # from here to the end: the indicators counting them


def _drop_synthetic_indicators(spec: Path) -> None:
    """The spec's text without the indicators that count SYNTHETIC partner extracts: those are generated for the
    demo's months only, and these tests move the police.uk months (breakdowns of them face no such check)."""
    text = spec.read_text(encoding="utf-8")
    text = text[:text.index(SYNTHETIC_INDICATORS)]
    kept = {item["id"] for item in yaml.safe_load(text)["indicators"]}
    listed = re.search(r"\nseasonality:\n  indicators: \[(.*?)\]", text)  # seasonal tables of dropped indicators go too
    if listed:
        names = [n.strip() for n in listed.group(1).split(",") if n.strip() in kept]
        text = text.replace(listed.group(0), f"\nseasonality:\n  indicators: [{', '.join(names)}]")
    spec.write_text(text, encoding="utf-8")


def land_latest_month(root: Path) -> None:
    shutil.copy(REPO_ROOT / POLICE / OCTOBER_2022, root / POLICE / OCTOBER_2022)


def build_bytes(spec: Path, period_end: str | None) -> bytes:
    prepared = prepare(spec, areas=[AREA], period_end=period_end)
    return workbook_bytes(prepared, prepared.reports[0])


def build_september(project: Path, out: Path) -> Path:
    """Melton's workbook for the period to September 2022 from ``project`` (make_project's spec), as
    ``saferbook build`` writes it into ``out``. (conftest's ``september``, made once per run for the add-in tests.)"""
    result = subprocess.run([sys.executable, "-m", "engine.cli", "build", str(project), "--area", AREA,
                             "--period-end", "2022-09", "--out", str(out), "--quiet"],
                            env=_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    [workbook] = out.glob(f"{AREA}_*2022-09.xlsx")  # <Name>_<code>_<period>.xlsx
    return workbook


PROTECTED_NOTES = REPO_ROOT / "tests" / "specs" / "protected_notes.yaml"
EXAMPLE_POLICE = REPO_ROOT / "specs" / "examples" / "data" / "police_uk"
PROTECTED_MONTHS = ("2022-09", "2022-10")


def make_protected_project(root: Path) -> Path:
    """The protected-notes spec (the smallest protected build) in a project of its own whose police.uk sample starts
    a month earlier (November 2020's rows relabelled October), so that a workbook can be built for 2022-09 and
    refreshed to 2022-10, when it hides counts it showed; the rest of its data is the repository's (linked). Melton's
    protected workbooks for both months are built into ``root/out/<month>`` (conftest's ``protected_months``, made
    once per run). Returns the spec's path."""
    (root / "tests" / "specs").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "saferbook-project.yaml", root)
    shutil.copy(PROTECTED_NOTES, root / "tests" / "specs")
    (root / "data").symlink_to(REPO_ROOT / "data", target_is_directory=True)
    police = root / EXAMPLE_POLICE.relative_to(REPO_ROOT)
    police.mkdir(parents=True)
    for month in EXAMPLE_POLICE.iterdir():
        (police / month.name).symlink_to(month)
    text = gzip.open(EXAMPLE_POLICE / "2020-11-leicestershire-street.csv.gz", "rt", encoding="utf-8").read()
    with gzip.open(police / "2020-10-leicestershire-street.csv.gz", "wt", encoding="utf-8") as out:
        out.write(text.replace("\n2020-11,", "\n2020-10,"))
    spec = root / "tests" / "specs" / PROTECTED_NOTES.name
    for month in PROTECTED_MONTHS:
        build(spec, root / "out" / month, areas=[AREA], period_end=month, suppress=True)
    return spec


def protected_workbook(root: Path, month: str) -> Path:
    """Melton's protected workbook for ``month`` in :func:`make_protected_project`'s folder ``root``."""
    [path] = (root / "out" / month).glob("*.xlsx")
    return path


def figure_word_alignments(path: Path) -> dict[tuple[str, tuple[int, int]], str | None]:
    """Every cell of the sheets Refresh rewrites that reads a word standing for a figure, and its horizontal alignment
    (openpyxl's name), read from the file with openpyxl."""
    workbook = load_workbook(path)
    return {(ws.title, (c.row - 1, c.column - 1)): c.alignment.horizontal
            for ws in workbook.worksheets if ws.title not in AS_BUILT_SHEETS | {SHEET_SETTINGS}
            for row in ws.iter_rows() for c in row if c.value in (SUPPRESSED, NOT_AVAILABLE)}


def table_values(path: Path, sheet: str, name: str) -> tuple[tuple[int, int, int, int], list[list[Any]]]:
    """A table's rectangle (0-based) and values, read from the file with openpyxl."""
    ws = load_workbook(path)[sheet]
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                                             max_col=max_col)]
    return (min_row - 1, min_col - 1, max_row - 1, max_col - 1), values


def shown(data: bytes) -> dict[str, Any]:
    """What a workbook shows, read straight from the file (not through the settings sheet):
    ``tables``: name -> (sheet, rect, values), ``cells``: sheet -> {cell: value} outside tables,
    ``links``: {(sheet, cell): target}."""
    workbook = load_workbook(io.BytesIO(data))
    tables, cells, links = {}, {}, {}
    for ws in workbook.worksheets:
        rects = {}
        for table in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            rect = (min_row - 1, min_col - 1, max_row - 1, max_col - 1)
            rects[table.name] = rect
            tables[table.name] = (ws.title, rect, [[typed(c) for c in row] for row in ws.iter_rows(
                min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col)])
        cells[ws.title] = {}
        for row in ws.iter_rows():
            for c in row:
                cell = (c.row - 1, c.column - 1)
                if c.value is not None and not any(r[0] <= cell[0] <= r[2] and r[1] <= cell[1] <= r[3]
                                                   for r in rects.values()):
                    cells[ws.title][cell] = typed(c)
                if c.hyperlink is not None and c.hyperlink.location:
                    links[(ws.title, cell)] = "#" + c.hyperlink.location
    return {"tables": tables, "cells": cells, "links": links}


def after_refresh(before: bytes, fresh: dict[str, Any]) -> dict[str, Any]:
    """What a workbook built as ``before`` shows once refreshed to the period a fresh build shows as ``fresh``
    (``shown()``): the fresh build's tables, cells and links, but on the sheets Refresh leaves as built
    (``AS_BUILT_SHEETS``: the maps) what ``before`` shows."""
    old = shown(before)
    return {"tables": fresh["tables"],
            "cells": {sheet: old["cells"][sheet] if sheet in AS_BUILT_SHEETS else cells
                      for sheet, cells in fresh["cells"].items()},
            "links": {**{k: v for k, v in fresh["links"].items() if k[0] not in AS_BUILT_SHEETS},
                      **{k: v for k, v in old["links"].items() if k[0] in AS_BUILT_SHEETS}}}


def assert_book_shows(book: Any, expected: dict[str, Any]) -> None:
    """The fake book (tests/fake_excel.py) shows ``expected`` (``shown()``'s shape): every table where it should be
    with its values, and every sheet's cells outside the tables; the settings sheet is left to its own tests."""
    for name, (sheet, rect, values) in expected["tables"].items():
        assert book.table_rects[name] == (sheet, rect), name
        r0, c0, r1, c1 = rect
        assert [[book.value(sheet, (r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)] == values, name
    for sheet, cells in expected["cells"].items():
        if sheet == SHEET_SETTINGS:
            continue
        rects = [r for s, r in book.table_rects.values() if s == sheet]
        outside = {c: v for c, v in book.cells[sheet].items()
                   if not any(r[0] <= c[0] <= r[2] and r[1] <= c[1] <= r[3] for r in rects)}
        assert outside == cells, sheet


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def cli_errors(*args: str | Path, cwd: Path = REPO_ROOT) -> list[str]:
    """The ``error:`` lines ``saferbook ARGS`` prints."""
    result = subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=cwd, env=_env(),
                            capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert result.returncode == 2, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]
