"""Specs built one after another in one process (the Excel add-in's Refresh, ``saferbook demo``) each get the Reports
of their own files: never the figures, or the name, of another spec that reads the same way.

Two copies of the tiny fixture spec, word for word, in two folders: the relative ``path:`` of each source names that
folder's file, and the two incident files differ. Each workbook's counts must be pandas' counts of its own file.
Two copies in one folder under two names read the same files; each workbook must still name its own spec (the
settings sheet's ``spec``, which a later Refresh reads to find the spec to refresh from).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from engine.api import ComputeMemo, prepare, render_all
from engine.ingest.cache import IngestCache
from hostile_support import FIXTURE, TINY_SPEC

WINDOWS = {"Current 12 months": ("2021-11", "2022-10"), "Previous 12 months": ("2020-11", "2021-10")}
ALLOWED = {"Primary fire", "Secondary fire"}  # the spec's allowed incident types: any other row is rejected


def _copy_fixture(folder: Path, keep_every: int = 1) -> Path:
    """The fixture in ``folder``, keeping only every ``keep_every``-th incident (so two copies count differently)."""
    shutil.copytree(FIXTURE, folder)
    incidents = folder / "incidents.csv"
    lines = incidents.read_text(encoding="utf-8").splitlines()
    incidents.write_text("\n".join([lines[0]] + lines[1::keep_every]) + "\n", encoding="utf-8")
    return folder / TINY_SPEC.name


def _pandas_counts(folder: Path) -> dict[tuple[str, str], int]:
    """(district name, window) -> incidents in that window, from the folder's CSVs read by pandas alone."""
    incidents = pd.read_csv(folder / "incidents.csv", dtype=str)
    lookup = pd.read_csv(folder / "lsoa_lookup.csv", dtype=str)
    names = pd.read_csv(folder / "districts.csv", dtype=str).set_index("LAD23CD")["LAD23NM"]
    incidents = incidents[incidents["Type"].isin(ALLOWED)]
    month = pd.to_datetime(incidents["Date"], format="%d/%m/%Y").dt.strftime("%Y-%m")
    district = incidents["LSOA"].map(lookup.set_index("LSOA11CD")["LAD22CD"]).map(names)
    counts = {}
    for name in names:
        for window, (first, last) in WINDOWS.items():
            counts[name, window] = int(((district == name) & (month >= first) & (month <= last)).sum())
    return counts


def _workbook_counts(out: Path) -> dict[tuple[str, str], int]:
    """(district, window) -> the Fires count the Summary's KPI table shows, from every workbook in ``out``."""
    counts = {}
    for path in sorted(out.glob("*.xlsx")):
        sheet = openpyxl.load_workbook(path)["Summary"]
        table = sheet.tables["sb_summary"]
        rows = [[cell.value for cell in row] for row in sheet[table.ref]]
        header = rows[0]
        fires = next(row for row in rows if row[header.index("Indicator")] == "Fires")
        district = path.name.split("_")[0]
        for window in WINDOWS:
            counts[district, window] = fires[header.index(window)]
    return counts


def _settings(path: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(path)["_saferbook"]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] is not None}


@pytest.mark.filterwarnings("ignore:Sparkline Group extension")
@pytest.mark.parametrize("shared", ["memo", "cache", "nothing"])
def test_one_spec_text_in_two_folders_counts_each_folders_own_data(tmp_path, shared):
    specs = [_copy_fixture(tmp_path / "first"), _copy_fixture(tmp_path / "second", keep_every=2)]
    assert specs[0].read_bytes() == specs[1].read_bytes()
    expected = [_pandas_counts(spec.parent) for spec in specs]
    assert expected[0] != expected[1]  # the two folders' data differ

    memo, cache = ComputeMemo(), IngestCache()
    for spec in specs:
        prepared = prepare(spec, memo=memo if shared == "memo" else None, cache=cache if shared == "cache" else None)
        render_all(prepared, spec.parent / "out")

    for spec, counts in zip(specs, expected):
        assert _workbook_counts(spec.parent / "out") == counts, spec.parent.name


@pytest.mark.filterwarnings("ignore:Sparkline Group extension")
def test_one_spec_text_under_two_names_in_one_folder_names_each_spec(tmp_path):
    first = _copy_fixture(tmp_path / "project")
    second = first.with_name("copy.yaml")
    shutil.copy(first, second)
    memo = ComputeMemo()
    for spec in (first, second):
        render_all(prepare(spec, memo=memo), tmp_path / spec.stem)

    for spec in (first, second):
        workbooks = sorted((tmp_path / spec.stem).glob("*.xlsx"))
        assert [_settings(path)["spec"] for path in workbooks] == [spec.name] * 3
    assert _workbook_counts(tmp_path / first.stem) == _workbook_counts(tmp_path / second.stem) \
        == _pandas_counts(first.parent)
