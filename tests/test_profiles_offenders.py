"""The offender-management chapter of the Profiles sheet, recomputed from the generated extracts.

The SYNTHETIC probation caseload and youth-offending extracts are generated into a temporary
folder, the demo spec is pointed at them, and the workbooks are built. Every figure, ▲/▼, and
significance word in the offender tables is then recomputed here from the raw .xlsx files read
with openpyxl, counted with plain Python, and tested with scipy.stats.fisher_exact (the engine
uses its own vectorised Fisher test), and compared with the workbook's cells; so are the Key
findings' numbers.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from scipy.stats import fisher_exact

from engine.api import build, prepare
from engine.synthetic import generate_all
from ingest_helpers import REPO
from workbook_helpers import breakdown_headers, shown_percent

AREAS = ["North West Leicestershire", "Rutland", "Leicester"]
# The benchmark as the demo spec names it: Leicestershire County, seven of the nine districts (not Leicester or
# Rutland); every district is compared with it.
_BENCHMARK = yaml.safe_load((REPO / "specs" / "community_safety.yaml").read_text(encoding="utf-8"))["geography"]["benchmark"]
BENCHMARK, COUNTY = _BENCHMARK["name"], set(_BENCHMARK["areas"])
SNAPSHOT = ", in the latest snapshot of the extract"  # the caseload's period, stated in each sentence
NEEDS = {"Accommodation": "Accommodation", "ETE": "Education, training and employment", "Finance": "Finance",
         "Relationships": "Relationships", "Lifestyle": "Lifestyle", "Drugs": "Drugs", "Alcohol": "Alcohol",
         "Thinking & Behaviour": "Thinking and behaviour", "Attitudes": "Attitudes"}
FINANCIAL_YEAR = (dt.date(2021, 4, 1), dt.date(2022, 3, 31))  # the last April-March year to October 2022
SOURCES = ["probation_caseload", "youth_offending"]


# --------------------------------------------------------------------------------------------
# The extracts, read independently
# --------------------------------------------------------------------------------------------

def read_caseload(path: Path, districts: set[str]) -> list[dict]:
    """One dict per person placed in a district; markers (N/A, [x]) as None."""
    rows = list(load_workbook(path, read_only=True)["Caseload"].iter_rows(values_only=True))
    names = [low or high for high, low in zip(rows[4], rows[5])]
    people = []
    for row in rows[6:]:
        record = {k: (None if v in ("N/A", "[x]") else v) for k, v in zip(names, row)}
        if record["CRN"] is not None and record["District"] in districts:
            people.append(record)
    return people


def _offence_day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.datetime.strptime(str(value).strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def read_youth(path: Path, districts: set[str]) -> list[dict]:
    """Offences in the financial year by young people placed in a district (footnote digits stripped)."""
    rows = list(load_workbook(path, read_only=True)["Offences"].iter_rows(min_row=5, values_only=True))
    offences = []
    for row in rows[1:]:
        record = dict(zip(rows[0], row))
        if record["YOT Case ID"] is None:
            continue
        day = _offence_day(record["Offence Date"])
        record["Home District"] = str(record["Home District"]).rstrip("0123456789").strip()
        if day is not None and FINANCIAL_YEAR[0] <= day <= FINANCIAL_YEAR[1] and record["Home District"] in districts:
            offences.append(record)
    return offences


# --------------------------------------------------------------------------------------------
# The expected figures
# --------------------------------------------------------------------------------------------

def in_county(records: list[dict], district: str) -> list[dict]:
    """The records of the benchmark's districts."""
    return [r for r in records if r[district] in COUNTY]


