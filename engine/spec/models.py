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


class Source(Strict):
    """A file or folder of partner data, with the reader that understands it."""

    type: Literal["police_uk", "csv"]
    path: str = Field(description="File or folder, relative to the spec file.")
    description: str = ""
    licence: str = ""


class SmallAreas(Strict):
    """The lookup from small areas (e.g. LSOAs) to the partner areas that contain them."""

    source: str
    code: str = Field(description="Column holding the small-area code, e.g. LSOA11CD.")
    name: str = Field(description="Column holding the small-area name.")
    partner_area_code: str = Field(description="Column holding the code of the containing partner area.")
    label: str = Field("LSOA", description="What a small area is called in the workbook.")


class PartnerAreas(Strict):
    """The partner areas (districts / CSPs) a workbook is built for; together they are the benchmark."""

    source: str
    code: str
    name: str
    where: Where = Field(default_factory=dict)
    label: str = Field("District", description="What a partner area is called in the workbook.")


class Benchmark(Strict):
    """The area everything is compared against: all partner areas together (a county or force)."""

    name: str
    description: str = ""


class Population(Strict):
    """Denominators by small area; partner and benchmark populations are their sums."""

    source: str
    code: str
    value: str
    description: str = ""


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

    below: int = Field(5, ge=1, le=1000, description="Counts from 1 up to below − 1 are hidden (5: 1–4 show as [c]).")
    zero: bool = Field(False, description="Hide counts of 0 too.")


class Peers(Strict):
    """Each partner area against the others: rank, quartile and the pooled peer average."""

    level: float = Field(0.95, gt=0.5, lt=1, description="Confidence level for 'above / below the peer average'.")


class TopAreas(Strict):
    n: int = Field(10, ge=1, le=100)
    rank_by: Literal["count", "rate"] = "count"


class Target(Strict):
    """A target or threshold the partnership has set: the Summary shows whether it is met."""

    measure: Literal["percent_change", "rate", "current"] = Field(
        "percent_change", description="percent_change (a fraction: -0.05 is a 5% reduction), rate, or current (the count).")
    at_most: float | None = Field(None, description="Met when the measure is at most this.")
    at_least: float | None = Field(None, description="Met when the measure is at least this.")
    label: str = Field("", description="How the target reads in the workbook, e.g. 'Reduce by 5%'.")

    @model_validator(mode="after")
    def _one_bound(self) -> "Target":
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("a target needs exactly one of at_most or at_least")
        return self


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

    @model_validator(mode="after")
    def _suppress_needs_sensitive(self) -> "Indicator":
        if self.suppress is not None and not self.sensitive:
            raise ValueError("suppress applies only to sensitive indicators: add sensitive: true (or remove suppress)")
        return self


class TrendTable(Strict):
    title: str = "Trends by financial year"
    rows: list[str] = Field(min_length=1, description="Indicator ids, one row each; the Grand Total is their sum.")


class BreakdownSpec(Strict):
    """Shares of the current window's rows by category, the partner area against the benchmark.

    One column in ``by`` gives an area-% vs benchmark-% table (youth-offending style); several
    give a profile with one block per characteristic (offender-caseload style). Both flag ▲/▼.
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,40}$", description="Stable id; names the workbook's table.")]
    title: str
    source: str
    by: list[str] = Field(min_length=1, description="Columns whose values are the categories.")
    labels: dict[str, str] = Field(default_factory=dict, description="How each column is called in the table.")
    where: Where = Field(default_factory=dict)
    unit: str = "crimes"


class Spec(Strict):
    """A whole Saferbook spec: where the data is, what to count, how to compare it."""

    spec_version: str = "1"
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
    indicators: list[Indicator] = Field(min_length=1)
    trend_table: TrendTable | None = None
    comparisons: list[str] | None = Field(
        None, description="Indicator ids charted against every partner area and month by month; all when absent.")
    breakdowns: list[BreakdownSpec] = Field(default_factory=list)
    theme: str = Field("default", description="A theme in workbook_templates/, or a path to a theme YAML file.")

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def banding_for(self, indicator: Indicator) -> Banding:
        return indicator.banding or self.banding

    def change_for(self, indicator: Indicator) -> ChangeTest:
        return indicator.change or self.change

    def suppression_for(self, indicator: Indicator) -> Suppression | None:
        """The rule that hides this indicator's small numbers, or None if it is not sensitive."""
        return (indicator.suppress or self.suppression) if indicator.sensitive else None
