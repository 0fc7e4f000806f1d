"""Shared by test_workbook_structure.py and test_workbook_charts.py: the expected side (the spec and
theme as plain YAML, an independent recomputation from the raw CSVs with pandas and scipy, never
the engine's code) and the reading side (openpyxl for cells, tables and formats; the package XML
for charts, which openpyxl drops on load). Workbooks are only read, never saved.
"""
from __future__ import annotations

import calendar
import math
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd
import yaml
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from scipy.stats import binomtest, chi2, norm

import synthetic_truth as truth

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "specs" / "community_safety.yaml"
THEME = REPO / "workbook_templates" / "default.yaml"
CRIME_DIR = REPO / "data" / "police_uk" / "leicestershire"
LSOA_LOOKUP = REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"
DISTRICT_LOOKUP = REPO / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv"
POPULATION = REPO / "data" / "ons" / "population20_lsoa11_leicestershire.csv"
POP_COL = "All Ages (mid-2020)"
SYNTHETIC_DIR = REPO / "data" / "synthetic" / "generated"  # the demo's generated partner extracts

AREAS = ["Rutland", "Charnwood", "Leicester"]  # the smallest, one with an "=" share, the largest
PERIOD_END = "2022-10"  # the data's latest month (checked in test_raw_data_facts)
CURRENT = pd.period_range(end=PERIOD_END, periods=12, freq="M").strftime("%Y-%m").tolist()
GENERATED = datetime.now(timezone.utc).strftime("%d/%m/%Y")  # no SOURCE_DATE_EPOCH: the day it is built (UTC), dd/mm/yyyy
BENCHMARK = "Leicestershire County"  # the spec's geography.benchmark.name
FORCE = "Leicestershire"  # the police force area (PFA23NM) the demo's partner areas belong to
PARTNER_LABEL = "District"

# The sheets in order (their tables are in tables_on_sheet() below); every check follows these two.
SHEET_ORDER = ["Summary", "Front page", "Key findings", "Top 10", "Maps", "Trends", "Comparisons", "Profiles", "Profiles (print)", "Who is affected",
          "Who is affected (print)", "Methodology",
               "Data Quality"]

BANDS = ["Very Significantly High", "Significantly High", "Above Average", "Average",
         "Below Average", "Significantly Low", "Very Significantly Low"]

COUNT = "#,##0"
RATE = "#,##0.0"
PERCENT = re.compile(r"0\.0%(;-0\.0%(;0\.0%)?)?")  # 0.0%, optionally with explicit negative/zero sections
POINTS = re.compile(r"\+?0\.0(;-0\.0(;0\.0)?)?")  # percentage points: one decimal, never a % sign

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}
R_ID = f"{{{NS['r']}}}id"


# --------------------------------------------------------------------------------------------
# The spec and theme, read as plain YAML (the expected side never uses engine code)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def spec() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def theme() -> dict:
    return yaml.safe_load(THEME.read_text(encoding="utf-8"))


def indicators() -> list[dict]:
    return spec()["indicators"]


def band_method(ind: dict) -> str:
    """The indicator's banding method, its own or the spec's."""
    return (ind.get("banding") or {}).get("method") or spec().get("banding", {}).get("method", "ci")


def indicator(ind_id: str) -> dict:
    (found,) = [i for i in indicators() if i["id"] == ind_id]
    return found


def records_small_areas(source_name: str) -> bool:
    """police.uk, or a table mapping a column to small_area_code (not an extract that records only the district)."""
    source = spec()["sources"][source_name]
    names = [c if isinstance(c, str) else c["name"] for c in (source.get("columns") or {}).values()]
    return source["type"] == "police_uk" or "small_area_code" in names


def small_area_indicators() -> list[dict]:
    """The indicators with a top-10 table: counted ones whose source records small areas."""
    return [i for i in indicators() if records_small_areas(i["source"]) and "measure" not in i]


def unit(ind_id: str) -> str:
    return indicator(ind_id).get("unit", "crimes")


def counted_indicators() -> list[dict]:
    """Indicators without a measure block: counts over the rolling windows, as before measures."""
    return [i for i in indicators() if "measure" not in i]


