"""The spec's typed shape: what an analyst may write in a Saferbook YAML file.

Pydantic validates types and forbids unknown keys, so a typo is an error with a line number
rather than a silently ignored setting. Cross-references (an indicator naming a source, a filter
naming a crime type) are checked afterwards in :mod:`engine.spec.checks`, where the whole spec
is in view.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class Strict(BaseModel):
    """Every spec model forbids unknown keys: a misspelt key must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Scalar = Union[str, int, float]


class Condition(Strict):
    """A declarative test on one column; exactly one operator is given."""

    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    between: tuple[Scalar, Scalar] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _exactly_one_operator(self) -> "Condition":
        given = [name for name in ("equals", "not_equals", "in_", "not_in", "between") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of equals, not_equals, in, not_in, between")
        return self

    def values(self) -> list[Scalar]:
        """The literal values the condition names (for checking them against known categories)."""
        for name in ("equals", "not_equals"):
            if getattr(self, name) is not None:
                return [getattr(self, name)]
        for name in ("in_", "not_in", "between"):
            if getattr(self, name) is not None:
                return list(getattr(self, name))
        return []


Where = dict[str, Condition]


ColumnType = Literal["text", "code", "number", "integer", "date", "month", "quarter", "financial_year"]
PERIOD_TYPES = ("month", "date", "quarter", "financial_year")  # what a column named month may hold
TIDY_NAME = r"^[a-z][a-z0-9_]{0,60}$"
TABLE_KEYS = ("sheet", "sheet_pattern", "header_row", "columns", "missing_markers", "encoding", "delimiter",
              "all_sheets", "sheet_name_column", "zero_markers", "unpivot", "max_value")
POLICE_UK_KEYS = ("repeated_crime_ids", "forces")


def _check_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


class Column(Strict):
    """How one partner column is read: the name the spec uses for it, its type and its checks.

    A value that fails a check rejects its row (listed in the data-quality report); a status
    marker (``..``, ``-``, ``[x]`` …) in a number, date, month or code column is read as missing
    and counted.
    """

    name: Annotated[str, Field(pattern=TIDY_NAME, description="The name filters and geography use, e.g. small_area_code.")]
    type: ColumnType = Field("text", description="text, code (trimmed, checked against pattern), number, integer, "
                                                 "date (UK day-first; Excel serials), month (YYYY-MM, Jan-22, dates), "
                                                 "quarter (Q1 2021-22, Q1 2021/22, 2021/22 Q1) or financial_year "
                                                 "(2021/22, 2021-22, FY 2021/22); a quarter or year is read as its last "
                                                 "month (YYYY-MM).")
    required: bool = Field(True, description="The column must be in the file (an error names it if not).")
    blank: Literal["keep", "reject"] = Field(
        "keep", description="What an empty cell does to its row (month columns always reject).")
    allowed: list[Scalar] | None = Field(None, description="The only values accepted; others reject their row.")
    pattern: str | None = Field(None, description="Regular expression every value must match, e.g. ^E01[0-9]{6}$.")
    formats: list[str] | None = Field(None, description="Date formats tried in order (strftime codes, e.g. '%d/%m/%Y', '%b-%y'); "
                                                        "default: ISO, dd/mm/yyyy, dd-mm-yyyy, Jan-22, Jan 2022, January 2022.")
    strip_footnotes: bool = Field(False, description="Remove footnote markers glued to values ('North West8' -> 'North West'; "
                                                     "in a code column, by the ONS code's length: 'E230000118' -> 'E23000011').")
    year_start_month: int | None = Field(
        None, ge=1, le=12, description="quarter and financial_year: the month the financial year starts in (default 4, "
                                       "April, as UK public bodies report; Q1 2021-22 is then April-June 2021).")

    @field_validator("pattern")
    @classmethod
    def _valid_pattern(cls, value: str | None) -> str | None:
        return _check_regex(value)

    @model_validator(mode="after")
    def _fits_type(self) -> "Column":
        if self.formats is not None and self.type not in ("date", "month"):
            raise ValueError("formats applies to date and month columns only")
        if self.pattern is not None and self.type not in ("text", "code"):
            raise ValueError("pattern applies to text and code columns only")
        if self.name == "month" and self.type not in PERIOD_TYPES:
            raise ValueError("the column named month must be of type month, date, quarter or financial_year")
        if self.year_start_month is not None and self.type not in ("quarter", "financial_year"):
            raise ValueError("year_start_month applies to quarter and financial_year columns only")
        return self


ColumnSpec = Union[Column, Annotated[str, Field(pattern=TIDY_NAME)]]


def as_column(spec: ColumnSpec) -> Column:
    """A column given as a plain name is a text column of that name."""
    return Column(name=spec) if isinstance(spec, str) else spec


class Unpivot(Strict):
    """A wide table with a group of columns per period ("2021/22 / Admissions", "2021/22 / Population", …) read
    as one row per period: each row of the sheet becomes as many rows as there are periods, each with the
    source's ``columns``, the period (from the group label) and that period's ``fields``."""

    groups: str = Field("{period} / {field}", description="How a grouped column's label is made from the period and the "
                                                          "field (multi-row headers are joined with ' / ').")
    period: Column = Field(description="The column the period label becomes, e.g. {name: month, type: financial_year}.")
    fields: dict[str, ColumnSpec] = Field(min_length=1, description="Field label under each period -> how to read it, "
                                                                    "e.g. Admissions: {name: admissions, type: integer}.")

    @field_validator("groups")
    @classmethod
    def _one_of_each(cls, value: str) -> str:
        if value.count("{period}") != 1 or value.count("{field}") != 1:
            raise ValueError("groups must name {period} and {field} once each, e.g. '{period} / {field}'")
        return value

    def field_specs(self) -> dict[str, Column]:
        return {label: as_column(spec) for label, spec in self.fields.items()}


class Source(Strict):
    """A file or folder of partner data, with the reader that understands it.

    ``police_uk``: a folder of monthly ``*-street.csv`` files. ``csv``, ``excel`` or ``table`` (the
    format from the file's extension): one table, read through the layout, column and quality
    rules below. A table counted by indicators must map a column to ``month`` and one to
    ``small_area_code``.
    """

    type: Literal["police_uk", "csv", "table", "excel"]
    path: str = Field(description="File or folder, relative to the spec file; inside the spec's data_root.")
    allow_outside: bool = Field(False, description="Allow a path outside the spec's data_root (e.g. a shared drive).")
    title: str = Field("", description="The source's name for readers (the Methodology sheet names it so); its id when empty.")
    description: str = ""
    licence: str = ""
    sheet: str | None = Field(None, description="Workbook sheet by name (trailing spaces and case forgiven).")
    sheet_pattern: str | None = Field(None, description="Workbook sheet by regular expression (matched against the name "
                                                        "without trailing spaces); exactly one sheet must match, unless "
                                                        "all_sheets.")
    all_sheets: bool = Field(False, description="Read every sheet matching sheet_pattern as one table (a sheet per "
                                                "quarter, say); a matching sheet whose header lacks a column is skipped "
                                                "and listed in the data-quality notes.")
    sheet_name_column: Column | None = Field(None, description="The sheet's name (trailing spaces removed) as a column of "
                                                               "every row, e.g. {name: month, type: quarter}.")
    unpivot: Unpivot | None = Field(None, description="A wide table with a group of columns per period, read as one row "
                                                      "per period (see Unpivot).")
    header_row: Union[int, list[int], Literal["auto"]] = Field(
        "auto", description="1-based header row, a list of rows for a multi-row header, or auto (found).")
    columns: dict[str, ColumnSpec] | None = Field(
        None, description="Partner column (as in the file's header; multi-row headers joined with ' / ') -> how to read it. "
                          "A plain string just renames a text column. Without columns every column is kept as text.")
    missing_markers: list[str] | None = Field(None, description="Cell values read as missing (in number, date, month and code "
                                                                "columns, and in text columns too when listed here); "
                                                                "default: .. . - : * x [x] [c] [z] [low] [u] [w] N/A n/a NA "
                                                                "#N/A and similar.")
    zero_markers: list[str] | None = Field(None, description="Cell values read as 0 in number and integer columns, where "
                                                             "the partner's key says so (e.g. '-' for none); each is "
                                                             "counted. Elsewhere they stay missing markers.")
    encoding: str = Field(
        "auto", description="CSV text encoding; auto: UTF-8 (BOM or not), else Windows-1252, or UTF-16 by its BOM.")
    delimiter: str = Field("auto", description="CSV delimiter; auto: whichever of , ; tab | fits the first lines.")
    max_file_mb: float = Field(512, gt=0, description="Larger files are refused unread.")
    max_value: float = Field(1e9, gt=0, description="A number or integer cell larger than this (in size) is implausible "
                                                    "for a count or measure (a slip, or 1e300): its row is rejected and "
                                                    "listed with the value.")
    synthetic: bool = Field(False, description="The data are SYNTHETIC (generated for a demonstration, not real records): "
                                               "the Methodology sheet and the Summary say so wherever they are used.")
    generated_by: str | None = Field(None, description="The command that writes this file or folder (e.g. saferbook demo); "
                                                       "when it is missing, the error says to run it.")
    absent_rows: Literal["auto", "missing", "zero"] = Field(
        "auto", description="What a partner area with no row for a period (or whose row was rejected) means to a "
                            "measured indicator: missing (n/a with the reason: a return not sent), zero (the source "
                            "lists events, so no row is none), or auto: missing when the indicator sums a column "
                            "(a return's values), zero when it counts rows (events).")
    repeated_crime_ids: Literal["first_month", "keep_all"] = Field(
        "first_month", description="police_uk: a crime ID republished in a later month (its outcome changed) is counted "
                                   "once, in its first month (first_month), or every time (keep_all).")
    forces: list[str] | None = Field(None, min_length=1, description="police_uk: the forces to count, by the name in "
                                     "their files (2022-03-<force>-street.csv), e.g. [leicestershire]; needed when "
                                     "the folder or .zip holds several forces (the others' rows are listed as not "
                                     "counted).")

    @field_validator("sheet_pattern")
    @classmethod
    def _valid_sheet_pattern(cls, value: str | None) -> str | None:
        return _check_regex(value)

    @field_validator("header_row")
    @classmethod
    def _rows_positive(cls, value: int | list[int] | str) -> int | list[int] | str:
        rows = value if isinstance(value, list) else [value] if isinstance(value, int) else []
        if isinstance(value, list) and not value:
            raise ValueError("give at least one header row")
        if any(r < 1 for r in rows) or rows != sorted(set(rows)):
            raise ValueError("header rows are 1-based row numbers in increasing order")
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if value != "auto" and len(value) != 1:
            raise ValueError("delimiter is one character (e.g. ',' ';' '|' or a tab), or auto")
        return value

    @model_validator(mode="after")
    def _keys_fit_type(self) -> "Source":
        given = self.model_fields_set
        if self.type == "police_uk":
            wrong = [k for k in TABLE_KEYS if k in given]
            if wrong:
                raise ValueError(f"{', '.join(wrong)}: only csv, excel and table sources take this "
                                 "(police_uk has a fixed layout)")
        else:
            wrong = [k for k in POLICE_UK_KEYS if k in given]
            if wrong:
                raise ValueError(f"{', '.join(wrong)}: only police_uk sources take this")
        if self.sheet is not None and self.sheet_pattern is not None:
            raise ValueError("give sheet or sheet_pattern, not both")
        if self.type == "csv" and (self.sheet is not None or self.sheet_pattern is not None):
            raise ValueError("a csv source has no sheets")
        if self.all_sheets and self.sheet_pattern is None:
            raise ValueError("all_sheets reads every sheet matching sheet_pattern: give sheet_pattern")
        if self.sheet_name_column is not None and self.sheet is None and self.sheet_pattern is None:
            raise ValueError("sheet_name_column reads the sheet's name: give sheet or sheet_pattern")
        if self.unpivot is not None and self.columns is None:
            raise ValueError("unpivot needs columns: (the columns every period shares, e.g. the area)")
        both = set(self.missing_markers or ()) & set(self.zero_markers or ())
        if both:
            raise ValueError(f"{', '.join(sorted(both))}: a marker means missing or zero, not both")
        names = [c.name for c in self.tidy_columns()]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"columns: {', '.join(twice)} is the name of more than one column")
        return self

    def column_specs(self) -> dict[str, Column] | None:
        """``columns`` with the plain-string shorthand expanded."""
        if self.columns is None:
            return None
        return {partner: as_column(c) for partner, c in self.columns.items()}

    def tidy_columns(self) -> list[Column]:
        """Every column the tidy table has: ``columns``, the sheet name's and the unpivoted period's and fields."""
        found = list((self.column_specs() or {}).values())
        if self.sheet_name_column is not None:
            found.append(self.sheet_name_column)
        if self.unpivot is not None:
            found += [self.unpivot.period, *self.unpivot.field_specs().values()]
        return found


