"""Spec mistakes an analyst can act on: each is one located problem (file, line, key path) with
the valid choices or a 'did you mean' hint, raised as a SpecError rather than a traceback.

Every test starts from the real demo spec, applies one textual mutation, writes the result to
``tmp_path/specs/x.yaml`` (with ``tmp_path/data`` pointing at the repository's data, so that the
spec's relative source paths still resolve) and checks what the engine reports. Expected line
numbers are found by searching the mutated text, never hard-coded.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, NamedTuple

import pytest
import yaml

from engine.api import prepare
from engine.errors import Problem, SpecError
from engine.spec import load_spec
from example_support import example_workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
ORIGINAL = SPEC.read_text(encoding="utf-8")
# The tests that read data (prepare) use a small example spec: three districts, a cut of the police.uk data.
EXAMPLES = REPO_ROOT / "specs" / "examples"
EXAMPLE = EXAMPLES / "counted.yaml"


# --- helpers -------------------------------------------------------------------------------------


class Mutated(NamedTuple):
    path: Path
    text: str

    def line_of(self, needle: str) -> int:
        """1-based line of the one occurrence of ``needle`` in the mutated spec."""
        count = self.text.count(needle)
        assert count == 1, f"{needle!r} occurs {count} times in the mutated spec; the test needs it once"
        return self.text[: self.text.index(needle)].count("\n") + 1


def _mutate(text: str, old: str, new: str) -> str:
    count = text.count(old)
    assert count == 1, f"mutation target {old!r} occurs {count} times in the spec; the test needs it once"
    return text.replace(old, new)


@pytest.fixture
def spec_with(tmp_path: Path) -> Callable[..., Mutated]:
    """``spec_with((old, new), ...)`` -> the demo spec with each ``old`` replaced, written to a tmp dir."""
    data = tmp_path / "data"
    try:
        data.symlink_to(REPO_ROOT / "data", target_is_directory=True)
    except OSError:  # no symlinks on this platform / file system
        shutil.copytree(REPO_ROOT / "data", data)
    (tmp_path / "specs").mkdir()

    def make(*replacements: tuple[str, str]) -> Mutated:
        text = ORIGINAL
        for old, new in replacements:
            text = _mutate(text, old, new)
        path = tmp_path / "specs" / "x.yaml"
        path.write_text(text, encoding="utf-8")
        return Mutated(path, text)

    return make


@pytest.fixture
def example_with(tmp_path: Path) -> Callable[..., Mutated]:
    """``example_with((old, new), ...)`` -> the small counted example spec with each ``old`` replaced, written
    beside links to its data (for the tests that read data: the demo's would take ten times as long)."""
    example_workspace(tmp_path)

    def make(*replacements: tuple[str, str]) -> Mutated:
        text = EXAMPLE.read_text(encoding="utf-8")
        for old, new in replacements:
            text = _mutate(text, old, new)
        path = tmp_path / "specs" / "examples" / "x.yaml"
        path.write_text(text, encoding="utf-8")
        return Mutated(path, text)

    return make


def spec_problems(path: Path) -> list[Problem]:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    problems = caught.value.problems
    assert problems, "a SpecError must carry at least one problem"
    return problems


def only_problem(path: Path) -> Problem:
    problems = spec_problems(path)
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def assert_located(problem: Problem, spec: Mutated, line: int, key_path: str) -> None:
    assert problem.file is not None and Path(problem.file).name == spec.path.name, str(problem)
    assert problem.line == line, str(problem)
    assert problem.key_path == key_path, str(problem)
    assert "\n" not in str(problem), "a problem must print on one line"


# --- the unmodified spec is valid (so every failure below is caused by its mutation) -------------


def test_unmodified_copy_loads(spec_with):
    spec = spec_with()
    loaded, spec_dir = load_spec(spec.path)
    assert len(loaded.indicators) == len(yaml.safe_load(ORIGINAL)["indicators"]) > 18
    assert loaded.indicators[7].id == "burglary"
    assert spec_dir == spec.path.parent.resolve()


# --- 1. unknown key ------------------------------------------------------------------------------


def test_misspelt_key_suggests_the_right_one(spec_with):
    spec = spec_with(("  window_months: 12", "  window_month: 12"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("window_month: 12"), "periods.window_month")
    assert "'window_month'" in problem.message
    assert "did you mean 'window_months'" in problem.message


def test_unknown_top_level_key_lists_valid_keys(spec_with):
    spec = spec_with(("theme: default\n", "theme: default\ncolour: blue\n"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("colour: blue"), "colour")
    assert "unknown key 'colour'" in problem.message
    # no close match: the valid top-level keys are listed instead
    for key in ("title", "sources", "geography", "periods", "indicators", "theme"):
        assert key in problem.message


def test_misspelt_key_inside_an_indicator(spec_with):
    spec = spec_with(("    name: Drugs\n    priority: Substance misuse", "    name: Drugs\n    priorty: Substance misuse"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("priorty: Substance misuse"), "indicators[14].priorty")
    assert "did you mean 'priority'" in problem.message


def test_unknown_police_uk_column_in_a_filter(spec_with):
    spec = spec_with(("      crime_type: {equals: Drugs}", "      crime_typ: {equals: Drugs}"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("crime_typ: {equals: Drugs}"), "indicators[14].where.crime_typ")
    assert "did you mean 'crime_type'" in problem.message


# --- 2. wrong type -------------------------------------------------------------------------------


def test_word_where_a_number_belongs(spec_with):
    spec = spec_with(("window_months: 12", "window_months: twelve"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("window_months: twelve"), "periods.window_months")
    assert "integer" in problem.message
    assert "twelve" in problem.message


def test_list_where_a_number_belongs(spec_with):
    spec = spec_with(("trend_years: 6", "trend_years: [1]"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("trend_years: [1]"), "periods.trend_years")
    assert "integer" in problem.message
    assert "[1]" in problem.message


def test_value_outside_a_fixed_set_lists_the_choices(spec_with):
    spec = spec_with(("    type: csv\n    path: ../data/ons/lsoa11_lad22", "    type: cvs\n    path: ../data/ons/lsoa11_lad22"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("type: cvs"), "sources.lsoa_lookup.type")
    assert "'cvs'" in problem.message
    assert "police_uk" in problem.message and "csv" in problem.message


# --- 3. unknown source ---------------------------------------------------------------------------


def test_indicator_with_misspelt_source(spec_with):
    robbery = "  - id: robbery\n    name: Robbery\n    priority: Tackling crime\n    source: street_crime\n"
    spec = spec_with((robbery, robbery.replace("source: street_crime", "source: street_crme")))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("source: street_crme"), "indicators[8].source")
    assert "unknown source 'street_crme'" in problem.message
    assert "did you mean 'street_crime'" in problem.message


def test_geography_with_unknown_source_lists_the_sources(spec_with):
    spec = spec_with(("    source: lsoa_population", "    source: census"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("source: census"), "geography.population.source")
    assert "unknown source 'census'" in problem.message
    for name in ("street_crime", "lsoa_lookup", "district_lookup", "lsoa_population"):
        assert name in problem.message


# --- 4. unknown crime type -----------------------------------------------------------------------


def test_misspelt_crime_type(spec_with):
    spec = spec_with(("crime_type: {equals: Burglary}", "crime_type: {equals: Burglery}"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("Burglery"), "indicators[7].where.crime_type.equals")
    assert "'Burglery'" in problem.message
    assert "did you mean 'Burglary'" in problem.message


def test_misspelt_crime_type_inside_a_list(spec_with):
    spec = spec_with(("{in: [Burglary, Robbery, Vehicle crime]}", "{in: [Burglary, Robery, Vehicle crime]}"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("Robery"), "indicators[2].where.crime_type.in[1]")
    assert "did you mean 'Robbery'" in problem.message


# --- 5. bad period -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2022-13", "Oct 2022", "22-10"])
def test_malformed_period_end(spec_with, bad):
    spec = spec_with(("period_end: latest", f"period_end: {bad}"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of(f"period_end: {bad}"), "periods.period_end")
    assert "YYYY-MM" in problem.message
    assert bad in problem.message


def _prepare_problem(spec_path: Path, **kwargs) -> Problem:
    with pytest.raises(SpecError) as caught:
        prepare(spec_path, **kwargs)
    problems = caught.value.problems
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


@pytest.mark.parametrize("period_end, words", [
    ("2023-05", ["2023-05", "after", "2022-10"]),        # after the latest month in the data
    ("2021-06", ["2021-06", "2020-11"]),                 # previous 12 months start before the data
])
def test_period_end_outside_the_data_written_in_the_spec(example_with, period_end, words):
    """A well-formed period_end the data cannot serve is still a spec mistake on a known line."""
    spec = example_with(("period_end: latest", f"period_end: {period_end}"))
    problem = _prepare_problem(spec.path)
    assert problem.file is not None and Path(problem.file).name == "x.yaml", str(problem)
    assert problem.key_path is not None and "periods.period_end" in problem.key_path, str(problem)
    for word in words:
        assert word in problem.message
    assert problem.line == spec.line_of(f"period_end: {period_end}"), (
        f"the period end was written on a line of the spec, so the problem must name it: {problem}")


@pytest.mark.parametrize("period_end, words", [
    ("2023-05", ["2023-05", "after", "2022-10"]),
    ("2021-06", ["2021-06", "2020-11"]),
])
def test_period_end_outside_the_data_given_as_override(period_end, words):
    """The CLI's --period-end reaches the engine as prepare(period_end=...)."""
    problem = _prepare_problem(EXAMPLE, period_end=period_end)
    assert problem.file is not None and Path(problem.file).name == EXAMPLE.name, str(problem)
    # the value came from the caller, not the file: naming the option (or the spec key it overrides) is right
    assert problem.key_path in ("--period-end", "periods.period_end"), str(problem)
    for word in words:
        assert word in problem.message


@pytest.mark.parametrize("bad", ["2022-13", "Oct 2022", "22-10"])
def test_malformed_period_end_given_as_override(bad):
    problem = _prepare_problem(EXAMPLE, period_end=bad)
    assert problem.key_path in ("--period-end", "periods.period_end"), str(problem)
    assert "YYYY-MM" in problem.message
    assert bad in problem.message


# --- 6. duplicate, missing, syntax, no file, trend rows, areas -----------------------------------


def test_duplicate_key_in_a_mapping(spec_with):
    spec = spec_with(("  window_months: 12\n", "  window_months: 12\n  window_months: 6\n"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("window_months: 6"), "periods.window_months")
    assert "twice" in problem.message


def test_duplicate_top_level_key(spec_with):
    spec = spec_with(("organisation:", "title: Another title\norganisation:"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("title: Another title"), "title")
    assert "'title'" in problem.message and "twice" in problem.message


def test_missing_required_top_level_key(spec_with):
    spec = spec_with(("title: Partnership Strategic Assessment — Crime and Anti-social Behaviour\n", ""))
    problem = only_problem(spec.path)
    assert problem.key_path == "title", str(problem)
    assert "required" in problem.message and "'title'" in problem.message
    # no line holds a missing key: the problem points at the top-level mapping that lacks it
    assert problem.line in (1, spec.line_of('spec_version: "1.0"')), str(problem)


def test_missing_required_nested_key(spec_with):
    spec = spec_with(("    code: LSOA11CD\n    name: LSOA11NM\n", "    name: LSOA11NM\n"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("  small_areas:"), "geography.small_areas.code")
    assert "required" in problem.message and "'code'" in problem.message


def test_invalid_yaml_syntax_reports_the_line(spec_with):
    spec = spec_with(("  window_months: 12\n", "  window_months: 12: 3\n"))
    problem = only_problem(spec.path)
    assert Path(problem.file).name == "x.yaml", str(problem)
    assert problem.line == spec.line_of("window_months: 12: 3"), str(problem)
    assert "YAML" in problem.message
    assert "\n" not in str(problem)


def test_tab_indentation_reports_the_line(spec_with):
    spec = spec_with(("  trend_years: 6\n", "\ttrend_years: 6\n"))
    problem = only_problem(spec.path)
    assert problem.line == spec.line_of("\ttrend_years: 6"), str(problem)
    assert "YAML" in problem.message


def test_spec_that_is_not_a_mapping(spec_with, tmp_path):
    path = tmp_path / "specs" / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    problem = only_problem(path)
    assert problem.line == 1
    assert "mapping" in problem.message


def test_spec_file_that_does_not_exist(tmp_path):
    missing = tmp_path / "nowhere" / "missing.yaml"
    problem = only_problem(missing)
    assert problem.file is not None and "missing.yaml" in problem.file, str(problem)
    assert "not found" in problem.message


def test_unknown_trend_table_row(spec_with):
    spec = spec_with(("rows: [other_acquisitive,", "rows: [other_aquisitive,"))
    problem = only_problem(spec.path)
    assert_located(problem, spec, spec.line_of("rows: [other_aquisitive,"), "trend_table.rows[0]")
    assert "'other_aquisitive'" in problem.message
    assert "did you mean 'other_acquisitive'" in problem.message


def test_duplicate_indicator_id(spec_with):
    spec = spec_with(("  - id: other_crime\n", "  - id: drugs\n"))
    problems = spec_problems(spec.path)
    duplicate = [p for p in problems if p.key_path == "indicators[17].id"]
    assert duplicate, "\n".join(map(str, problems))
    assert duplicate[0].line == spec.text.count("\n", 0, spec.text.rindex("  - id: drugs")) + 1
    assert "twice" in duplicate[0].message


def test_unknown_area_suggests_the_nearest():
    with pytest.raises(SpecError) as caught:
        prepare(EXAMPLE, areas=["Rutlnd"])
    (problem,) = caught.value.problems
    assert problem.key_path == "--area"
    assert "'Rutlnd'" in problem.message
    assert "did you mean 'Rutland'" in problem.message


def test_every_unknown_area_is_reported():
    with pytest.raises(SpecError) as caught:
        prepare(EXAMPLE, areas=["Rutlnd", "Rutland", "Atlantis"])
    problems = caught.value.problems
    assert [p.key_path for p in problems] == ["--area", "--area"]
    assert "did you mean 'Rutland'" in problems[0].message
    assert "'Atlantis'" in problems[1].message
    assert "Rutland" in problems[1].message and "Melton" in problems[1].message  # the valid areas


# --- several mistakes at once --------------------------------------------------------------------


def test_several_shape_mistakes_reported_together(spec_with):
    spec = spec_with(
        ("  window_months: 12\n", "  window_month: 12\n"),
        ("trend_years: 6", "trend_years: [1]"),
        ("period_end: latest", "period_end: 2022-13"),
        ("theme: default\n", "theme: default\ncolour: blue\n"),
    )
    problems = spec_problems(spec.path)
    got = {(p.key_path, p.line) for p in problems}
    assert got == {
        ("periods.window_month", spec.line_of("window_month: 12")),
        ("periods.trend_years", spec.line_of("trend_years: [1]")),
        ("periods.period_end", spec.line_of("period_end: 2022-13")),
        ("colour", spec.line_of("colour: blue")),
    }, "\n".join(map(str, problems))


def test_several_reference_mistakes_reported_together(spec_with):
    robbery = "  - id: robbery\n    name: Robbery\n    priority: Tackling crime\n    source: street_crime\n"
    spec = spec_with(
        (robbery, robbery.replace("source: street_crime", "source: street_crme")),
        ("crime_type: {equals: Burglary}", "crime_type: {equals: Burglery}"),
        ("rows: [other_acquisitive,", "rows: [other_aquisitive,"),
        ("  window_months: 12\n", "  window_months: 12\n  window_months: 6\n"),
    )
    problems = spec_problems(spec.path)
    got = {(p.key_path, p.line) for p in problems}
    assert got == {
        ("indicators[8].source", spec.line_of("source: street_crme")),
        ("indicators[7].where.crime_type.equals", spec.line_of("Burglery")),
        ("trend_table.rows[0]", spec.line_of("rows: [other_aquisitive,")),
        ("periods.window_months", spec.line_of("window_months: 6")),
    }, "\n".join(map(str, problems))


def test_shape_and_reference_mistakes_reported_together(spec_with):
    """One run shows every mistake: a misspelt key must not hide a misspelt crime type elsewhere."""
    spec = spec_with(
        ("  window_months: 12\n", "  window_month: 12\n"),
        ("crime_type: {equals: Burglary}", "crime_type: {equals: Burglery}"),
    )
    problems = spec_problems(spec.path)
    got = {(p.key_path, p.line) for p in problems}
    assert got == {
        ("periods.window_month", spec.line_of("window_month: 12")),
        ("indicators[7].where.crime_type.equals", spec.line_of("Burglery")),
    }, "\n".join(map(str, problems))


def test_spec_error_message_has_one_line_per_problem(spec_with):
    spec = spec_with(
        ("  window_months: 12\n", "  window_month: 12\n"),
        ("trend_years: 6", "trend_years: [1]"),
    )
    with pytest.raises(SpecError) as caught:
        load_spec(spec.path)
    lines = str(caught.value).splitlines()
    assert len(lines) == len(caught.value.problems) == 2
    for line in lines:
        assert "x.yaml" in line


# --- 7. statistics settings: banding, change test, suppression, peers ----------------------------

TOTAL_CRIME_SD = "    banding:                    # the seeds' crime-map bands: 1 and 2 SD from the mean LSOA rate\n" \
                 "      method: sd\n      cut_points: [1, 2]"


@pytest.mark.parametrize("old, new, key_path, words", [
    # an unknown method lists the methods
    ("banding:\n  method: ci\n", "banding:\n  method: zscore\n", "banding.method", ["'zscore'", "'ci'", "'sd'"]),
    ("change:\n  method: exact\n", "change:\n  method: chi2\n", "change.method", ["'chi2'", "'exact'", "'overlap'"]),
    # cut-points: two increasing numbers of standard deviations
    ("cut_points: [1, 2]", "cut_points: [2, 1]", "indicators[0].banding.cut_points", ["standard deviations", "[1, 2]"]),
    ("cut_points: [1, 2]", "cut_points: [0, 2]", "indicators[0].banding.cut_points", ["standard deviations"]),
    ("cut_points: [1, 2]", "cut_points: [1, 20]", "indicators[0].banding.cut_points", ["standard deviations"]),
    # levels and thresholds
    ("  method: exact\n  level: 0.95", "  method: exact\n  level: 1.5", "change.level", ["less than 1"]),
    ("  method: exact\n  level: 0.95", "  method: exact\n  level: ninety", "change.level", ["number"]),
    ("  below: 5 ", "  below: 0 ", "suppression.below", ["greater than or equal to 1"]),
    ("  below: 5 ", "  below: five ", "suppression.below", ["integer"]),
    ("    sensitive: true ", "    sensitive: very ", "indicators[5].sensitive", ["boolean"]),
    # a misspelt key
    ("peers:\n  level: 0.95", "peers:\n  levle: 0.95", "peers.levle", ["did you mean 'level'"]),
])
def test_statistics_setting_mistakes(spec_with, old, new, key_path, words):
    spec = spec_with((old, new))
    problem = only_problem(spec.path)
    changed = next(line for line in new.splitlines() if line not in old.splitlines())
    assert_located(problem, spec, spec.line_of(changed.strip()), key_path)
    for word in words:
        assert word in problem.message


def test_levels_given_to_the_sd_method_is_an_error(spec_with):
    spec = spec_with((TOTAL_CRIME_SD, TOTAL_CRIME_SD + "\n      levels: [0.95, 0.998]"))
    problem = only_problem(spec.path)
    assert problem.key_path == "indicators[0].banding", str(problem)
    assert problem.line == spec.line_of("    banding:                    # the seeds'"), str(problem)
    assert "levels is not used by method: sd" in problem.message and "cut_points" in problem.message


def test_cut_points_given_to_the_ci_method_is_an_error(spec_with):
    spec = spec_with(("  levels: [0.95, 0.998]         #", "  cut_points: [1, 2]\n  levels: [0.95, 0.998]         #"))
    problem = only_problem(spec.path)
    assert problem.key_path == "banding", str(problem)
    assert "cut_points is not used by method: ci" in problem.message


def test_suppress_without_sensitive_is_an_error(spec_with):
    spec = spec_with(("    sensitive: true             # includes sexual offences: small numbers hidden in partner deliveries\n",
                      "    suppress: {below: 10}\n"))
    problem = only_problem(spec.path)
    assert problem.key_path == "indicators[5]", str(problem)
    assert "add sensitive: true" in problem.message


def test_the_demo_spec_uses_both_banding_methods_and_marks_a_sensitive_indicator():
    spec, _ = load_spec(SPEC)
    methods = {spec.banding_for(i).method for i in spec.indicators}
    assert methods == {"ci", "sd"}
    sensitive = [i.id for i in spec.indicators if spec.suppression_for(i) is not None]
    assert sensitive == ["violence_and_sexual_offences", "domestic_crime", "hate_crime", "racially_religiously_aggravated",
                         "sexual_offences", "domestic_violence_with_injury", "marac_referrals", "uava_referrals",
                         "treatment_presentations", "domestic_incidents", "hate_incidents"]
    assert spec.change_for(spec.indicators[0]).method == "exact"
