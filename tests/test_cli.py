"""The ``saferbook`` command as a person (or a scheduler) runs it: a subprocess, exit statuses,
one ``error: <file>:<line>: <key.path>: <message>`` line per problem on stderr, never a traceback.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import engine
from example_support import example_workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "specs" / "examples"
SPEC = EXAMPLES / "counted.yaml"  # a small spec (three districts): these tests check the command, not the figures
ORIGINAL = SPEC.read_text(encoding="utf-8")

# error: <file>:<line>: <key.path>: <message>
ERROR_LINE = re.compile(r"^error: (?P<file>.+?):(?P<line>\d+): (?P<key>[^:\s]+): (?P<message>\S.*)$")


def saferbook(*args: str | Path, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``python -m engine.cli ARGS``; the repo is on PYTHONPATH so any cwd works in any venv."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.pop("COLUMNS", None)
    return subprocess.run([sys.executable, "-m", "engine.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """``tmp_path`` with ``specs/examples/`` (its ``data/`` a link to the example data) and ``data/`` (a link to
    the repo's data) so the example spec's relative paths resolve."""
    example_workspace(tmp_path)
    return tmp_path


def write_spec(workdir: Path, *replacements: tuple[str, str], name: str = "bad.yaml") -> tuple[Path, str]:
    text = ORIGINAL
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = workdir / "specs" / "examples" / name
    path.write_text(text, encoding="utf-8")
    return path, text


THREE_MISTAKES = (
    ("  window_months: 12\n", "  window_month: 12\n"),       # unknown key
    ("trend_years: 2", "trend_years: [1]"),                  # wrong type
    ("period_end: latest", "period_end: 2022-13"),           # bad period
)


# --- validate ------------------------------------------------------------------------------------


def test_validate_bad_spec_exits_2_without_traceback(workdir):
    path, _ = write_spec(workdir, *THREE_MISTAKES)
    result = saferbook("validate", path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(error_lines(result.stderr)) == 3, result.stderr
    assert result.stdout == ""


def test_validate_bad_spec_prints_one_located_line_per_problem(workdir):
    path, text = write_spec(workdir, *THREE_MISTAKES)
    result = saferbook("validate", path)
    lines = error_lines(result.stderr)
    assert len(lines) == 3, result.stderr
    expected = {
        "periods.window_month": line_of(text, "window_month: 12"),
        "periods.trend_years": line_of(text, "trend_years: [1]"),
        "periods.period_end": line_of(text, "period_end: 2022-13"),
    }
    for line in lines:
        assert "bad.yaml" in line, line
        match = ERROR_LINE.match(line)
        assert match, f"not 'error: <file>:<line>: <key.path>: <message>': {line!r}"
        assert Path(match["file"]).name == "bad.yaml"
        assert match["key"] in expected, line
        assert int(match["line"]) == expected.pop(match["key"]), line
        assert f":{match['line']}:" in line
    assert not expected, f"not reported: {expected}"
    assert "did you mean 'window_months'" in result.stderr


def test_validate_reports_unknown_crime_type_with_suggestion(workdir):
    path, text = write_spec(workdir, ("crime_type: {equals: Burglary}", "crime_type: {equals: Burglery}"))
    result = saferbook("validate", path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = error_lines(result.stderr)
    assert f"bad.yaml:{line_of(text, 'Burglery')}:" in line, line
    assert "indicators[2].where.crime_type.equals" in line
    assert "did you mean 'Burglary'" in line


def test_validate_invalid_yaml_exits_2_with_line(workdir):
    path, text = write_spec(workdir, ("  window_months: 12\n", "  window_months: 12: 3\n"))
    result = saferbook("validate", path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = error_lines(result.stderr)
    assert f"bad.yaml:{line_of(text, 'window_months: 12: 3')}:" in line, line


def test_validate_period_end_in_spec_outside_the_data_names_its_line(workdir):
    path, text = write_spec(workdir, ("period_end: latest", "period_end: 2023-05"))
    result = saferbook("validate", path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = error_lines(result.stderr)
    match = ERROR_LINE.match(line)
    assert match, f"not 'error: <file>:<line>: <key.path>: <message>': {line!r}"
    assert int(match["line"]) == line_of(text, "period_end: 2023-05"), line
    assert match["key"] == "periods.period_end", line
    assert "2022-10" in match["message"], line


def test_validate_reports_shape_and_reference_mistakes_in_one_run(workdir):
    path, text = write_spec(workdir, ("  window_months: 12\n", "  window_month: 12\n"),
                            ("crime_type: {equals: Burglary}", "crime_type: {equals: Burglery}"))
    result = saferbook("validate", path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = error_lines(result.stderr)
    assert len(lines) == 2, result.stderr
    assert any(f"bad.yaml:{line_of(text, 'window_month: 12')}: periods.window_month:" in l for l in lines), lines
    assert any(f"bad.yaml:{line_of(text, 'Burglery')}: indicators[2].where.crime_type.equals:" in l for l in lines), lines


def test_validate_missing_spec_exits_2(tmp_path):
    result = saferbook("validate", tmp_path / "missing.yaml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = error_lines(result.stderr)
    assert "missing.yaml" in line and "not found" in line


def test_validate_good_spec_exits_0_and_writes_nothing(tmp_path):
    specs_before = tree(SPEC.parent)
    result = saferbook("validate", SPEC, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert error_lines(result.stderr) == []
    assert "valid" in result.stdout
    assert tree(tmp_path) == set(), "validate must write nothing"
    assert tree(SPEC.parent) == specs_before
    assert not list(tmp_path.rglob("*.xlsx"))


# --- build ---------------------------------------------------------------------------------------


def test_build_one_area_quietly(tmp_path):
    out = tmp_path / "out"
    result = saferbook("build", SPEC, "--area", "Rutland", "--out", out, "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", "--quiet must print nothing on standard output"
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".saferbook-output.lock",  # the folder's build lock (empty)
                                                     "Rutland_E06000017_2022-10.xlsx",
                                                     "Rutland_E06000017_2022-10_data_quality.csv"]
    assert zipfile.is_zipfile(out / "Rutland_E06000017_2022-10.xlsx")
    assert tree(tmp_path) == {"out", "out/.saferbook-output.lock", "out/Rutland_E06000017_2022-10.xlsx",
                              "out/Rutland_E06000017_2022-10_data_quality.csv"}


def test_build_with_suppression(tmp_path):
    """--suppress is for workbooks sent to partners: the Methodology sheet says suppression is applied."""
    from openpyxl import load_workbook

    out = tmp_path / "out"
    result = saferbook("build", SPEC, "--area", "Rutland", "--out", out, "--quiet", "--suppress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(out / "Rutland_E06000017_2022-10.xlsx", read_only=True)["Methodology"]
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert "Violence and sexual offences (counts from 1 to 4)" in text and "This workbook applies it." in text


def test_build_period_end_after_the_data_exits_2(tmp_path):
    out = tmp_path / "out"
    result = saferbook("build", SPEC, "--area", "Rutland", "--period-end", "2023-05", "--out", out, "--quiet",
                       cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = error_lines(result.stderr)
    assert SPEC.name in line and ("--period-end" in line or "periods.period_end" in line), line
    assert "2023-05" in line and "2022-10" in line, line
    assert not out.exists() or not any(out.iterdir()), "no workbook for a bad period"


def test_build_malformed_period_end_exits_2(tmp_path):
    result = saferbook("build", SPEC, "--period-end", "Oct 2022", "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = error_lines(result.stderr)
    assert "YYYY-MM" in line


def test_build_unknown_area_exits_2_with_suggestion(tmp_path):
    out = tmp_path / "out"
    result = saferbook("build", SPEC, "--area", "Rutlnd", "--out", out, "--quiet")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (line,) = error_lines(result.stderr)
    assert "did you mean 'Rutland'" in line
    assert not out.exists() or not any(out.iterdir())


def test_build_bad_spec_exits_2_and_writes_nothing(workdir):
    path, _ = write_spec(workdir, *THREE_MISTAKES)
    out = workdir / "out"
    result = saferbook("build", path, "--out", out, "--quiet")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(error_lines(result.stderr)) == 3
    assert not out.exists()


# --- schema, version, usage ----------------------------------------------------------------------


def test_schema_prints_json_schema():
    result = saferbook("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert "indicators" in schema["properties"]
    assert "sources" in schema["properties"]


def test_schema_out_writes_the_same(tmp_path):
    printed = saferbook("schema")
    target = tmp_path / "saferbook.schema.json"
    result = saferbook("schema", "--out", target)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    written = target.read_text(encoding="utf-8")
    assert json.loads(written) == json.loads(printed.stdout)
    assert {"indicators", "sources"} <= set(json.loads(written)["properties"])


def test_version():
    result = saferbook("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"saferbook {engine.__version__}"


def test_unknown_subcommand_exits_2():
    result = saferbook("bulid", SPEC)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "invalid choice" in result.stderr


def test_no_subcommand_exits_2():
    result = saferbook()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "usage" in result.stderr


def _source_titles() -> list[str]:
    import yaml

    return [s.get("title", name) for name, s in yaml.safe_load(ORIGINAL)["sources"].items()]


@pytest.mark.parametrize("verbose", [False, True])
def test_build_prints_one_line_per_source_and_per_workbook(tmp_path, verbose):
    """A quiet console: a line per source read, one per workbook, the data quality in one line and the time;
    the details are in the data-quality CSV (and, with --verbose, here too). Long file names print whole."""
    out = tmp_path / "a_folder_with_a_rather_long_name_for_the_workbooks"
    result = saferbook("build", SPEC, "--area", "Rutland", "--out", out,
                       *(["--verbose"] if verbose else []), cwd=tmp_path)
    assert len(str(out)) > 80, "longer than a default 80-column console: it must print whole"
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    reads = [line for line in lines if line.startswith("Read ")]
    titles = _source_titles()
    assert reads and all(any(line.startswith(f"Read {t}:") for t in titles) for line in reads), reads
    assert len({line.split(":")[0] for line in reads}) == len(reads), "one line per source"
    wrote = [line for line in lines if line.startswith("Wrote ")]
    (workbook,) = out.glob("*.xlsx")
    assert len(wrote) == 1 and str(workbook) in wrote[0]
    assert sum(line.startswith("Data quality:") for line in lines) == 1
    assert lines[-1].startswith("Done in ")
    assert workbook.with_name(f"{workbook.stem}_data_quality.csv").is_file(), "the details are in the CSV"
    if verbose:
        assert len(lines) > len(reads) + 3, "--verbose lists each data-quality note"
    else:
        assert len(lines) == len(reads) + 3, lines
    assert result.stderr.strip() == "", "no progress bars when the output is not a terminal"
