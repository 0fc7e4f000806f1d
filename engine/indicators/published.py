"""Published long tables (spec ``published:``): England and other areas as published, the partner's own beside them.

The published figures are shown as published (nothing recomputed, no significance claimed: such tables give
no intervals). The partner area's own figure is counted by the engine from its own extract for each published
period that the extract covers whole, so that it sits under the same period heading as the published ones; a
period the extract covers only in part gets no figure, and the note says which periods were computed. Its rate
needs a population the spec names; without one the count is shown alone and the note says why, because a
denominator is never made up.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from engine.errors import DataError, Problem
from engine.indicators.findings.key_findings import GROUP_PROFILES, after_profiles
from engine.indicators.findings.published import PublishedFigures, published_sentence
from engine.indicators.periods import Window
from engine.indicators.words import possessive
from engine.ingest import PARTNER_AREA, Inputs, PublishedRows, SourceRows
from engine.ingest.periods import FINANCIAL_YEAR, period_end
from engine.months import month_label, month_number
from engine.dashboard_report import DashboardReport
from engine.report import Finding, MethodNote, PublishedRow, PublishedTableView, Report
from engine.spec.filters import where_mask
from engine.spec.models import PublishedTable, Spec
from engine.stats.compare import significance
from engine.stats.intervals import rate_limits, rates
from engine.suggest import did_you_mean


@dataclass(frozen=True)
class Unit:
    """Whose own figure a view shows: one partner area, or a dashboard's subject (several partner areas together)."""

    name: str
    members: tuple[int, ...]  # partner-area indices


def period_window(label: str, start_month: int) -> Window | None:
    """The months a published financial-year label (2021/22) covers; None for a label that names no year."""
    last = period_end(label, FINANCIAL_YEAR, start_month)
    if last is None:
        return None
    end = month_number(last)
    return Window(end - 11, end)


def own_counts(block: PublishedTable, source: SourceRows, windows: list[Window | None], partner_of: np.ndarray,
               n_partners: int, unit_of: np.ndarray | None = None) -> np.ndarray:
    """Partner area × period counts of the rows passing the block's ``where`` (each ``distinct`` value once per
    period and partner area); NaN for a period the source does not cover in every month. With ``unit_of`` (partner
    area -> unit, -1 for none) the rows are counted by unit instead, ``n_partners`` of them: a dashboard's subject
    counts each ``distinct`` value once across its members, not once per member."""
    own = block.own
    assert own is not None
    needed = [*own.where, *([own.distinct] if own.distinct else [])]
    missing = [c for c in needed if c not in source.rows.columns]
    if missing:
        raise DataError([Problem(f"published table {block.id!r}: source {source.name!r} has no column {c!r}"
                                 f"{did_you_mean(c, [str(n) for n in source.rows.columns])}", file=str(source.path))
                         for c in missing])
    if not source.dated:
        raise DataError(Problem(f"published table {block.id!r}: source {source.name!r} has no month column, so no "
                                "period can be counted", file=str(source.path)))
    partner = source.area if source.level == PARTNER_AREA else np.where(
        source.area >= 0, partner_of[np.maximum(source.area, 0)], -1)
    if unit_of is not None:
        partner = np.where(partner >= 0, unit_of[np.maximum(partner, 0)], -1)
    keep = where_mask(source.rows, own.where) & (partner >= 0) & (source.month >= 0)
    present = source.months_present
    counts = np.full((n_partners, len(windows)), np.nan)
    for p, window in enumerate(windows):
        if window is None or not all(m in present for m in window.months()):
            continue
        rows = keep & (source.month >= window.first) & (source.month <= window.last)
        frame = source.rows.loc[rows].assign(_area=partner[rows])
        if own.distinct:
            frame = frame.drop_duplicates(["_area", own.distinct])
        counts[:, p] = np.bincount(frame["_area"].to_numpy(dtype=np.int64), minlength=n_partners)[:n_partners]
    return counts