def expected(x: int, n: int, bx: int, bn: int, inside: bool) -> dict:
    """What one table row shows: percentages, ▲/▼ by the shares as shown, significance by Fisher's exact test
    of the area against the rest of the county at 95% (``inside``: the area is one of the county's districts;
    an area outside it is tested against the whole county)."""
    percent = x / n if n else None
    flag = ""
    if n and bn:
        area, county = shown_percent(x, n), shown_percent(bx, bn)
        flag = "▲" if area > county else "▼" if area < county else "="
    rest_x, rest_n = (bx - x, bn - n) if inside else (bx, bn)
    if not n or not rest_n:
        words = "Not compared"
    else:
        p = fisher_exact([[x, n - x], [rest_x, rest_n - rest_x]]).pvalue
        side = (Decimal(x) / n > Decimal(rest_x) / rest_n) - (Decimal(x) / n < Decimal(rest_x) / rest_n)
        words = ("Significantly higher" if side > 0 else "Significantly lower") if p < 0.05 and side \
            else "Not significantly different"
    # ▲/▼ only for a significant difference (the seeds' meaning); "higher"/"lower" in words otherwise.
    if not (flag == "▲" and words == "Significantly higher") and not (flag == "▼" and words == "Significantly lower"):
        flag = {"▲": "higher", "▼": "lower"}.get(flag, flag)
    return {"n": x, "base": n, "percent": percent, "benchmark": bx / bn if bn else None, "flag": flag,
            "significance": words}


def category_rows(records: list[dict], area: str, column: str, district: str, order: list[str],
                  subset=lambda r: True, percent_of: str = "subset") -> list[dict]:
    """Each category's row for one subset: its share of the subset, or (percent_of category) the subset's
    share of the category."""
    def count(rows, value=None):
        return sum(1 for r in rows if (value is None or r[column] == value))
    in_area = [r for r in records if r[district] == area]
    county = in_county(records, district)
    results = []
    for category in order:
        def base(rows):
            return count(rows, category) if percent_of == "category" else count([r for r in rows if subset(r)])
        x = count([r for r in in_area if subset(r)], category)
        bx = count([r for r in county if subset(r)], category)
        results.append(expected(x, base(in_area), bx, base(county), area in COUNTY))
    return results


def _present(value):
    return "Not recorded" if value is None else value


# --------------------------------------------------------------------------------------------
# Fixtures: generate, point the demo spec at the files, build
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("partner-data")
    files = generate_all(out, seed=2012, sources=SOURCES)
    files["manifest"] = out / "manifest.json"
    return files


@pytest.fixture(scope="module")
def districts(generated) -> set[str]:
    return {d["name"] for d in json.loads(generated["manifest"].read_text(encoding="utf-8"))["districts"]}


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory, generated) -> Path:
    root = tmp_path_factory.mktemp("spec")
    shutil.copytree(REPO / "specs", root / "specs")
    (root / "data").symlink_to(REPO / "data", target_is_directory=True)
    path = root / "specs" / "community_safety.yaml"
    text = path.read_text(encoding="utf-8")
    for source in SOURCES:
        old = f"../data/synthetic/generated/{generated[source].name}"
        assert text.count(old) == 1
        text = text.replace(old, str(generated[source]))
    text = text.replace("data_root: ..", "data_root: /", 1)  # the generated extracts lie in another temporary folder
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory, spec_path) -> dict[str, object]:
    paths = build(spec_path, tmp_path_factory.mktemp("out"), areas=AREAS)
    return {area: load_workbook(path) for area, path in zip(AREAS, paths)}


@pytest.fixture(scope="module")
def reports(spec_path) -> dict[str, object]:
    return {r.partner_area: r for r in prepare(spec_path, areas=AREAS).reports}


@pytest.fixture(scope="module")
def caseload(generated, districts) -> list[dict]:
    return read_caseload(generated["probation_caseload"], districts)


@pytest.fixture(scope="module")
def youth(generated, districts) -> list[dict]:
    return read_youth(generated["youth_offending"], districts)


@pytest.fixture(scope="module")
def demo_spec() -> dict:
    import yaml
    return {b["id"]: b for b in yaml.safe_load((REPO / "specs" / "community_safety.yaml").read_text())["breakdowns"]}