class LocalNames(Strict):
    """The analysts' own names for small areas ("Coalville Centre" rather than "North West Leicestershire 012A")."""

    source: str
    code: str = Field(description="Column holding the small-area code.")
    name: str = Field(description="Column holding the local name.")


class Recode(Strict):
    """Translate small-area codes of another vintage (e.g. police.uk's 2021 LSOAs) into the geography's codes."""

    source: str
    from_: str = Field(alias="from", description="Column with the codes the data may use, e.g. LSOA21CD.")
    to: str = Field(description="Column with the geography's codes, e.g. LSOA11CD.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SmallAreas(Strict):
    """The lookup from small areas (e.g. LSOAs) to the partner areas that contain them."""

    source: str
    code: str = Field(description="Column holding the small-area code, e.g. LSOA11CD.")
    name: str = Field(description="Column holding the small-area name.")
    partner_area_code: str = Field(description="Column holding the code of the containing partner area.")
    label: str = Field("LSOA", description="What a small area is called in the workbook.")
    local_names: LocalNames | None = Field(None, description="Local names shown instead of the lookup's names where given.")
    recode: Recode | None = Field(
        None, description="Codes in the data that are not small areas but are found here are translated.")


class PartnerGroup(Strict):
    """A partner area made of several of the lookup's areas (e.g. two districts that work as one partnership)."""

    code: str = Field(min_length=1, description="The group's own code: it names the group's workbook and recipients.")
    name: str = Field(min_length=1)
    members: list[str] = Field(min_length=1, description="Names or codes of the lookup's partner areas in the group.")


class PartnerAreas(Strict):
    """The partner areas (districts / CSPs) a workbook is built for; together they are the benchmark."""

    source: str
    code: str
    name: str
    where: Where = Field(default_factory=dict)
    label: str = Field("District", description="What a partner area is called in the workbook.")
    via: str | None = Field(None, description="When partner areas group the small-area lookup's areas (a CSP or a force "
                                              "of several districts): the column of this lookup holding the code "
                                              "small_areas.partner_area_code gives, e.g. LAD23CD. Default: found by "
                                              "matching codes.")
    groups: list[PartnerGroup] = Field(
        default_factory=list, description="Partner areas made of several of the lookup's areas (after where): each "
                                          "group takes its members' place; areas in no group stay as they are.")
    aliases: dict[str, str] = Field(
        default_factory=dict, description="Other spellings partner extracts use -> the partner area's name in the lookup "
                                          "(e.g. 'NW Leicestershire': North West Leicestershire). Case, spacing and "
                                          "'&' / 'and' are matched without aliases.")


class Benchmark(Strict):
    """The area everything is compared against: all partner areas together (a force), or the ones ``areas``
    names (a county without its unitary city, as the seed assessments compare districts with their county)."""

    name: str
    description: str = ""
    areas: list[str] | None = Field(
        None, min_length=1,
        description="Names or codes of the partner areas that make up the benchmark (default: all of them). Every "
                    "partner area is still compared against it, those outside it included.")


class Population(Strict):
    """Denominators by small area (and year); partner and benchmark populations are their sums.

    One year: ``value`` names the column. Several years: ``values_by_year`` maps each year to its
    column (a wide table), or ``value`` with ``year_column`` reads a long table; ``year`` picks
    the year rates use (default: the latest).
    """

    source: str
    code: str
    value: str | None = None
    values_by_year: dict[int, str] | None = None
    year_column: str | None = None
    year: Union[int, Literal["latest"]] = "latest"
    description: str = ""

    @model_validator(mode="after")
    def _one_layout(self) -> "Population":
        if (self.value is None) == (self.values_by_year is None):
            raise ValueError("give value (one column) or values_by_year (a column per year), not both or neither")
        if self.year_column is not None and self.value is None:
            raise ValueError("year_column goes with value (a long table: one row per area and year)")
        if self.year != "latest" and self.value is not None and self.year_column is None:
            raise ValueError("year needs values_by_year or year_column to choose from")
        if self.values_by_year is not None and self.year != "latest" and self.year not in self.values_by_year:
            raise ValueError(f"year {self.year} is not among values_by_year ({', '.join(map(str, self.values_by_year))})")
        return self


class Geography(Strict):
    small_areas: SmallAreas
    partner_areas: PartnerAreas
    benchmark: Benchmark
    population: Population


class FinancialYear(Strict):
    """When the analysts' year starts (the seeds use October-September and April-March)."""

    start_month: int = Field(4, ge=1, le=12)
    label: str = Field("FY {end_year}", description="Column label; {start_year} and {end_year} are filled in.")


class Periods(Strict):
    period_end: str = Field("latest", description="'latest' (last month in the data) or YYYY-MM.")
    window_months: int = Field(12, ge=1, le=60)
    financial_year: FinancialYear = Field(default_factory=FinancialYear)
    trend_years: int = Field(5, ge=1, le=20, description="How many financial years the trend table shows at most.")

    @field_validator("period_end")
    @classmethod
    def _period_format(cls, value: str) -> str:
        if value != "latest" and not PERIOD_PATTERN.match(value):
            raise ValueError(f"period_end must be 'latest' or YYYY-MM (e.g. 2022-10), not {value!r}")
        return value


class Banding(Strict):
    """How an area's rate is compared with the benchmark: the seven bands, by one of two methods."""

    method: Literal["ci", "sd"] = Field(
        "ci", description="ci: the area's confidence interval against the benchmark's rate (Fingertips); "
                          "sd: the area's rate in standard deviations from the mean of all small-area rates "
                          "(police crime maps).")
    levels: tuple[float, float] = Field(
        (0.95, 0.998), description="method ci: the 'Significantly' and 'Very Significantly' confidence levels.")
    cut_points: tuple[float, float] = Field(
        (1.0, 2.0), description="method sd: the 'Significantly' and 'Very Significantly' distances from the mean, "
                                "in standard deviations.")

    @field_validator("levels")
    @classmethod
    def _ordered_levels(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not (0.5 < low < high < 1):
            raise ValueError("levels must be two confidence levels between 0.5 and 1, the lower first (e.g. [0.95, 0.998])")
        return value

    @field_validator("cut_points")
    @classmethod
    def _ordered_cut_points(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not (0 < low < high <= 10):
            raise ValueError("cut_points must be two numbers of standard deviations above 0, the smaller first "
                             "(e.g. [1, 2])")
        return value

    @model_validator(mode="after")
    def _settings_of_the_method(self) -> "Banding":
        unused = {"ci": "cut_points", "sd": "levels"}[self.method]
        if unused in self.model_fields_set:
            used = {"ci": "levels", "sd": "cut_points"}[self.method]
            raise ValueError(f"{unused} is not used by method: {self.method} (it uses {used}); "
                             f"remove it or set method: {'sd' if self.method == 'ci' else 'ci'}")
        return self


class ChangeTest(Strict):
    """When a change between the previous and the current window counts as significant."""

    method: Literal["exact", "overlap"] = Field(
        "exact", description="exact: the exact conditional (binomial) test for two Poisson counts; "
                             "overlap: Fingertips' conservative rule, the two windows' intervals do not overlap.")
    level: float = Field(0.95, gt=0.5, lt=1, description="Confidence level of the test, e.g. 0.95.")


class Suppression(Strict):
    """How small numbers of sensitive indicators are hidden in partner workbooks."""

    below: int = Field(5, ge=1, le=1000, description="Counts from 1 up to below − 1 are hidden (5: 1–4 show as 'suppressed').")
    zero: bool = Field(False, description="Hide counts of 0 too.")


class Peers(Strict):
    """Each partner area against the others: rank, quartile and the pooled peer average."""

    level: float = Field(0.95, gt=0.5, lt=1, description="Confidence level for 'above / below the peer average'.")


class ComparisonAreas(Strict):
    """Which partner areas a partner's Comparisons sheet shows beside it (the partner itself always).

    All of them by default, which suits a county build. A national build (every partnership in
    England and Wales) would otherwise give each workbook 300 bars per chart: compare with the
    partnerships sharing a column of the partner-area lookup (``same: PFA23NM``, its force's), with
    its most similar group (``peer_group: true``, the spec's ``peer_groups`` export), or with a named
    list. With more than one, an area any of them names is shown.
    """

    same: str | None = Field(None, description="A column of the partner-area lookup: the areas sharing the partner's "
                                               "value, e.g. PFA23NM for its police force area's partnerships.")
    peer_group: bool = Field(False, description="The members of the partner's most similar group that are partner "
                                                "areas of this spec (needs peer_groups).")
    areas: list[str] | None = Field(None, description="These partner areas (by name), beside every partner.")

    @model_validator(mode="after")
    def _one_rule_at_least(self) -> "ComparisonAreas":
        if self.same is None and not self.peer_group and not self.areas:
            raise ValueError("say which areas to compare with: same: <lookup column>, peer_group: true, or areas: [...]")
        return self


def areas_once(value: list["ComparatorArea"]) -> list["ComparatorArea"]:
    """A published table's areas, each listed once (a second row of the same area would be shown twice)."""
    codes = [a.code for a in value]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise ValueError(f"{', '.join(twice)} listed more than once")
    return value


class ComparatorArea(Strict):
    """One row of a published comparator table, found by its code (names repeat: a force and a region can
    both be called "West Midlands")."""

    code: str = Field(min_length=1, description="The row's area code in the table, e.g. E23000021.")
    label: str = Field(min_length=1, description="How the area is called in the workbook, e.g. 'Leicestershire "
                                                 "force area', 'East Midlands region', 'England'.")


class Comparators(Strict):
    """Published rates for larger areas read as published (the Home Office force, region and England
    figures the 2019 county performance report quotes): one table, a grouped bar chart and a sentence
    per measure on the Comparisons sheet. The first area is the one the sentences are about; the others
    are what it is compared with. Nothing is recomputed: a published rate is shown as published, and a
    marker such as '..' is missing, never zero."""

    title: str = Field("Published comparison", description="The section's heading.")
    source: str = Field(description="A csv, excel or table source holding the published table.")
    code: str = Field(description="Column holding each row's area code.")
    areas: list[ComparatorArea] = Field(min_length=2, description="The rows shown, in order; the first is "
                                                                  "compared with the rest.")
    measures: dict[Annotated[str, Field(pattern=TIDY_NAME)], str] = Field(
        min_length=1, description="Rate column -> how the measure is called, e.g. violence_with_injury: Violence "
                                  "with injury.")
    rate_per: int = Field(1000, gt=0, description="What the published rates are per, e.g. 1000.")
    period: str = Field(min_length=1, description="The period the table covers, in words, e.g. 'year ending "
                                                  "December 2019'.")
    polarity: Literal["higher_is_worse", "higher_is_better", "neither"] = "higher_is_worse"
    note: str = Field("", description="The table's source and licence, printed under it and on the Methodology "
                                      "sheet.")

    @field_validator("areas")
    @classmethod
    def _each_once(cls, value: list[ComparatorArea]) -> list[ComparatorArea]:
        return areas_once(value)


class PeerGroups(Strict):
    """Each partner area's group of similar partnerships (e.g. an iQuanta "most similar group" export).

    The source holds one row per group member and measure: the partner area the group belongs
    to, the member, the measure (offence group), the members' counts and populations (or
    rates) over the same window as the report, ending in the month the report ends. Column
    names here are the source's column names as read (after its ``columns:`` renaming, if any).
    """

    source: str = Field(description="A csv, excel or table source holding the export.")
    label: str = Field("most similar group", description="What the group is called in the workbook's words, "
                                                         "e.g. 'most similar group'.")
    area: str = Field(description="Column naming the partner area the group belongs to.")
    match_on: Literal["name", "code"] = Field(
        "name", description="Whether the area column holds partner-area names or codes (case and spaces forgiven).")
    peer: str = Field(description="Column naming the group member (a partnership). A row whose member is the "
                                  "group's own area is left out: the area's own rate comes from its own data.")
    measure: str = Field(description="Column naming the measure (offence group).")
    count: str = Field(description="Column holding the member's count over the window.")
    population: str | None = Field(None, description="Column holding the member's population (give this or rate).")
    rate: str | None = Field(None, description="Column holding the member's rate per rate_per (give this or population).")
    rate_per: int = Field(1000, gt=0, description="What the rate column is per, e.g. 1000.")
    period_end: str = Field(description="Column holding the last month of the export's window; it must be the "
                                        "report's period end.")
    window_months: int = Field(12, ge=1, le=60, description="Months the export's counts cover; must equal "
                                                           "periods.window_months.")
    measures: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")], str] = Field(
        min_length=1, description="Indicator id -> the export's name for the same measure. These indicators are "
                                  "ranked in the peer group instead of among the spec's partner areas.")

    @model_validator(mode="after")
    def _population_or_rate(self) -> "PeerGroups":
        if (self.population is None) == (self.rate is None):
            raise ValueError("give population (a column of the members' populations) or rate (their rates per "
                             "rate_per), not both or neither")
        return self


class TopAreas(Strict):
    n: int = Field(10, ge=1, le=100)
    rank_by: Literal["count", "rate"] = "count"


class Target(Strict):
    """A target or threshold the partnership has set: the Summary shows whether it is met."""

    measure: Literal["percent_change", "rate", "current", "percent"] = Field(
        "percent_change", description="percent_change (a fraction: -0.05 is a 5% reduction), rate, current (the count), "
                                      "or percent (a proportion indicator's current share, a fraction: 0.4 is 40%).")
    at_most: float | None = Field(None, description="Met when the measure is at most this.")
    at_least: float | None = Field(None, description="Met when the measure is at least this.")
    label: str = Field("", description="How the target reads in the workbook, e.g. 'Reduce by 5%'.")
    amber: float | None = Field(
        None, ge=0, description="Amber tolerance: a measure that misses the bound by at most this much is 'Close to "
                                "target' instead of 'Not met' (RAG status), in the measure's own units: 0.02 is 2 "
                                "percentage points for percent_change and percent.")

    @model_validator(mode="after")
    def _one_bound(self) -> "Target":
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("a target needs exactly one of at_most or at_least")
        return self


#: ``measure.denominator`` naming the geography's population rather than a column.
RESIDENTS = "residents"


class ShareOf(Strict):
    """A proportion made of two counted indicators of one source: the seeds' "criminal damage is 18% of
    total crime", "a third of violence is alcohol-related". The numerator is the rows both indicators
    count (a numerator that strays outside the denominator's rows cannot inflate the share)."""

    numerator: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")] = Field(
        description="Indicator id whose rows are the part (e.g. criminal_damage_and_arson).")
    denominator: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")] = Field(
        description="Indicator id whose rows are the whole (e.g. total_crime).")