def _note(block: PublishedTable, rows: PublishedRows, computed: list[str], source_title: str, level: float,
          whose: str = "The partner area's") -> str:
    parts = [f"{block.measure}, as published in {rows.title} (not recomputed; the table gives no intervals for them)."]
    if block.own is not None:
        own = block.own
        where = (f"computed by Saferbook from {source_title} for each period it covers in every month "
                 f"({', '.join(computed)})" if computed else
                 f"not computed: {source_title} covers none of the periods shown in every month")
        parts.append(f"{whose} own figures are {where}.")
        if own.population is None:
            parts.append(f"Its rate is not given: the spec names no population to divide {own.count_label.lower()} "
                         f"by, and Saferbook never estimates one; the count is shown instead.")
        else:
            parts.append(f"Its rate is {own.count_label.lower()} per {own.population.rate_per:,} of the "
                         f"{own.population.label} ({rows.population_title}), the same population for every period. "
                         f"The key finding calls it significantly higher or lower than a published figure only when "
                         f"its {level:.0%} confidence interval (Byar's method, exact below 10) lies wholly above or "
                         f"below that figure, taken as a fixed value.")
    if block.note:
        parts.append(block.note)
    return " ".join(parts)


def published_views(spec: Spec, block: PublishedTable, rows: PublishedRows, inputs: Inputs,
                    suppress: bool = False, units: list[Unit] | None = None, group: str = GROUP_PROFILES,
                    whose: str = "The partner area's") -> list[tuple[PublishedTableView, Finding]]:
    """One view of the table per unit (default: each partner area, in partner order): its own rows, then the
    published areas'; each with its key finding, listed under ``group``. In a protected build (``suppress``) the
    small own counts are hidden with their rates (the population is shown in no workbook, but a rate and a known
    population would give the count back)."""
    geo = inputs.geography
    units = units or [Unit(str(name), (p,)) for p, name in enumerate(geo.partner_names)]
    level = spec.banding.levels[0]
    published = [PublishedRow(area.label, block.measure, f"{rows.title}, as published", values)
                 for area, values in zip(block.areas, rows.values)]
    if block.own is None:
        view = PublishedTableView(block.id, block.title, rows.periods, published, block.decimals,
                                  _note(block, rows, [], "", level), block.section)
        return [(view, _finding(spec, block, rows, unit.name, [None] * len(rows.periods), None, group))
                for unit in units]
    own = block.own
    source = inputs.sources[own.source]
    title = spec.sources[own.source].title or own.source
    windows = [period_window(p, block.year_start_month) for p in rows.periods]
    unit_of = np.full(len(geo.partner_names), -1)
    for u, unit in enumerate(units):
        unit_of[list(unit.members)] = u
    counts = own_counts(block, source, windows, geo.small_area_partner, len(units), unit_of)
    computed = [f"{label}: {month_label(w.first)} – {month_label(w.last)}" for label, w, c
                in zip(rows.periods, windows, counts[0]) if w is not None and not np.isnan(c)]
    note = _note(block, rows, computed, title, level, whose)
    made_by = f"Saferbook, from {title}" + (" (SYNTHETIC)" if spec.sources[own.source].synthetic else "")
    rule = spec.suppression
    if suppress:
        note += (f" In this protected build the partner area's counts from {0 if rule.zero else 1} to {rule.below - 1}, "
                 f"and their rates, read \"suppressed\".")
    views = []
    for u, unit in enumerate(units):
        hidden = tuple(i for i, c in enumerate(counts[u])
                       if suppress and not np.isnan(c) and (0 if rule.zero else 1) <= c < rule.below)
        mine = [None if np.isnan(c) or i in hidden else float(c) for i, c in enumerate(counts[u])]
        own_rows = []
        parts = [rows.population.get(str(geo.partner_codes[p])) for p in unit.members]
        population = None if any(part is None for part in parts) else float(sum(parts))  # type: ignore[arg-type]
        if own.population is not None:
            rate = [None if c is None or not population else float(rates([c], [population], own.population.rate_per)[0])
                    for c in mine]
            own_rows.append(PublishedRow(unit.name, block.measure, made_by, rate, own=True, suppressed=hidden))
        own_rows.append(PublishedRow(unit.name, f"{own.count_label} (count)", made_by, mine, own=True, count=True,
                                     suppressed=hidden))
        lacking = [str(geo.partner_names[p]) for p, part in zip(unit.members, parts) if part is None]
        extra = "" if own.population is None or not lacking else (
            f" {', '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no row in {rows.population_title}, so "
            f"{'its' if lacking == [unit.name] else possessive(unit.name)} rate is not given.")
        views.append((PublishedTableView(block.id, block.title, rows.periods, own_rows + published, block.decimals,
                                         note + extra, block.section),
                      _finding(spec, block, rows, unit.name, mine, population if own.population is not None else None,
                               group)))
    return views


