"""Spec settings in words, for the Methodology sheet: what an analyst can quote in a board paper."""
from __future__ import annotations

from engine.spec.models import Banding, Condition, Indicator


def describe_condition(column: str, condition: Condition) -> str:
    label = column.replace("_", " ").capitalize()
    if condition.equals is not None:
        return f"{label} is {condition.equals}"
    if condition.not_equals is not None:
        return f"{label} is not {condition.not_equals}"
    if condition.in_ is not None:
        return f"{label} is one of: {', '.join(map(str, condition.in_))}"
    if condition.not_in is not None:
        return f"{label} is anything except: {', '.join(map(str, condition.not_in))}"
    low, high = condition.between  # type: ignore[misc]
    return f"{label} is between {low} and {high}"


def describe_indicator(indicator: Indicator, source_description: str) -> str:
    rule = "; ".join(describe_condition(c, cond) for c, cond in indicator.where.items()) or "every row"
    return f"Rows of {source_description or indicator.source} where {rule}. Rate per {indicator.rate_per:,} residents."


def describe_banding(banding: Banding, benchmark: str, small_area_label: str) -> str:
    low, high = (f"{level * 100:g}%" for level in banding.levels)
    return (
        f"Each {small_area_label}'s rate is compared with the {benchmark} rate. A {high} confidence interval "
        f"entirely above (below) the {benchmark} rate is 'Very Significantly High' ('Very Significantly Low'); "
        f"otherwise a {low} interval entirely above (below) it is 'Significantly High' ('Significantly Low'); "
        f"otherwise the rate is 'Above Average' or 'Below Average' ('Average' if equal). Intervals for counts "
        f"use Byar's method for 10 or more events and the exact Poisson (chi-squared) method below 10, "
        f"as in the Fingertips methods (UKHSA/OHID)."
    )
