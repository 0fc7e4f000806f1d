"""Each partner's data-quality CSV and Data Quality sheet hold only rows about that partner (and rows about a
file as a whole, labelled so); the CLI and delivery write the same files through one function.

Expected rows come from the fixture's CSVs read with the csv module: a rejected incident belongs to the
district whose lookup row holds its LSOA; one with an LSOA outside the lookup belongs to nobody.
"""
from __future__ import annotations

import csv
import io

import numpy as np
from openpyxl import load_workbook

from deliver_support import MailServer
from engine.cli import main
from engine.ingest.issues import NOBODY, UNPLACED, WHOLE_FILE, IssueLog, IssueOwners, issue_owners
from hostile_support import copy_fixture, tiny_pipeline

ALLOWED = {"Primary fire", "Secondary fire"}


def expected_rows(folder) -> dict[str, set[tuple[int, str]]]:
    """District name -> {(row, value)} of its rejected incidents (a type outside the allowed list)."""
    with (folder / "lsoa_lookup.csv").open(encoding="utf-8") as handle:
        district_code = {r["LSOA11CD"]: r["LAD22CD"] for r in csv.DictReader(handle)}
    with (folder / "districts.csv").open(encoding="utf-8") as handle:
        name = {r["LAD23CD"]: r["LAD23NM"] for r in csv.DictReader(handle)}
    found: dict[str, set[tuple[int, str]]] = {n: set() for n in name.values()}
    with (folder / "incidents.csv").open(encoding="utf-8") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            if row["Type"] not in ALLOWED and row["LSOA"] in district_code:
                found[name[district_code[row["LSOA"]]]].add((row_number, row["Type"]))
    return found


def csv_rows(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_each_partner_sees_only_its_own_rows(tmp_path):
    spec = copy_fixture(tmp_path)
    assert main(["build", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    expected = expected_rows(tmp_path)
    assert sum(map(len, expected.values())) == 2 and set(map(len, expected.values())) == {0, 1}  # the fixture's shape
    for area, code in (("Alpha", "E07000001"), ("Beta", "E07000002"), ("Gamma", "E07000003")):
        rows = csv_rows(tmp_path / "out" / f"{area}_{code}_2022-10_data_quality.csv")
        assert {(int(r["row"]), r["value"]) for r in rows} == expected[area]
        assert all(r["about"] == area for r in rows)
        assert "E09999999" not in (tmp_path / "out" / f"{area}_{code}_2022-10_data_quality.csv").read_text(encoding="utf-8-sig")
        sheet = load_workbook(tmp_path / "out" / f"{area}_{code}_2022-10.xlsx", read_only=True)["Data Quality"]
        listed = {(int(r[3]), r[5]) for r in sheet.iter_rows(min_row=6, values_only=True) if r and r[3] is not None}
        assert listed == expected[area]


def test_rows_about_a_shared_file_are_labelled_as_such():
    """Issues of a file with no location column (a lookup) go to every partner, labelled; rows of a located
    file go to their partner only, or to nobody when outside every partner area or without a location."""
    log = IssueLog()
    log.add("lookup", "lookup.csv", None, [5], "LSOA11CD", "E0100000x", "rejected", "bad code")
    log.add("fire", "fire.csv", None, [2, 3, 4, 6], "Type", "Chimney", "rejected", "not allowed",
            places=["E01000001", "E07000002", "E09999999", UNPLACED])
    owners = issue_owners(log.frame(), np.array(["E07000001", "E07000002"]), np.array(["Alpha", "Beta"]),
                          np.array(["E01000001", "E01000003"]), np.array([0, 1]))
    assert list(owners) == [WHOLE_FILE, 0, 1, NOBODY, NOBODY]
    owners = IssueOwners.of(owners)
    assert [(r[0], r[3], r[-1]) for r in log.rows(*log.for_partner(owners, 0, "Alpha"))] == [
        ("lookup", 5, "the file as a whole"), ("fire", 2, "Alpha")]
    assert [(r[0], r[3], r[-1]) for r in log.rows(*log.for_partner(owners, 1, "Beta"))] == [
        ("lookup", 5, "the file as a whole"), ("fire", 3, "Beta")]


def test_delivery_attaches_the_same_csv_the_cli_writes(tmp_path):
    spec = copy_fixture(tmp_path)
    assert main(["build", str(spec), "--out", str(tmp_path / "cli"), "--quiet"]) == 0
    server = MailServer().start()
    try:
        pipeline = tiny_pipeline(tmp_path, server.port, spec, areas={"Alpha": ["alpha@example.org"]})
        text = pipeline.read_text(encoding="utf-8").replace("smtp:", "privacy:\n  attach_record_level: true\n"
                                                                     "  suppress_small_numbers: false\nsmtp:", 1)
        pipeline.write_text(text, encoding="utf-8")
        assert main(["run", str(pipeline), "--quiet"]) == 0
        [message] = server.handler.received
    finally:
        server.stop()
    attached = message.attachments["Alpha_E07000001_2022-10_data_quality.csv"]
    cli = (tmp_path / "cli" / "Alpha_E07000001_2022-10_data_quality.csv").read_bytes()
    assert attached.encode("utf-8") == cli.decode("utf-8").encode("utf-8") or attached == cli


def test_no_partner_sees_another_partners_value_on_its_methodology_sheet(tmp_path):
    """The Methodology sheet's data-quality counts cover the whole build; the example value a count quotes is one
    partner's record, so no partner's workbook quotes any (each sees its own rows on its Data Quality sheet)."""
    spec = copy_fixture(tmp_path)
    assert main(["build", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    rejected = {value for rows in expected_rows(tmp_path).values() for _, value in rows} | {"E09999999"}
    assert rejected  # the fixture has values that belong to one partner (or none)
    for area, code in (("Alpha", "E07000001"), ("Beta", "E07000002"), ("Gamma", "E07000003")):
        sheet = load_workbook(tmp_path / "out" / f"{area}_{code}_2022-10.xlsx", read_only=True)["Methodology"]
        cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
        own = {value for _, value in expected_rows(tmp_path)[area]}
        assert not any(value in cell for cell in cells for value in rejected - own), area


def test_issue_owners_are_worked_out_once_per_build(tmp_path, monkeypatch):
    """Whose each issue is, is worked out once for the build, not once per workbook (that cost partners × issues,
    quadratic in a national build), and every partner's CSV still holds exactly its own rows."""
    import sys

    import engine.api  # noqa: F401 - every module that may work owners out is loaded before they are counted
    import engine.indicators.compute  # noqa: F401
    import engine.ingest.issues as issues

    calls = []
    real = issues.issue_owners
    for module in [m for m in sys.modules.values() if getattr(m, "issue_owners", None) is real]:
        monkeypatch.setattr(module, "issue_owners", lambda *args: calls.append(1) or real(*args))
    spec = copy_fixture(tmp_path)
    assert main(["build", str(spec), "--out", str(tmp_path / "out"), "--quiet", "--jobs", "1"]) == 0
    assert len(calls) == 1
    expected = expected_rows(tmp_path)
    for area, code in (("Alpha", "E07000001"), ("Beta", "E07000002"), ("Gamma", "E07000003")):
        rows = csv_rows(tmp_path / "out" / f"{area}_{code}_2022-10_data_quality.csv")
        assert {(int(r["row"]), r["value"]) for r in rows} == expected[area]
