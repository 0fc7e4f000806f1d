"""Building at scale: one ingest for several specs, --area chosen before computing, workbooks rendered in
worker processes or on a real Dask cluster with the same bytes, and start-up that imports only what runs.

Expected bytes come from the plain in-process build (``jobs=1``, no cache): every other route must
reproduce them exactly.
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from engine.api import prepare, render_all
from engine.cli import DEMO_DATA
from engine.ingest import load_inputs
from engine.ingest.cache import IngestCache
from scale_support import digests, small_spec


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory) -> Path:
    return small_spec(tmp_path_factory.mktemp("spec"))


@pytest.fixture(scope="module")
def plain_build(spec_path, tmp_path_factory) -> dict[str, str]:
    """The reference: every workbook built in this process, nothing cached."""
    out = tmp_path_factory.mktemp("plain")
    render_all(prepare(spec_path), out, jobs=1)
    return digests(out)


def test_a_second_spec_reuses_the_first_ones_reads_and_gets_its_own_quality_log(spec_path, tmp_path):
    geography = yaml.safe_load(spec_path.read_text(encoding="utf-8"))["geography"]
    other = small_spec(tmp_path, "other.yaml", geography={
        **geography, "benchmark": {"name": "The force area", "description": "all nine districts"}})
    cache = IngestCache()
    first = prepare(spec_path, cache=cache)
    second = prepare(other, cache=cache)
    assert cache.hits == 2  # the geography and the police.uk folder, read once for both specs
    uncached = prepare(other)
    assert second.inputs.geography.benchmark_name == "The force area" == uncached.inputs.geography.benchmark_name
    assert second.inputs.issues.rows() == uncached.inputs.issues.rows() == first.inputs.issues.rows()
    assert second.inputs.quality == uncached.inputs.quality
    cached_out, plain_out = tmp_path / "cached", tmp_path / "plain"
    render_all(second, cached_out, jobs=1)
    render_all(uncached, plain_out, jobs=1)
    assert digests(cached_out) == digests(plain_out)


def test_a_source_read_differently_is_read_again(spec_path, tmp_path):
    prepared = prepare(spec_path)
    sources = yaml.safe_load(spec_path.read_text(encoding="utf-8"))["sources"]
    sources["street_crime"]["description"] = "another description of the same folder"
    other = small_spec(tmp_path, "other.yaml", sources=sources)
    cache = IngestCache()
    load_inputs(prepared.spec, prepared.spec_dir, cache)
    reread = prepare(other, cache=cache)
    assert cache.hits == 1  # the geography only
    assert reread.inputs.sources["street_crime"].description == "another description of the same folder"


def test_area_is_chosen_before_computing_and_gives_the_same_workbook(spec_path, plain_build, tmp_path):
    prepared = prepare(spec_path, areas=["melton", "Blaby"])
    assert [r.partner_area for r in prepared.reports] == ["Melton", "Blaby"]  # the order named
    render_all(prepared, tmp_path, jobs=1)
    built = digests(tmp_path)
    assert {name: plain_build[name] for name in built} == built


def test_compute_builds_only_the_chosen_areas_reports(spec_path):
    from engine.indicators import build_reports

    prepared = prepare(spec_path)
    reports = build_reports(prepared.spec, prepared.inputs, str(spec_path), partners=[1])
    assert [r.partner_area for r in reports] == [str(prepared.inputs.geography.partner_names[1])]


def test_worker_processes_write_the_same_bytes(spec_path, plain_build, tmp_path):
    written = []
    render_all(prepare(spec_path), tmp_path, jobs=2, on_written=lambda report, path: written.append(report.partner_area))
    assert digests(tmp_path) == plain_build
    assert sorted(written) == sorted(r.partner_area for r in prepare(spec_path).reports)


def test_a_failing_worker_fails_the_build_and_leaves_no_partial_file(spec_path, tmp_path):
    prepared = prepare(spec_path)
    prepared.reports[1] = replace(prepared.reports[1], kpis=None)  # a Report the renderer cannot draw: a bug
    with pytest.raises(TypeError):
        render_all(prepared, tmp_path, jobs=2)
    assert not _written(tmp_path)  # the set is written whole or not at all: no workbook, nothing half-written


def test_the_command_line_exits_1_for_a_worker_bug_and_2_for_bad_input(spec_path, tmp_path):
    command = [sys.executable, "-m", "engine.cli", "build", str(spec_path), "--out", str(tmp_path), "--quiet"]
    bad = subprocess.run(command + ["--jobs", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--jobs" in bad.stderr
    unknown = subprocess.run(command + ["--area", "Atlantis"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "unknown area 'Atlantis'" in unknown.stderr


@pytest.fixture(scope="module")
def cluster():
    """A real Dask cluster: a scheduler and two worker processes, on loopback."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=40) as local:
        assert all(w.startswith("tcp://127.0.0.1") for w in local.scheduler_info["workers"])
        yield local


