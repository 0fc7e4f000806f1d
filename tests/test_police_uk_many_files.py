"""police.uk repeats and identical ASB rows over many monthly files, against plain pandas on the raw rows.

The reader works on subsets of rows (the ASB rows, the repeats, the rows with no location) spread over
many files and Arrow chunks; here two years of generated files, seeded, hold every kind of repeat and
ASB rows that differ from another in one column only (a coordinate, the location text, the outcome),
so finding repeats column by column must still compare every column. The expected figures come from
pandas ``duplicated`` on the files read with ``pandas.read_csv``, not from the reader.
"""
from __future__ import annotations

import binascii
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.ingest import NOT_COUNTED, _Origin, load_inputs
from engine.ingest.groups import by_chunk, grouped
from engine.ingest.issues import IssueLog
from engine.spec import load_spec
from engine.vocabulary.police_uk import COLUMN_NAMES
from bundled_geography import geography_yaml

REPO = Path(__file__).resolve().parents[1]
LOOKUP = REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"
MONTHS = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
ASB = "Anti-social behaviour"
TYPES = [ASB, "Burglary", "Vehicle crime", "Violence and sexual offences"]
OUTCOMES = ["Under investigation", "Unable to prosecute suspect", ""]
READ = list(COLUMN_NAMES)  # the columns the reader compares (police.uk's "Context" is not read)

SPEC = """\
title: many police.uk files
data_root: /
sources:
  street: {{type: police_uk, path: {folder}}}
{geography}indicators:
  - {{id: all_rows, name: All rows, source: street}}
"""


def month_rows(rng: np.random.Generator, month: str, lsoas: pd.DataFrame, n: int) -> pd.DataFrame:
    at = rng.integers(0, len(lsoas), n)
    kind = np.array(TYPES, dtype=object)[rng.integers(0, len(TYPES), n)]
    ids = np.frombuffer(binascii.hexlify(rng.bytes(32 * n)), dtype="S64").astype(str).astype(object)
    ids[kind == ASB] = ""
    return pd.DataFrame({
        "Crime ID": ids, "Month": month, "Reported by": "Leicestershire Police", "Falls within": "Leicestershire Police",
        "Longitude": [f"{x:.6f}" for x in rng.choice([-1.1, -1.2, -1.3], n)],  # few values: near-twins are common
        "Latitude": [f"{x:.6f}" for x in rng.choice([52.6, 52.7], n)],
        "Location": [f"On or near Street {k}" for k in rng.integers(1, 4, n)],
        "LSOA code": lsoas["LSOA11CD"].to_numpy()[at], "LSOA name": lsoas["LSOA11NM"].to_numpy()[at],
        "Crime type": kind,
        "Last outcome category": np.where(kind == ASB, "", np.array(OUTCOMES, dtype=object)[rng.integers(0, 2, n)]),
        "Context": "",
    })


def twin(rows: pd.DataFrame, rng: np.random.Generator, column: str | None) -> pd.DataFrame:
    """Copies of some rows, equal to them in every column but ``column`` (None: whole-row copies)."""
    copies = rows.sample(n=min(4, len(rows)), random_state=int(rng.integers(1 << 31))).copy()
    if column is not None:
        copies[column] = copies[column].map(lambda v: f"{v}9" if column in ("Longitude", "Latitude") else f"{v} (b)")
    return copies


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Two years of monthly files, every kind of repeat in each, written with pandas."""
    rng = np.random.default_rng(19)
    lsoas = pd.read_csv(LOOKUP, dtype=str).head(40)
    out = tmp_path_factory.mktemp("many_police_uk")
    earlier = None
    for month in MONTHS:
        rows = month_rows(rng, month, lsoas, 60)
        asb, crimes = rows[rows["Crime type"] == ASB], rows[rows["Crime type"] != ASB]
        parts = [rows, twin(asb, rng, None), twin(asb, rng, "Longitude"), twin(asb, rng, "Location"),
                 twin(asb, rng, "LSOA name"), twin(crimes, rng, None), twin(crimes, rng, "Location"),
                 twin(crimes, rng, "Last outcome category")]
        if earlier is not None:  # republished from an earlier month, the outcome updated
            parts.append(earlier.assign(Month=month, **{"Last outcome category": "Awaiting court outcome"}))
        rows = pd.concat(parts, ignore_index=True).sample(frac=1, random_state=int(rng.integers(1 << 31)))
        rows.loc[rows.index[:2], ["LSOA code", "LSOA name"]] = ""  # no location
        earlier = rows[rows["Crime ID"] != ""].head(5)
        rows.to_csv(out / f"{month}-leicestershire-street.csv", index=False)
    return out


@pytest.fixture(scope="module")
def raw(folder) -> pd.DataFrame:
    """Every row with its file and line, in the reader's order (month, then line), read by pandas."""
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False).assign(file=path.name, line=lambda f: f.index + 2)
              for path in sorted(folder.glob("*.csv"))]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def loaded(folder, tmp_path_factory):
    spec_file = tmp_path_factory.mktemp("spec") / "spec.yaml"
    spec_file.write_text(SPEC.format(folder=folder, geography=geography_yaml()), encoding="utf-8")
    return load_inputs(*load_spec(spec_file))


