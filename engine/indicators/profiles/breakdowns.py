"""Category shares for each partner area against the benchmark: profiles and breakdowns.

The seeds' offender profiles flag each category ▲ or ▼ against the county; their youth-offending
tables put the area's percentage beside the county's, for all offences and for first-time
entrants'; their offender dashboard gives the % with each need and every district's reoffending
rate beside the county's. All are the same computation: for each row of the table (a category or
a flag, see :mod:`engine.indicators.profiles.items`) and each subset of rows, a count of a base
per partner area and in total, compared by the shares as shown (▲/▼) and, when the spec asks, by
a significance test (:mod:`engine.stats.proportions`).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

import numpy as np

from engine.errors import DataError, Problem
from engine.indicators.profiles.items import NOT_RECORDED, Item, breakdown_items
from engine.indicators.periods import Window
from engine.indicators.words import possessive
from engine.ingest import SourceRows
from engine.months import month_label, month_of, month_text
from engine.report import SIGNIFICANCE_WORDS, Breakdown, BreakdownRow, MethodNote
from engine.spec.filters import where_mask
from engine.spec.models import BreakdownSpec, Periods
from engine.suggest import did_you_mean
from engine.stats.compare import NOT_COMPARED
from engine.stats.proportions import interval_codes, rest_codes

__all__ = ["NOT_RECORDED", "breakdown_cell_masks", "breakdown_tables", "breakdown_window", "profile_method_notes", "share_difference",
           "shown_percent"]


def shown_percent(fraction: float) -> Decimal:
    """The percentage as Excel shows it with one decimal place (half away from zero, as ``0.0%``)."""
    return Decimal(fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share_difference(area_percent: float | None, benchmark_percent: float | None) -> tuple[str, float | None]:
    """▲/▼ and the difference in percentage points, both from the shares as the reader sees them:
    equal at one decimal place is "=" and 0.0, never an arrow beside a zero."""
    if area_percent is None or benchmark_percent is None:
        return "", None
    area, benchmark = shown_percent(area_percent), shown_percent(benchmark_percent)
    flag = "▲" if area > benchmark else "▼" if area < benchmark else "="
    return flag, float(area - benchmark)


PLAIN_WORDS = {"▲": "higher", "▼": "lower"}  # a difference that is not (or not tested to be) significant


def reserved_flag(flag: str, code: int | None) -> str:
    """▲/▼ only where the significance test says the difference is significant, the seeds' meaning;
    "higher"/"lower" in plain words where it is not, or where the breakdown does not test."""
    significant = code is not None and code == (1 if flag == "▲" else -1 if flag == "▼" else 0) and code != 0
    return flag if significant else PLAIN_WORDS.get(flag, flag)


def _percent(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class _Counts:
    """One table row's figures for one subset: count and base per partner area, and the benchmark's."""

    item: Item
    subset: str
    counts: np.ndarray  # [partner]
    bases: np.ndarray
    codes: np.ndarray | None  # significance codes [partner], None when not tested
    in_benchmark: np.ndarray  # bool [partner]: the partner areas the benchmark sums

    @property
    def benchmark(self) -> tuple[int, int]:
        return int(self.counts[self.in_benchmark].sum()), int(self.bases[self.in_benchmark].sum())

    def row(self, p: int, *, category: str | None = None, group: str | None = None,
            highlight: bool = False) -> BreakdownRow:
        count, base = int(self.counts[p]), int(self.bases[p])
        benchmark_count, benchmark_base = self.benchmark
        percent, benchmark_percent = _percent(count, base), _percent(benchmark_count, benchmark_base)
        flag, difference = share_difference(percent, benchmark_percent)
        words, code = "", None
        if self.codes is not None:
            code = int(self.codes[p])
            code = None if code == NOT_COMPARED else code
            words = SIGNIFICANCE_WORDS[code]
        flag = reserved_flag(flag, code)
        return BreakdownRow(group if group is not None else self.item.group,
                            category if category is not None else self.item.label, count, percent,
                            benchmark_count, benchmark_percent, flag, difference, base, benchmark_base,
                            self.subset, words, highlight)


def breakdown_window(spec: BreakdownSpec, periods: Periods, current: Window) -> Window | None:
    """The months a dated source's rows are taken from; None for every row.

    ``financial_year`` is the last complete year to the period end (the seeds, written in
    September 2012, use April 2011 – March 2012), starting in the breakdown's month or the spec's.
    """
    if spec.window == "all":
        return None
    if spec.window == "current":
        return current
    start = spec.financial_year_start or periods.financial_year.start_month
    end = current.last
    into_year = (month_of(end) - start) % 12
    last = end if into_year == 11 else end - into_year - 1
    return Window(last - 11, last)


def _window_words(spec: BreakdownSpec, source: SourceRows, window: Window | None) -> str:
    if not source.dated:
        return "every row of the extract (a snapshot)"
    if window is None:
        return "every row of the extract"
    months = source.month[source.month >= 0]
    partial = f" (data from {month_label(int(months.min()))})" if len(months) and months.min() > window.first else ""
    return window.label + (" (financial year)" if spec.window == "financial_year" else "") + partial


def _check_columns(spec: BreakdownSpec, source: SourceRows) -> None:
    wanted = [*spec.by, *spec.flags, *(c for s in spec.subsets.values() for c in s.where), *spec.where]
    wanted += [spec.distinct] if spec.distinct else []
    missing = [c for c in dict.fromkeys(wanted) if c not in source.rows.columns]
    if missing:
        raise DataError([Problem(f"breakdown {spec.id!r} uses column {c!r}, which source {source.name!r} does not have"
                                 f"{did_you_mean(c, source.rows.columns)}", file=str(source.path), column=c)
                         for c in missing])
    if spec.window == "financial_year" and not source.dated:
        raise DataError(Problem(f"breakdown {spec.id!r} asks for window: financial_year, but source {source.name!r} "
                                "has no month column (an undated snapshot is used whole)", file=str(source.path)))


def _check_window(spec: BreakdownSpec, source: SourceRows, window: Window | None) -> None:
    """Every month of a dated source's window must have rows: a missing month would undercount every share."""
    if not source.dated or window is None:
        return
    gaps = source.missing_periods(window.first, window.last)  # quarterly data: every quarter the window touches
    if gaps:
        which = "" if source.period_months == 1 else f"the {source.period_word}s ending "
        raise DataError(Problem(f"breakdown {spec.id!r} covers {window.label}, but source {source.name!r} has no rows "
                                f"for {which}{', '.join(month_text(m) for m in gaps[:12])}", file=str(source.path)))