def test_a_dask_cluster_renders_the_same_bytes(spec_path, plain_build, cluster, tmp_path):
    render_all(prepare(spec_path), tmp_path, scheduler=cluster.scheduler_address)
    assert digests(tmp_path) == plain_build


def test_a_delivery_built_on_a_dask_cluster_matches_a_local_one(spec_path, cluster, tmp_path):
    from engine.deliver.build import build_all
    from engine.deliver.pipeline import Pipeline

    assert "scheduler" in Pipeline.model_json_schema()["properties"]
    prepared = prepare(spec_path, areas=["Rutland", "Melton"])
    prepared.reports.append(replace(prepared.reports[0], partner_area="Broken", kpis=None))
    local = build_all(prepared, tmp_path / "local", 1, record_level=True)
    remote = build_all(prepared, tmp_path / "remote", 1, record_level=True, scheduler=cluster.scheduler_address)
    assert [(b.area, b.checksum, b.size, [p.name for p in b.attachments]) for b in remote] == \
        [(b.area, b.checksum, b.size, [p.name for p in b.attachments]) for b in local]
    assert remote[2].error and remote[2].error.startswith("TypeError") and remote[0].path.is_file()


def test_an_unreachable_scheduler_is_one_clear_error(spec_path, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from engine import cluster
    from engine.errors import SaferbookError

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "2s")
    with pytest.raises(SaferbookError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        render_all(prepare(spec_path), tmp_path, scheduler="tcp://127.0.0.1:9")
    assert not _written(tmp_path)


def _written(folder: Path) -> list[str]:
    """Files a build left in ``folder`` (the output lock aside)."""
    return [p.name for p in folder.iterdir() if not p.name.startswith(".saferbook-output")]


def _modules_after(code: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
                            capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_the_command_line_and_the_api_import_no_phase_until_it_runs():
    loaded = _modules_after("import engine.cli, engine.api")
    assert not {"pandas", "scipy", "xlsxwriter", "engine.indicators", "engine.ingest"} & loaded


def test_a_build_without_fishers_test_does_not_import_scipy_stats(spec_path):
    loaded = _modules_after(f"from engine.api import prepare; prepare({str(spec_path)!r})")
    assert "engine.indicators" in loaded and "scipy.stats" not in loaded


def test_fresh_demo_data_is_checked_without_importing_the_generators():
    loaded = _modules_after(f"from engine.synthetic import ensure_generated; "
                            f"assert not ensure_generated(__import__('pathlib').Path({str(DEMO_DATA)!r}))")
    assert not [m for m in loaded if m.startswith("engine.synthetic.") and m.endswith(("police_crime", "peer_groups"))]


def test_every_generated_source_is_named_after_its_module():
    import engine.synthetic as synthetic

    assert {name: module.SOURCE_ID for name, module in synthetic.SOURCES.items()} == \
        {name: name for name in synthetic.SOURCE_IDS}
