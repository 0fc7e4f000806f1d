"""Peer groups (most similar groups): rank x/N, peer average and comparison, checked against an
independent recomputation.

The export is generated into a temporary folder (engine.synthetic, the demo's SYNTHETIC
most-similar-group file) and the demo spec is pointed at it. Expected values come from plain
pandas and scipy: the export read with openpyxl, each district's own counts from the raw
police.uk CSVs (``workbook_helpers.Raw``), Byar's / exact Poisson limits from scipy. Nothing
from the engine computes an expected value.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from engine.api import prepare, render_all
from engine.errors import DataError, SpecError
from engine.synthetic import generate_all
from workbook_helpers import (CURRENT, PERIOD_END, REPO, build_books, column_of, count_limits, data_rows, load_raw,
                              read_book)

EXPORT_NAME = "most_similar_groups.xlsx"
SPEC_TEXT = (REPO / "specs" / "community_safety.yaml").read_text(encoding="utf-8")
RANK, AVERAGE, COMPARED = "Rank among peers (1 = lowest rate)", "Peer average rate per 1,000", "Comparison with peers"
WORDS = {1: "Above the peer average", 0: "In line with the peer average", -1: "Below the peer average"}
DISTRICTS = ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Leicester", "Melton",
             "North West Leicestershire", "Oadby and Wigston", "Rutland"]


def demo_spec() -> dict:
    return yaml.safe_load(SPEC_TEXT)


MEASURES: dict[str, str] = demo_spec()["peer_groups"]["measures"]
NAMES = {i["id"]: i["name"] for i in demo_spec()["indicators"]}


#: The demo spec's sections a spec for the peer-group checks of bad input keeps; the rest (maps, breakdowns, the
#: other sections) is not what they look at, and most of the time a build takes.
PEERS_ALONE = ("spec_version", "data_root", "title", "organisation", "attribution", "theme", "sources", "geography",
               "periods", "quality", "banding", "change", "suppression", "peers", "peer_groups", "indicators")


def peers_alone(text: str) -> str:
    """The demo spec's text with only its :data:`PEERS_ALONE` sections and the indicators ``peer_groups.measures``
    maps (their lines as the demo has them, so that the tests' text edits apply)."""
    blocks = re.split(r"(?m)^(?=[a-z_]+:)", text)
    kept = [b for b in blocks if not re.match(r"[a-z_]+:", b) or b.split(":", 1)[0] in PEERS_ALONE]
    head, *items = re.split(r"(?m)^(?=  - id: )", kept[-1])
    assert head.startswith("indicators:")
    mapped = [item for item in items if re.match(r"  - id: (\w+)", item).group(1) in MEASURES]
    assert len(mapped) == len(MEASURES)
    return "".join(kept[:-1]) + head + "".join(mapped)


def project(root: Path, export: Path, *edits: tuple[str, str], whole: bool = True) -> Path:
    """The demo spec in ``root/specs`` reading ``export``, with (old, new) text edits; data/ linked. Not ``whole``:
    the peer groups alone (:func:`peers_alone`)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "specs", root / "specs")
    (root / "data").symlink_to(REPO / "data", target_is_directory=True)
    text = (SPEC_TEXT if whole else peers_alone(SPEC_TEXT)).replace("../data/synthetic/generated/most_similar_groups.xlsx", str(export))
    text = text.replace("data_root: ..", "data_root: /", 1)  # the export lies in another temporary folder
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = root / "specs" / "community_safety.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("peer_export")
    return generate_all(folder, sources=["peer_groups"])["peer_groups"]


@pytest.fixture(scope="module")
def prepared(export, tmp_path_factory) -> tuple[Path, Any]:
    """(the project's folder, every district's Reports from the demo spec reading ``export``): computed once for the
    workbooks (``books``) and the findings test (SOURCE_DATE_EPOCH unset, as ``build_books`` builds)."""
    root = tmp_path_factory.mktemp("peer_project")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        return root, prepare(project(root, export), areas=DISTRICTS)


@pytest.fixture(scope="module")
def books(prepared) -> dict:
    """Every district's workbook as ``engine.api.build`` writes it (its Reports rendered: ``render_all``)."""
    root, reports = prepared
    paths = render_all(reports, root / "out")
    assert [r.partner_area for r in reports.reports] == DISTRICTS and len(paths) == len(DISTRICTS)
    return {report.partner_area: read_book(report.partner_area, path) for report, path in zip(reports.reports, paths)}


def read_export(path: Path) -> pd.DataFrame:
    """The export's table as an analyst reads it: header row found by its first label, up to the first blank row."""
    rows = list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if row[0] == "Most Similar Group Of")
    end = next((i for i in range(top + 1, len(rows)) if all(c is None for c in rows[i])), len(rows))
    frame = pd.DataFrame(rows[top + 1:end], columns=rows[top])
    frame["crimes"] = pd.to_numeric(frame["Recorded Crimes"], errors="coerce")  # ".." = not available
    return frame