def own_period_indicators() -> list[dict]:
    """Measured indicators compared over their source's own periods (quarters, years) or a snapshot: they have
    the Summary's Period column, and their last periods are on the Trends sheet's sb_trend_periods table."""
    def dated(source: str) -> bool:
        names = [c if isinstance(c, str) else c["name"] for c in (spec()["sources"][source].get("columns") or {}).values()]
        unpivot, by_sheet = spec()["sources"][source].get("unpivot"), spec()["sources"][source].get("sheet_name_column")
        police_uk = spec()["sources"][source]["type"] == "police_uk"  # monthly files: always dated
        return police_uk or "month" in names or bool(unpivot) or bool(by_sheet)
    return [i for i in indicators() if "measure" in i
            and (i["measure"].get("compare") == "previous_period" or not dated(i["source"]))]


def rolling_indicators() -> list[dict]:
    """The indicators on the Trends sheet's rolling-quarter table (sb_trend_quarterly), in spec order."""
    own = {i["id"] for i in own_period_indicators()}
    return [i for i in indicators() if i["id"] not in own]


def polarity_by_name() -> dict[str, str]:
    return {i["name"]: i.get("polarity", "higher_is_worse") for i in indicators()}


def band_colour_key(word: str, polarity: str) -> str:
    """The band whose theme colours a band word takes: the scale flips when higher is better."""
    if polarity != "higher_is_better":
        return word
    swaps = {"High": "Low", "Low": "High", "Above": "Below", "Below": "Above"}
    return " ".join(swaps.get(part, part) for part in word.split(" "))


def summary_headers() -> list[str]:
    """The Summary's columns up to the band column: a Period column, and Previous/Current without "12 months",
    when some KPI is compared over its source's own periods; "or %" on the rate columns when some is a share."""
    own = bool(own_period_indicators())
    window = "" if own else " 12 months"
    share = " or %" if any(i.get("measure", {}).get("kind") == "proportion" for i in indicators()) else ""
    return ["Priority", "Indicator", *(["Period"] if own else []), f"Previous{window}", f"Current{window}", "Change",
            "% change", "Direction of travel", "Better or worse", f"Rate per 1,000{share}",
            f"{BENCHMARK} rate per 1,000{share}"]


def charted() -> list[str]:
    return list(spec()["comparisons"])


def tables_on_sheet() -> dict[str, list[str]]:
    """Every sheet's ``sb_*`` tables, in the order they appear on the sheet."""
    return {
        "Summary": ["sb_summary"],
        "Top 10": [f"sb_top10_{i['id']}" for i in small_area_indicators()],
        "Trends": ["sb_trend", "sb_trend_monthly", "sb_trend_quarterly"]
                  + (["sb_trend_periods"] if own_period_indicators() else [])
                  + [f"sb_season_{i}" for i in (spec().get("seasonality") or {}).get("indicators", [])],
        "Comparisons": ["sb_comparison_rates", "sb_monthly_profile"] + (["sb_comparators"] if spec().get("comparators") else []),
        "Profiles": [f"sb_breakdown_{b['id']}" for b in spec()["breakdowns"]]
                    + [f"sb_hotspots_{h['id']}" for h in spec().get("hotspots", [])]
                    + [f"sb_published_{p['id']}" for p in spec().get("published", [])],
        "Who is affected": [name for g in spec()["area_groups"]
                            for name in ([f"sb_group_{g['id']}_ratio"] if "compare" in g else [])
                            + [f"sb_group_{g['id']}_{i}" for i in g["indicators"]]],
        # the printable form's charted tables: each indicator's, its chart bound to it (none is suppressed here)
        "Who is affected (print)": [f"sb_print_{g['id']}_{i}" for g in spec()["area_groups"] for i in g["indicators"]],
        "Methodology": ["sb_methodology", "sb_data_quality"],
        "Data Quality": ["sb_data_quality_rows"],
    }


def month_name(period: pd.Period) -> str:
    return calendar.month_name[period.month]


def short_quarter_label(first: pd.Period, last: pd.Period) -> str:
    """'Nov 21–Jan 22' (an en dash), the quarterly table's headers."""
    return f"{calendar.month_abbr[first.month]} {first.year % 100:02d}–{calendar.month_abbr[last.month]} {last.year % 100:02d}"