class Measure(Strict):
    """What an indicator measures when it is not "rows per resident over rolling 12 months".

    ``count`` counts the indicator's rows (as without a measure block). ``proportion`` is a share
    with Wilson intervals, from one of: ``numerator`` (the share of the indicator's rows that also
    meet these conditions: repeat referrals of all referrals); ``value`` and ``denominator`` (two
    columns of counts, summed); ``percent_column`` and ``respondents_column`` (a survey's % agreeing,
    0-100, and how many answered). ``value`` sums a column (clients in treatment, admissions)
    instead of counting rows, per resident (``denominator: residents``, the default) or per the sum
    of a denominator column (e.g. a population column of the table). A source without a month column is a
    snapshot: the KPI has no previous period. Name proportion indicators as plural nouns ("Repeat
    MARAC referrals") with the denominator's noun as ``unit`` ("referrals"): sentences read
    "Repeat MARAC referrals were 45.0% of referrals".
    """

    kind: Literal["count", "proportion", "value"] = Field(
        "count", description="count (rows), proportion (a share, Wilson intervals) or value (a column summed).")
    numerator: Where | None = Field(
        None, description="proportion: conditions picking the numerator among the indicator's rows "
                          "(e.g. repeat: {equals: 'Yes'}); the denominator is all the indicator's rows.")
    share_of: ShareOf | None = Field(
        None, description="proportion: the share one counted indicator's rows make of another's, both of this "
                          "indicator's source (e.g. numerator: criminal_damage_and_arson, denominator: total_crime); "
                          "the indicator itself then has no where.")
    value: Annotated[str, Field(pattern=TIDY_NAME)] | None = Field(
        None, description="value: the number column summed; proportion: the column of numerator counts "
                          "(with denominator naming the column of denominator counts).")
    denominator: Annotated[str, Field(pattern=TIDY_NAME)] | None = Field(
        None, description="value: residents (the geography's population, the default) or a number column summed "
                          "(e.g. a population column of the table); proportion with value: the column of "
                          "denominator counts.")
    percent_column: Annotated[str, Field(pattern=TIDY_NAME)] | None = Field(
        None, description="proportion: a column of percentages (0-100), e.g. a survey's % agree.")
    respondents_column: Annotated[str, Field(pattern=TIDY_NAME)] | None = Field(
        None, description="proportion with percent_column: the column of how many answered; the numerator is "
                          "percent x respondents / 100, rounded to a whole number.")
    compare: Literal["rolling", "previous_period"] = Field(
        "rolling", description="rolling: the current window (periods.window_months) against the one before "
                               "(monthly data); previous_period: the source's latest period with data (a quarter, "
                               "a financial year or a month) against the latest one before it with data.")

    @model_validator(mode="after")
    def _one_form(self) -> "Measure":
        given = {name for name in ("numerator", "share_of", "value", "percent_column", "respondents_column")
                 if getattr(self, name) is not None}
        if self.kind == "count":
            if given or self.denominator not in (None, RESIDENTS):
                raise ValueError("kind count counts rows: numerator, value, denominator, percent_column and "
                                 "respondents_column belong to kinds proportion and value")
        elif self.kind == "value":
            if self.value is None:
                raise ValueError("kind value needs value: the column to sum (e.g. clients)")
            if given - {"value"}:
                raise ValueError(f"kind value takes value and denominator only, not {', '.join(sorted(given - {'value'}))}")
        else:
            forms = [self.numerator is not None or self.share_of is not None,
                     self.value is not None or self.denominator is not None,
                     self.percent_column is not None or self.respondents_column is not None]
            if sum(forms) != 1:
                raise ValueError("kind proportion needs exactly one of: numerator (conditions on rows) or share_of "
                                 "(two indicators); value and "
                                 "denominator (columns of counts); percent_column and respondents_column (a survey)")
            if self.numerator is not None and self.share_of is not None:
                raise ValueError("give numerator (conditions on the indicator's rows) or share_of (two indicators), "
                                 "not both")
            if forms[1] and (self.value is None or self.denominator in (None, RESIDENTS)):
                raise ValueError("a proportion from columns needs value (the numerator column) and denominator "
                                 "(the denominator column; not residents)")
            if forms[2] and (self.percent_column is None or self.respondents_column is None):
                raise ValueError("percent_column and respondents_column go together: the % and how many answered")
        return self

    @property
    def columns(self) -> dict[str, str]:
        """The source columns the measure reads, by the key naming them."""
        named = {key: getattr(self, key) for key in ("value", "denominator", "percent_column", "respondents_column")}
        return {key: column for key, column in named.items() if column is not None and column != RESIDENTS}


