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