def rolling_quarters() -> list[list[str]]:
    """Eight three-month windows ending at the period end, oldest first."""
    months = pd.period_range(end=PERIOD_END, periods=24, freq="M")
    return [[m.strftime("%Y-%m") for m in months[3 * k: 3 * k + 3]] for k in range(8)]


def financial_year_labels(data_months: list[str]) -> list[str]:
    """October–September years (label by end year) up to the period end's, those with data only."""
    start = spec()["periods"]["financial_year"]["start_month"]
    n_years = spec()["periods"]["trend_years"]

    def fy(month: str) -> int:
        return int(month[:4]) + (1 if int(month[5:7]) >= start else 0)

    last = fy(PERIOD_END)
    labels = []
    for year in range(last - n_years + 1, last + 1):
        held = sum(1 for m in data_months if fy(m) == year and m <= PERIOD_END)
        if held:
            labels.append(f"FY {year}" if held == 12 else f"FY {year} ({held} of 12 months)")
    return labels


def summary_peer_headers() -> list[str]:
    """The rank column; with peer groups in the spec, "among peers" and the peer average and comparison too."""
    if spec().get("peer_groups"):
        return ["Rank among peers (1 = lowest rate)", "Peer average rate per 1,000", "Comparison with peers"]
    return [f"Rank among {PARTNER_LABEL.lower()}s (1 = lowest rate)"]


def expected_headers(area: str, data_months: list[str]) -> dict[str, list[str]]:
    trend_names = [indicator(i)["name"] for i in spec()["trend_table"]["rows"]]
    headers = {
        "sb_summary": [*summary_headers(), *summary_peer_headers(), f"Comparison with {BENCHMARK}",
                       "Last 8 quarters", "Target", "Target status"],
        "sb_trend": ["Category", *financial_year_labels(data_months)],
        "sb_data_quality_rows": ["Source", "File", "Sheet", "Row", "Column", "Value", "Action", "Reason", "About"],
        "sb_trend_monthly": ["Month", *trend_names, "Total"],
        "sb_trend_quarterly": ["Indicator", *(short_quarter_label(pd.Period(q[0]), pd.Period(q[-1]))
                                              for q in rolling_quarters())],
        "sb_comparison_rates": [PARTNER_LABEL, *(f"{indicator(i)['name']}: rate per 1,000" for i in charted())],
        "sb_monthly_profile": ["Month", *(indicator(i)["name"] for i in charted())],
        "sb_trend_periods": ["Indicator", "Period", "Value"],
        "sb_methodology": ["Topic", "Detail"],
        "sb_data_quality": ["Source", "What happened", "Rows", "Examples"],
    }
    for hotspot in spec().get("hotspots", []):
        described = hotspot.get("described_as", "resident offenders")
        headers[f"sb_hotspots_{hotspot['id']}"] = ["LSOA code", "LSOA name", described[:1].upper() + described[1:]]
    for block in spec().get("published", []):  # the published periods as the spec names them
        headers[f"sb_published_{block['id']}"] = ["Area: figure, source", *block["periods"]]
    if spec().get("comparators"):
        labels = [a["label"] for a in spec()["comparators"]["areas"]]
        headers["sb_comparators"] = ["Measure", *labels, f"{labels[0]} compared"]
    for ind in small_area_indicators():
        word = unit(ind["id"])
        singular = word.capitalize()[:-1] if word.endswith("s") else word.capitalize()
        headers[f"sb_top10_{ind['id']}"] = [
            "Rank", PARTNER_LABEL, "LSOA code", "LSOA name", f"Total {word}",
            f"{singular} rate (per 1,000 population)",
            f"Comparison against {BENCHMARK} ({'standard deviations' if band_method(ind) == 'sd' else 'confidence intervals'})"]
    for group in spec()["area_groups"]:
        for i in group["indicators"]:
            headers[f"sb_group_{group['id']}_{i}"] = [group["label"]] + [
                header for place in (area, BENCHMARK) for header in (
                    f"LSOAs in {place}", f"Residents in {place}", f"{unit(i).capitalize()} in {place}",
                    f"{place} rate per 1,000", f"{place}: lower 95% limit", f"{place}: upper 95% limit")]
            # the printable form: the label, then each place's count, rate and limits (no LSOAs or residents)
            headers[f"sb_print_{group['id']}_{i}"] = [group["label"]] + [
                header for place in (area, BENCHMARK) for header in (
                    f"{unit(i).capitalize()} in {place}", f"{place} rate per 1,000", f"{place}: lower 95% limit",
                    f"{place}: upper 95% limit")]
        if "compare" in group:
            high, low = group["compare"]["high"], group["compare"]["low"]
            headers[f"sb_group_{group['id']}_ratio"] = [
                "Indicator", "Area", f"Rate in group {high} (per 1,000)", f"Rate in group {low} (per 1,000)",
                f"Rate ratio ({high} ÷ {low})", "Lower 95% limit", "Upper 95% limit", f"Group {high} against group {low}"]
    for breakdown in spec()["breakdowns"]:
        headers[f"sb_breakdown_{breakdown['id']}"] = breakdown_headers(breakdown, area)
    for i in (spec().get("seasonality") or {}).get("indicators", []):  # calendar years the data touches
        headers[f"sb_season_{i}"] = ["Month", *sorted({str(pd.Period(m, "M").year) for m in data_months})]
    return headers


