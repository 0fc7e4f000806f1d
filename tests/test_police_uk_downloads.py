"""police.uk as a new user downloads it: YYYY-MM/ folders, the .zip itself, several forces,
the same month twice, and Crime IDs repeated within one month.

Fixtures are built from the real Leicestershire extract in ``tests/data/police_uk`` (rows copied,
some repeated on purpose); every expected figure is counted here with the csv module.
"""
from __future__ import annotations

import csv
import gzip
import io
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from engine.cli import main
from engine.errors import DataError, SpecError
from test_police_uk_quirks import ASB, force_lsoas, inputs, issues_of, raw_rows

HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
          "LSOA name", "Crime type", "Last outcome category", "Context"]


def months() -> dict[str, list[dict]]:
    """The real extract's rows by month."""
    out: dict[str, list[dict]] = {}
    for _, _, row in raw_rows():
        out.setdefault(row["Month"], []).append(row)
    return out


def csv_text(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_month(folder: Path, month: str, rows: list[dict], force: str = "leicestershire", gz: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{month}-{force}-street.csv{'.gz' if gz else ''}"
    data = csv_text(rows).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def counted(result) -> int:
    """Rows the engine places in a small area of the geography (what indicators count)."""
    return int((result.sources["street"].area >= 0).sum())


def expected_counted(rows_in_file_order: list[dict]) -> int:
    """Independent rule: ASB (no Crime ID) always counts; a Crime ID counts once, at its first row by month."""
    inside, seen, total = force_lsoas(), set(), 0
    for row in sorted(rows_in_file_order, key=lambda r: r["Month"]):  # stable: file order within a month
        if row["Crime ID"]:
            if row["Crime ID"] in seen:
                continue
            seen.add(row["Crime ID"])
        total += row["LSOA code"] in inside
    return total


# --- item 3: the same Crime ID twice in one month ------------------------------------------------------------

@pytest.fixture(scope="module")
def repeated(tmp_path_factory):
    """Two months; the first repeats 30 crime rows whole, 5 crime IDs on a changed row, and 10 ASB rows."""
    folder = tmp_path_factory.mktemp("repeats") / "street"
    by_month = months()
    jan, feb = [dict(r) for r in by_month["2021-01"]], [dict(r) for r in by_month["2021-02"]]
    crimes = [r for r in jan if r["Crime ID"] and r["LSOA code"] in force_lsoas()]
    asb = [r for r in jan if r["Crime type"] == ASB][:10]
    whole = [dict(r) for r in crimes[:30]]
    changed = [dict(r, **{"Last outcome category": "Under investigation", "Crime type": "Other crime"})
               for r in crimes[30:35]]
    jan_rows = jan + whole + changed + [dict(r) for r in asb]
    feb_rows = feb + [dict(crimes[40], Month="2021-02")]  # a republish in a later month (the existing rule)
    write_month(folder, "2021-01", jan_rows)
    write_month(folder, "2021-02", feb_rows)
    return folder, jan_rows, feb_rows, len(jan)


def test_same_month_repeats_are_counted_once(tmp_path, repeated):
    folder, jan_rows, feb_rows, _ = repeated
    result = inputs(tmp_path, folder)
    assert counted(result) == expected_counted(jan_rows + feb_rows)
    asb_rows = sum(r["Crime type"] == ASB for r in jan_rows + feb_rows)
    asb = (result.sources["street"].rows["crime_type"] == ASB).to_numpy()
    assert int(asb.sum()) == asb_rows  # every ASB row is still there, the 10 repeated ones included


def test_each_same_month_repeat_is_listed_with_file_and_row(tmp_path, repeated):
    folder, jan_rows, feb_rows, n_jan = repeated
    result = inputs(tmp_path, folder)
    jan_file = "2021-01-leicestershire-street.csv"
    # Independently: rows (line = index + 2) whose whole row, or whose ID alone, appeared earlier in the month.
    seen_rows, seen_ids, whole, same_id = set(), set(), [], []
    for index, row in enumerate(jan_rows):
        key = tuple(row[c] for c in HEADER if c != "Context")
        if row["Crime ID"]:
            if key in seen_rows:
                whole.append((jan_file, index + 2, row["Crime ID"]))
            elif row["Crime ID"] in seen_ids:
                same_id.append((jan_file, index + 2, row["Crime ID"]))
            seen_ids.add(row["Crime ID"])
        seen_rows.add(key)
    assert len(whole) == 30 and len(same_id) == 5
    assert issues_of(result, "row repeats an earlier row of the same month") == sorted(whole)
    assert issues_of(result, "crime ID already on an earlier row of the same month") == sorted(same_id)
    later = issues_of(result, "crime ID already published in an earlier month")
    assert ("2021-02-leicestershire-street.csv", len(feb_rows) + 1, feb_rows[-1]["Crime ID"]) in later
    listed = issues_of(result, "row repeats") + issues_of(result, "crime ID already")
    assert not any(f == jan_file and line > n_jan + 1 + 35 for f, line, _ in listed)  # the repeated ASB rows: kept


# --- item 4: the same force-month in two files ------------------------------------------------------------------

def test_same_month_as_csv_and_gz_is_refused_naming_both(tmp_path, capsys):
    folder = tmp_path / "street"
    rows = months()["2021-01"]
    write_month(folder, "2021-01", rows)
    write_month(folder, "2021-01", rows, gz=True)
    write_month(folder, "2021-02", months()["2021-02"])
    with pytest.raises(DataError) as caught:
        inputs(tmp_path, folder)
    message = str(caught.value)
    assert "2021-01-leicestershire-street.csv " in message + " " and "2021-01-leicestershire-street.csv.gz" in message
    assert main(["validate", str(tmp_path / "spec.yaml")]) == 2
    assert "2021-01-leicestershire-street.csv.gz" in capsys.readouterr().err


def test_same_month_in_two_folders_is_refused(tmp_path):
    folder = tmp_path / "street"
    write_month(folder / "2021-01", "2021-01", months()["2021-01"])
    write_month(folder / "old" / "2021-01", "2021-01", months()["2021-01"])
    with pytest.raises(DataError) as caught:
        inputs(tmp_path, folder)
    assert str(folder / "2021-01" / "2021-01-leicestershire-street.csv") in str(caught.value)
    assert str(folder / "old" / "2021-01" / "2021-01-leicestershire-street.csv") in str(caught.value)


# --- item 5: the download's layouts -----------------------------------------------------------------------------

def downloaded(root: Path, forces: tuple[str, ...] = ("leicestershire",)) -> Path:
    """police.uk's unpacked download: YYYY-MM/YYYY-MM-<force>-street.csv, plain CSV, one file per force."""
    for month, rows in months().items():
        for force in forces:
            write_month(root / month, month, rows if force == "leicestershire" else rows[:100], force=force)
    return root


def expected_flat() -> int:
    return expected_counted([r for _, _, r in raw_rows()])


def test_month_subfolders_are_read(tmp_path):
    result = inputs(tmp_path, downloaded(tmp_path / "download"))
    assert len(result.sources["street"].rows) == len(raw_rows())
    assert counted(result) == expected_flat()


def test_the_zip_is_read_in_place(tmp_path):
    root = downloaded(tmp_path / "unpacked")
    archive = tmp_path / "police-uk-download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(root.rglob("*.csv")):
            out.write(path, path.relative_to(root).as_posix())
    shutil.rmtree(root)
    result = inputs(tmp_path, archive)
    assert counted(result) == expected_flat()
    assert sorted(p.name for p in result.sources["street"].files) == \
        [f"{m}-leicestershire-street.csv" for m in sorted(months())]
    assert not list(tmp_path.rglob("*-street.csv"))  # nothing extracted to disk


def test_a_zip_bomb_is_refused_before_inflating(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("2021-01/2021-01-leicestershire-street.csv", ",".join(HEADER) + "\n" + "\0" * (20 * 1024 * 1024))
    with pytest.raises(DataError, match="zip bomb"):
        inputs(tmp_path, archive)


def test_several_forces_need_the_spec_to_choose(tmp_path):
    root = downloaded(tmp_path / "download", forces=("leicestershire", "btp"))
    with pytest.raises(SpecError) as caught:
        inputs(tmp_path, root)
    assert "sources.street.forces" in str(caught.value) and "btp" in str(caught.value)


def test_other_forces_are_set_aside_and_counted(tmp_path):
    root = downloaded(tmp_path / "download", forces=("leicestershire", "btp"))
    result = inputs(tmp_path, root, extra_source="    forces: [leicestershire]")
    assert counted(result) == expected_flat()
    other = sum(1 for path in root.rglob("*-btp-street.csv") for _ in csv.DictReader(path.open(encoding="utf-8")))
    assert other == 400
    note = next(n for n in result.quality if n.reason.startswith("rows in files of other forces (btp)"))
    assert note.rows == other
    listed = issues_of(result, "file of another force")
    assert sorted(f for f, _, _ in listed) == sorted(p.name for p in root.rglob("*-btp-street.csv"))


def test_a_force_not_in_the_folder_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="sources.street.forces"):
        inputs(tmp_path, downloaded(tmp_path / "download"), extra_source="    forces: [leicestershir]")


def test_identical_asb_rows_in_a_download_stay(tmp_path):
    """The ASB rule holds in every layout: repeated ASB rows are distinct incidents."""
    result = inputs(tmp_path, downloaded(tmp_path / "download"))
    raw = [r for _, _, r in raw_rows() if r["Crime type"] == ASB]
    asb = (result.sources["street"].rows["crime_type"] == ASB).to_numpy()
    assert int(asb.sum()) == len(raw) and max(Counter(tuple(r.items()) for r in raw).values()) > 1