class Indicator(Strict):
    """One thing counted: rows of a source that pass a filter, per small area and month."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$", description="Stable id; names the workbook's tables.")]
    name: str
    source: str
    where: Where = Field(default_factory=dict)
    priority: str = "Crime"
    unit: str = Field("crimes", description="Plural noun for the counted thing, e.g. crimes, incidents.")
    polarity: Literal["higher_is_worse", "higher_is_better", "neither"] = "higher_is_worse"
    rate_per: int = Field(1000, gt=0)
    banding: Banding | None = Field(None, description="This indicator's banding; replaces the spec's banding.")
    change: ChangeTest | None = Field(None, description="This indicator's change test; replaces the spec's change.")
    sensitive: bool = Field(False, description="Hide small numbers of this indicator in workbooks built with "
                                               "suppression (partner deliveries).")
    suppress: Suppression | None = Field(None, description="This sensitive indicator's rule; replaces the spec's "
                                                           "suppression.")
    top: TopAreas = Field(default_factory=TopAreas)
    target: Target | None = None
    measure: Measure | None = Field(
        None, description="A proportion, a summed value column or a period-on-period comparison instead of rows "
                          "per resident over rolling 12 months; such indicators are reported per partner area.")

    @model_validator(mode="after")
    def _suppress_needs_sensitive(self) -> "Indicator":
        if self.suppress is not None and not self.sensitive:
            raise ValueError("suppress applies only to sensitive indicators: add sensitive: true (or remove suppress)")
        return self

    @model_validator(mode="after")
    def _measure_fits(self) -> "Indicator":
        kind = self.measure.kind if self.measure is not None else "count"
        if self.target is not None and self.target.measure == "percent" and kind != "proportion":
            raise ValueError("target measure percent applies to proportion indicators (measure: {kind: proportion})")
        if self.measure is not None and self.measure.share_of is not None and self.where:
            raise ValueError("a share_of indicator's rows are its denominator indicator's: remove where")
        if self.measure is not None and self.sensitive:
            raise ValueError("small-number suppression (sensitive: true) is not available for indicators with a "
                             "measure block yet: remove sensitive or the measure")
        return self


class Seasonality(Strict):
    """Month of year × year for chosen indicators: the seeds' multi-year monthly profile ("the period
    February to May has the highest volume of shoplifting"), over every year the data holds."""

    title: str = "Seasonality by month of the year"
    indicators: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")]] = Field(
        min_length=1, description="Counted indicator ids, one table and chart each.")
    years: Literal["calendar", "financial"] = Field(
        "calendar", description="calendar (January to December) or financial (periods.financial_year's start and "
                                "label) years as the columns.")