def breakdown_headers(breakdown: dict, area: str) -> list[str]:
    """The Profiles table's header row, as the layout promises it, from the spec's breakdown."""
    unit, tested = breakdown.get("unit", "crimes"), "significance" in breakdown
    flags, by = breakdown.get("flags", {}), breakdown.get("by", [])
    if breakdown.get("layout") == "partner_areas":
        (label,) = flags.values()
        return [PARTNER_LABEL, unit.capitalize(), label, f"{label} %", f"Against {BENCHMARK}"] + \
            (["Significance"] if tested else [])
    labels = ["Characteristic", "Category"] if len(by) > 1 else \
        [breakdown.get("labels", {}).get(by[0], breakdown["title"]) if by else breakdown["title"]]
    if not breakdown.get("subsets"):
        return labels + [f"{area}: {unit}"] + (["Out of"] if flags else []) + [
            f"{area} %", f"{BENCHMARK} %", "Difference (percentage points)", f"Against {BENCHMARK}"] + \
            (["Significance"] if tested else [])
    for name, subset in breakdown["subsets"].items():
        out_of = bool(flags) or (subset or {}).get("percent_of") == "category"
        labels += [f"{name}: n"] + ([f"{name}: out of"] if out_of else []) + [
            f"{name}: {area} %", f"{name}: {BENCHMARK} %", f"{name}: against {BENCHMARK}"] + \
            ([f"{name}: significance"] if tested else [])
    return labels


# --------------------------------------------------------------------------------------------
# Independent recomputation from the raw files
# --------------------------------------------------------------------------------------------

def _read_csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kwargs)


def condition_mask(values: pd.Series, condition: dict) -> pd.Series:
    ((op, value),) = condition.items()
    if op == "equals":
        return values == str(value)
    if op == "not_equals":
        return values != str(value)
    if op == "in":
        return values.isin([str(v) for v in value])
    if op == "not_in":
        return ~values.isin([str(v) for v in value])
    raise AssertionError(f"unexpected operator {op!r}")


def crime_type_mask(crime_type: pd.Series, where: dict) -> pd.Series:
    assert set(where) == {"crime_type"}, where
    return condition_mask(crime_type, where["crime_type"])


def where_mask(frame: pd.DataFrame, where: dict) -> pd.Series:
    """Every condition on the frame's columns (the spec's tidy names) holds."""
    keep = pd.Series(True, index=frame.index)
    for column, condition in where.items():
        keep &= condition_mask(frame[column], condition)
    return keep


@lru_cache(maxsize=None)
def extract_rows(source_name: str) -> pd.DataFrame:
    """A generated partner extract's counted rows (synthetic_truth), columns renamed as the spec maps them."""
    columns = spec()["sources"][source_name]["columns"]
    names = {partner: (c if isinstance(c, str) else c["name"]) for partner, c in columns.items()}
    names.pop(next(p for p, n in names.items() if n == "month"))  # synthetic_truth's month is already YYYY-MM
    return truth.dated_rows(SYNTHETIC_DIR, source_name).rename(columns=names)


