"""Category shares for each partner area against the benchmark: profiles and breakdowns.

The seeds' offender profiles flag each category ▲ or ▼ against the county; their youth-offending
tables put the area's percentage beside the county's. Both are the same computation: counts of
the current window's rows by category, per partner area and in total.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem
from engine.indicators.periods import Window
from engine.ingest import SourceRows
from engine.report import Breakdown, BreakdownRow
from engine.spec.filters import where_mask
from engine.spec.models import BreakdownSpec
from engine.spec.suggest import did_you_mean

NOT_RECORDED = "Not recorded"


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


def _category_counts(values: pd.Series, partner: np.ndarray, n_partners: int) -> tuple[list[str], np.ndarray]:
    """Categories (largest overall first, "Not recorded" last) and counts[partner, category]."""
    text = values.astype("string").fillna(NOT_RECORDED).str.strip().replace("", NOT_RECORDED)
    codes, uniques = pd.factorize(text)
    counts = np.bincount(partner * len(uniques) + codes, minlength=n_partners * len(uniques)).reshape(n_partners, -1)
    totals = counts.sum(axis=0)
    order = sorted(range(len(uniques)), key=lambda i: (uniques[i] == NOT_RECORDED, -totals[i], str(uniques[i])))
    return [str(uniques[i]) for i in order], counts[:, order]


def _percent(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def breakdown_tables(spec: BreakdownSpec, source: SourceRows, partner_of_small_area: np.ndarray,
                     n_partners: int, window: Window) -> list[Breakdown]:
    """One Breakdown per partner area for ``spec`` over the rows of ``window`` placed in a partner area."""
    missing = [c for c in spec.by if c not in source.rows.columns]
    if missing:
        raise DataError([Problem(f"breakdown {spec.id!r} is by column {c!r}, which this source does not have"
                                 f"{did_you_mean(c, source.rows.columns)}", file=str(source.path), column=c)
                         for c in missing])
    partner_of_row = source.partner_of_rows(partner_of_small_area)
    keep = where_mask(source.rows, spec.where) & (partner_of_row >= 0)
    if source.dated:  # an undated snapshot (a caseload at the period end) is used whole
        keep &= (source.month >= window.first) & (source.month <= window.last)
    partner = partner_of_row[keep]
    per_partner: list[list[BreakdownRow]] = [[] for _ in range(n_partners)]
    for column in spec.by:
        group = spec.labels.get(column, spec.title if len(spec.by) == 1 else column.replace("_", " ").capitalize())
        categories, counts = _category_counts(source.rows[column][keep].reset_index(drop=True), partner, n_partners)
        benchmark = counts.sum(axis=0)
        benchmark_total = int(benchmark.sum())
        for p in range(n_partners):
            total = int(counts[p].sum())
            for c, category in enumerate(categories):
                area_percent = _percent(int(counts[p, c]), total)
                benchmark_percent = _percent(int(benchmark[c]), benchmark_total)
                flag, difference = share_difference(area_percent, benchmark_percent)
                per_partner[p].append(BreakdownRow(group, category, int(counts[p, c]), area_percent, int(benchmark[c]),
                                                   benchmark_percent, flag, difference))
    return [Breakdown(spec.id, spec.title, spec.unit, rows) for rows in per_partner]
