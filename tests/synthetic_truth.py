"""Independent "truth" for the synthetic partner extracts, computed with plain pandas from the files.

Nothing from ``engine`` is imported: these functions read the generated files as an analyst
would (the manifest only says where each table's header is and which sheets hold data) and
compute what a workbook built from them should show. Tests compare workbook values with these.

Conventions, matching the seeds' dashboards:
- rows whose district is not a partner area of the lookup, or whose date cannot be read, are
  left out (an ingest rejects them);
- the county (benchmark) is every remaining row of every partner area;
- ▲ means the area's percentage is above the county's, ▼ below, "" equal.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
LOOKUP = REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"
UP, DOWN = "▲", "▼"
#: probation columns (group and name, as the two-row header reads) -> the dashboard's characteristic
PROBATION_CHARACTERISTICS = {
    "Demographics / Gender": "Gender", "Demographics / Age Band": "Age Band", "Demographics / Ethnicity": "Ethnicity",
    "Where they live / Urban/Rural": "Urban/Rural",
    "Where they live / Area Classification (OAC)": "Area Classification (OAC)",
    **{f"Assessed needs (OASys) / {need}": need for need in
       ("Accommodation", "ETE", "Finance", "Relationships", "Lifestyle", "Drugs", "Alcohol",
        "Thinking & Behaviour", "Attitudes")},
}
PROBATION_REOFFENDED = "Outcome / Reoffended (12 months)"
PROBATION_MISSING = {"N/A", "[x]"}
SUBSTANCE_GROUPS = ["Alcohol", "Drug", "Young People"]


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

def manifest(folder: Path) -> dict:
    return json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))


def districts(lookup: Path = LOOKUP, column: str = "LAD22NM") -> list[str]:
    return sorted(pd.read_csv(lookup, dtype=str, encoding="utf-8-sig")[column].unique())


def _entry(folder: Path, source: str) -> dict:
    return manifest(folder)["sources"][source]


def _header_names(upper: list[object], lower: list[object]) -> list[str]:
    """Names from a two-row header: a label merged down both rows stands alone; a label under a
    merged group label is joined to it ("2021/22 / Admissions"), as is a group of one column."""
    names, group = [], None
    for above, below in zip(upper, lower):
        if below is None:
            names.append(str(above))
            group = None
            continue
        group = above if above is not None else group
        names.append(f"{group} / {below}" if group is not None else str(below))
    return names


def _sheet_table(path: Path, sheet: str, header_row: int, header_rows: int) -> pd.DataFrame:
    """An xlsx table: header from its row(s), data down to the first blank row."""
    raw = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object, keep_default_na=False)
    raw = raw.replace("", None)  # markers like N/A stay text; only empty cells are empty
    top = header_row - 1
    header = raw.iloc[top:top + header_rows].to_numpy().tolist()
    names = [str(c) for c in header[0]] if header_rows == 1 else _header_names(*header)
    body = raw.iloc[top + header_rows:]
    blank = body.isna().all(axis=1).to_numpy()
    end = int(np.argmax(blank)) if blank.any() else len(body)
    table = body.iloc[:end].copy()
    table.columns = names
    return table.reset_index(drop=True)


def _csv_table(path: Path, header_row: int, encoding: str) -> pd.DataFrame:
    """A CSV table with notes above the header and a blank line before any notes below."""
    lines = path.read_bytes().decode(encoding).split("\r\n")
    body = lines[header_row - 1:]
    end = body.index("") if "" in body else len(body)
    return pd.read_csv(StringIO("\n".join(body[:end])), dtype=str, keep_default_na=False)


def read_source(folder: Path, source: str, sheet: str | None = None) -> pd.DataFrame:
    """The data rows of one generated file (the first data sheet unless ``sheet`` is named)."""
    entry = _entry(folder, source)
    path = Path(folder) / entry["file"]
    return _read(path, path.stat().st_mtime_ns, entry["format"], entry["encoding"], sheet or (entry["sheets"] or [None])[0],
                 entry["header_row"], entry["header_rows"]).copy()


@lru_cache(maxsize=32)
def _read(path: Path, _mtime: int, file_format: str, encoding: str | None, sheet: str | None,
          header_row: int, header_rows: int) -> pd.DataFrame:
    """Read each file once per session (the modification time keys out a regenerated file)."""
    if file_format == "csv":
        return _csv_table(path, header_row, encoding)
    return _sheet_table(path, sheet, header_row, header_rows)


def uk_date(value: object) -> pd.Timestamp:
    """An Excel date, or ``dd/mm/yyyy`` text; anything else is NaT."""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(value)
    if isinstance(value, str) and re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
        return pd.to_datetime(value, format="%d/%m/%Y", errors="coerce")
    return pd.NaT


def month_year(value: str) -> pd.Timestamp:
    """``Jan-22`` -> 2022-01-01; anything else NaT."""
    if isinstance(value, str) and re.fullmatch(r"[A-Z][a-z]{2}-\d{2}", value):
        return pd.to_datetime(value, format="%b-%y", errors="coerce")
    return pd.NaT


def _in_window(dates: pd.Series, start: str | None, end: str | None) -> pd.Series:
    keep = dates.notna()
    if start:
        keep &= dates >= pd.Timestamp(start + "-01")
    if end:
        keep &= dates < pd.Timestamp(end + "-01") + pd.offsets.MonthBegin(1)
    return keep


def _valid(frame: pd.DataFrame, district_column: str, dates: pd.Series, start: str | None, end: str | None,
           known: list[str]) -> pd.DataFrame:
    keep = frame[district_column].isin(known) & _in_window(dates, start, end)
    return frame.loc[keep.to_numpy()].rename(columns={district_column: "district"})


def youth_offences(folder: Path, start: str | None = None, end: str | None = None,
                   known: list[str] | None = None) -> pd.DataFrame:
    frame = read_source(folder, "youth_offending")
    dates = frame["Offence Date"].map(uk_date)
    return _valid(frame, "Home District", dates, start, end, known or districts())


def probation_cases(folder: Path, known: list[str] | None = None) -> pd.DataFrame:
    frame = read_source(folder, "probation_caseload")
    dates = frame["Sentence Date"].map(uk_date)
    return _valid(frame, "District", dates, None, None, known or districts())


def marac_referrals(folder: Path, start: str | None = None, end: str | None = None,
                    known: list[str] | None = None) -> pd.DataFrame:
    frame = read_source(folder, "marac_referrals")
    dates = frame["Referral Month"].map(month_year)
    return _valid(frame, "District", dates, start, end, known or districts())


def _footnote_free(label: object) -> object:
    """``Melton1`` -> ``Melton``: the footnote digit a provider glues to a label."""
    return re.sub(r"\d+$", "", label) if isinstance(label, str) else label


def _all_sheets(folder: Path, source: str) -> pd.DataFrame:
    """Every data sheet of a generated workbook, one under another, with the sheet's name as ``sheet``."""
    entry = _entry(folder, source)
    return pd.concat([read_source(folder, source, sheet).assign(sheet=sheet) for sheet in entry["sheets"]],
                     ignore_index=True)