class Raw:
    """Crime rows placed in the nine partner areas (blank or outside LSOAs dropped), and populations."""

    def __init__(self) -> None:
        files = sorted(CRIME_DIR.glob("*-leicestershire-street.csv.gz"))
        crimes = pd.concat([_read_csv(f, usecols=["Month", "LSOA code", "Crime type"]) for f in files],
                           ignore_index=True)
        self.data_months = sorted(crimes["Month"].unique())
        districts = _read_csv(DISTRICT_LOOKUP)
        partners = districts[districts["PFA23NM"] == FORCE].drop_duplicates("LAD23CD")
        self.partner_names = sorted(partners["LAD23NM"])
        lsoas = _read_csv(LSOA_LOOKUP)
        lsoas = lsoas[lsoas["LAD22CD"].isin(set(partners["LAD23CD"]))]
        code_to_name = dict(zip(partners["LAD23CD"], partners["LAD23NM"]))
        pop = _read_csv(POPULATION).set_index("LSOA11CD")[POP_COL].astype(int)
        self.lsoa_district = pd.Series(lsoas["LAD22CD"].map(code_to_name).to_numpy(), index=lsoas["LSOA11CD"])
        self.lsoa_pop = pop.reindex(self.lsoa_district.index)
        assert self.lsoa_pop.notna().all()
        self.district_pop = self.lsoa_pop.groupby(self.lsoa_district).sum()
        crimes = crimes[crimes["LSOA code"].isin(self.lsoa_district.index)]
        # rows counted by district, month and crime type: every expected value is a sum over this
        self.counts = (crimes.assign(district=crimes["LSOA code"].map(self.lsoa_district))
                       .groupby(["district", "Month", "Crime type"]).size().rename("n").reset_index())
        self.rows_placed = len(crimes)
        # the benchmark: the districts the spec names (the County), not every partner area
        self.benchmark_areas: list[str] = list(spec()["geography"]["benchmark"]["areas"])
        self.benchmark_pop = float(self.district_pop[self.benchmark_areas].sum())

    def select(self, where: dict, months: list[str], area: str | list[str] | None = None) -> pd.DataFrame:
        """Counted rows in the months, of one area, of a list of areas (the benchmark's), or of all (None)."""
        c = self.counts
        keep = crime_type_mask(c["Crime type"], where) & c["Month"].isin(months)
        if area is not None:
            keep &= c["district"].isin([area] if isinstance(area, str) else area)
        return c[keep]

    def count(self, ind_id: str, months: list[str], area: str | list[str] | None = None) -> int:
        if indicator(ind_id)["source"] != "street_crime":
            return len(self.extract(ind_id, months, area))
        return int(self.select(indicator(ind_id).get("where", {}), months, area)["n"].sum())

    def monthly(self, ind_id: str, area: str) -> list[int]:
        if indicator(ind_id)["source"] != "street_crime":
            per_month = self.extract(ind_id, CURRENT, area)["month"].value_counts()
        else:
            per_month = self.select(indicator(ind_id)["where"], CURRENT, area).groupby("Month")["n"].sum()
        return [int(per_month.get(m, 0)) for m in CURRENT]

    def extract(self, ind_id: str, months: list[str], area: str | list[str] | None = None) -> pd.DataFrame:
        """Rows of a partner extract an indicator counts, in the months (and area, or areas)."""
        rows = extract_rows(indicator(ind_id)["source"])
        keep = where_mask(rows, indicator(ind_id).get("where", {})) & rows["month"].isin(months)
        if area is not None:
            keep &= rows["district"].isin([area] if isinstance(area, str) else area)
        return rows[keep]

    def by_crime_type(self, where: dict, months: list[str], area: str | list[str] | None = None) -> pd.Series:
        return self.select(where, months, area).groupby("Crime type")["n"].sum()


@lru_cache(maxsize=None)
def load_raw() -> Raw:
    """Read once per test process; never modified."""
    return Raw()


