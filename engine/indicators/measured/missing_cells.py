"""Missing is not zero: which (partner area, period) cells of a measured indicator have no figure, and why.

A measured indicator that sums a column of a return (clients in treatment by district and quarter) is
only as complete as the return: a district with no row for a quarter, or whose row was rejected for a
bad cell, has no figure for that quarter. Summing what is there would show 0, or a partial window, as
if it were the district's figure. Such a cell is *missing*: the partner's total over any period that
contains it is unknown (n/a with the reason in words), and it takes no band, rank, change or finding.

Where a source lists events (a row per referral, per incident: police.uk, a fire-incident extract), a
district with no rows in a month had none: absent rows are zero. The source's ``absent_rows`` setting
says which; ``auto`` decides by how the indicator reads the source (see :func:`absent_rows_are_missing`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.errors import Problem
from engine.indicators.measured.period_values import Span, period_label
from engine.ingest import AREA_COLUMN, Inputs, SourceRows
from engine.ingest.partner_places import PARTNER_KEY_COLUMNS
from engine.quality import MISSING, QualityIssue
from engine.report import NOT_AVAILABLE, Kpi
from engine.spec.filters import where_mask
from engine.spec.models import Indicator, Source, Spec

#: More periods than this in one reason are summarised ("and 4 more").
LISTED_PERIODS = 3


def absent_rows_are_missing(indicator: Indicator, source: Source) -> bool:
    """Whether a partner area's absent (or rejected) row for a period makes its figure missing, not zero.

    ``auto``: missing when the indicator sums values of the rows (``kind: value``, or a proportion built from
    count or percentage columns: the rows are a return's cells), zero when it counts rows (events).
    """
    if source.absent_rows != "auto":
        return source.absent_rows == "missing"
    measure = indicator.measure
    if measure is None or measure.kind == "count":
        return False
    return measure.kind == "value" or measure.value is not None or measure.percent_column is not None


@dataclass(frozen=True)
class Gaps:
    """The partner areas whose figure over a span is missing, each with the reason in words."""

    missing: np.ndarray  # bool, per partner area
    reasons: list[str | None]  # per partner area: why it is missing, None where it is not
    missing_cells: int  # (partner area, period) cells without a usable row
    cells: int  # (partner area, period) cells the span holds

    @staticmethod
    def none(n_partners: int) -> "Gaps":
        return Gaps(np.zeros(n_partners, dtype=bool), [None] * n_partners, 0, 0)


def _period_ends(source: SourceRows, span: Span) -> list[int]:
    """The source's periods (by their last month) that make up the span; [-1] for an undated snapshot."""
    if not source.dated:
        return [-1]
    step = source.period_months
    return list(range(span.last, span.first - 1, -step))[::-1]


def _present(month: np.ndarray, partner: np.ndarray, rows: np.ndarray, ends: list[int], n_partners: int) -> np.ndarray:
    """present[partner, j]: some selected row of the partner area is dated by the span's j-th period."""
    out = np.zeros((n_partners, len(ends)), dtype=bool)
    chosen = rows & (partner >= 0)
    for j, end in enumerate(ends):
        here = chosen & (month == end)
        out[np.unique(partner[here]), j] = True
    return out


def _rejected(source: SourceRows, indicator: Indicator, small_area_partner: np.ndarray, ends: list[int],
              n_partners: int) -> np.ndarray:
    """rejected[partner, j]: a row of the partner area for the span's j-th period was rejected for a bad cell
    (and, as far as its readable cells tell, would have been one of the indicator's rows)."""
    rejected = source.rejected
    if rejected is None:
        return np.zeros((n_partners, len(ends)), dtype=bool)
    usable = [c for c in indicator.where if c in rejected.rows.columns]
    rows = where_mask(rejected.rows, {c: indicator.where[c] for c in usable}) if usable else \
        np.ones(len(rejected.rows), dtype=bool)
    if source.level == "partner_area":
        partner = rejected.area
    else:
        partner = np.where(rejected.area >= 0, small_area_partner[np.maximum(rejected.area, 0)], rejected.area)
    return _present(rejected.month, partner, np.asarray(rows, dtype=bool), ends, n_partners)


def _label(end: int, source: SourceRows, year_start: int) -> str:
    return "the snapshot" if end < 0 else period_label(end, source.period_months, year_start)


def _listed(labels: list[str]) -> str:
    shown = ", ".join(labels[:LISTED_PERIODS])
    return shown + (f" and {len(labels) - LISTED_PERIODS} more" if len(labels) > LISTED_PERIODS else "")


def span_gaps(indicator: Indicator, source: SourceRows, mask: np.ndarray, partner: np.ndarray,
              small_area_partner: np.ndarray, span: Span, n_partners: int, year_start: int) -> Gaps:
    """Which partner areas have a period of ``span`` with no row of the indicator (``mask``: its rows of the
    source; ``partner``: each row's partner area), or a rejected one."""
    ends = _period_ends(source, span)
    present = _present(source.month, partner, mask, ends, n_partners)
    rejected = _rejected(source, indicator, small_area_partner, ends, n_partners)
    gap = ~present | rejected
    reasons: list[str | None] = []
    for p in range(n_partners):
        bad = [_label(end, source, year_start) for j, end in enumerate(ends) if rejected[p, j]]
        absent = [_label(end, source, year_start) for j, end in enumerate(ends) if not present[p, j] and not rejected[p, j]]
        words = []
        if absent:
            words.append(f"no row in source {source.name!r}" + (f" for {_listed(absent)}" if len(ends) > 1 else ""))
        if bad:
            words.append("a value rejected" + (f" for {_listed(bad)}" if len(ends) > 1 else "") + " (see Data Quality)")
        reasons.append("; ".join(words) or None)
    return Gaps(gap.any(axis=1), reasons, int(gap.sum()), gap.size)


def unplaced_sources(spec: Spec, inputs: Inputs, spec_file: str) -> list[Problem]:
    """Sources none of whose rows falls in a partner area (a table of force names read as districts, another
    force's extract): every figure would be 0. Each is named with its spec line. Also a source declared
    ``absent_rows: missing`` but counted by an indicator without a measure block, which counts events by small
    area and month (absent rows are none there): the declaration would be silently ignored."""
    problems = [Problem(f"source {i.source!r} says absent_rows: missing, but indicator {i.id!r} counts its rows as "
                        f"events (no measure block), where a month without rows has none: give the indicator "
                        f"measure: {{kind: count}} (or kind: value for a column of counts) to have absent rows "
                        f"shown as missing", file=spec_file, key_path=f"sources.{i.source}.absent_rows")
                for i in spec.indicators if i.measure is None and spec.sources[i.source].absent_rows == "missing"]
    label = inputs.geography.partner_label.lower()
    for name in dict.fromkeys(i.source for i in spec.indicators):
        source = inputs.sources.get(name)
        if source is None or not len(source.area):
            continue
        partner = source.partner_of_rows(inputs.geography.small_area_partner)
        if not (partner >= 0).any():
            examples = ", ".join(str(v) for v in dict.fromkeys(_area_texts(source)) if v)[:120]
            problems.append(Problem(
                f"source {name!r} ({source.path.name}): none of its {len(partner):,} rows is in one of the spec's "
                f"{label}s (they read e.g. {examples or 'blank'}), so every figure would be 0: check the "
                f"source's area column and geography.partner_areas", file=spec_file, key_path=f"sources.{name}"))
    return problems


def missing_share_problems(spec: Spec, inputs: Inputs, missing_cells: dict[str, tuple[int, int]],
                           spec_file: str) -> list[Problem]:
    """Measured indicators whose source misses more than ``quality.max_missing_percent`` of the (partner area,
    period) cells they compare (``missing_cells``: per indicator id, missing and all cells): mostly n/a."""
    problems = []
    label = inputs.geography.partner_label.lower()
    limit = spec.quality.max_missing_percent
    by_id = {i.id: i for i in spec.indicators}
    for indicator_id, (missing, cells) in missing_cells.items():
        if cells and missing / cells * 100 > limit:
            name = by_id[indicator_id].source
            problems.append(Problem(
                f"source {name!r} ({inputs.sources[name].path.name}) has no usable row for {missing} of the {cells} "
                f"({label}, period) cells indicator {indicator_id!r} compares ({missing / cells:.0%}), more than "
                f"quality.max_missing_percent ({limit:g}%)", file=spec_file, key_path=f"sources.{name}"))
    return problems


def _area_texts(source: SourceRows) -> list[str]:
    """The first few area values of a source's rows, as written (for the message)."""
    columns = [c for c in (AREA_COLUMN, *PARTNER_KEY_COLUMNS) if c in source.rows.columns]
    return list(dict.fromkeys(str(v) for v in source.rows[columns[0]].head(200)))[:3] if columns else []


def missing_figures(kpis: list[Kpi], inputs: Inputs, spec: Spec, partner_area: str) -> list[QualityIssue]:
    """One Data Quality line per KPI of a partner area shown as n/a because its data are missing."""
    by_id = {i.id: i for i in spec.indicators}
    lines = []
    for kpi in kpis:
        if kpi.missing_reason:
            source = inputs.sources[by_id[kpi.indicator_id].source]
            lines.append(QualityIssue(source.name, source.path.name, "", None, "", NOT_AVAILABLE, MISSING,
                                      f"{partner_area}, {kpi.name}: n/a, missing not zero (no band, rank, change or finding). "
                                      f"{kpi.missing_reason}"))
    return lines