def _footnoted_return(frame: pd.DataFrame, district: str, date: str, start: str | None, end: str | None,
                      known: list[str] | None) -> pd.DataFrame:
    """A partner return's valid rows with a ``month``: footnote digits stripped from ``district`` first."""
    frame[district] = frame[district].map(_footnote_free)
    dates = frame[date].map(uk_date)
    return _valid(frame, district, dates, start, end, known or districts()).assign(
        month=lambda f: f[date].map(uk_date).dt.strftime("%Y-%m"))


def uava_referrals(folder: Path, start: str | None = None, end: str | None = None,
                   known: list[str] | None = None) -> pd.DataFrame:
    """The domestic-abuse service's referrals (every April-March sheet), footnote digits stripped from districts."""
    return _footnoted_return(_all_sheets(folder, "uava_referrals"), "Victim / District", "Referral / Date Received",
                             start, end, known)


def treatment_presentations(folder: Path, start: str | None = None, end: str | None = None,
                            known: list[str] | None = None) -> pd.DataFrame:
    """The treatment provider's new presentations, footnote digits stripped from districts."""
    return _footnoted_return(read_source(folder, "treatment_presentations"), "Client / Home District",
                             "Client / Date of Presentation", start, end, known)


def lsoa_districts(lookup: Path = LOOKUP) -> pd.Series:
    """LSOA (2011) code -> district name, from the lookup."""
    table = pd.read_csv(lookup, dtype=str, encoding="utf-8-sig")
    return pd.Series(table["LAD22NM"].to_numpy(), index=table["LSOA11CD"])