class TrendTable(Strict):
    title: str = "Trends by financial year"
    rows: list[str] = Field(min_length=1, description="Indicator ids, one row each; the Grand Total is their sum.")


class BreakdownSubset(Strict):
    """One column group of a breakdown table: the rows that pass ``where``, side by side with the others.

    ``percent_of: subset`` (the default) gives each category's share of the subset ("% of first-time
    entrants' offences that were thefts"); ``percent_of: category`` gives the subset's share of each
    category ("% of female offenders who reoffended", the seeds' reoffender dashboard).
    """

    where: Where = Field(default_factory=dict)
    percent_of: Literal["subset", "category"] = "subset"
    described_as: str = Field("", description="How the Key findings sentence names the subset's share of the rows, "
                                               "e.g. 'committed by first-time entrants'.")


class ProfileSignificance(Strict):
    """Whether an area's percentage differs significantly from the benchmark's.

    ``rest_of_benchmark`` (the default): Fisher's exact test of the area's rows against the rest of
    the benchmark's. ``benchmark_interval``: the area's Wilson interval against the benchmark's
    percentage (the Fingertips rule the indicators' bands use). See engine/stats/proportions.py.
    """

    method: Literal["rest_of_benchmark", "benchmark_interval"] = "rest_of_benchmark"
    level: float = Field(0.95, gt=0.5, lt=1, description="Confidence level of the test, e.g. 0.95.")


