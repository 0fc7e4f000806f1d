"""Phases: every mistake that needs no data is reported before any data is read, with file, line, key
path and a "did you mean" where one helps.

Each test writes a small example spec (``specs/examples/``) with one mistake into a folder where the
partner data does NOT exist (only the ONS lookups are there). A spec check that ran after reading
would fail on the missing data first; here the spec mistake must be what ``prepare`` reports.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.api import prepare
from engine.errors import Problem, SpecError
from engine.project import project_of_folder
from engine.spec import load_spec

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "specs" / "examples"


def without_data(tmp_path: Path, example: str, *replacements: tuple[str, str]) -> tuple[Path, str]:
    """The example spec with each replacement made, in tmp_path/specs/examples/ beside no data (the lookups in
    tmp_path/data/ons are the repository's)."""
    (tmp_path / "specs" / "examples").mkdir(parents=True)
    try:
        (tmp_path / "data").symlink_to(REPO / "data", target_is_directory=True)
    except OSError:
        shutil.copytree(REPO / "data", tmp_path / "data")
    text = (EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "specs" / "examples" / "x.yaml"
    path.write_text(text, encoding="utf-8")
    assert not (path.parent / "data").exists()
    return path, text


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def reported(path: Path, **kwargs) -> list[Problem]:
    """The problems ``load_spec`` reports, which must be exactly what ``prepare`` reports (before reading)."""
    with pytest.raises(SpecError) as loaded:
        load_spec(path)
    with pytest.raises(SpecError) as prepared:
        prepare(path, **kwargs)
    assert [str(p) for p in prepared.value.problems] == [str(p) for p in loaded.value.problems]
    return loaded.value.problems


def one_problem_at(path: Path, text: str, key_path: str, on_line: str) -> Problem:
    """The one problem reported for the spec at ``path`` (whose text is ``text``): in that file, at ``key_path``,
    on the line holding ``on_line``."""
    (problem,) = reported(path)
    assert Path(problem.file).name == path.name
    assert problem.key_path == key_path
    assert problem.line == line_of(text, on_line)
    return problem


def sd_banding_reported(tmp_path: Path, example: str, after: str, key_path: str) -> Problem:
    """The one problem reported when the example's indicator whose block holds the line ``after`` is given
    ``banding: {method: sd}``: at ``key_path``, on the banding's line."""
    path, text = without_data(tmp_path, example, (after, after + "    banding: {method: sd, cut_points: [1, 2]}\n"))
    return one_problem_at(path, text, key_path, "banding: {method: sd")


def test_sd_banding_of_a_measured_indicator_is_a_spec_mistake(tmp_path):
    problem = sd_banding_reported(tmp_path, "measured",
                                  '    measure: {kind: proportion, numerator: {repeat: {equals: "Yes"}}}\n',
                                  "indicators[1].banding.method")
    assert "'repeat_marac_referrals' has a measure block" in problem.message and "use banding method ci" in problem.message


def test_sd_banding_of_a_source_without_small_areas_names_the_spec_wide_setting(tmp_path):
    """The MARAC log records only the district: the spec-wide sd banding cannot apply to its count."""
    path, text = without_data(tmp_path, "measured", ("\nindicators:\n", "\nbanding: {method: sd, cut_points: [1, 2]}\n\nindicators:\n"))
    problems = reported(path)
    assert {p.key_path for p in problems} == {"banding.method"}
    assert {p.line for p in problems} == {line_of(text, "banding: {method: sd")}
    messages = " ".join(p.message for p in problems)
    assert "'marac_referrals' counts a source that records only the district" in messages
    assert "give indicator 'marac_referrals' banding: {method: ci}" in messages


def test_rolling_windows_over_a_quarterly_return_is_a_spec_mistake(tmp_path):
    path, text = without_data(tmp_path, "partner_table", ("respondents_column: respondents, compare: previous_period}",
                                                          "respondents_column: respondents, compare: rolling}"))
    (problem,) = reported(path)
    assert problem.key_path == "indicators[0].measure.compare"
    assert problem.line == line_of(text, "compare: rolling")
    assert "periods are 3 months long" in problem.message and "compare: previous_period" in problem.message


def test_a_month_of_year_profile_of_a_quarterly_return_is_a_spec_mistake(tmp_path):
    """Seasonality lays counts out by month of the year; a survey return by quarter has no months to show. Found
    from the spec alone (the source's month column is typed quarter), not after every source has been read."""
    measure = "    measure: {kind: proportion, percent_column: pct_agree, respondents_column: respondents, compare: previous_period}\n"
    path, text = without_data(tmp_path, "partner_table", (measure, measure + (
        "  - id: survey_returns\n"
        "    name: Survey returns\n"
        "    priority: Reducing anti-social behaviour\n"
        "    unit: returns\n"
        "    polarity: neither\n"
        "    source: resident_survey\n"
        "\nseasonality:\n"
        "  indicators: [survey_returns]\n")))
    problem = one_problem_at(path, text, "seasonality.indicators[0]", "indicators: [survey_returns]")
    assert "'resident_survey', whose periods are 3 months long" in problem.message
    assert "leave it out of seasonality" in problem.message


def test_a_dashboard_refuses_sd_banding(tmp_path):
    problem = sd_banding_reported(
        tmp_path, "dashboard",
        "    target: {measure: percent_change, at_most: 0, label: No increase on the previous 12 months}\n",
        "indicators[0].banding.method")
    assert "dashboard" in problem.message and "use banding method ci" in problem.message


@pytest.mark.parametrize("label, words", [
    ("FY {startyear}", ["unknown placeholder {startyear}", "did you mean 'start_year'"]),
    ("FY {end_year:>4}", ["takes no format"]),
    ("FY {end_year", ["not a valid label"]),
])
def test_an_unknown_placeholder_in_a_label_is_a_spec_mistake_with_its_line(tmp_path, label, words):
    path, text = without_data(tmp_path, "counted", ('label: "FY {end_year}"', f'label: "{label}"'))
    (problem,) = reported(path)
    assert problem.key_path == "periods.financial_year.label"
    assert problem.line == line_of(text, f'label: "{label}"')
    for word in words:
        assert word in problem.message


def test_area_names_and_period_end_are_checked_before_the_data_is_read(tmp_path):
    path, _ = without_data(tmp_path, "counted")
    with pytest.raises(SpecError) as caught:
        prepare(path, areas=["Rutlnd", "Melton"], period_end="Oct 2022")
    problems = caught.value.problems
    assert [p.key_path for p in problems] == ["--period-end", "--area"]
    assert "YYYY-MM" in problems[0].message and "'Oct 2022'" in problems[0].message
    assert "did you mean 'Rutland'" in problems[1].message
    assert all(Path(p.file).name == "x.yaml" for p in problems)


def test_good_arguments_go_on_to_read_the_data(tmp_path):
    """The checks do not stop a good build: with the data missing, the next problem is the data's."""
    path, _ = without_data(tmp_path, "counted")
    with pytest.raises(Exception) as caught:
        prepare(path, areas=["Rutland"], period_end="2022-10")
    assert not isinstance(caught.value, SpecError), caught.value
    assert "police_uk" in str(caught.value)


def test_a_bad_project_identifier_is_found_before_the_data_with_its_line(tmp_path):
    """The project file (saferbook-project.yaml, above the spec) is read like a spec: a mistake in it needs no
    data to find, and its problem names the file, the line and the key."""
    path, _ = without_data(tmp_path, "counted")
    marker = tmp_path / "saferbook-project.yaml"
    marker.write_text("# the partnership's project\n\nid: Safer Leicestershire\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        prepare(path)
    (problem,) = caught.value.problems
    assert Path(problem.file) == marker
    assert (problem.line, problem.key_path) == (3, "id")
    assert "'Safer Leicestershire' is not a project identifier" in problem.message


def test_a_project_file_is_bounded_like_a_spec(tmp_path):
    """Aliases that expand past what any file needs are refused in the project file too, not built."""
    bomb = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    bomb += [f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 9)}]" for i in range(1, 9)]
    (tmp_path / "saferbook-project.yaml").write_text("id: safer-example\n" + "\n".join(bomb) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        project_of_folder(tmp_path)
    (problem,) = caught.value.problems
    assert Path(problem.file).name == "saferbook-project.yaml"
    assert "refused: aliases here expand to over" in problem.message and "project file" in problem.message


def test_a_map_of_a_source_without_small_areas_is_a_spec_mistake(tmp_path):
    """The MARAC log records only the district: there is nothing to shade by small area. Found from the spec (the
    source has no small_area_code column), not after the boundaries and every source have been read."""
    maps = "maps: {boundaries: ../../data/ons/lsoa11_boundaries_leicestershire.geojson.gz, indicators: [marac_referrals]}"
    path, text = without_data(tmp_path, "measured", ("\nindicators:\n", f"\n{maps}\n\nindicators:\n"))
    problem = one_problem_at(path, text, "maps.indicators[0]", maps)
    assert "'marac_referrals' counts a source that records only the district" in problem.message


def test_comparing_with_a_most_similar_group_needs_the_peer_groups_export(tmp_path):
    path, text = without_data(tmp_path, "counted", ("\nindicators:\n", "\ncomparison_areas: {peer_group: true}\n\nindicators:\n"))
    problem = one_problem_at(path, text, "comparison_areas.peer_group", "comparison_areas: {peer_group: true}")
    assert "needs the spec's peer_groups" in problem.message
