"""Reads kept on disk between commands (engine.ingest.disk_cache): served only while the files, the spec and the
engine's code are what they were read with; anything changed is read again, and a build from kept reads is
byte-identical to one that reads every file.

Expected rows come from pandas reading the file as it is on disk, not from the engine.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from engine.api import prepare, workbook_bytes
from engine.errors import DataError
from engine.ingest import disk_cache, load_inputs
from engine.ingest.cache import IngestCache
from engine.ingest.disk_cache import DiskStore
from example_support import partner_table_spec
from engine.spec import load_spec

REPO = Path(__file__).resolve().parents[1]
SURVEY = "survey.csv"  # where partner_table_spec copies the survey


def _command(spec_path: Path, store: Path) -> tuple[IngestCache, object]:
    """One command's load: a fresh in-memory cache over the same disk store (as each ``saferbook build`` makes)."""
    cache = IngestCache(store=DiskStore(store))
    spec, spec_dir = load_spec(spec_path)
    return cache, load_inputs(spec, spec_dir, cache)


def _pandas_agree(csv: Path) -> list[float]:
    return sorted(pd.to_numeric(pd.read_csv(csv, dtype=str)["% Agree"], errors="coerce").dropna().tolist())


def _engine_agree(inputs) -> list[float]:
    return sorted(pd.to_numeric(inputs.sources["resident_survey"].rows["pct_agree"]).dropna().tolist())


def _old(path: Path) -> None:
    """Date a file a minute back, so its stamp is trusted by its times (as a file not written moments ago is)."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns - 60 * 10**9))


def test_a_second_command_takes_every_read_from_disk(tmp_path: Path) -> None:
    spec_path = partner_table_spec(tmp_path)
    store = tmp_path / "store"
    first_cache, first = _command(spec_path, store)
    assert first_cache.reads > 0 and first_cache.loaded == 0
    second_cache, second = _command(spec_path, store)
    assert second_cache.reads == 0 and second_cache.loaded == first_cache.reads
    assert _engine_agree(second) == _pandas_agree(tmp_path / SURVEY)
    assert second.issues.rows() == first.issues.rows()  # the data-quality log comes back with the rows
    assert list(second.geography.small_area_codes) == list(first.geography.small_area_codes)


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    spec_path = partner_table_spec(tmp_path)
    csv, store = tmp_path / SURVEY, tmp_path / "store"
    _old(csv)
    _, before = _command(spec_path, store)
    text = csv.read_text(encoding="utf-8")
    assert ",73.3," in text
    csv.write_text(text.replace(",73.3,", ",37.3,", 1), encoding="utf-8")  # same size
    cache, after = _command(spec_path, store)
    assert cache.reads == 1  # the survey; the lookups are unchanged and come from disk
    assert _engine_agree(after) == _pandas_agree(csv) != _engine_agree(before)


def test_a_changed_spec_is_read_again(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _command(partner_table_spec(tmp_path), store)
    changed = partner_table_spec(tmp_path, lambda spec: spec["sources"]["resident_survey"]["missing_markers"].remove("-"))
    cache, inputs = _command(changed, store)
    assert cache.loaded == 0 and cache.reads > 0
    # "-" is no longer a missing marker: each number cell holding it is now rejected as not a number
    dashes = (pd.read_csv(tmp_path / SURVEY, dtype=str)[["% Agree", "Respondents"]] == "-").to_numpy().sum()
    assert dashes > 0
    frame = inputs.issues.frame()
    assert ((frame["action"] == "rejected") & (frame["value"] == "-")).sum() == dashes


def test_another_engine_version_reads_again(tmp_path: Path, monkeypatch) -> None:
    spec_path, store = partner_table_spec(tmp_path), tmp_path / "store"
    _command(spec_path, store)
    monkeypatch.setattr(disk_cache, "code_version", lambda: b"an edited reader")
    cache, _ = _command(spec_path, store)
    assert cache.loaded == 0 and cache.reads > 0


def test_a_damaged_entry_is_read_again_not_an_error(tmp_path: Path) -> None:
    spec_path, store = partner_table_spec(tmp_path), tmp_path / "store"
    _command(spec_path, store)
    for entry in store.glob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:100])
    cache, inputs = _command(spec_path, store)
    assert cache.loaded == 0 and _engine_agree(inputs) == _pandas_agree(tmp_path / SURVEY)


def test_entries_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    spec_path, store = partner_table_spec(tmp_path), tmp_path / "store"
    _command(spec_path, store)
    entries = list(store.glob("*.pickle"))
    assert entries and all(entry.stat().st_mode & 0o077 == 0 for entry in entries)


def test_a_removed_source_is_an_error_not_the_kept_rows(tmp_path: Path) -> None:
    spec_path, store = partner_table_spec(tmp_path), tmp_path / "store"
    _command(spec_path, store)
    (tmp_path / SURVEY).unlink()
    with pytest.raises(DataError, match=SURVEY):
        _command(spec_path, store)


def test_a_workbook_from_kept_reads_is_byte_identical(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    spec_path, store = partner_table_spec(tmp_path), tmp_path / "store"
    fresh = prepare(spec_path, ["Melton"])
    prepare(spec_path, ["Melton"], cache=IngestCache(store=DiskStore(store)))
    cache = IngestCache(store=DiskStore(store))
    kept = prepare(spec_path, ["Melton"], cache=cache)
    assert cache.reads == 0 and cache.loaded > 0
    assert workbook_bytes(kept, kept.reports[0]) == workbook_bytes(fresh, fresh.reports[0])


def test_a_lower_population_limit_is_applied_to_a_geography_already_read(tmp_path: Path) -> None:
    """quality.max_small_area_population is checked while the geography is read: a cache shared by two specs (the
    demo's, the add-in's between clicks) must not serve the first spec's geography to one with a lower limit."""
    cache = IngestCache(watch=True)
    spec, spec_dir = load_spec(partner_table_spec(tmp_path))
    load_inputs(spec, spec_dir, cache)
    strict, _ = load_spec(partner_table_spec(tmp_path, lambda s: s.setdefault("quality", {}).update(
        max_small_area_population=100)))
    with pytest.raises(DataError, match="implausible"):
        load_inputs(strict, spec_dir, cache)


