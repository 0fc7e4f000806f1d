"""A cache that outlives a command (the Excel add-in's, between clicks) serves a read only while its files are
provably unchanged: an unchanged source is not read again; a changed, added or removed file is, even when the
change keeps the file's size and modification time; a stale entry is never served.

Expected rows come from pandas reading the file as it is on disk, not from the engine.
"""
from __future__ import annotations

import gzip
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from engine.api import ComputeMemo, prepare, workbook_bytes
from engine.errors import DataError
from engine.ingest import load_inputs
from engine.ingest import stamps
from engine.ingest.cache import IngestCache
from engine.spec import load_spec

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "specs" / "examples"
SURVEY = "survey.csv"


def _spec_beside(tmp_path: Path, example: str, own: dict[str, str]) -> Path:
    """``example`` written into ``tmp_path``, the sources named in ``own`` (source -> file or folder name) copied
    beside it; the bundled lookups stay where they are."""
    spec = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    spec.pop("data_root", None)  # the spec's own folder: the copied sources
    for name, source in spec["sources"].items():
        original = (EXAMPLES / source["path"]).resolve()
        if name in own:
            copy = tmp_path / own[name]
            (shutil.copytree if original.is_dir() else shutil.copy)(original, copy)
            source["path"] = own[name]
        else:
            source["path"], source["allow_outside"] = str(original), True
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def survey_spec(tmp_path: Path) -> Path:
    return _spec_beside(tmp_path, "partner_table.yaml", {"resident_survey": SURVEY})


def _load(spec_path: Path, cache: IngestCache):
    spec, spec_dir = load_spec(spec_path)
    return load_inputs(spec, spec_dir, cache)


def _pandas_agree(csv: Path) -> list[float]:
    """The survey's "% Agree" column as pandas reads it, blanks and markers left out (the reader rejects none)."""
    values = pd.to_numeric(pd.read_csv(csv, dtype=str)["% Agree"], errors="coerce")
    return sorted(values.dropna().tolist())


def _engine_agree(inputs) -> list[float]:
    return sorted(pd.to_numeric(inputs.sources["resident_survey"].rows["pct_agree"]).dropna().tolist())


def _rewrite_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (as long) in the file and put its modification time back as it was."""
    assert len(old) == len(new)
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (info.st_size, info.st_mtime_ns)


def test_an_unchanged_source_is_not_read_again(survey_spec: Path) -> None:
    cache = IngestCache(watch=True)
    first = _load(survey_spec, cache)
    reads = cache.reads
    second = _load(survey_spec, cache)
    assert cache.reads == reads  # nothing read: the geography and the survey came from the cache
    assert second.sources["resident_survey"] is first.sources["resident_survey"]
    assert second.issues.rows() == first.issues.rows()


def test_a_changed_file_of_the_same_size_and_time_is_read_again(survey_spec: Path) -> None:
    csv = survey_spec.parent / SURVEY
    cache = IngestCache(watch=True)
    before = _engine_agree(_load(survey_spec, cache))
    assert before == _pandas_agree(csv)
    reads = cache.reads
    _rewrite_keeping_size_and_time(csv, ",73.3,", ",37.3,")
    after = _load(survey_spec, cache)
    assert cache.reads == reads + 1  # the survey only: the lookups did not change
    assert _engine_agree(after) == _pandas_agree(csv) != before


def test_a_file_added_to_a_police_uk_folder_is_read(tmp_path: Path) -> None:
    spec_path = _spec_beside(tmp_path, "counted.yaml", {"street_crime": "police_uk"})
    folder = tmp_path / "police_uk"
    latest = max(folder.glob("*-street.csv.gz"))
    cache = IngestCache(watch=True)
    months = _load(spec_path, cache).sources["street_crime"].months_present
    year, month = map(int, latest.name[:7].split("-"))
    following = f"{year + month // 12}-{month % 12 + 1:02d}"
    text = gzip.open(latest, "rt", encoding="utf-8").read().replace(f"\n{latest.name[:7]},", f"\n{following},")
    with gzip.open(folder / latest.name.replace(latest.name[:7], following), "wt", encoding="utf-8") as out:
        out.write(text)
    rows = _load(spec_path, cache).sources["street_crime"]
    expected = len(pd.concat(pd.read_csv(f, dtype=str) for f in sorted(folder.glob("*.csv.gz"))))
    assert len(rows.rows) == expected
    assert len(rows.months_present) == len(months) + 1


def test_a_cache_for_one_command_does_not_stamp(survey_spec: Path, monkeypatch) -> None:
    """The demo's cache lives for one command: no stat, no digest of files it reads once anyway."""
    monkeypatch.setattr(stamps, "_stamp_file", lambda *args: pytest.fail("stamped"))
    cache = IngestCache()
    _load(survey_spec, cache)
    _load(survey_spec, cache)
    assert cache.hits and cache.reads


