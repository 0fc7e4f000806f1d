"""Whether a KPI meets the target or threshold its spec sets (the 2019 report's "threshold" column).

RAG status: "Met" (green), "Close to target" (amber: missed by no more than the target's ``amber``
tolerance, in the measure's own units) or "Not met" (red); always written in words.
"""
from __future__ import annotations

import dataclasses

from engine.report import CLOSE_TO_TARGET, MET, NOT_AVAILABLE, NOT_MET, SUPPRESSED, Kpi, MethodNote
from engine.spec.models import Spec, Target


def _shown(target: Target, value: float, signed: bool) -> str:
    if target.measure in ("percent_change", "percent"):
        return f"{value:+.0%}" if signed else f"{value:.0%}"
    return f"{value:,g}"


def _describe(target: Target) -> str:
    if target.label:
        text = target.label
    else:
        bound = target.at_most if target.at_most is not None else target.at_least
        word = "at most" if target.at_most is not None else "at least"
        text = f"{target.measure.replace('_', ' ')} {word} {_shown(target, bound, target.measure == 'percent_change')}"
    if target.amber:
        within = (f"{target.amber * 100:g} points" if target.measure in ("percent_change", "percent")
                  else _shown(target, target.amber, False))
        text += f" (amber: {within})"  # a miss of up to this much is "Close to target"
    return text


def target_status(target: Target, measure: float) -> str:
    """Met, Close to target (missed by at most ``target.amber``) or Not met."""
    if target.at_most is not None:
        miss = measure - target.at_most
    else:
        assert target.at_least is not None
        miss = target.at_least - measure
    if miss <= 0:
        return MET
    return CLOSE_TO_TARGET if target.amber is not None and miss <= target.amber else NOT_MET


def with_target(kpi: Kpi, target: Target | None) -> Kpi:
    """The KPI with its target in words and its RAG status (or "suppressed" if the measure is hidden)."""
    if target is None:
        return kpi
    measure = {"percent_change": kpi.percent_change, "rate": kpi.rate, "current": kpi.current,
               "percent": kpi.rate if kpi.value_format == "percent" else None}[target.measure]
    if measure is None:
        status = SUPPRESSED if kpi.current is None or kpi.rate is None else NOT_AVAILABLE
    else:
        status = target_status(target, measure)
    bound = target.at_most if target.at_most is not None else target.at_least
    return dataclasses.replace(kpi, target=_describe(target), target_status=status, target_value=bound)


def target_note(spec: Spec) -> MethodNote | None:
    """The RAG rule in words, for the Methodology sheet, when any indicator sets a target."""
    targeted = [i for i in spec.indicators if i.target is not None]
    if not targeted:
        return None
    amber = [i.name for i in targeted if i.target is not None and i.target.amber is not None]
    text = (f"Target status: '{MET}' when the measure meets the indicator's target; "
            + (f"'{CLOSE_TO_TARGET}' (amber) when it misses it by no more than the target's amber tolerance, "
               f"shown beside the target (set for: {', '.join(amber)}); " if amber else "")
            + f"otherwise '{NOT_MET}'. The status is written in words and coloured; a hidden measure shows '{SUPPRESSED}'.")
    return MethodNote("Targets", text)
