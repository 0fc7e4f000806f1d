"""The measured phase: every indicator with a ``measure`` block, for all partner areas, checked for gaps.

Proportions, summed values and period-on-period measures are computed from their own rows and
periods; a source missing more cells than its ``max_missing_percent`` allows stops the build here,
before any partner's Report is assembled.
"""
from __future__ import annotations

from engine.errors import SpecError
from engine.indicators.measured.measures import MeasuredIndicator, measured_indicators
from engine.indicators.measured.missing_cells import missing_share_problems
from engine.indicators.periods import ReportPeriods
from engine.ingest import Inputs
from engine.spec.models import Spec


def measured_phase(spec: Spec, inputs: Inputs, periods: ReportPeriods, spec_file: str) -> dict[str, MeasuredIndicator]:
    """Every measured indicator of the spec, by id, once no source is missing too many cells."""
    measures = measured_indicators(spec, inputs, periods)
    gappy = missing_share_problems(spec, inputs, {key: m.missing_cells for key, m in measures.items()}, spec_file)
    if gappy:
        raise SpecError(gappy)
    return measures