def test_a_removed_source_is_an_error_not_the_cached_rows(survey_spec: Path) -> None:
    cache = IngestCache(watch=True)
    _load(survey_spec, cache)
    (survey_spec.parent / SURVEY).unlink()
    with pytest.raises(DataError, match=SURVEY):
        _load(survey_spec, cache)


def _coarse_stat(granularity_ns: int):
    """os.stat as a filesystem with coarse timestamps reports it (FAT keeps 2 s): times rounded down."""
    real = os.stat

    def stat(path, *args, **kwargs):
        info = real(path, *args, **kwargs)
        floor = lambda ns: ns - ns % granularity_ns  # noqa: E731
        return os.stat_result(tuple(info), {"st_atime_ns": info.st_atime_ns, "st_mtime_ns": floor(info.st_mtime_ns),
                                            "st_ctime_ns": floor(info.st_ctime_ns)})
    return stat


def test_a_change_within_one_timestamp_tick_is_caught_by_content(tmp_path: Path, monkeypatch) -> None:
    """A file rewritten with the same size within the same 2-second tick has the very same stamp on FAT: its
    stamp was too recent to trust, so its content decides."""
    monkeypatch.setattr(stamps.os, "stat", _coarse_stat(2_000_000_000))
    path = tmp_path / "extract.csv"
    for _ in range(10):  # a loaded machine may let the two writes straddle a tick: try again
        while time.time() % 2 > 0.5:  # start early in a tick, so both writes fall in it
            time.sleep(0.05)
        path.write_text("area,count\nBlaby,12\n", encoding="utf-8")
        taken = stamps.stamp([path])
        path.write_text("area,count\nBlaby,21\n", encoding="utf-8")
        now = os.stat(path)
        if [(s.size, s.mtime_ns, s.ctime_ns, s.inode) for s in taken] == \
                [(now.st_size, now.st_mtime_ns, now.st_ctime_ns, now.st_ino)]:  # the stamp cannot tell
            break
    else:
        pytest.fail("could not write the file twice within one 2-second tick")
    assert not stamps.unchanged(taken, [path])


def test_an_old_file_is_trusted_by_its_stamp_and_its_content_is_not_read(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "extract.csv"
    path.write_text("area,count\nBlaby,12\n", encoding="utf-8")
    monkeypatch.setattr(stamps.time, "time_ns", lambda: os.stat(path).st_ctime_ns + 60 * 1_000_000_000)
    taken = stamps.stamp([path])
    assert taken[0].digest is None  # a minute old: its times are to be trusted
    opened = []
    monkeypatch.setattr(stamps, "_digest", lambda p: opened.append(p))
    assert stamps.unchanged(taken, [path]) and not opened


def test_a_warm_prepare_computes_nothing_and_a_changed_file_gives_a_fresh_builds_workbook(survey_spec: Path) -> None:
    memo = ComputeMemo()
    first = prepare(survey_spec, ["Melton"], memo=memo)
    again = prepare(survey_spec, ["Melton"], memo=memo)
    assert memo.hits == 1 and again.reports[0] is first.reports[0]
    blaby = prepare(survey_spec, ["Blaby"], memo=memo)  # another area: computed
    assert memo.hits == 1 and blaby.reports[0].partner_area == "Blaby"
    _rewrite_keeping_size_and_time(survey_spec.parent / SURVEY, ",65.7,", ",56.7,")
    changed = prepare(survey_spec, ["Blaby"], memo=memo)
    assert memo.hits == 1
    uncached = prepare(survey_spec, ["Blaby"])
    assert workbook_bytes(changed, changed.reports[0]) != workbook_bytes(blaby, blaby.reports[0])
    assert workbook_bytes(changed, changed.reports[0]) == workbook_bytes(uncached, uncached.reports[0])
