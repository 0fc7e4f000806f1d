"""Whether a KPI meets the target or threshold its spec sets (the 2019 report's "threshold" column)."""
from __future__ import annotations

import dataclasses

from engine.report import SUPPRESSED, Kpi
from engine.spec.models import Target


def _describe(target: Target) -> str:
    if target.label:
        return target.label
    bound = target.at_most if target.at_most is not None else target.at_least
    word = "at most" if target.at_most is not None else "at least"
    shown = {"percent_change": f"{bound:+.0%}", "percent": f"{bound:.0%}"}.get(target.measure, f"{bound:,g}")
    return f"{target.measure.replace('_', ' ')} {word} {shown}"


def with_target(kpi: Kpi, target: Target | None) -> Kpi:
    """The KPI with its target in words and "Met" / "Not met" (or [c] if the measure is hidden)."""
    if target is None:
        return kpi
    measure = {"percent_change": kpi.percent_change, "rate": kpi.rate, "current": kpi.current,
               "percent": kpi.rate if kpi.value_format == "percent" else None}[target.measure]
    if measure is None:
        status = SUPPRESSED if kpi.current is None or kpi.rate is None else "n/a"
    elif target.at_most is not None:
        status = "Met" if measure <= target.at_most else "Not met"
    else:
        status = "Met" if measure >= target.at_least else "Not met"
    bound = target.at_most if target.at_most is not None else target.at_least
    return dataclasses.replace(kpi, target=_describe(target), target_status=status, target_value=bound)