def table_rows(book, name: str) -> tuple[list[str], list[list]]:
    ws = book["Profiles"]
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
    values = [[ws.cell(r, c).value for c in range(min_col, max_col + 1)] for r in range(min_row, max_row + 1)]
    return values[0], values[1:]


def check_subset_columns(header: list[str], row: list, subset: str, area: str, want: dict, where: str,
                         out_of: bool) -> None:
    got = dict(zip(header, row))
    assert got[f"{subset}: n"] == want["n"], where
    if out_of:
        assert got[f"{subset}: out of"] == want["base"], where
    assert got[f"{subset}: {area} %"] == pytest.approx(want["percent"], abs=1e-12), where
    assert got[f"{subset}: {BENCHMARK} %"] == pytest.approx(want["benchmark"], abs=1e-12), where
    assert (got[f"{subset}: against {BENCHMARK}"] or "") == want["flag"], where  # "" is a blank cell
    assert got[f"{subset}: significance"] == want["significance"], where


# --------------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("area", AREAS)
def test_adult_offender_profile(books, caseload, demo_spec, area):
    """Gender, age and ethnicity: % of the caseload (All offenders) and % of each group who reoffended."""
    header, rows = table_rows(books[area], "sb_breakdown_adult_offenders")
    assert header == breakdown_headers(demo_spec["adult_offenders"], area)
    expected_rows = []
    for label, column in (("Gender", "Gender"), ("Age", "Age Band"), ("Ethnicity", "Ethnicity")):
        order = sorted({r[column] for r in caseload}, key=str.casefold)
        everyone = category_rows(caseload, area, column, "District", order)
        reoffenders = category_rows(caseload, area, column, "District", order,
                                    subset=lambda r: r["Reoffended (12 months)"] == "Y", percent_of="category")
        expected_rows += [(label, c, a, b) for c, a, b in zip(order, everyone, reoffenders)]
    assert [(r[0], r[1]) for r in rows] == [(e[0], e[1]) for e in expected_rows]
    for row, (group, category, everyone, reoffenders) in zip(rows, expected_rows):
        where = f"{area}, {group}: {category}"
        check_subset_columns(header, row, "All offenders", area, everyone, where, out_of=False)
        check_subset_columns(header, row, "Reoffenders", area, reoffenders, where, out_of=True)


@pytest.mark.parametrize("area", AREAS)
def test_where_offenders_live(books, caseload, area):
    """Largest county category first, unmatched addresses ([x]) as Not recorded, last."""
    header, rows = table_rows(books[area], "sb_breakdown_offender_residence")
    position = 0
    for label, column in (("Urban/rural", "Urban/Rural"), ("Area classification (OAC)", "Area Classification (OAC)")):
        totals = Counter(_present(r[column]) for r in caseload)
        order = sorted((c for c in totals if c != "Not recorded"), key=lambda c: (-totals[c], c))
        order += ["Not recorded"] if "Not recorded" in totals else []
        records = [{**r, column: _present(r[column])} for r in caseload]
        everyone = category_rows(records, area, column, "District", order)
        for category, want in zip(order, everyone):
            row = rows[position]
            assert (row[0], row[1]) == (label, category)
            check_subset_columns(header, row, "All offenders", area, want, f"{area}, {category}", out_of=False)
            position += 1
    assert position == len(rows)