def _selected(spec: BreakdownSpec, source: SourceRows, partner_of_row: np.ndarray, window: Window | None) -> np.ndarray:
    """Rows in a partner area, the window and ``where``; with ``distinct``, each value's first such row."""
    keep = where_mask(source.rows, spec.where) & (partner_of_row >= 0)
    if source.dated and window is not None:
        keep &= (source.month >= window.first) & (source.month <= window.last)
    if spec.distinct:  # the first kept row of each value (rows without a value each count)
        kept = np.flatnonzero(keep)
        values = source.rows[spec.distinct].iloc[kept]
        keep = np.zeros(len(keep), dtype=bool)
        keep[kept[(~values.duplicated() | values.isna()).to_numpy()]] = True
    return keep


def _significance(spec: BreakdownSpec, counts: np.ndarray, bases: np.ndarray,
                  in_benchmark: np.ndarray) -> np.ndarray | None:
    """Codes[row, partner] for counts[row, partner] of bases[row, partner]; every row tested in one call.
    ``in_benchmark``: bool [partner], the partner areas the benchmark sums."""
    test = spec.significance
    if test is None:
        return None
    benchmark_count = counts[:, in_benchmark].sum(axis=1, keepdims=True)
    benchmark_base = bases[:, in_benchmark].sum(axis=1, keepdims=True)
    if test.method == "rest_of_benchmark":
        # An area outside the benchmark is tested against all of it: its own rows are added, for the test to take off.
        outside = ~in_benchmark
        codes, _ = rest_codes(counts, bases, benchmark_count + counts * outside, benchmark_base + bases * outside,
                              test.level)
        return codes
    return interval_codes(counts, bases, benchmark_count, benchmark_base, test.level)


def significance_method_words(spec: BreakdownSpec, partner_label: str, benchmark: str) -> str:
    test = spec.significance
    if test is None:
        return ""
    level = f"{test.level:.1%}".replace(".0%", "%")
    if test.method == "rest_of_benchmark":
        return (f"Significance: Fisher's exact test of the {partner_label.lower()}'s rows against the rest of "
                f"{possessive(benchmark)}, at {level} confidence.")
    return (f"Significance: the {partner_label.lower()}'s {level} Wilson score interval against {possessive(benchmark)} "
            f"percentage.")


def profile_method_notes(breakdowns: Sequence[BreakdownSpec], partner_label: str, benchmark: str) -> list[MethodNote]:
    """The Methodology sheet's words on the Profiles sheet: ▲/▼, and each significance test in use."""
    if not breakdowns:
        return []
    text = (f"Profiles: each percentage is a count of rows out of a base (a category's share of the rows, the share of "
            f"a category's rows in a subset, or the share with a flag among the rows that have a value for it). "
            f"▲/▼: the {partner_label.lower()}'s percentage is higher/lower than {possessive(benchmark)} as shown to one decimal "
            f"place; = the same.")
    tests = list(dict.fromkeys(significance_method_words(b, partner_label, benchmark) for b in breakdowns
                               if b.significance is not None))
    if tests:
        text += (" " + " ".join(tests) + " Fisher's test compares the area with the rest of the benchmark, not with a "
                 "benchmark that contains it, and stays exact for small counts; no allowance is made for testing "
                 "many categories at once, so about one in twenty categories may differ significantly by chance.")
    return [MethodNote("Profiles", text)]