def issues_of(result, reason_start: str) -> list[tuple[str, int, str]]:
    frame = result.issues.frame()
    picked = frame[frame["reason"].str.startswith(reason_start)]
    return sorted(zip(picked["file"].map(lambda f: Path(f).name), picked["row"].astype(int), picked["value"]))


def listed(raw: pd.DataFrame, mask: pd.Series) -> list[tuple[str, int, str]]:
    return sorted(zip(raw.loc[mask, "file"], raw.loc[mask, "line"].astype(int), raw.loc[mask, "Crime ID"]))


def test_identical_asb_rows_are_counted_over_every_column(raw, loaded):
    asb = raw[raw["Crime type"] == ASB]
    expected = int(asb[READ].duplicated().sum())
    near = int(asb[[c for c in READ if c != "Longitude"]].duplicated().sum())
    assert 0 < expected < near  # rows alike but for a coordinate are there, and are not identical
    note = next(n for n in loaded.quality if n.reason.startswith("ASB rows identical to another"))
    assert note.rows == expected


def test_repeats_of_each_kind_are_the_rows_pandas_finds(raw, loaded):
    named = raw["Crime ID"] != ""
    first = raw[named].groupby("Crime ID")["Month"].transform("min")
    later = pd.Series(False, index=raw.index)
    later[named] = raw.loc[named, "Month"] != first
    same_month = named & ~later & raw.duplicated(["Crime ID", "Month"])
    whole = same_month & raw.duplicated(READ)
    assert later.sum() and whole.sum() and (same_month & ~whole).sum()
    assert issues_of(loaded, "crime ID already published in an earlier month") == listed(raw, later)
    assert issues_of(loaded, "row repeats an earlier row of the same month exactly") == listed(raw, whole)
    assert issues_of(loaded, "crime ID already on an earlier row of the same month") == listed(raw, same_month & ~whole)
    assert int((loaded.sources["street"].area == NOT_COUNTED).sum()) == int((later | same_month).sum())


def test_grouped_gives_each_keys_positions_in_order():
    keys = np.random.default_rng(3).integers(0, 50, 5000)
    assert [(k, list(at)) for k, at in grouped(keys)] == \
        [(int(k), list(np.flatnonzero(keys == k))) for k in np.unique(keys)]
    lengths = [7, 0, 13, 1, 30]
    positions = np.sort(np.random.default_rng(4).choice(sum(lengths), 25, replace=False))
    starts = np.cumsum([0, *lengths])
    for chunk, here, inside in by_chunk(lengths, positions):
        assert (starts[chunk] <= positions[here]).all() and (positions[here] < starts[chunk + 1]).all()
        assert (inside == positions[here] - starts[chunk]).all()
    assert sorted(np.concatenate([here for _, here, _ in by_chunk(lengths, positions)])) == list(range(25))


class CountingKeys(np.ndarray):
    """An integer array that counts how many of its elements are compared with ``==``."""

    compared = 0

    def __eq__(self, other):
        CountingKeys.compared += self.size
        return np.asarray(self) == other


def test_rows_logged_per_file_are_found_in_one_pass_not_one_per_file():
    """Listing the rows of 200 files compares each row's file a bounded number of times, not once per file (the
    cost that grew as rows × files at national scale)."""
    files = [Path(f"2022-{i:03d}-force-street.csv") for i in range(200)]
    file_index = np.repeat(np.arange(200), 10).view(CountingKeys)
    origin = _Origin(files, file_index, np.tile(np.arange(2, 12), 200))
    log = IssueLog()
    CountingKeys.compared = 0
    origin.log(log, "street", np.ones(2000, dtype=bool), "LSOA code", "", "excluded", "no location")
    frame = log.frame()
    assert len(frame) == 2000 and frame["file"].nunique() == 200
    assert list(frame["row"]) == list(np.tile(np.arange(2, 12), 200))
    assert CountingKeys.compared <= 2 * 2000