@pytest.mark.parametrize("area", AREAS)
def test_offender_needs(books, caseload, area):
    """% with each need among those assessed (N/A leaves the base), for all offenders and reoffenders."""
    header, rows = table_rows(books[area], "sb_breakdown_offender_needs")
    assert [r[0] for r in rows] == list(NEEDS.values())
    for row, need in zip(rows, NEEDS):
        for subset, keep in (("All offenders", lambda r: True),
                             ("Reoffenders", lambda r: r["Reoffended (12 months)"] == "Y")):
            assessed = [r for r in caseload if keep(r) and r[need] is not None]
            here = [r for r in assessed if r["District"] == area]
            county = in_county(assessed, "District")
            want = expected(sum(r[need] == "Y" for r in here), len(here),
                            sum(r[need] == "Y" for r in county), len(county), area in COUNTY)
            check_subset_columns(header, row, subset, area, want, f"{area}, {need}, {subset}", out_of=True)
    unassessed = sum(1 for r in caseload if r["District"] == area and r["Accommodation"] is None)
    ws = books[area]["Profiles"]
    header_row = range_boundaries(ws.tables["sb_breakdown_offender_needs"].ref)[1]
    note = ws.cell(header_row - 2, 1).value  # title, note, the subsets' names, then the header
    assert f"{unassessed:,} of {sum(r['District'] == area for r in caseload):,} offenders here" in note


@pytest.mark.parametrize("area", AREAS)
def test_reoffending_rates_by_district(books, caseload, districts, area):
    """The seeds' Reoffending Rates table: every district's n, reoffenders and %, the county first."""
    header, rows = table_rows(books[area], "sb_breakdown_reoffending_rates")
    assert header == ["District", "Offenders", "Reoffended", "Reoffended %", f"Against {BENCHMARK}", "Significance"]
    county = in_county(caseload, "District")
    total = len(county)
    reoffended = sum(r["Reoffended (12 months)"] == "Y" for r in county)
    assert rows[0][:4] == [f"{BENCHMARK} (benchmark)", total, reoffended, pytest.approx(reoffended / total, abs=1e-12)]
    shown = {row[0]: row for row in rows[1:]}
    assert set(shown) == districts
    verdicts = set()
    for district in districts:
        people = [r for r in caseload if r["District"] == district]
        want = expected(sum(r["Reoffended (12 months)"] == "Y" for r in people), len(people), reoffended, total,
                        district in COUNTY)
        assert shown[district][1:] == [want["base"], want["n"], pytest.approx(want["percent"], abs=1e-12),
                                       want["flag"], want["significance"]], district
        verdicts.add(want["flag"])
    assert len(verdicts) >= 2, verdicts  # not vacuous: differences both ways


def _rules(ws) -> list[tuple[str, object]]:
    return [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]


@pytest.mark.parametrize("area", AREAS)
def test_reoffending_table_highlights_the_area_and_has_data_bars(books, area):
    ws = books[area]["Profiles"]
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables["sb_breakdown_reoffending_rates"].ref)
    header = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    percent_col = min_col + header.index("Reoffended %")
    letter = ws.cell(1, percent_col).column_letter
    rules = _rules(ws)
    bars = [r for ref, r in rules if r.type == "dataBar" and ref == f"{letter}{min_row + 1}:{letter}{max_row}"]
    assert len(bars) == 1
    own = [(ref, r) for ref, r in rules if r.type == "expression" and f'"{area}"' in r.formula[0]
           and ref.startswith(f"A{min_row + 1}:")]  # this table's rows (other tables list partner areas too)
    assert len(own) == 1 and own[0][1].dxf.font.b
    highlighted = [ws.cell(r, min_col).value for r in range(min_row + 1, max_row + 1)
                   if ws.cell(r, min_col).value == area]
    assert highlighted == [area]


def test_significance_words_are_coloured_by_rules(books):
    """Every significance column has a rule per significant word; the fills differ; the words carry the meaning."""
    ws = books["Leicester"]["Profiles"]
    for name in ("sb_breakdown_adult_offenders", "sb_breakdown_offender_needs", "sb_breakdown_reoffending_rates",
                 "sb_breakdown_youth_offences"):
        min_col, min_row, max_col, max_row = range_boundaries(ws.tables[name].ref)
        for col in range(min_col, max_col + 1):
            if not str(ws.cell(min_row, col).value).lower().endswith("significance"):
                continue
            letter = ws.cell(1, col).column_letter
            ref = f"{letter}{min_row + 1}:{letter}{max_row}"
            fills = {r.formula[0]: r.dxf.fill.bgColor.rgb for found, r in _rules(ws)
                     if found == ref and r.type == "cellIs"}
            assert set(fills) == {'"Significantly higher"', '"Significantly lower"'}, (name, ref)
            assert len(set(fills.values())) == 2
    words = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"Significantly higher", "Significantly lower", "Not significantly different"} <= words