def _by_lsoa(frame: pd.DataFrame, lsoa_column: str, dates: pd.Series, lookup: Path) -> pd.DataFrame:
    """Rows with a readable date and an LSOA of the lookup, with its district (N/A, unknown codes left out)."""
    lsoas = lsoa_districts(lookup)
    keep = (frame[lsoa_column].isin(lsoas.index) & dates.notna()).to_numpy()
    out = frame.loc[keep].assign(district=frame.loc[keep, lsoa_column].map(lsoas))
    return out.assign(month=dates[keep].dt.strftime("%Y-%m").to_numpy())


def police_crimes(folder: Path, lookup: Path = LOOKUP) -> pd.DataFrame:
    """The police extract's crimes placed in a district (``month`` YYYY-MM); dates are dd/mm/yyyy text."""
    frame = read_source(folder, "police_crime")
    dates = pd.to_datetime(frame["Date Committed"], format="%d/%m/%Y", errors="coerce")
    return _by_lsoa(frame, "LSOA Code", dates, lookup)


def police_incidents(folder: Path, lookup: Path = LOOKUP) -> pd.DataFrame:
    """The incident log's incidents placed in a district (``month`` YYYY-MM); dates are dd/mm/yyyy text."""
    frame = read_source(folder, "police_incidents")
    dates = pd.to_datetime(frame["Date Reported"], format="%d/%m/%Y", errors="coerce")
    return _by_lsoa(frame, "LSOA Code", dates, lookup)


def fire_incidents(folder: Path, lookup: Path = LOOKUP) -> pd.DataFrame:
    """Fires placed in a district (``month`` YYYY-MM); dates are Excel date-times."""
    frame = read_source(folder, "fire_incidents")
    dates = pd.to_datetime(frame["Incident Date"].map(uk_date))
    return _by_lsoa(frame, "LSOA Code", dates, lookup)


def dated_rows(folder: Path, source: str) -> pd.DataFrame:
    """Any record-level extract's counted rows: ``district``, ``month`` (YYYY-MM) and the file's own columns."""
    if source == "police_crime":
        return police_crimes(folder)
    if source == "fire_incidents":
        return fire_incidents(folder)
    if source == "police_incidents":
        return police_incidents(folder)
    if source == "uava_referrals":
        return uava_referrals(folder)
    if source == "treatment_presentations":
        return treatment_presentations(folder)
    frame, column = {"youth_offending": (youth_offences, "Offence Date"),
                     "marac_referrals": (marac_referrals, "Referral Month")}[source]
    rows = frame(folder)
    dates = rows[column].map(uk_date if source == "youth_offending" else month_year)
    return rows.assign(month=pd.to_datetime(dates).dt.strftime("%Y-%m").to_numpy())


# --------------------------------------------------------------------------------------------
# Percentages against the county, with ▲ / ▼
# --------------------------------------------------------------------------------------------

def _flag(area: pd.Series, county: pd.Series) -> pd.Series:
    return pd.Series(np.where(area > county, UP, np.where(area < county, DOWN, "")), index=area.index)


