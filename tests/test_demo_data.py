"""The demo's SYNTHETIC partner extracts: generated when missing or stale, never otherwise; a build
without them says what to run; the workbooks say the figures are synthetic."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from engine.cli import DEMO_DATA
from engine.synthetic import DEFAULT_CONFIG, MANIFEST_NAME, SOURCES, ensure_generated
from engine.synthetic.freshness import ensure_current, fingerprint, recorded_fingerprint

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "specs" / "community_safety.yaml"


def saferbook(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("COLUMNS", None)
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def synthetic_sources() -> dict[str, dict]:
    """The demo spec's sources marked synthetic, read as plain YAML."""
    return {name: s for name, s in yaml.safe_load(SPEC.read_text(encoding="utf-8"))["sources"].items()
            if s.get("synthetic")}


def test_the_demo_spec_declares_every_synthetic_extract_in_the_generated_folder():
    sources = synthetic_sources()
    manifest = json.loads((DEMO_DATA / MANIFEST_NAME).read_text(encoding="utf-8"))
    files = {entry["file"] for entry in manifest["sources"].values()}
    declared = {Path(s["path"]).name for s in sources.values()}
    assert declared == files and len(files) == len(SOURCES) >= 10
    assert all((SPEC.parent / s["path"]).resolve().parent == DEMO_DATA for s in sources.values())
    assert all(s["generated_by"] == "saferbook demo" for s in sources.values())
    assert "/data/synthetic/generated/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_the_manifest_records_what_the_files_depend_on():
    recorded = recorded_fingerprint(DEMO_DATA, MANIFEST_NAME)
    assert recorded is not None and recorded["seed"] == 2012 and recorded["sources"] == sorted(SOURCES)
    assert recorded["omitted_columns"] == {}
    for key in ("config_sha256", "code_sha256", "inputs_sha256"):
        assert len(recorded[key]) == 64


def test_fingerprint_changes_with_the_settings_the_seed_and_the_sources(tmp_path):
    config = tmp_path / "partners.yaml"
    shutil.copy(DEFAULT_CONFIG, config)
    inputs = sorted((REPO / "data" / "ons").glob("*.csv"))
    base = fingerprint(2012, config, inputs, SOURCES)
    assert fingerprint(2012, config, inputs, SOURCES) == base
    assert fingerprint(2013, config, inputs, SOURCES) != base
    assert fingerprint(2012, config, inputs, ["fire_incidents"]) != base
    assert fingerprint(2012, config, inputs, SOURCES, {"fire_incidents": ["Motive"]}) != base
    config.write_text(config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert fingerprint(2012, config, inputs, SOURCES)["config_sha256"] != base["config_sha256"]


def _fake_writer(calls: list[Path], fail: bool = False):
    def write(folder: Path) -> None:
        calls.append(folder)
        (folder / "a.csv").write_text("x\n", encoding="utf-8")
        if fail:
            raise RuntimeError("killed mid-write")
        (folder / MANIFEST_NAME).write_text(json.dumps({"fingerprint": {"v": len(calls)},
                                                        "sources": {"a": {"file": "a.csv"}}}), encoding="utf-8")
    return write


def test_regenerated_only_when_stale_or_incomplete(tmp_path):
    out, calls = tmp_path / "generated", []
    assert ensure_current(out, {"v": 1}, MANIFEST_NAME, _fake_writer(calls)) is True
    assert ensure_current(out, {"v": 1}, MANIFEST_NAME, _fake_writer(calls)) is False
    assert len(calls) == 1
    (out / "a.csv").unlink()  # a file gone: the folder is not current whatever the manifest says
    assert ensure_current(out, {"v": 1}, MANIFEST_NAME, _fake_writer(calls)) is True
    assert ensure_current(out, {"v": 9}, MANIFEST_NAME, _fake_writer(calls)) is True  # stale fingerprint
    assert len(calls) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".generated.lock") == ["generated"]