@pytest.mark.parametrize("area", AREAS)
def test_youth_offences_all_and_first_time_entrants(books, youth, area):
    """Table 8: % of offences by type, all offences and first-time entrants', April-March, area vs county."""
    header, rows = table_rows(books[area], "sb_breakdown_youth_offences")
    order = sorted({r["Offence Type"] for r in youth}, key=str.casefold)
    everyone = category_rows(youth, area, "Offence Type", "Home District", order)
    first_time = category_rows(youth, area, "Offence Type", "Home District", order,
                               subset=lambda r: r["First Time Entrant"] == "Y")
    assert [r[0] for r in rows] == order
    for row, category, a, b in zip(rows, order, everyone, first_time):
        check_subset_columns(header, row, "All offences", area, a, f"{area}, {category}", out_of=False)
        check_subset_columns(header, row, "First-time entrants", area, b, f"{area}, {category} (FTE)", out_of=False)
    assert sum(r[1] for r in rows) == sum(r["Home District"] == area for r in youth) > 0


@pytest.mark.parametrize("area", AREAS)
def test_young_offenders_counted_once(books, youth, area):
    """Young people, not offences: each case ID once (its first offence in the year), ages 10-14 and 15-17."""
    seen, people = set(), []
    for r in youth:
        if r["YOT Case ID"] not in seen:
            seen.add(r["YOT Case ID"])
            people.append({**r, "band": "10-14" if r["Age at Offence"] <= 14 else "15-17"})
    header, rows = table_rows(books[area], "sb_breakdown_young_offenders")
    expected_rows = []
    for label, column, order in (("Age", "band", ["10-14", "15-17"]), ("Gender", "Gender", ["Female", "Male"])):
        everyone = category_rows(people, area, column, "Home District", order)
        first_time = category_rows(people, area, column, "Home District", order,
                                   subset=lambda r: r["First Time Entrant"] == "Y")
        expected_rows += [(label, c, a, b) for c, a, b in zip(order, everyone, first_time)]
    assert [(r[0], r[1]) for r in rows] == [(e[0], e[1]) for e in expected_rows]
    for row, (group, category, a, b) in zip(rows, expected_rows):
        check_subset_columns(header, row, "All young offenders", area, a, f"{area}, {category}", out_of=False)
        check_subset_columns(header, row, "First-time entrants", area, b, f"{area}, {category} (FTE)", out_of=False)
    assert len(people) < len(youth)  # some young people offended more than once: the distinct count matters


def test_not_vacuous(books):
    """Across the built areas the offender tables hold both arrows and both significant words."""
    words = set()
    for book in books.values():
        for name in book["Profiles"].tables:
            words |= {c for row in table_rows(book, name)[1] for c in row if isinstance(c, str)}
    assert {"▲", "▼", "Significantly higher", "Significantly lower", "Not significantly different"} <= words


# --------------------------------------------------------------------------------------------
# Key findings
# --------------------------------------------------------------------------------------------

def _relation(want: dict) -> str:
    return {"Significantly higher": "significantly higher than", "Significantly lower": "significantly lower than",
            "Not significantly different": "not significantly different from"}[want["significance"]]


