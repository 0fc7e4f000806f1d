"""Hotspots (spec ``hotspots:``): the small areas where many of a partner extract's people live.

The 2012 assessments name them: "There are three Lower Super Output Areas in North West
Leicestershire with 10 or more resident offenders; Ibstock Centre (13), Greenhill Centre (10) and
Coalville Centre (10)." Each row is placed by its own small-area column (where the person lives;
the source's own small_area_code, when that is the column, as ingest placed and recoded it); a row
whose code is missing or not in the geography is counted as unplaced and said so, never guessed. Only small areas at or above the threshold are listed, so no small number is shown; a
protected build whose threshold is below the suppression rule's leaves the table out.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from engine.errors import DataError, Problem
from engine.indicators.findings.key_findings import GROUP_PROFILES, after_profiles
from engine.indicators.periods import Window
from engine.ingest import AREA_COLUMN, PARTNER_AREA, SMALL_AREA, Inputs, SourceRows
from engine.report import Finding, HotspotRow, HotspotTable, MethodNote, Report
from engine.spec.filters import where_mask
from engine.spec.labels import column_label, source_title
from engine.spec.models import Hotspots, Spec
from engine.suggest import did_you_mean


def _chosen_rows(block: Hotspots, source: SourceRows, window: Window) -> pd.DataFrame:
    """The rows counted: those passing ``where``, in the window when the source is dated, each ``distinct``
    value once (its first row)."""
    needed = [block.small_area, *block.where, *([block.distinct] if block.distinct else [])]
    missing = [c for c in needed if c not in source.rows.columns]
    if missing:
        raise DataError([Problem(f"hotspots {block.id!r}: source {block.source!r} has no column {c!r}"
                                 f"{did_you_mean(c, [str(n) for n in source.rows.columns])}", file=str(source.path))
                         for c in missing])
    keep = where_mask(source.rows, block.where)
    if source.dated:
        keep &= (source.month >= window.first) & (source.month <= window.last)
    rows = source.rows.loc[keep].assign(_own=np.flatnonzero(keep))
    return rows.drop_duplicates(block.distinct) if block.distinct else rows


def hotspot_tables(block: Hotspots, inputs: Inputs, window: Window) -> list[HotspotTable]:
    """One table per partner area (in partner order)."""
    geo = inputs.geography
    source = inputs.sources[block.source]
    rows = _chosen_rows(block, source, window)
    if block.small_area == AREA_COLUMN and source.level == SMALL_AREA:  # already placed (and recoded) by ingest
        position = np.where(source.area[rows["_own"].to_numpy()] >= 0, source.area[rows["_own"].to_numpy()], -1)
    else:
        codes = rows[block.small_area].astype("string").str.strip().fillna("")
        position = pd.Index(geo.small_area_codes.astype(str)).get_indexer(codes)
    placed = position >= 0
    counts = np.bincount(position[placed], minlength=len(geo.small_area_codes))
    n_partners = len(geo.partner_names)
    counted = np.bincount(geo.small_area_partner[position[placed]], minlength=n_partners)
    own_area = source.area[rows["_own"].to_numpy()]
    own_partner = own_area if source.level == PARTNER_AREA else np.where(
        own_area >= 0, geo.small_area_partner[np.maximum(own_area, 0)], -1)
    unplaced_of = own_partner[~placed]
    unplaced = np.bincount(unplaced_of[unplaced_of >= 0], minlength=n_partners)
    period = window.label if source.dated else "the latest snapshot of the extract"
    tables = []
    for p in range(n_partners):
        areas = np.flatnonzero((geo.small_area_partner == p) & (counts >= block.at_least))
        areas = sorted(areas, key=lambda a: (-counts[a], str(geo.small_area_names[a])))
        tables.append(HotspotTable(block.id, block.title, block.unit, block.described_as, block.at_least,
                                   [HotspotRow(str(geo.small_area_codes[a]), str(geo.small_area_names[a]), int(counts[a]))
                                    for a in areas], int(counted[p]), int(unplaced[p]), block.section, period))
    return tables


def hotspot_finding(table: HotspotTable, partner_area: str, small_area_label: str) -> Finding:
    """"There are 3 LSOAs in <area> with 10 or more resident offenders: A (13), B (10) and C (10), in <period>."."""
    what = f"{table.at_least} or more {table.described_as}"
    listed = [f"{row.name} ({row.count:,})" for row in table.rows]
    figures = {row.name: float(row.count) for row in table.rows} | {"areas": float(len(table.rows))}
    if not listed:
        text = f"No {small_area_label} in {partner_area} has {what}"
    elif len(listed) == 1:
        text = f"There is one {small_area_label} in {partner_area} with {what}: {listed[0]}"
    else:
        text = (f"There are {len(listed)} {small_area_label}s in {partner_area} with {what}: "
                f"{', '.join(listed[:-1])} and {listed[-1]}")
    text += f", in {table.period}." if table.period else "."
    return Finding(f"hotspots {table.hotspot_id}", text, figures, group=GROUP_PROFILES)


def with_hotspots(reports: list[Report], spec: Spec, inputs: Inputs, window: Window, suppress: bool) -> list[Report]:
    """Each Report with its partner area's hotspot tables and sentences (none when the spec has no hotspots)."""
    shown = [b for b in spec.hotspots if not suppress or b.at_least >= spec.suppression.below]
    if not shown:
        return reports
    tables = [hotspot_tables(block, inputs, window) for block in shown]
    if suppress:  # the totals beside a table could be small numbers (a few people unmatched): not shown
        tables = [[dataclasses.replace(t, counted=None, unplaced=None) for t in per_partner] for per_partner in tables]
    position = {str(name): p for p, name in enumerate(inputs.geography.partner_names)}
    label = inputs.geography.small_area_label
    notes = [hotspot_note(block, label, spec) for block in shown]
    out = []
    for report in reports:
        own = [t[position[report.partner_area]] for t in tables]
        findings = [hotspot_finding(t, report.partner_area, label) for t in own]
        out.append(dataclasses.replace(report, hotspots=own, findings=after_profiles(report.findings, findings),
                                       methodology=[*report.methodology, *notes]))
    return out


def hotspot_note(block: Hotspots, small_area_label: str, spec: Spec) -> MethodNote:
    """What the hotspot table counts and how its rows are placed, for the Methodology sheet (the source and its
    columns named as the reader knows them)."""
    source = spec.sources[block.source]
    distinct = f", each {column_label(source, block.distinct)} once" if block.distinct else ""
    return MethodNote(block.title, f"{small_area_label}s with {block.at_least} or more {block.described_as}: rows of "
                                   f"{source_title(spec, block.source)}{distinct}, placed by their own "
                                   f"{column_label(source, block.small_area)} column (where "
                                   f"they live), not by the file's district. Rows with no matched {small_area_label} "
                                   f"are counted in the note under the table and placed in none. Only counts of "
                                   f"{block.at_least} or more are shown.")

