"""Computed Reports and rendered workbooks kept on disk between commands (``prepare(kept=...)``,
``render_all(kept=...)``): a command with the same spec, arguments, build day, engine and unchanged files gets
them without computing or rendering, byte-identical to a build that does both; anything changed computes and
renders afresh.

The reference every time is a build with nothing kept.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import api, fanout
from engine.api import prepare, render_all, workbook_bytes
from engine.ingest.cache import IngestCache
from engine.ingest.disk_cache import DiskStore
from example_support import partner_table_spec

REPO = Path(__file__).resolve().parents[1]
SURVEY = "survey.csv"  # where partner_table_spec copies the survey


def _write_spec(tmp_path: Path, theme: str | None = None) -> Path:
    return partner_table_spec(tmp_path, lambda spec: spec.update(theme=theme) if theme else None)


def _command(spec_path: Path, store: Path, out: Path | None = None):
    """One ``saferbook build``: a fresh in-memory cache, reads and Reports kept under ``store``."""
    cache = IngestCache(store=DiskStore(store / "ingest"))
    kept = DiskStore(store / "reports")
    prepared = prepare(spec_path, cache=cache, kept=kept)
    paths = render_all(prepared, out, kept=kept) if out is not None else []
    return prepared, paths


def _no_computing(monkeypatch) -> None:
    import engine.indicators

    monkeypatch.setattr(engine.indicators, "build_reports", lambda *a, **k: pytest.fail("computed again"))


@pytest.fixture(autouse=True)
def _build_day(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_a_second_command_computes_nothing_and_gives_the_same_workbooks(tmp_path: Path, monkeypatch) -> None:
    spec_path, store = _write_spec(tmp_path), tmp_path / "store"
    fresh = prepare(spec_path)
    _command(spec_path, store)
    _no_computing(monkeypatch)
    kept, _ = _command(spec_path, store)
    assert kept.kept_key is not None
    assert [workbook_bytes(kept, r) for r in kept.reports] == [workbook_bytes(fresh, r) for r in fresh.reports]


def test_a_changed_file_computes_again(tmp_path: Path) -> None:
    spec_path, store = _write_spec(tmp_path), tmp_path / "store"
    before, _ = _command(spec_path, store)
    csv = tmp_path / SURVEY
    csv.write_text(csv.read_text(encoding="utf-8").replace(",65.7,", ",56.7,", 1), encoding="utf-8")
    after, _ = _command(spec_path, store)
    fresh = prepare(spec_path)
    assert after.kept_key != before.kept_key
    assert [workbook_bytes(after, r) for r in after.reports] == [workbook_bytes(fresh, r) for r in fresh.reports]
    assert workbook_bytes(after, after.reports[0]) != workbook_bytes(before, before.reports[0])


def test_another_build_day_computes_again(tmp_path: Path, monkeypatch) -> None:
    spec_path, store = _write_spec(tmp_path), tmp_path / "store"
    before, _ = _command(spec_path, store)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1700000000 + 86_400))
    after, _ = _command(spec_path, store)
    assert after.kept_key != before.kept_key
    assert after.reports[0].generated != before.reports[0].generated


def test_other_areas_compute_again(tmp_path: Path) -> None:
    spec_path, store = _write_spec(tmp_path), tmp_path / "store"
    _command(spec_path, store)
    cache = IngestCache(store=DiskStore(store / "ingest"))
    melton = prepare(spec_path, ["Melton"], cache=cache, kept=DiskStore(store / "reports"))
    assert [r.partner_area for r in melton.reports] == ["Melton"]


def test_kept_workbooks_are_served_without_rendering_and_are_the_same_files(tmp_path: Path, monkeypatch) -> None:
    spec_path, store = _write_spec(tmp_path), tmp_path / "store"
    _, first = _command(spec_path, store, tmp_path / "first")
    monkeypatch.setattr(fanout, "render_local", lambda *a, **k: pytest.fail("rendered again"))
    _, second = _command(spec_path, store, tmp_path / "second")
    assert [p.name for p in second] == [p.name for p in first]
    for folder in ("first", "second"):  # the workbooks and the data-quality CSVs beside them
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == sorted(p.name for p in (tmp_path / "first").iterdir())
    for path in (tmp_path / "first").iterdir():
        assert (tmp_path / "second" / path.name).read_bytes() == path.read_bytes()


def test_another_theme_or_logo_renders_again(tmp_path: Path) -> None:
    spec_path, store = _write_spec(tmp_path), tmp_path / "store"
    prepared, _ = _command(spec_path, store)
    default = api.theme(prepared)
    logo = tmp_path / "logo.png"
    shutil.copy(REPO / "workbook_templates" / "sample_logo.png", logo)
    from dataclasses import replace

    with_logo = replace(default, logo=logo)
    key = api._kept_workbook_key(prepared, 0, with_logo)
    assert key != api._kept_workbook_key(prepared, 0, default)
    assert key != api._kept_workbook_key(prepared, 1, with_logo)
    logo.write_bytes(logo.read_bytes() + b"\0")  # the same path, another picture
    assert api._kept_workbook_key(prepared, 0, with_logo) != key
    themed, _ = _command(_write_spec(tmp_path, theme="partnership"), store)
    assert api._kept_workbook_key(themed, 0, api.theme(themed)) != api._kept_workbook_key(prepared, 0, default)


def test_nothing_is_kept_without_a_disk_store_for_the_reads(tmp_path: Path) -> None:
    prepared = prepare(_write_spec(tmp_path), cache=IngestCache(), kept=DiskStore(tmp_path / "reports"))
    assert prepared.kept_key is None and not (tmp_path / "reports").exists()
