"""DESIGN.md's rules that the source itself can be checked for: who may import whom, and where rates live.

Read with ``ast`` (every import, including those inside functions) and with a regular expression over
the code (comments and docstrings stripped), never by importing the modules.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENGINE = REPO / "engine"


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if ".venv" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (top level or inside a function)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def code_only(path: Path) -> str:
    """The file's code without comments and strings (so a docstring may describe the formula)."""
    kept = []
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type not in (tokenize.COMMENT, tokenize.STRING):
            kept.append(token.string)
    return " ".join(kept)


def test_nothing_in_the_engine_imports_the_add_in_or_the_command():
    offending = {str(p.relative_to(REPO)): sorted(m for m in imported_modules(p)
                                                  if m == "addin" or m.startswith("addin.") or m == "engine.cli")
                 for p in python_files(ENGINE) if p != ENGINE / "cli.py"}
    offending.update({"engine/cli.py": sorted(m for m in imported_modules(ENGINE / "cli.py")
                                              if m == "addin" or m.startswith("addin."))})
    assert {path: mods for path, mods in offending.items() if mods} == {}


@pytest.mark.parametrize("package, forbidden", [
    ("spec", ("engine.ingest", "engine.indicators", "engine.render", "engine.deliver", "engine.stats", "engine.synthetic")),
    ("stats", ("engine.errors", "engine.spec", "engine.ingest", "engine.indicators", "engine.render", "engine.report")),
    ("render", ("engine.ingest", "engine.indicators", "engine.stats", "engine.spec")),
    ("ingest", ("engine.indicators", "engine.render", "engine.deliver")),
])
def test_who_may_import_whom(package, forbidden):
    offending = {str(p.relative_to(REPO)): sorted(m for m in imported_modules(p) if m.startswith(forbidden))
                 for p in python_files(ENGINE / package)}
    assert {path: mods for path, mods in offending.items() if mods} == {}


# count / population * per, count / pop, x / denominator * rate_per ... : a rate computed by hand
RATE_ARITHMETIC = re.compile(
    r"/ \(? ?[\w.\[\] ]*?\b\w*(?:pop|population|residents|denominators?)\w*\b(?: \[[^\]]*\])? \)? ?\*"
    r"|\* [\w.]*\brate_per\b"
    r"|\b(?!\w*pop)\w+ / [\w.]*\b(?:pop|population)\w*\b")  # (a ratio of two populations is not a rate)


def test_rates_are_computed_only_in_stats():
    found = {}
    for path in python_files(ENGINE):
        if (ENGINE / "stats") in path.parents:
            continue
        hits = RATE_ARITHMETIC.findall(code_only(path))
        if hits:
            found[str(path.relative_to(REPO))] = hits
    assert found == {}, "use engine.stats.rates (it refuses zero and negative denominators)"


def test_the_rate_check_finds_hand_written_rates(tmp_path):
    """The pattern is not vacuous: each way a rate was written by hand before is caught."""
    for line in ["rate = current / geo.small_area_population * indicator.rate_per",
                 "benchmark_rate = float(current.sum()) / geo.benchmark_population * indicator.rate_per",
                 "own_rate = own_count / partner_population * per",
                 "x = np.where(ok, totals.numerator / totals.denominator * per, np.nan)",
                 "per_resident = count / population"]:  # (and not: "distance = cand_pop / population[d]")
        path = tmp_path / "x.py"
        path.write_text(line + "\n", encoding="utf-8")
        assert RATE_ARITHMETIC.findall(code_only(path)), line


def function_node(path: Path, name: str) -> ast.FunctionDef:
    """The module-level function ``name`` of ``path``."""
    found = [n for n in ast.parse(path.read_text(encoding="utf-8")).body
             if isinstance(n, ast.FunctionDef) and n.name == name]
    assert len(found) == 1, f"{path.relative_to(REPO)} defines no function {name}"
    return found[0]


def calls_of(node: ast.AST, name: str) -> int:
    """How many calls of ``name`` (as a plain name) ``node`` holds."""
    return sum(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name for n in ast.walk(node))


def test_build_reports_only_assembles_its_phases():
    """DESIGN: the build runs in phases, each its own module (coverage, measured, counted, findings, partner
    quality); build_reports calls them in order. A computation added to it belongs in a phase."""
    compute = ENGINE / "indicators" / "compute.py"
    node = function_node(compute, "build_reports")
    body = node.body[1:] if ast.get_docstring(node) else node.body
    lines = body[-1].end_lineno - body[0].lineno + 1  # type: ignore[operator]
    assert lines <= 30, f"build_reports holds {lines} lines of code: move the computation into a phase module"
    assert not [n for n in ast.walk(node) if isinstance(n, (ast.For, ast.While, ast.If))], \
        "build_reports loops or branches: that work belongs in a phase module"
    assert len(compute.read_text(encoding="utf-8").splitlines()) <= 120


def test_measures_are_judged_by_one_pipeline():
    """Rates and proportions go through the same steps (benchmark, band, peer position, change, p-value, each
    only where the figures are known): those steps are written once, in measure_stats.judged; a kind of measure
    only names its methods."""
    measured = ENGINE / "indicators"
    callers = {}
    for path in python_files(measured):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and calls_of(node, "on_usable"):
                callers[f"{path.relative_to(REPO)}:{node.name}"] = calls_of(node, "on_usable")
    assert list(callers) == ["engine/indicators/measured/measure_stats.py:judged"], callers