@pytest.mark.parametrize("area", AREAS)
def test_reoffending_rate_sentence(reports, caseload, area):
    people = [r for r in caseload if r["District"] == area]
    county = in_county(caseload, "District")
    want = expected(sum(r["Reoffended (12 months)"] == "Y" for r in people), len(people),
                    sum(r["Reoffended (12 months)"] == "Y" for r in county), len(county), area in COUNTY)
    texts = [f.text for f in reports[area].findings]
    sentence = (f"The adult reoffending rate in {area} is {want['percent']:.0%}, {_relation(want)} {BENCHMARK}'s "
                f"{want['benchmark']:.0%}{SNAPSHOT}.")
    assert sentence in texts
    finding = next(f for f in reports[area].findings if f.text == sentence)
    assert finding.figures["count"] == want["n"] and finding.figures["base"] == want["base"]


@pytest.mark.parametrize("area", AREAS)
def test_most_common_need_sentence(reports, caseload, area):
    shares = {}
    for need, label in NEEDS.items():
        assessed = [r for r in caseload if r[need] is not None]
        here = [r for r in assessed if r["District"] == area]
        county = in_county(assessed, "District")
        shares[label] = expected(sum(r[need] == "Y" for r in here), len(here),
                                 sum(r[need] == "Y" for r in county), len(county), area in COUNTY)
    top = max(shares, key=lambda k: (shares[k]["percent"], shares[k]["n"]))
    want = shares[top]
    sentence = (f"The most common offender needs in {area} are {top} ({want['percent']:.0%}), {_relation(want)} "
                f"{BENCHMARK} ({want['benchmark']:.0%}){SNAPSHOT}.")
    assert sentence in [f.text for f in reports[area].findings]
    others = [k for k in shares if k != top and shares[k]["significance"] != "Not significantly different"]
    follow = next(f for f in reports[area].findings if "other offender needs" in f.text or
                  f.text.startswith(f"In the other offender needs, {area}"))
    assert follow.figures["significant"] == len(others)
    for label in others:
        assert f"{label} ({shares[label]['percent']:.0%} against {shares[label]['benchmark']:.0%})" in follow.text


@pytest.mark.parametrize("area", AREAS)
def test_first_time_entrant_share_sentence(reports, youth, area):
    here = [r for r in youth if r["Home District"] == area]
    share = sum(r["First Time Entrant"] == "Y" for r in here) / len(here)
    county = sum(r["First Time Entrant"] == "Y" for r in in_county(youth, "Home District")) / len(
        in_county(youth, "Home District"))
    sentence = (f"{share:.0%} of offences by young people in {area} were committed by first-time entrants "
                f"({BENCHMARK}: {county:.0%}), in ")  # then the breakdown's period: every figure states it
    finding = next(f for f in reports[area].findings if f.text.startswith(sentence))
    assert finding.figures["share"] == pytest.approx(share, abs=1e-12)
    assert finding.figures["benchmark_share"] == pytest.approx(county, abs=1e-12)


@pytest.mark.parametrize("area", AREAS)
def test_caseload_differences_sentence(reports, caseload, area):
    """The profile of several characteristics gets one sentence: every significant difference, or none."""
    significant = []
    for label, column in (("Gender", "Gender"), ("Age", "Age Band"), ("Ethnicity", "Ethnicity")):
        order = sorted({r[column] for r in caseload}, key=str.casefold)
        for category, want in zip(order, category_rows(caseload, area, column, "District", order)):
            if want["significance"] != "Not significantly different" and want["significance"] != "Not compared":
                significant.append((f"{label}: {category}", want))
    finding = next(f for f in reports[area].findings if "offender caseload" in f.text)
    assert finding.figures["significant"] == len(significant)
    if not significant:
        assert finding.text == (f"There is no significant difference between {area} and {BENCHMARK} in the "
                                f"offender caseload{SNAPSHOT}.")
    for name, want in significant:
        assert f"{name} ({want['percent']:.0%} against {want['benchmark']:.0%})" in finding.text
        assert finding.figures[name] == pytest.approx(want["percent"], abs=1e-12)