def _finding(spec: Spec, block: PublishedTable, rows: PublishedRows, area: str, mine: list[float | None],
             population: float | None, group: str) -> Finding:
    """The partner's key finding for one published table: its latest shown own figure (a hidden one is never
    quoted) beside the first published area with a figure for that period. The own rate is tested against that
    figure as a fixed value (its interval at the spec's lower banding level, as the Summary's bands); a count
    without a rate is only stated beside it."""
    shown = [i for i, c in enumerate(mine) if c is not None]
    published = [i for i in range(len(rows.periods)) if any(v[i] is not None for v in rows.values)]
    at = shown[-1] if shown else (published[-1] if published else len(rows.periods) - 1)
    comparator = next(((a.label, v[at]) for a, v in zip(block.areas, rows.values) if v[at] is not None),
                      (block.areas[0].label, None))
    count = mine[at]
    rate = code = None
    level = spec.banding.levels[0]
    if count is not None and population and block.own is not None and block.own.population is not None:
        per = block.own.population.rate_per
        rate = float(rates([count], [population], per)[0])
        if comparator[1] is not None:
            lower, upper = rate_limits([count], [population], level, per)
            code = int(significance(lower, upper, [comparator[1]])[0])
    return dataclasses.replace(published_sentence(PublishedFigures(
        heading="" if group == (block.section or block.title) else block.section or block.title, area=area, measure=block.measure,
        count_label=block.own.count_label if block.own is not None else "", period=rows.periods[at], count=count,
        rate=rate, comparator=comparator[0], comparator_value=comparator[1], decimals=block.decimals,
        significance=code, level=level)), group=group)


def with_published(reports: list[Report], spec: Spec, inputs: Inputs, chosen: list[int],
                   suppress: bool = False) -> list[Report]:
    """Each Report (of the partner areas at positions ``chosen``) with the spec's published tables, their notes, and
    one key finding each after the Profiles sentences."""
    if not spec.published:
        return reports
    per_table = [published_views(spec, block, rows, inputs, suppress) for block, rows in zip(spec.published, inputs.published)]
    out = []
    for report, p in zip(reports, chosen):
        views = [tables[p][0] for tables in per_table]
        notes = [MethodNote(v.title, v.note) for v in views]
        findings = after_profiles(report.findings, [tables[p][1] for tables in per_table])
        out.append(dataclasses.replace(report, published=views, findings=findings,
                                       methodology=[*report.methodology, *notes]))
    return out


def with_subject_published(dashboard: DashboardReport, spec: Spec, inputs: Inputs,
                           members: np.ndarray) -> DashboardReport:
    """The dashboard with the spec's published tables for its subject (its ``members`` together, each distinct person
    counted once across them, over the members' populations added up), their notes in place of the partner
    workbook's, and one key finding each under its outcome: the table's ``section`` (an outcome's name puts it with
    that outcome's sentences)."""
    report = dashboard.report
    titles = {block.title for block in spec.published}
    methodology = [n for n in report.methodology if n.topic not in titles]
    unit = Unit(report.partner_area, tuple(int(m) for m in members))
    whose = f"{possessive(report.partner_area)} ({', '.join(str(inputs.geography.partner_names[m]) for m in members)} together)"
    made = [published_views(spec, block, rows, inputs, units=[unit], group=block.section or block.title, whose=whose)[0]
            for block, rows in zip(spec.published, inputs.published)]
    findings = list(report.findings)
    for _, finding in made:
        last = max((i for i, f in enumerate(findings) if f.group == finding.group), default=len(findings) - 1)
        findings.insert(last + 1, finding)
    return dataclasses.replace(dashboard, report=dataclasses.replace(
        report, published=[view for view, _ in made], findings=findings,
        methodology=[*methodology, *(MethodNote(view.title, view.note) for view, _ in made)]))