def rate(count: int, population: float) -> float:
    return count / population * 1000


def count_limits(o: int, level: float) -> tuple[float, float]:
    """Confidence limits for a Poisson count: Byar's for O >= 10, exact (chi-squared) below."""
    alpha = 1 - level
    z = norm.ppf(1 - alpha / 2)
    if o >= 10:
        lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    else:
        lower = 0.0 if o == 0 else chi2.ppf(alpha / 2, 2 * o) / 2
        upper = chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
    return lower, upper


def shown_percent(part: int, whole: int) -> Decimal:
    """A share as the reader sees it in a 0.0% cell: exact, rounded half up to one decimal place."""
    exact = Fraction(part, whole) * 100
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def expected_peak_words(monthly: list[int]) -> str:
    """"peak June to August" or "no significant peak": busiest 3-month run, exact binomial, Bonferroni."""
    counts = pd.Series(monthly, index=pd.period_range(end=PERIOD_END, periods=len(monthly), freq="M"))
    total = int(counts.sum())
    runs = counts.rolling(3).sum().dropna()  # indexed by each run's last month
    if total == 0 or runs.empty:
        return "no significant peak"
    last = runs.idxmax()  # the first (earliest) of equal runs
    busiest = int(runs.max())
    p_value = min(1.0, binomtest(busiest, total, 3 / len(monthly), alternative="greater").pvalue * len(runs))
    if p_value >= 0.05:
        return "no significant peak"
    first = last - 2
    return f"peak {month_name(first)} to {month_name(last)}"


# --------------------------------------------------------------------------------------------
# Reading the workbooks: openpyxl for cells, tables, formats; the package XML for charts
# --------------------------------------------------------------------------------------------

@dataclass
class Series:
    name_ref: str | None  # a cell reference, or None when the name is a literal
    name: str
    cat_ref: str
    val_ref: str
    cat_cache: list[Any]
    val_cache: list[float | None]


@dataclass
class ChartInfo:
    sheet: str
    part: str
    kind: str  # "bar", "col" or "line"
    title: str
    descr: str | None
    anchor: tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]  # x from, x to, y from, y to
    series: list[Series] = field(default_factory=list)
    points: dict[int, str] = field(default_factory=dict)  # data-point index -> fill colour (RRGGBB)
    label_format: str | None = None  # the data labels' number format, if the chart has labels