def _missing_note(spec: BreakdownSpec, items: list[Item], partner: np.ndarray, n_partners: int) -> list[str]:
    """Per partner area: how many rows have no value for some flag, and so leave its denominator."""
    if not spec.flags:
        return [""] * n_partners
    unvalued = np.zeros(len(partner), dtype=bool)
    for item in items:
        unvalued |= ~item.valid
    missing = np.bincount(partner[unvalued], minlength=n_partners)
    total = np.bincount(partner, minlength=n_partners)
    notes = []
    for p in range(n_partners):
        notes.append(f"{missing[p]:,} of {total[p]:,} {spec.unit} here ({missing.sum():,} of {total.sum():,} in all) have "
                     f"no value for at least one of these (e.g. not assessed) and are left out of that percentage."
                     if missing.sum() else "")
    return notes


def _cells(spec: BreakdownSpec, source: SourceRows, partner_of_small_area: np.ndarray, window: Window | None
           ) -> tuple[np.ndarray, np.ndarray, list[Item], list[tuple[str, Item, np.ndarray, np.ndarray]]]:
    """The rows a breakdown counts (``keep``, over the source's rows), their partner areas and items, and per table
    figure in order (each subset's items): (subset, item, rows counted, rows of its base), masks over the kept rows."""
    _check_columns(spec, source)
    _check_window(spec, source, window)
    keep = _selected(spec, source, source.partner_of_rows(partner_of_small_area), window)
    rows = source.rows[keep].reset_index(drop=True)
    partner = source.partner_of_rows(partner_of_small_area)[keep]
    items = breakdown_items(spec, rows)
    subsets = [(name, where_mask(rows, s.where), s.percent_of) for name, s in spec.subsets.items()] \
        or [("", np.ones(len(rows), dtype=bool), "subset")]
    keys = [(name, item, in_subset & item.member, item.member if percent_of == "category" else in_subset & item.valid)
            for name, in_subset, percent_of in subsets for item in items]
    return keep, partner, items, keys


def breakdown_cell_masks(spec: BreakdownSpec, source: SourceRows, partner_of_small_area: np.ndarray,
                         window: Window | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per figure of the breakdown's table, in the order of its rows: (rows counted, rows of its base) as masks over
    all the source's rows, so that the disclosure check can write each figure as a sum of the same events the
    indicators count (:mod:`engine.indicators.breakdown_cells`)."""
    keep, _, _, keys = _cells(spec, source, partner_of_small_area, window)
    kept = np.flatnonzero(keep)

    def full(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(keep.size, dtype=bool)
        out[kept[mask]] = True
        return out

    return [(full(count), full(base)) for _, _, count, base in keys]


def breakdown_tables(spec: BreakdownSpec, source: SourceRows, partner_of_small_area: np.ndarray, n_partners: int,
                     window: Window | None, *, partner_names: Sequence[str] = (), partner_label: str = "District",
                     benchmark_name: str = "the benchmark", in_benchmark: np.ndarray | None = None) -> list[Breakdown]:
    """One Breakdown per partner area for ``spec`` over the rows of ``window`` (None: all) placed in a partner area.
    ``in_benchmark``: bool per partner area, those the benchmark sums (None: every one)."""
    in_benchmark = np.ones(n_partners, dtype=bool) if in_benchmark is None else in_benchmark
    keep, partner, items, keys = _cells(spec, source, partner_of_small_area, window)

    def per_partner(mask: np.ndarray) -> np.ndarray:
        return np.bincount(partner[mask], minlength=n_partners)

    counts = np.array([per_partner(count) for _, _, count, _ in keys]).reshape(len(keys), n_partners)
    bases = np.array([per_partner(base) for _, _, _, base in keys]).reshape(len(keys), n_partners)
    codes = _significance(spec, counts, bases, in_benchmark)
    figures = [_Counts(item, name, counts[k], bases[k], None if codes is None else codes[k], in_benchmark)
               for k, (name, item, _, _) in enumerate(keys)]

    notes = _missing_note(spec, items, partner, n_partners)
    common = dict(subsets=tuple(spec.subsets), layout=spec.layout, window=_window_words(spec, source, window),
                  significance_method=significance_method_words(spec, partner_label, benchmark_name),
                  subject=spec.subject, section=spec.section,
                  subset_phrases=tuple(s.described_as for s in spec.subsets.values()))
    tables = []
    for p in range(n_partners):
        if spec.layout == "partner_areas":
            table_rows = [f.row(q, category=str(partner_names[q]), group=f.item.label, highlight=q == p)
                          for f in figures for q in range(n_partners)]
        else:
            table_rows = [f.row(p) for f in figures]
        tables.append(Breakdown(spec.id, spec.title, spec.unit, table_rows, " ".join(filter(None, (notes[p], spec.note))),
                                **common))
    return tables