def expected(frame: pd.DataFrame, area: str, indicator_id: str) -> dict:
    """Rank (1 = lowest, ties share the lowest), N, the peers' pooled rate and the 95% comparison."""
    raw = load_raw()
    own_count = raw.count(indicator_id, CURRENT, area)
    population = float(raw.district_pop[area])
    own = own_count / population * 1000
    peers = frame[(frame["Most Similar Group Of"] == area) & (frame["MSG Member"] != area)
                  & (frame["Offence Group"] == MEASURES[indicator_id]) & frame["crimes"].notna()]
    rates = peers["crimes"] / peers["Population (mid-2020)"] * 1000
    average = peers["crimes"].sum() / peers["Population (mid-2020)"].sum() * 1000
    lower, upper = (x / population * 1000 for x in count_limits(own_count, 0.95))
    code = 1 if lower > average else -1 if upper < average else 0
    return {"rank": int((rates < own).sum()) + 1, "of": len(peers) + 1, "average": average, "code": code,
            "rate": own, "peers": len(peers)}


# --------------------------------------------------------------------------------------------
# The generated export (SYNTHETIC): real partnerships as peers, the district's own row real
# --------------------------------------------------------------------------------------------

def test_export_groups_are_real_partnerships_near_the_districts_rates(export):
    frame = read_export(export)
    lookup = pd.read_csv(REPO / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv", dtype=str)
    populations = pd.read_csv(REPO / "data" / "ons" / "population20_ltla21_all_ages.csv", dtype=str)
    csp_population = (lookup.merge(populations, left_on="LAD23CD", right_on="ltla21_code")
                      .assign(pop=lambda f: f["total_population"].astype(float)).groupby("CSP23NM")["pop"].sum())
    leicestershire = set(lookup.loc[lookup["PFA23NM"] == "Leicestershire", "CSP23NM"])
    raw = load_raw()
    assert sorted(frame["Most Similar Group Of"].unique()) == DISTRICTS
    assert (frame["12 Months To"] == "Oct-22").all()
    for area, group in frame.groupby("Most Similar Group Of"):
        assert sorted(group["Offence Group"].unique()) == sorted(MEASURES.values())
        members = group.loc[group["Offence Group"] == "All crime"]
        assert len(members) == 15 and members["MSG Member"].is_unique
        peers = members[members["MSG Member"] != area]
        assert len(peers) == 14 and not set(peers["MSG Member"]) & leicestershire
        assert (peers["Population (mid-2020)"] == peers["MSG Member"].map(csp_population)).all()
        # the district's own row copies police.uk; the peers' simulated rates lie near it
        (own,) = members.loc[members["MSG Member"] == area, "crimes"]
        assert own == raw.count("total_crime", CURRENT, area)
        ratio = (peers["crimes"] / peers["Population (mid-2020)"]) / (own / raw.district_pop[area])
        assert ratio.dropna().between(0.4, 2.5).all(), (area, ratio.describe())
    assert (frame["Recorded Crimes"] == "..").sum() == 3


# --------------------------------------------------------------------------------------------
# The workbook against the independent recomputation
# --------------------------------------------------------------------------------------------

def test_summary_ranks_averages_and_comparisons(books, export):
    frame = read_export(export)
    seen = set()
    for area in DISTRICTS:
        summary = books[area].frame("sb_summary").set_index("Indicator")
        for indicator_id in MEASURES:
            want = expected(frame, area, indicator_id)
            row = summary.loc[NAMES[indicator_id]]
            assert row[RANK] == f"{want['rank']}/{want['of']}", (area, indicator_id)
            assert row[AVERAGE] == pytest.approx(want["average"], rel=1e-9), (area, indicator_id)
            assert row[COMPARED] == WORDS[want["code"]], (area, indicator_id)
            assert row["Rate per 1,000 or %"] == pytest.approx(want["rate"], rel=1e-9)  # "or %": the spec has shares too
            seen.add(want["code"])
    assert seen == {1, 0, -1}  # the recomputation covers every outcome, so a wrong rule cannot pass


def test_a_member_not_available_shrinks_its_group(books, export):
    frame = read_export(export)
    gaps = frame[frame["crimes"].isna()]
    assert len(gaps) == 3
    for _, gap in gaps.iterrows():
        indicator_id = next(i for i, m in MEASURES.items() if m == gap["Offence Group"])
        area = gap["Most Similar Group Of"]
        rank = books[area].frame("sb_summary").set_index("Indicator").loc[NAMES[indicator_id], RANK]
        assert rank.endswith("/14"), (area, indicator_id, rank)


def test_unmapped_indicator_is_ranked_among_the_districts(books):
    raw = load_raw()
    rates = pd.Series({d: raw.count("anti_social_behaviour", CURRENT, d) / raw.district_pop[d] for d in DISTRICTS})
    ranks = rates.rank(method="min").astype(int)
    for area in DISTRICTS:
        row = books[area].frame("sb_summary").set_index("Indicator").loc[NAMES["anti_social_behaviour"]]
        assert row[RANK] == f"{ranks[area]}/9"
        assert pd.isna(row[AVERAGE])  # a blank cell
        assert row[COMPARED] in WORDS.values()


def test_summary_formats_and_note(books):
    ws, table = books["Rutland"].table("sb_summary")
    first, last = data_rows(table)
    column = column_of(ws, table, AVERAGE)
    assert {ws.cell(r, column).number_format for r in range(first, last + 1)} == {"#,##0.0"}
    notes = [ws.cell(r, 1).value for r in range(last + 1, ws.max_row + 1) if ws.cell(r, 1).value]
    assert any("most similar group" in n and "Anti-social behaviour" in n and "9 districts" in n for n in notes)


def test_findings_sentence_in_the_seeds_style(export, prepared):
    frame = read_export(export)
    reports = prepared[1].reports
    for report in reports:
        want = expected(frame, report.partner_area, "total_crime")
        sentences = [f for f in report.findings if f.topic == "peer_group"]
        headline = next(f for f in sentences if "total recorded crime" in f.text)
        assert headline.figures["rank"] == want["rank"] and headline.figures["of"] == want["of"] in (14, 15)
        assert headline.figures["peer_average"] == pytest.approx(want["average"], rel=1e-9)
        assert (f"is ranked {want['rank']} out of {want['of']} in its most similar group for total recorded crime"
                in headline.text)
        words = {0: "in line with its peers", 1: "performing worse than its peers", -1: "performing better than its peers"}
        assert words[want["code"]] in headline.text
        assert f"peer average of {want['average']:,.1f}" in headline.text
        # further sentences only for indicators significantly apart from their peers
        for finding in sentences:
            if finding is not headline:
                indicator_id = next(i for i in MEASURES if f" for {NAMES[i].lower()} (" in finding.text)
                assert expected(frame, report.partner_area, indicator_id)["code"] != 0
        # the Comparisons charts' data carry the same peer average
        for comparison in report.comparisons:
            if comparison.indicator_id in MEASURES:
                assert comparison.peer_average == pytest.approx(
                    expected(frame, report.partner_area, comparison.indicator_id)["average"], rel=1e-9)
            else:
                assert comparison.peer_average is None


def test_methodology_names_the_synthetic_source(books):
    methodology = books["Melton"].frame("sb_methodology").set_index("Topic")["Detail"]
    note = methodology["Peer groups"]
    assert "SYNTHETIC" in note and EXPORT_NAME in note and "pooled rate of its peers" in note
    assert "12 months to October 2022" in note
    assert "Used for: Anti-social behaviour" in methodology["Peer comparison"]


def test_findings_sheet_shows_the_sentence(books):
    ws = books["Rutland"].wb["Key findings"]
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(re.search(r"Rutland is ranked \d+ out of 1[45] in its most similar group for total recorded crime", t)
               for t in texts)


# --------------------------------------------------------------------------------------------
# Bad input: clear errors naming file and value; a missing group handled and said
# --------------------------------------------------------------------------------------------

def rewritten(export: Path, target: Path, change) -> Path:
    """A copy of the export with ``change(worksheet, header_row)`` applied (an input file, so openpyxl may save it)."""
    book = load_workbook(export)
    ws = book.worksheets[0]
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Most Similar Group Of")
    change(ws, top)
    book.save(target)
    return target


def test_period_mismatch_is_an_error_naming_file_and_value(export, tmp_path):
    def september(ws, top):
        for r in range(top + 1, ws.max_row + 1):
            if ws.cell(r, 5).value == "Oct-22":
                ws.cell(r, 5).value = "Sep-22"
    stale = rewritten(export, tmp_path / "stale.xlsx", september)
    with pytest.raises(DataError) as error:
        prepare(project(tmp_path / "p", stale, whole=False), areas=["Rutland"])
    (problem,) = error.value.problems
    assert problem.file == str(stale) and problem.value == "2022-09" and problem.column == "12 Months To"
    assert problem.sheet == "MSG comparison" and problem.row == 7  # the first data row, under the header on row 6
    assert "12 months to 2022-09" in problem.message and f"period ends {PERIOD_END}" in problem.message


def test_unknown_measure_name_is_an_error(export, tmp_path):
    spec = project(tmp_path, export, ("    burglary: Burglary\n", "    burglary: Burglaries\n"), whole=False)
    with pytest.raises(DataError) as error:
        prepare(spec, areas=["Rutland"])
    (problem,) = error.value.problems
    assert problem.file == str(export) and problem.value == "Burglaries" and problem.column == "Offence Group"
    assert "peer_groups.measures.burglary" in problem.message and "did you mean 'Burglary'" in problem.message


def test_a_district_missing_from_the_export_is_ranked_among_the_districts(export, tmp_path):
    def drop_rutland(ws, top):
        for r in range(ws.max_row, top, -1):
            if ws.cell(r, 1).value == "Rutland":
                ws.delete_rows(r)
    partial = rewritten(export, tmp_path / "partial.xlsx", drop_rutland)
    books = build_books(tmp_path / "out", ["Melton", "Rutland"], project(tmp_path / "p", partial, whole=False))
    frame = read_export(partial)
    raw = load_raw()
    rates = pd.Series({d: raw.count("burglary", CURRENT, d) / raw.district_pop[d] for d in DISTRICTS})
    rutland = books["Rutland"].frame("sb_summary").set_index("Indicator")
    assert "Rank among districts (1 = lowest rate)" in rutland.columns and RANK not in rutland.columns
    assert rutland.loc["Burglary", "Rank among districts (1 = lowest rate)"] == f"{rates.rank(method='min')['Rutland']:.0f}/9"
    melton = books["Melton"].frame("sb_summary").set_index("Indicator")
    want = expected(frame, "Melton", "burglary")
    assert melton.loc["Burglary", RANK] == f"{want['rank']}/{want['of']}"
    for book in books.values():
        methodology = book.frame("sb_methodology").set_index("Topic")["Detail"]
        assert "no group for Rutland" in methodology["Peer groups"]
        quality = book.frame("sb_data_quality")
        assert quality["What happened"].str.contains("no group in the export").any()  # examples: builder console only


def test_rates_instead_of_populations(export, tmp_path):
    spec = project(tmp_path, export,
                   ("      Population (mid-2020): {name: population, type: number}\n",
                    "      Crimes per 1,000 Population: {name: rate, type: number}\n"),
                   ("  population: population\n", "  rate: rate\n"), whole=False)
    (report,) = prepare(spec, areas=["Harborough"]).reports
    frame = read_export(export)
    peers = frame[(frame["Most Similar Group Of"] == "Harborough") & (frame["MSG Member"] != "Harborough")
                  & (frame["Offence Group"] == "Vehicle crime") & frame["crimes"].notna()]
    rates = pd.to_numeric(peers["Crimes per 1,000 Population"])
    populations = peers["crimes"] / rates * 1000  # what the published rates imply
    kpi = next(k for k in report.kpis if k.indicator_id == "vehicle_crime")
    assert kpi.peer_average == pytest.approx(peers["crimes"].sum() / populations.sum() * 1000, rel=1e-9)
    assert kpi.peer_rank == int((rates < kpi.rate).sum()) + 1 and kpi.peer_count == len(peers) + 1


@pytest.mark.parametrize("edit, key_path, words", [
    (("    drugs: Drugs\n", "    drug: Drugs\n"), "peer_groups.measures.drug", "did you mean 'drugs'"),
    (("  population: population\n", "  population: population\n  rate: rate\n"), "peer_groups",
     "give population"),
    (("  period_end: months_to\n", "  period_end: months_to\n  window_months: 6\n"), "peer_groups.window_months",
     "periods.window_months is 12"),
    (("  source: most_similar_groups\n", "  source: most_similar_group\n"), "peer_groups.source",
     "did you mean 'most_similar_groups'"),
])
def test_spec_mistakes_name_the_key(export, tmp_path, edit, key_path, words):
    with pytest.raises(SpecError) as error:
        prepare(project(tmp_path, export, edit, whole=False))
    assert any(p.key_path == key_path and words in p.message and p.line for p in error.value.problems), \
        [str(p) for p in error.value.problems]


def test_a_member_listed_twice_is_an_error_naming_the_row(export, tmp_path):
    copied = {}

    def twice(ws, top):
        first, second = top + 2, top + 3  # two peers of the first group (its own row sorts among them)
        assert ws.cell(first, 2).value != ws.cell(first, 1).value != ws.cell(second, 2).value
        copied["name"] = ws.cell(second, 2).value = ws.cell(first, 2).value
        copied["row"] = second
    doubled = rewritten(export, tmp_path / "doubled.xlsx", twice)
    with pytest.raises(DataError) as error:
        prepare(project(tmp_path / "p", doubled, whole=False), areas=["Rutland"])
    (problem,) = error.value.problems
    assert (problem.file, problem.sheet, problem.row, problem.column, problem.value) == (
        str(doubled), "MSG comparison", copied["row"], "MSG Member", copied["name"])
    assert "listed twice" in problem.message