def _against_county(counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` has district, characteristic, category, n, base; adds pct, county figures and the flag."""
    county = counts.groupby(["characteristic", "category"], as_index=False)[["n", "base"]].sum()
    county = county.rename(columns={"n": "county_n", "base": "county_base"})
    out = counts.merge(county, on=["characteristic", "category"], how="left")
    out["pct"] = out["n"] / out["base"]
    out["county_pct"] = out["county_n"] / out["county_base"]
    out["flag"] = _flag(out["pct"], out["county_pct"])
    return out.sort_values(["district", "characteristic", "category"]).reset_index(drop=True)


def _shares(frame: pd.DataFrame, column: str, all_districts: list[str], hits: pd.Series | None = None) -> pd.DataFrame:
    """Long table district x category of n and base.

    Without ``hits``: n = rows in the category, base = the district's rows (a share of the caseload).
    With ``hits``: n = hit rows in the category, base = rows in the category (a rate within it).
    """
    categories = sorted(frame[column].unique())

    def grid(rows: pd.DataFrame) -> pd.DataFrame:
        return pd.crosstab(rows["district"], rows[column]).reindex(index=all_districts, columns=categories, fill_value=0)

    everyone = grid(frame)
    if hits is None:
        n, base = everyone, everyone.apply(lambda col: everyone.sum(axis=1))
    else:
        n, base = grid(frame[hits.to_numpy()]), everyone
    long = n.stack().rename("n").to_frame().join(base.stack().rename("base")).reset_index()
    return long.rename(columns={column: "category"}).assign(characteristic=column)


def probation_profile(folder: Path, reoffenders: bool = False, known: list[str] | None = None) -> pd.DataFrame:
    """The seeds' offender dashboard, per district and category, against the county.

    ``reoffenders=False`` ("All offenders"): share of the district's caseload in each category
    (people with a missing value, ``N/A`` or ``[x]``, left out of that characteristic's base).
    ``reoffenders=True`` ("Reoffenders"): share of the category's caseload who reoffended.
    Columns: district, characteristic, category, n, base, pct, county_n, county_base, county_pct, flag.
    """
    cases = probation_cases(folder, known)
    all_districts = sorted(cases["district"].unique())
    rows = []
    for column, characteristic in PROBATION_CHARACTERISTICS.items():
        present = cases[~cases[column].isin(PROBATION_MISSING).to_numpy()].rename(columns={column: characteristic})
        hits = present[PROBATION_REOFFENDED] == "Y" if reoffenders else None
        rows.append(_shares(present, characteristic, all_districts, hits))
    return _against_county(pd.concat(rows, ignore_index=True))


def youth_offence_mix(folder: Path, first_time_only: bool = False, start: str | None = None,
                      end: str | None = None, known: list[str] | None = None) -> pd.DataFrame:
    """Seeds' table 8: % of offences of each type, per district and county (all offences or FTEs' only).

    Columns: district, characteristic ("Offence Type"), category (offence type), n, base, pct,
    county_n, county_base, county_pct, flag.
    """
    offences = youth_offences(folder, start, end, known)
    if first_time_only:
        offences = offences[offences["First Time Entrant"] == "Y"]
    return _against_county(_shares(offences, "Offence Type", sorted(offences["district"].unique())))


def youth_first_time_entrants(folder: Path, start: str | None = None, end: str | None = None,
                              known: list[str] | None = None) -> pd.DataFrame:
    """Per district and for the county ("County" row): offences, offences by FTEs and their %,
    young people and first-time entrants (distinct YOT case IDs)."""
    offences = youth_offences(folder, start, end, known)
    offences = offences.assign(fte=offences["First Time Entrant"] == "Y")

    def summary(frame: pd.DataFrame) -> dict:
        people = frame.drop_duplicates("YOT Case ID")
        return {"offences": len(frame), "fte_offences": int(frame["fte"].sum()),
                "pct_offences_by_fte": frame["fte"].mean() if len(frame) else np.nan,
                "young_people": len(people), "first_time_entrants": int(people["fte"].sum())}

    rows = [{"district": name, **summary(group)} for name, group in offences.groupby("district")]
    rows.append({"district": "County", **summary(offences)})
    return pd.DataFrame(rows)


def marac_repeat_rate(folder: Path, start: str | None = None, end: str | None = None,
                      threshold: float = 0.40, known: list[str] | None = None) -> pd.DataFrame:
    """Per district and county: referrals, repeat referrals, repeat % and whether it is above the threshold."""
    referrals = marac_referrals(folder, start, end, known)
    repeat = referrals["Repeat Referral"] == "Yes"
    table = pd.DataFrame({"referrals": referrals.groupby("district").size(),
                          "repeats": repeat.groupby(referrals["district"]).sum()}).reset_index()
    table.loc[len(table)] = {"district": "County", "referrals": len(referrals), "repeats": int(repeat.sum())}
    table["pct"] = table["repeats"] / table["referrals"]
    table["above_threshold"] = table["pct"] > threshold
    return table


# --------------------------------------------------------------------------------------------
# Substance misuse: one sheet per quarter
# --------------------------------------------------------------------------------------------

def _quarter_key(label: str) -> tuple[int, int]:
    """``Q1 2021-22`` -> (2021, 1), for ordering."""
    match = re.fullmatch(r"Q([1-4]) (\d{4})-\d{2}", label.strip())
    if not match:
        raise ValueError(f"not a quarter: {label!r}")
    return int(match.group(2)), int(match.group(1))


def _count(value: object) -> float:
    """``-`` is none; ``*`` (suppressed) and anything else non-numeric is unknown (NaN)."""
    if isinstance(value, str):
        return 0.0 if value.strip() == "-" else np.nan
    return float(value)


def substance_misuse_clients(folder: Path, known: list[str] | None = None) -> pd.DataFrame:
    """Long table: district, quarter, group, clients (NaN where suppressed)."""
    known = known or districts()
    entry = _entry(folder, "substance_misuse")
    frames = []
    for sheet in entry["sheets"]:
        table = read_source(folder, "substance_misuse", sheet)
        label = table["District"].astype(str).str.replace(r"\d+$", "", regex=True).str.strip()
        table = table.assign(district=label)[label.isin(known).to_numpy()]
        for group in SUBSTANCE_GROUPS:
            frames.append(pd.DataFrame({"district": table["district"], "quarter": sheet.strip(), "group": group,
                                        "clients": table[group].map(_count)}))
    return pd.concat(frames, ignore_index=True)


def substance_misuse_changes(folder: Path, known: list[str] | None = None) -> pd.DataFrame:
    """Quarter-on-quarter change per district, group and quarter (from the second quarter on).

    Columns: district, group, quarter, previous_quarter, clients, previous, change, pct_change
    (NaN where either count is suppressed, or the previous is zero).
    """
    clients = substance_misuse_clients(folder, known)
    quarters = sorted(clients["quarter"].unique(), key=_quarter_key)
    previous_of = dict(zip(quarters[1:], quarters[:-1]))
    current = clients[clients["quarter"].isin(previous_of)].copy()
    current["previous_quarter"] = current["quarter"].map(previous_of)
    before = clients.rename(columns={"quarter": "previous_quarter", "clients": "previous"})
    out = current.merge(before, on=["district", "group", "previous_quarter"], how="left")
    out["change"] = out["clients"] - out["previous"]
    out["pct_change"] = out["change"] / out["previous"].replace(0, np.nan)
    return out.sort_values(["district", "group", "quarter"], key=lambda s: s.map(_quarter_key) if s.name == "quarter" else s
                           ).reset_index(drop=True)[["district", "group", "quarter", "previous_quarter", "clients",
                                                     "previous", "change", "pct_change"]]


# --------------------------------------------------------------------------------------------
# Resident survey
# --------------------------------------------------------------------------------------------

def survey_results(folder: Path, known: list[str] | None = None) -> pd.DataFrame:
    """district, question, quarter, pct (0-100, NaN where [c] or not asked), respondents and the
    number agreeing recovered from them (for Wilson intervals); "All areas" rows left out."""
    known = known or districts()
    table = read_source(folder, "resident_survey")
    table = table[table["Area"].isin(known).to_numpy()]
    pct = pd.to_numeric(table["% Agree"], errors="coerce")
    respondents = pd.to_numeric(table["Respondents"], errors="coerce")
    return pd.DataFrame({"district": table["Area"], "question": table["Question"], "quarter": table["Survey Period"],
                         "pct": pct, "respondents": respondents,
                         "agree": (pct * respondents / 100).round()}).reset_index(drop=True)
