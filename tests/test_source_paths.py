"""The path rule: a spec reads only inside its data_root (default: its own folder) unless a source says
allow_outside: true, and a refused path is never opened (so no line of it can appear in a message)."""
from __future__ import annotations

import pytest

from engine.errors import SpecError
from engine.spec.loader import load_spec
from hostile_support import copy_fixture


def with_source_path(tmp_path, path: str, extra: str = "", data_root: str | None = None):
    spec = copy_fixture(tmp_path / "project" / "specs")
    text = spec.read_text(encoding="utf-8").replace("    path: incidents.csv\n", f"    path: {path}\n{extra}", 1)
    if data_root is not None:
        text = text.replace('spec_version: "1.0"\n', f'spec_version: "1.0"\ndata_root: {data_root}\n', 1)
    spec.write_text(text, encoding="utf-8")
    return spec


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../../../../../etc/passwd", "sub/../../incidents.csv"])
def test_a_source_outside_the_spec_folder_is_refused_with_its_line(tmp_path, path):
    spec = with_source_path(tmp_path, path)
    with pytest.raises(SpecError) as raised:
        load_spec(spec)
    [problem] = raised.value.problems
    line = next(n for n, text in enumerate(spec.read_text().splitlines(), start=1) if f"path: {path}" in text)
    assert (problem.line, problem.key_path) == (line, "sources.incidents.path")
    assert "outside the folder this spec may read" in problem.message and "allow_outside: true" in problem.message
    assert "root:x:0" not in str(raised.value)  # nothing of the file itself is quoted


def test_inside_the_folder_and_explicit_exceptions_are_allowed(tmp_path):
    spec = with_source_path(tmp_path / "a", "./sub/../incidents.csv")
    assert load_spec(spec)[0].sources["incidents"].path == "./sub/../incidents.csv"
    (tmp_path / "b" / "project" / "data").mkdir(parents=True)
    spec = with_source_path(tmp_path / "b", "../data/incidents.csv", data_root="..")  # a project's specs/ beside data/
    load_spec(spec)
    spec = with_source_path(tmp_path / "c", "/srv/shared/incidents.csv", extra="    allow_outside: true\n")
    load_spec(spec)


def test_the_demo_specs_declare_their_project_as_data_root():
    from engine.cli import DEMO_DASHBOARD_SPEC, DEMO_SPEC

    for path in (DEMO_SPEC, DEMO_DASHBOARD_SPEC):
        assert load_spec(path)[0].data_root == ".."