class BreakdownSpec(Strict):
    """Percentages of rows by category or with a flag, the partner area against the benchmark.

    One column in ``by`` gives an area-% vs benchmark-% table (youth-offending style); several
    give a profile with one block per characteristic (offender-caseload style). ``flags`` gives
    "% with each flag" (OASys needs). ``subsets`` puts several groups of rows side by side (all
    offences and first-time entrants'). ``layout: partner_areas`` lists every partner area's
    percentage with the benchmark's (the seeds' reoffending-rates table). All flag ▲/▼; with
    ``significance`` they also say whether the difference is significant.
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$", description="Stable id; names the workbook's table.")]
    title: str
    source: str
    by: list[str] = Field(default_factory=list, description="Columns whose values are the categories.")
    flags: dict[str, str] = Field(default_factory=dict, description="Yes/no columns -> how each is called: one row "
                                                                    "each, the % of rows with the flag.")
    flag_value: Scalar = Field("Y", description="The value that means the flag is set; rows with no value in a "
                                                "flag column (e.g. no assessment) are left out of its percentage.")
    groups: dict[str, dict[str, Condition]] = Field(
        default_factory=dict, description="Categories of a by column made from conditions, in order, the first that "
                                          "matches wins, e.g. age: {10-14: {between: [10, 14]}, 15-17: {between: [15, 17]}}.")
    labels: dict[str, str] = Field(default_factory=dict, description="How each column is called in the table.")
    where: Where = Field(default_factory=dict)
    subsets: dict[str, BreakdownSubset] = Field(
        default_factory=dict, description="Groups of rows shown side by side, e.g. {All offences: {}, First-time "
                                          "entrants: {where: {first_time_entrant: {equals: Y}}}}.")
    layout: Literal["categories", "partner_areas"] = Field(
        "categories", description="categories: one row per category or flag; partner_areas: one row per partner "
                                  "area (and the benchmark) for each flag or category, the partner's own highlighted.")
    order: Literal["largest", "name"] = Field("largest", description="Categories largest first, or by name "
                                                                     "(groups keep their own order).")
    distinct: str | None = Field(None, description="Count each value of this column once (its first row in the "
                                                   "window), e.g. a person id to count people rather than offences.")
    window: Literal["current", "financial_year", "all"] = Field(
        "current", description="current: the report's window; financial_year: the last complete financial year to "
                               "the period end; all: every row. An undated snapshot always uses every row.")
    financial_year_start: int | None = Field(None, ge=1, le=12, description="window: financial_year: the month the "
                                                                             "year starts (default: periods.financial_year).")
    significance: ProfileSignificance | None = Field(None, description="Say whether each difference from the "
                                                                       "benchmark is significant; omitted: ▲/▼ only.")
    subject: str = Field("", description="The Key findings sentence's subject, e.g. 'offender needs', 'adult "
                                         "reoffending rate'; without it the breakdown has no sentence of its own.")
    unit: str = "crimes"
    section: str = Field("", description="A heading over this breakdown and the ones after it, up to the next "
                                         "section, e.g. 'Offender management'.")
    note: str = Field("", description="A sentence under the table, e.g. what a comparison the seeds make is not "
                                      "available from ('National figures are not available in this build').")

    @model_validator(mode="after")
    def _one_kind(self) -> "BreakdownSpec":
        if bool(self.by) == bool(self.flags):
            raise ValueError("give by (categories) or flags (yes/no columns), one of the two")
        unknown = sorted(set(self.groups) - set(self.by))
        if unknown:
            raise ValueError(f"groups: {', '.join(unknown)} is not one of the by columns")
        if self.layout == "partner_areas" and self.subsets:
            raise ValueError("layout: partner_areas lists partner areas as rows; it takes no subsets")
        if self.financial_year_start is not None and self.window != "financial_year":
            raise ValueError("financial_year_start applies to window: financial_year only")
        return self


class Hotspots(Strict):
    """The small areas where a partner extract's people or events concentrate: the seeds' "three LSOAs in
    North West Leicestershire with 10 or more resident offenders; Ibstock Centre (13), …".

    Each row is placed by its own small-area column (where the person lives), not by the extract's
    district column; rows with no matched small area are counted and said, never placed. Only small
    areas with at least ``at_least`` rows are listed, so the table never shows a small number."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$", description="Stable id; names the workbook's table.")]
    title: str
    source: str = Field(description="A csv, excel or table source with one row per person or event.")
    small_area: Annotated[str, Field(pattern=TIDY_NAME)] = Field(
        description="The source's column (its tidy name) holding each row's small-area code, e.g. lsoa_code.")
    at_least: int = Field(10, ge=1, le=100_000, description="A small area is listed when it has at least this many.")
    distinct: Annotated[str, Field(pattern=TIDY_NAME)] | None = Field(
        None, description="Count each value of this column once (e.g. a person id), in its first row.")
    where: Where = Field(default_factory=dict)
    unit: str = Field("offenders", description="Plural noun for what is counted, e.g. offenders.")
    described_as: str = Field("resident offenders", description="How the sentence names them: '… with 10 or more "
                                                                "resident offenders'.")
    section: str = Field("", description="A heading over this table and the ones after it on the Profiles sheet, "
                                         "e.g. 'Offender management'.")