def test_a_failed_regeneration_leaves_the_previous_files(tmp_path):
    out, calls = tmp_path / "generated", []
    ensure_current(out, {"v": 1}, MANIFEST_NAME, _fake_writer(calls))
    before = (out / MANIFEST_NAME).read_bytes()
    with pytest.raises(RuntimeError):
        ensure_current(out, {"v": 2}, MANIFEST_NAME, _fake_writer(calls, fail=True))
    assert (out / MANIFEST_NAME).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".generated.lock") == ["generated"]


def test_ensure_generated_writes_every_extract_once(tmp_path):
    out = tmp_path / "generated"
    assert ensure_generated(out) is True
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(p.name for p in out.iterdir()) == sorted([e["file"] for e in manifest["sources"].values()]
                                                           + [MANIFEST_NAME])
    assert len(manifest["sources"]) == len(SOURCES)
    assert ensure_generated(out) is False
    # the same seed and inputs give the same bytes as the folder the demo reads
    for name in ("marac_referrals.csv", "police_crime_extract.csv"):
        assert (out / name).read_bytes() == (DEMO_DATA / name).read_bytes()


def _project_without_generated_files(root: Path) -> Path:
    shutil.copytree(REPO / "specs", root / "specs")
    (root / "data" / "synthetic").mkdir(parents=True)
    for part in (REPO / "data").iterdir():  # every public folder; the synthetic one stays empty
        if part.is_dir() and part.name != "synthetic":
            (root / "data" / part.name).symlink_to(part, target_is_directory=True)
    return root / "specs" / "community_safety.yaml"


def test_build_without_the_generated_files_says_to_run_the_demo_and_keeps_earlier_output(tmp_path):
    spec = _project_without_generated_files(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "Rutland_E06000017_2022-10.xlsx"
    earlier.write_bytes(b"an earlier workbook")
    result = saferbook("build", spec, "--out", out, "--quiet")
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "Traceback" not in result.stderr
    named = {Path(s["path"]).name for s in synthetic_sources().values()}
    assert {n for n in named if any(n in line for line in errors)} >= {
        "police_crime_extract.csv", "fire_incidents.xlsx", "youth_offending.xlsx", "marac_referrals.csv"}, errors
    for line in errors:
        assert "data/synthetic/generated/" in line and "file not found" in line
        assert "run `saferbook demo` to write it" in line
    assert earlier.read_bytes() == b"an earlier workbook"
    assert sorted(p.name for p in out.iterdir()) == [earlier.name]


def test_demo_workbooks_say_the_partner_figures_are_synthetic(demo_command):
    """``saferbook demo`` (conftest runs it once for the run) with current extracts."""
    assert demo_command["returncode"] == 0, demo_command["stderr"]
    assert demo_command["manifest_after"] == demo_command["manifest_before"], "current files must not be regenerated"
    out = demo_command["out"]
    assert len(list(out.glob("*.xlsx"))) == 10  # nine partner workbooks and the county dashboard
    workbook = load_workbook(out / "Rutland_E06000017_2022-10.xlsx", read_only=True)
    methodology = {row[0]: row[1] for row in workbook["Methodology"].iter_rows(values_only=True) if row and row[0]}
    demo = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    counted = {i["source"] for i in demo["indicators"]}
    titles = {name: source.get("title", name) for name, source in demo["sources"].items()}  # sources by their title
    for name in synthetic_sources():
        if name in counted:
            assert methodology[f"Source: {titles[name]}"].startswith(
                "SYNTHETIC — generated for the demo; not real records. ")
    assert methodology[f"Source: {titles['street_crime']}"].startswith("police.uk")
    summary = [c for row in workbook["Summary"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    (note,) = [t for t in summary if t.startswith("SYNTHETIC — generated for the demo; not real records: ")]
    assert "Deliberate fires" in note and "MARAC referrals" in note and "Total recorded crime" not in note