def test_any_spec_edit_reads_again(tmp_path: Path) -> None:
    """Even a setting no reader is known to consult (the title): the disk cache does not try to prove which do."""
    store = tmp_path / "store"
    _command(partner_table_spec(tmp_path), store)
    cache, _ = _command(partner_table_spec(tmp_path, lambda spec: spec.update(title="Another title")), store)
    assert cache.loaded == 0 and cache.reads > 0


def test_the_command_line_keeps_reads_unless_turned_off(monkeypatch) -> None:
    from engine import cli

    assert cli._ingest_cache().store is not None
    monkeypatch.setenv(disk_cache.OFF_VARIABLE, "1")
    assert cli._ingest_cache().store is None


def test_the_store_keeps_under_its_size_limit_dropping_the_least_recently_used(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "store"
    for number in range(4):  # four entries of about 10 KB, each used a minute after the one before
        DiskStore(folder).save(f"key {number}", disk_cache.Stored(b"x" * 10_000, disk_cache.IssueLog(), ()))
        entry = DiskStore(folder).path(f"key {number}")
        os.utime(entry, (1_000_000 + 60 * number, 1_000_000 + 60 * number))
    monkeypatch.setattr(disk_cache, "KEEP_BYTES", 25_000)
    DiskStore(folder).save("key 4", disk_cache.Stored(b"x" * 10_000, disk_cache.IssueLog(), ()))
    kept = [number for number in range(5) if DiskStore(folder).path(f"key {number}").exists()]
    assert kept == [3, 4]
