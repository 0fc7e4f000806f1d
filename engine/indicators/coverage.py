"""The report's windows, checked against the data: the first data phase, before anything is counted.

The period end comes from the spec (or ``--period-end``) and the data; the windows must lie inside
the data with no month missing, and every source must place its rows on partner areas. These are the
checks that need the data read but nothing computed, so a build that cannot be right stops here.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.errors import DataError, Problem, SpecError
from engine.indicators.measured.measures import period_sources
from engine.indicators.measured.missing_cells import unplaced_sources
from engine.indicators.periods import ReportPeriods, report_periods, resolve_period_end
from engine.ingest import Inputs
from engine.months import month_text
from engine.spec.models import Spec


@dataclass(frozen=True)
class Coverage:
    """The report's windows (months only the trend needs and the data lacks left out) and the data's first month."""

    periods: ReportPeriods
    first_data: int  # the first month of the sources that set the period end
    end: int  # the period end (the last month of the current window)


def report_window(spec: Spec, inputs: Inputs, spec_file: str, period_end: str | None) -> Coverage:
    """The windows the spec (or ``period_end``, as given on the command line) asks for, once the data is
    known to cover them and every source's rows are placed on partner areas."""
    counted = period_sources(spec)
    first_data, latest = _data_months(inputs, counted)
    end = resolve_period_end(spec.periods, period_end, latest, spec_file)
    periods = report_periods(spec.periods, end, first_data)
    _check_coverage(inputs, periods, spec_file, first_data, latest, overridden=period_end is not None, counted=counted)
    periods = periods.without_months(_trend_only_gaps(inputs, periods, first_data, counted))
    unplaced = unplaced_sources(spec, inputs, spec_file)
    if unplaced:
        raise SpecError(unplaced)
    return Coverage(periods, first_data, end)


def _data_months(inputs: Inputs, counted: set[str]) -> tuple[int, int]:
    """First and latest month of the sources indicators count (a breakdown's own extract does not move
    the period end; its window is checked where it is used); a quarter or year covers all its months."""
    months = set().union(*(s.months_covered for name, s in inputs.sources.items() if name in counted))
    if not months:
        raise DataError("the sources hold no rows with a month")
    return min(months), max(months)


def _check_coverage(inputs: Inputs, periods: ReportPeriods, spec_file: str, first: int, latest: int,
                    overridden: bool, counted: set[str]) -> None:
    """The windows must lie inside the data, and no month inside them may be missing."""
    where = "--period-end" if overridden else "periods.period_end"
    if periods.end > latest:
        raise SpecError(Problem(f"period end {month_text(periods.end)} is after the latest month in the data "
                                f"({month_text(latest)})", file=spec_file, key_path=where))
    if periods.previous.first < first:
        raise SpecError(Problem(f"period end {month_text(periods.end)} needs data from {month_text(periods.previous.first)} "
                                f"for the previous window, but the data starts in {month_text(first)}",
                                file=spec_file, key_path=where))
    problems = []
    for name, source in inputs.sources.items():
        if not source.dated or name not in counted:
            continue
        gaps = source.missing_periods(max(first, periods.windows_first), periods.end)
        if gaps:
            word = source.period_word
            which = "" if source.period_months == 1 else f"the {word}s ending "
            problems.append(Problem(f"no rows for {which}{', '.join(month_text(m) for m in gaps[:12])}: a {word} the "
                                    f"windows need is missing from the data, so they would undercount (the windows "
                                    f"end {month_text(periods.end)}: choose another period end, or supply the missing "
                                    f"files)", file=str(source.path), key_path=where))
    if problems:
        raise DataError(problems)


def _trend_only_gaps(inputs: Inputs, periods: ReportPeriods, first: int, counted: set[str]) -> set[int]:
    """Months needed only by the financial-year trend that some counted source lacks (a quarter or year
    lacking counts all its months): those years are shown as partial, never as if complete."""
    gaps: set[int] = set()
    for name, source in inputs.sources.items():
        if source.dated and name in counted and max(first, periods.first_needed) < periods.windows_first:
            for last in source.missing_periods(max(first, periods.first_needed), periods.windows_first - 1):
                gaps.update(range(max(last - source.period_months + 1, first), last + 1))
    return gaps