def _part_rels(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target part name, for one part of the package."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels_name not in archive.namelist():
        return {}
    root = ElementTree.fromstring(archive.read(rels_name))
    found = {}
    for rel in root.findall("rel:Relationship", NS):
        target = rel.get("Target")
        found[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
    return found


def _cache(element: ElementTree.Element | None) -> list[Any]:
    if element is None:
        return []
    points = {int(pt.get("idx")): pt.findtext("c:v", namespaces=NS) for pt in element.iter(f"{{{NS['c']}}}pt")}
    count = element.find("c:ptCount", NS)
    size = int(count.get("val")) if count is not None else len(points)
    return [points.get(i) for i in range(size)]  # None: a blank point (no value to draw)


def _series(ser: ElementTree.Element) -> Series:
    tx = ser.find("c:tx", NS)
    name_ref = tx.findtext("c:strRef/c:f", namespaces=NS) if tx is not None else None
    name = (tx.findtext("c:strRef/c:strCache/c:pt/c:v", namespaces=NS) if name_ref
            else tx.findtext("c:v", namespaces=NS)) if tx is not None else ""
    cat = ser.find("c:cat", NS)
    val = ser.find("c:val", NS)
    cat_ref = cat.findtext(".//c:f", namespaces=NS) if cat is not None else None
    val_ref = val.findtext(".//c:f", namespaces=NS) if val is not None else None
    cat_cache = _cache(cat.find(".//c:strCache", NS) if cat is not None and cat.find(".//c:strCache", NS) is not None
                       else cat.find(".//c:numCache", NS) if cat is not None else None)
    val_cache = [None if v is None else float(v) for v in _cache(val.find(".//c:numCache", NS) if val is not None else None)]
    return Series(name_ref, name or "", cat_ref, val_ref, cat_cache, val_cache)


def read_package(path: Path) -> tuple[list[str], dict[str, str], dict[str, str], list[ChartInfo]]:
    """(sheet names in order, sheet -> worksheet XML, sheet -> print-titles definition, charts)."""
    with zipfile.ZipFile(path) as archive:
        workbook_xml = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        workbook_rels = _part_rels(archive, "xl/workbook.xml")
        sheets = [(s.get("name"), workbook_rels[s.get(R_ID)]) for s in workbook_xml.findall("main:sheets/main:sheet", NS)]
        names = [name for name, _ in sheets]
        print_titles = {}
        for defined in workbook_xml.findall("main:definedNames/main:definedName", NS):
            if defined.get("name") == "_xlnm.Print_Titles":
                print_titles[names[int(defined.get("localSheetId"))]] = defined.text
        sheet_xml: dict[str, str] = {}
        charts: list[ChartInfo] = []
        for name, part in sheets:
            sheet_xml[name] = archive.read(part).decode("utf-8")
            sheet_root = ElementTree.fromstring(sheet_xml[name])
            rels = _part_rels(archive, part)
            for drawing_ref in sheet_root.findall("main:drawing", NS):
                drawing_part = rels[drawing_ref.get(R_ID)]
                drawing_rels = _part_rels(archive, drawing_part)
                drawing = ElementTree.fromstring(archive.read(drawing_part))
                for frame in drawing.iter(f"{{{NS['xdr']}}}graphicFrame"):
                    chart_ref = frame.find(".//c:chart", NS)
                    if chart_ref is None:
                        continue
                    descr = frame.find("xdr:nvGraphicFramePr/xdr:cNvPr", NS).get("descr")
                    chart_part = drawing_rels[chart_ref.get(R_ID)]
                    charts.append(_chart(ElementTree.fromstring(archive.read(chart_part)), name, chart_part, descr,
                                         _anchor(frame, drawing)))
    return names, sheet_xml, print_titles, charts


def _anchor(frame: ElementTree.Element, drawing: ElementTree.Element) -> tuple:
    """The cells a chart covers: ((col, offset) from, to), ((row, offset) from, to), 0-based."""
    (anchor,) = [a for a in drawing if frame in list(a)]
    assert anchor.tag == f"{{{NS['xdr']}}}twoCellAnchor", anchor.tag

    def point(tag: str, axis: str) -> tuple[int, int]:
        return (int(anchor.findtext(f"xdr:{tag}/xdr:{axis}", namespaces=NS)),
                int(anchor.findtext(f"xdr:{tag}/xdr:{axis}Off", namespaces=NS)))

    return point("from", "col"), point("to", "col"), point("from", "row"), point("to", "row")


def _chart(root: ElementTree.Element, sheet: str, part: str, descr: str | None, anchor: tuple) -> ChartInfo:
    plot = root.find("c:chart/c:plotArea", NS)
    kinds = []
    for child in plot:
        tag = child.tag.split("}")[1]
        if tag == "barChart":
            kinds.append(child.find("c:barDir", NS).get("val"))
        elif tag.endswith("Chart"):
            kinds.append(tag[: -len("Chart")])
    assert len(kinds) == 1, f"{part}: expected one plot type, found {kinds}"
    title = "".join(t.text or "" for t in root.findall("c:chart/c:title//a:t", NS))
    series = [_series(ser) for ser in plot.iter(f"{{{NS['c']}}}ser")]
    points = {int(pt.find("c:idx", NS).get("val")): pt.find(".//a:srgbClr", NS).get("val").upper()
              for pt in plot.iter(f"{{{NS['c']}}}dPt") if pt.find(".//a:srgbClr", NS) is not None}
    label_format = plot.find(".//c:dLbls/c:numFmt", NS)
    return ChartInfo(sheet, part, kinds[0], title, descr, anchor, series, points,
                     label_format.get("formatCode") if label_format is not None else None)


@dataclass
class Book:
    area: str
    path: Path
    wb: Any  # openpyxl Workbook, values only; never saved
    sheet_order: list[str]
    sheet_xml: dict[str, str]
    print_titles: dict[str, str]
    charts: list[ChartInfo]

    def table(self, name: str) -> tuple[Any, Any]:
        """(worksheet, openpyxl Table) of a named table."""
        hits = [(ws, ws.tables[name]) for ws in self.wb.worksheets if name in ws.tables]
        assert len(hits) == 1, f"{self.path.name}: table {name} found {len(hits)} times"
        return hits[0]

    def frame(self, name: str) -> pd.DataFrame:
        """A table's data rows (no total row) as a DataFrame with the header row as columns."""
        ws, table = self.table(name)
        first, last = data_rows(table)
        min_col, _, max_col, _ = range_boundaries(table.ref)
        header_row = first - 1
        header = [ws.cell(header_row, c).value for c in range(min_col, max_col + 1)]
        rows = [[ws.cell(r, c).value for c in range(min_col, max_col + 1)] for r in range(first, last + 1)]
        return pd.DataFrame(rows, columns=header)


def data_rows(table: Any) -> tuple[int, int]:
    """(first, last) 1-based data rows of a table: after the header, before any total row."""
    _, min_row, _, max_row = range_boundaries(table.ref)
    header_rows = 1 if table.headerRowCount is None else table.headerRowCount
    assert header_rows == 1, f"{table.name} has no header row"
    return min_row + 1, max_row - (table.totalsRowCount or 0)


def column_of(ws: Any, table: Any, header: str) -> int:
    """The 1-based sheet column of a table column, by header."""
    min_col, min_row, max_col, _ = range_boundaries(table.ref)
    found = [c for c in range(min_col, max_col + 1) if ws.cell(min_row, c).value == header]
    assert len(found) == 1, f"{table.name}: header {header!r} found {len(found)} times"
    return found[0]


def parse_ref(ref: str) -> tuple[str, tuple[int, int, int, int]]:
    """``'Top 10'!$A$2:$A$9`` -> ('Top 10', (min_col, min_row, max_col, max_row))."""
    match = re.fullmatch(r"(?:'((?:[^']|'')+)'|([^'!]+))!(.+)", ref)
    assert match, f"not a sheet-qualified reference: {ref!r}"
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    return sheet, range_boundaries(match.group(3).replace("$", ""))


def read_book(area: str, path: Path) -> Book:
    order, sheet_xml, print_titles, charts = read_package(path)
    return Book(area, path, load_workbook(path, data_only=True), order, sheet_xml, print_titles, charts)


_BUILT: dict[tuple[str, tuple[str, ...]], dict[str, Book]] = {}
_READ: dict[tuple[str, tuple[str, ...]], dict[str, Book]] = {}


def demo_books(demo_build: Path, areas: list[str]) -> dict[str, Book]:
    """The demo's partner workbooks of ``areas`` from conftest's ``demo_build`` (built by the engine once for the
    run, SOURCE_DATE_EPOCH unset: the same bytes as ``build_books(out, areas)`` of the demo spec), opened for
    reading once per test process."""
    key = (str(demo_build), tuple(areas))
    if key not in _READ:
        paths = [next(demo_build.glob(f"{area.replace(' ', '_')}_E*_{PERIOD_END}.xlsx")) for area in areas]
        _READ[key] = {area: read_book(area, path) for area, path in zip(areas, paths)}
    return _READ[key]


def build_books(out: Path, areas: list[str], spec_path: Path = SPEC) -> dict[str, Book]:
    """The partner workbooks of ``areas``, built by the engine (its only use here) and opened for reading.

    Built once per test process for each spec and list of areas (both test modules read the same files).
    """
    key = (str(spec_path), tuple(areas))
    if key not in _BUILT:
        _BUILT[key] = _build(out, areas, spec_path)
    return _BUILT[key]


def _build(out: Path, areas: list[str], spec_path: Path) -> dict[str, Book]:
    from engine.api import build

    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)  # dates then come from the period end
    try:
        paths = build(spec_path, out, areas=areas)
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    assert [re.sub(r"_E\d{8}_", "_", p.name) for p in paths] == [f"{area.replace(' ', '_')}_{PERIOD_END}.xlsx"
                                                                for area in areas]  # <Name>_<CODE>_<period>
    return {area: read_book(area, path) for area, path in zip(areas, paths)}