class PublishedPopulation(Strict):
    """The partner areas' own denominator for a published table's rate (e.g. ONS residents aged 10-17), read from a
    table with one row per partner area: no row for a partner area means no rate, never an invented one."""

    source: str = Field(description="A csv, excel or table source with one row per area.")
    code: Annotated[str, Field(pattern=TIDY_NAME)] = Field(description="Column holding the partner area's code.")
    value: list[Annotated[str, Field(pattern=TIDY_NAME)]] = Field(
        min_length=1, description="Column(s) added up to make the population, e.g. the single years of age 10 to 17.")
    rate_per: int = Field(gt=0, description="What the rate is per, as the published table has it, e.g. 10000.")
    label: str = Field(min_length=1, description="The population in words, with its vintage, e.g. 'ONS mid-2023 "
                                                 "estimate of residents aged 10-17'.")


class PublishedOwn(Strict):
    """The partner area's own figure beside a published table, counted by the engine from a partner extract over
    each published period the extract covers whole (a financial-year label such as 2021/22)."""

    source: str = Field(description="A dated csv, excel or table source (e.g. the youth offending extract).")
    where: Where = Field(default_factory=dict)
    distinct: Annotated[str, Field(pattern=TIDY_NAME)] | None = Field(
        None, description="Count each value of this column once per period (e.g. a person id: children, not offences).")
    count_label: str = Field(min_length=1, description="What the count is, e.g. 'Children cautioned or sentenced'.")
    population: PublishedPopulation | None = Field(
        None, description="The denominator for the partner's own rate; without it only the count is shown, and the "
                          "table's note says why.")


class PublishedTable(Strict):
    """A published long-format table (one row per area, period and measure, e.g. the Youth Justice Statistics)
    read as published: the areas the spec names, over the published periods, on the Profiles sheet (a partner
    workbook's or a dashboard's), with one key finding. A value the table marks missing (a source missing_marker
    such as 'NA') stays missing; any other text is an error naming the file, row, column and value. With ``own``, the partner area's own figure is computed beside them."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$", description="Stable id; names the workbook's table.")]
    title: str
    section: str = Field("", description="A heading over this table on the Profiles sheet, e.g. 'Youth justice'; on a "
                                         "dashboard, an outcome's name lists the table and its key finding under it.")
    source: str = Field(description="A csv, excel or table source holding the published table.")
    code: Annotated[str, Field(pattern=TIDY_NAME)] = Field(description="Column identifying each area (its code).")
    period: Annotated[str, Field(pattern=TIDY_NAME)] | list[Annotated[str, Field(pattern=TIDY_NAME)]] = Field(
        description="Column holding the period label (e.g. 2021/22), or columns whose values period_label joins.")
    period_label: Annotated[str, Field(pattern=r"^[^{}]*(\{[0-9]\}[^{}]*)*$")] | None = Field(
        None, description="How the period columns' values make a label, by position: '{0} Q{1}' gives '2017/18 Q1'; "
                          "default: the values joined by a space.")
    value: Annotated[str, Field(pattern=TIDY_NAME)] = Field(
        description="Column holding the published figure; read as text, so the reader can tell a marker from a "
                    "malformed number.")
    where: Where = Field(default_factory=dict, description="Which rows: e.g. indicator and measure.")
    measure: str = Field(min_length=1, description="What the figures are, e.g. 'Rate per 10,000 aged 10-17'.")
    areas: list[ComparatorArea] = Field(min_length=1, description="The published areas shown, in order.")
    periods: list[str] | None = Field(None, description="The period labels shown, in order; all the table's, in "
                                                        "its order, when absent.")
    year_start_month: int = Field(4, ge=1, le=12, description="The month the published periods' years start in "
                                                               "(4: April to March, as the Youth Justice Statistics); "
                                                               "the partner's own figures are counted over the same months.")
    sum_rows: bool = Field(False, description="Add up the rows an area has for one period (e.g. the offence codes of "
                                              "an offence group); otherwise more than one row is an error.")
    decimals: int = Field(0, ge=0, le=3, description="Decimal places the figures are shown with.")
    own: PublishedOwn | None = None
    note: str = Field("", description="The table's source and licence, printed under it and on the Methodology sheet.")

    @field_validator("areas")
    @classmethod
    def _each_once(cls, value: list[ComparatorArea]) -> list[ComparatorArea]:
        return areas_once(value)


class GroupContrast(Strict):
    """An area group's headline comparison: one group's rate against another's, as a rate ratio."""

    high: Scalar = Field(description="The group expected to have the higher rate, e.g. 1 (the most deprived decile).")
    low: Scalar = Field(description="The group it is compared with, e.g. 10 (the least deprived decile).")
    high_words: str = Field(description="The high group inside a sentence, e.g. 'the most deprived tenth of neighbourhoods'.")
    low_words: str = Field(description="The low group inside a sentence, e.g. 'the least deprived tenth'.")
    outcome: str = Field("", description="What the rate measures, for sentences: 'victims of crime' gives '… were 2.4 "
                                         "times as likely to be victims of crime as …'; default: 'affected by <indicator>'.")

    @model_validator(mode="after")
    def _two_groups(self) -> "GroupContrast":
        if str(self.high) == str(self.low):
            raise ValueError("high and low must be two different groups")
        return self


