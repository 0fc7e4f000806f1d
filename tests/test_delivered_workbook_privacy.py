"""A delivered workbook carries no path of the machine that built it and no user name, and its checksum
(what the delivery ledger compares) does not depend on where the project sits.

The same project is copied to two folders of different depth and run (``--dry-run``: the
delivered files are the same, nothing is mailed); every part of every workbook is unzipped and
searched for the project folder, the home folder and the user name.
"""
from __future__ import annotations

import dataclasses
import getpass
import hashlib
import zipfile
from pathlib import Path

import pytest

from engine.api import partner_workbook, prepare
from engine.cli import main
from hostile_support import copy_fixture, tiny_pipeline

def run_in(folder: Path) -> dict[str, bytes]:
    spec = copy_fixture(folder)
    pipeline = tiny_pipeline(folder, 25, spec)
    assert main(["run", str(pipeline), "--dry-run", "--quiet"]) == 0
    return {p.name: p.read_bytes() for p in sorted((folder / "out").glob("*.xlsx"))}


def needles(folder: Path) -> list[str]:
    """What must not appear: the build folder, the home folder and the user name (as a path part when short)."""
    user = getpass.getuser()
    found = [str(folder.resolve()), str(Path.home())]
    found += [user] if len(user) > 5 else [f"/{user}/", f"\\{user}\\", f"/{user}<", f">{user}<"]
    return [n for n in found if n not in ("/", "")]


def parts_holding(workbook: bytes, texts: list[str]) -> list[tuple[str, str]]:
    import io

    hits = []
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        for name in archive.namelist():
            data = archive.read(name).decode("utf-8", "replace")
            hits += [(name, text) for text in texts if text in data or text.replace("/", "\\") in data]
    return hits


@pytest.fixture(scope="module")
def two_places(tmp_path_factory):
    root = tmp_path_factory.mktemp("where")
    near, far = root / "a", root / "b" / "deeper" / "still"
    return (near, run_in(near)), (far, run_in(far))


def test_no_part_of_a_delivered_workbook_holds_a_path_or_user_name(two_places):
    for folder, workbooks in two_places:
        assert len(workbooks) == 3
        for name, data in workbooks.items():
            assert parts_holding(data, needles(folder)) == [], name


def test_the_delivered_checksum_does_not_depend_on_where_the_project_sits(two_places):
    (_, near), (_, far) = two_places
    assert {n: hashlib.sha256(d).hexdigest() for n, d in near.items()} == \
        {n: hashlib.sha256(d).hexdigest() for n, d in far.items()}


def test_the_settings_sheet_records_no_path(tmp_path):
    """The settings sheet (Refresh's record of where a workbook came from) holds paths relative to the project
    only: with and without it, no part holds a path, and two places give the same bytes."""
    rendered = []
    for folder in (tmp_path / "a", tmp_path / "b" / "deeper"):
        prepared = prepare(copy_fixture(folder), suppress=True)
        without = partner_workbook(prepared, dataclasses.replace(prepared.reports[0], provenance=None))
        data = partner_workbook(prepared, prepared.reports[0])
        assert parts_holding(without, needles(folder)) == [] and parts_holding(data, needles(folder)) == []
        rendered.append(data)
    assert rendered[0] == rendered[1]