class AreaGroup(Strict):
    """Rates by a characteristic of the small areas (a deprivation decile, an area classification):
    who is affected. A lookup gives each small area its group; each group's residents and events
    are the sums over its small areas, for the partner area and for the benchmark."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,30}$", description="Stable id; names the workbook's tables.")]
    title: str
    source: str = Field(description="A csv, excel or table source with one row per small area.")
    code: str = Field(description="Column holding the small-area code, e.g. LSOA11CD.")
    column: str = Field(description="Column holding the small area's group, e.g. a decile or a classification.")
    label: str = Field(description="What a group is called in the workbook, e.g. 'Income deprivation decile (1 = most deprived)'.")
    values: list[Scalar] | None = Field(
        None, description="Every group, in the order shown (e.g. 1 to 10); a value not listed is an error naming its "
                          "file, row and column. Without values: the groups found, in the order given by order.")
    order: Literal["numeric", "alphabetical"] = Field(
        "numeric", description="Without values: numeric (every value must be a number) or alphabetical.")
    indicators: list[str] = Field(min_length=1, description="Indicator ids, one table and chart each; key findings "
                                                            "quote the first.")
    level: float = Field(0.95, gt=0.5, lt=1, description="Confidence level of the rates' and the rate ratio's intervals.")
    compare: GroupContrast | None = Field(None, description="The rate ratio of two groups (e.g. most against least "
                                                            "deprived), with its interval and a key finding.")
    most_affected: bool = Field(False, description="A key finding names the group with the highest rate (e.g. the type "
                                                   "of area most affected).")
    note: str = Field("", description="Shown with the group's tables and on the Methodology sheet (where the groups "
                                      "come from, what they mean).")

    @model_validator(mode="after")
    def _consistent(self) -> "AreaGroup":
        if self.values is not None:
            if "order" in self.model_fields_set:
                raise ValueError("order applies only without values (values are shown in the order listed)")
            texts = [str(v) for v in self.values]
            twice = sorted({t for t in texts if texts.count(t) > 1})
            if twice:
                raise ValueError(f"values: {', '.join(twice)} listed more than once")
            if self.compare is not None:
                unknown = [str(v) for v in (self.compare.high, self.compare.low) if str(v) not in texts]
                if unknown:
                    raise ValueError(f"compare: {', '.join(unknown)} is not among values")
        return self


class QualitySettings(Strict):
    """When rejected rows stop being a footnote and become an error."""

    max_rejected_percent: float | None = Field(
        None, ge=0, le=100, description="Fail the build if a source rejects more than this share of its rows (e.g. 2).")
    max_small_area_population: float = Field(
        100_000, gt=0, description="A small area's population above this is refused as implausible (an LSOA holds about "
                                   "1,500; a typed 1e9 would make every rate near zero).")
    max_missing_percent: float = Field(
        50, ge=0, le=100, description="Fail the build if more than this share of a measured source's (partner area, "
                                      "period) cells in the compared periods are missing.")
    detail_rows: int = Field(200, ge=0, le=100_000, description="Rejected or cleaned rows listed in each workbook "
                                                               "(every one is in the CSV beside it).")


class DashboardSubject(Strict):
    """The area a dashboard describes: a group of the spec's partner areas (a county's districts, say).

    Its counts and populations are the sums of its partner areas'; the spec's benchmark (all
    partner areas together) is what it is compared with.
    """

    name: str = Field(min_length=1, description="What the subject is called in the workbook and its file name, "
                                                "e.g. 'Leicestershire County'.")
    where: Where = Field(min_length=1, description="Which partner areas belong to it: conditions on columns of the "
                                                   "partner-area lookup (geography.partner_areas.source), e.g. "
                                                   "LAD23NM: {not_in: [Leicester, Rutland]}.")
    description: str = Field("", description="The subject in words, printed under the dashboard's title.")


class Dashboard(Strict):
    """One performance dashboard for a group of partner areas instead of one workbook per partner area.

    The dashboard shows every indicator for the subject, grouped by the indicators' ``priority``
    (the outcomes): the current window against the previous one, direction of travel, rate, the
    benchmark's rate and band, targets, the last eight quarters, and each member partner area
    against the subject.
    """

    title: str | None = Field(None, description="The dashboard's title; the spec's title when absent.")
    subject: DashboardSubject


class Maps(Strict):
    """Small-area maps: which indicators get one, and the boundaries they are drawn from.

    Each mapped indicator gets a map on the partner workbook's Maps sheet (the partner area's small
    areas shaded by their Top 10 band, the partner area outlined) and, on a dashboard, a map of the
    member areas shaded by their band against the subject. Partner-area outlines are dissolved from
    the small areas through the geography's lookup.
    """

    boundaries: str = Field(description="GeoJSON file (.geojson, or gzipped .geojson.gz) of the small areas' "
                                        "boundaries in longitude/latitude (WGS84), relative to the spec and inside "
                                        "its data_root, e.g. "
                                        "../data/ons/lsoa11_boundaries_leicestershire.geojson.gz.")
    allow_outside: bool = Field(False, description="Allow a boundaries path outside the spec's data_root.")
    code_property: str = Field("LSOA11CD", min_length=1, description="The features' property holding the "
                                                                     "small-area code.")
    indicators: list[str] = Field(min_length=1, description="Indicator ids, one map each, in this order.")
    source: str = Field("", description="The boundaries' source and licence, printed under every map, e.g. 'Source: "
                                        "Office for National Statistics licensed under the Open Government Licence "
                                        "v.3.0. Contains OS data © Crown copyright and database right'.")

    @field_validator("indicators")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        twice = sorted({i for i in value if value.count(i) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed more than once")
        return value


class Spec(Strict):
    """A whole Saferbook spec: where the data is, what to count, how to compare it."""

    spec_version: str = "1"
    data_root: str = Field(".", description="The folder every source must lie in, relative to the spec file (default: "
                                            "the spec's own folder); a source outside it needs allow_outside: true.")
    title: str
    organisation: str = ""
    attribution: str = Field("", description="Licence and source statement printed in every workbook.")
    sources: dict[str, Source]
    geography: Geography
    periods: Periods = Field(default_factory=Periods)
    banding: Banding = Field(default_factory=Banding)
    change: ChangeTest = Field(default_factory=ChangeTest)
    suppression: Suppression = Field(default_factory=Suppression)
    peers: Peers = Field(default_factory=Peers)
    peer_groups: PeerGroups | None = Field(
        None, description="Rank mapped indicators in each partner area's group of similar partnerships (from an "
                          "export such as iQuanta's most similar groups) instead of among the partner areas.")
    indicators: list[Indicator] = Field(min_length=1)
    trend_table: TrendTable | None = None
    seasonality: Seasonality | None = Field(
        None, description="Month of year × year tables and charts on the Trends sheet, over every year in the data.")
    comparisons: list[str] | None = Field(
        None, description="Indicator ids charted against every partner area and month by month; all when absent.")
    comparison_areas: ComparisonAreas | None = Field(
        None, description="Which partner areas each partner is compared with on the Comparisons sheet; all when absent.")
    comparators: Comparators | None = Field(
        None, description="Published rates of larger areas (force, region, England) as a table and grouped bars on "
                          "the Comparisons sheet (see Comparators).")
    breakdowns: list[BreakdownSpec] = Field(default_factory=list)
    hotspots: list[Hotspots] = Field(
        default_factory=list, description="Small areas with many of a partner extract's people or events (e.g. where "
                                          "10 or more offenders live), on the Profiles sheet (see Hotspots).")
    published: list[PublishedTable] = Field(
        default_factory=list, description="Published long-format tables (e.g. the Youth Justice Statistics) shown as "
                                          "published on the Profiles sheet, with the partner's own figure beside them "
                                          "(see PublishedTable).")
    area_groups: list[AreaGroup] = Field(
        default_factory=list, description="Rates by a characteristic of the small areas (deprivation decile, area "
                                          "classification): the 'Who is affected' sheet.")
    quality: QualitySettings = Field(default_factory=QualitySettings)
    theme: str = Field("default", description="A theme in workbook_templates/, or a path to a theme YAML file.")
    maps: Maps | None = Field(None, description="Small-area maps of chosen indicators (see Maps).")
    dashboard: Dashboard | None = Field(
        None, description="Build one performance dashboard for a group of partner areas (see Dashboard) instead of "
                          "one workbook per partner area.")

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def banding_for(self, indicator: Indicator) -> Banding:
        return indicator.banding or self.banding

    def change_for(self, indicator: Indicator) -> ChangeTest:
        return indicator.change or self.change

    def suppression_for(self, indicator: Indicator) -> Suppression | None:
        """The rule that hides this indicator's small numbers, or None if it is not sensitive."""
        return (indicator.suppress or self.suppression) if indicator.sensitive else None
