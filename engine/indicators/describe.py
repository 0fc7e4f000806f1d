"""Spec settings in words, for the Methodology sheet: what an analyst can quote in a board paper."""
from __future__ import annotations

from functools import partial
from typing import Callable

from engine.report import SUPPRESSED
from engine.spec.labels import column_label, source_description, words
from engine.spec.models import RESIDENTS, Banding, ChangeTest, Condition, Indicator, Peers, Spec, Suppression


def describe_condition(column: str, condition: Condition, label: Callable[[str], str] = words) -> str:
    """A filter in words; ``label`` names the column as the reader knows it (its header in the source's file)."""
    name = label(column)
    name = name[:1].upper() + name[1:]
    if condition.equals is not None:
        return f"{name} is {condition.equals}"
    if condition.not_equals is not None:
        return f"{name} is not {condition.not_equals}"
    if condition.in_ is not None:
        return f"{name} is one of: {', '.join(map(str, condition.in_))}"
    if condition.not_in is not None:
        return f"{name} is anything except: {', '.join(map(str, condition.not_in))}"
    low, high = condition.between  # type: ignore[misc]
    return f"{name} is between {low} and {high}"


def _rule(where: dict[str, Condition], label: Callable[[str], str]) -> str:
    return "; ".join(describe_condition(c, cond, label) for c, cond in where.items()) or "every row"


def describe_indicator(indicator: Indicator, spec: Spec) -> str:
    """An indicator's definition in the words of its source's file: its title or description and its headers, never
    the spec's ids."""
    if indicator.measure is not None:
        return describe_measure(indicator, spec)
    source = source_description(spec, indicator.source)
    rule = _rule(indicator.where, partial(column_label, spec.sources[indicator.source]))
    rows = f"Rows of {source} where {rule}" if indicator.where else f"Every row of {source}"
    return f"{rows}. Rate per {indicator.rate_per:,} residents."


def describe_measure(indicator: Indicator, spec: Spec) -> str:
    """A measured indicator's definition: what is divided by what, over which periods."""
    measure = indicator.measure
    assert measure is not None
    source = source_description(spec, indicator.source)
    label = partial(column_label, spec.sources[indicator.source])
    rows = f"the rows of {source}"
    rows += f" where {_rule(indicator.where, label)}" if indicator.where else ""
    if measure.share_of is not None:
        names = {i.id: i.name for i in spec.indicators}
        what = (f"The share the rows of {names[measure.share_of.numerator]} make of the rows of "
                f"{names[measure.share_of.denominator]} (both of {source}): rows counted by both ÷ rows counted by the "
                "second.")
    elif measure.kind == "proportion" and measure.numerator is not None:
        what = f"The share of {rows} for which {_rule(measure.numerator, label)}."
    elif measure.kind == "proportion" and measure.percent_column is not None:
        what = (f"The {label(measure.percent_column or '')} of {rows}, weighted by {label(measure.respondents_column or '')}: "
                f"each row stands for round(percent × respondents ÷ 100) people of its respondents.")
    elif measure.kind == "proportion":
        what = f"The sum of {label(measure.value or '')} divided by the sum of {label(measure.denominator or '')}, over {rows}."
    elif measure.kind == "value":
        per = ("residents" if measure.denominator in (None, RESIDENTS)
               else f"of the sum of {label(measure.denominator or '')} (from the same rows)")
        what = f"The sum of {label(measure.value or '')} over {rows}; rate per {indicator.rate_per:,} {per}."
    else:
        what = f"A count of {rows}; rate per {indicator.rate_per:,} residents."
    when = ("the latest period of the source (a quarter, a financial year or a month) against the latest one before "
            "it with data" if measure.compare == "previous_period" else
            "the current window against the one before")
    return f"{what} Compared: {when}; a source without dates is a snapshot, not compared. Reported by partner area."


def describe_measure_methods(levels: tuple[float, float], change: ChangeTest, proportions: bool, values: bool) -> str:
    """The statistics of measured indicators in words an analyst can quote."""
    low, high = (_percent(level) for level in levels)
    test = _percent(change.level)
    parts = []
    if proportions:
        parts.append(
            f"Proportions (shown as percentages) are banded by their Wilson score interval against the benchmark's "
            f"proportion (its partner areas' numerators ÷ denominators, pooled): a {high} interval entirely above (below) it "
            f"is 'Very Significantly High' ('Low'), otherwise a {low} interval 'Significantly High' ('Low'). "
            + ("A change between two periods is tested with Fisher's exact test on the 2 × 2 table of the two "
               f"periods' numerators and the rest; a two-sided p-value below {_percent(1 - change.level)} is "
               "significant, and the change is given in percentage points (pp)."
               if change.method == "exact" else
               f"A change between two periods is significant when their {test} Wilson intervals do not overlap."))
    if values:
        parts.append(
            "Summed values (clients, admissions) are treated as counts of events: Byar's or exact Poisson limits for "
            "bands, and the exact conditional test for two Poisson counts for a change, each period weighted by its "
            "own denominator (residents, or the table's population column).")
    parts.append("Quarterly and annual sources compare their latest period with the one before (a question asked "
                 "once a year with last year's answer); figures a partner suppressed or did not supply are 'n/a', "
                 "and the benchmark is the pooled figure of the partner areas that have one.")
    return " ".join(parts)


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


def describe_banding(banding: Banding, benchmark: str, small_area_label: str, partner_label: str = "partner area") -> str:
    """The banding method in words an analyst can quote."""
    areas = f"{small_area_label}s"
    if banding.method == "sd":
        low, high = (f"{c:g}" for c in banding.cut_points)
        return (
            f"Standard-deviation bands (the police crime-map convention). Each {small_area_label}'s rate is compared with "
            f"the rates of all {areas} in {benchmark}: its distance from their mean, in standard deviations of those "
            f"rates (the population standard deviation), is its z-score. More than {high} standard deviations above "
            f"(below) the mean is 'Very Significantly High' ('Very Significantly Low'); more than {low}, "
            f"'Significantly High' ('Significantly Low'); otherwise 'Above Average' or 'Below Average' ('Average' at "
            f"the mean). A {partner_label.lower()}'s rate is placed on the same scale. Unlike confidence intervals, "
            f"this does not allow for how few events a rate rests on."
        )
    low, high = (_percent(level) for level in banding.levels)
    return (
        f"Confidence intervals against the {benchmark} rate (the Fingertips method of UKHSA/OHID). Each area's rate "
        f"is compared with the {benchmark} rate: a {high} confidence interval entirely above (below) it is "
        f"'Very Significantly High' ('Very Significantly Low'); otherwise a {low} interval entirely above (below) "
        f"it is 'Significantly High' ('Significantly Low'); otherwise the rate is 'Above Average' or 'Below Average' "
        f"('Average' if equal). {low} and {high} confidence intervals for counts use Byar's method, or the exact "
        f"Poisson (chi-squared) method for fewer than 10 events; a rate's interval is its count's interval divided "
        f"by the population."
    )


def describe_change(change: ChangeTest, window_months: int) -> str:
    """The direction-of-travel test in words an analyst can quote."""
    level = _percent(change.level)
    if change.method == "overlap":
        test = (f"when the {level} confidence intervals of the two windows' counts (Byar's method, exact below 10 "
                f"events) do not overlap (Fingertips' conservative rule)")
    else:
        test = (f"by the exact conditional test for two Poisson counts: given the two windows' total, the current "
                f"window's count is binomial with probability ½ if nothing changed (the population is the same for "
                f"both windows). A two-sided p-value below {_percent(1 - change.level)} (the minimum-likelihood rule "
                f"of R's poisson.test) is a significant change")
    return (f"The current {window_months} months are compared with the {window_months} months before. A change is "
            f"called significant {test}. Direction of travel says 'Increase (significant)', 'Reduction "
            f"(significant)' or 'No significant change'; 'Better' or 'Worse' judges a significant change by the "
            f"indicator's polarity, and 'Similar' means no significant change.")


def describe_peers(peers: Peers, n_partners: int, partner_label: str, benchmark: str | None) -> str:
    """``benchmark``: its name when it is all the partner areas (its rate is then the peer rate), else None."""
    label = partner_label.lower()
    same = f" (here the {benchmark} rate)" if benchmark else ""
    return (f"Each {label}'s rate is ranked among the {n_partners} {label}s (1 = the lowest rate, shown as 'x/"
            f"{n_partners}'; tied rates share a rank) and placed in a quartile (1 = the lowest quarter). It is 'Above' "
            f"or 'Below the peer average' when its {_percent(peers.level)} confidence interval lies entirely above or "
            f"below the pooled peer rate, all the {label}s' events divided by their population{same}, and 'In line "
            f"with the peer average' otherwise.")


def describe_suppression(rules: list[tuple[str, Suppression]], applied: bool) -> str:
    described = "; ".join(f"{name} (counts from 1 to {rule.below - 1}" + (", and zeros" if rule.zero else "") + ")"
                          for name, rule in rules)
    where = ("This workbook applies it." if applied else
             "This workbook does not: it is for analysts, not for onward release.")
    return (f"Sensitive indicators have small counts shown as '{SUPPRESSED}' in partner deliveries: {described}. Any "
            f"number from which a hidden count could be worked out, or narrowed down, is hidden too (secondary "
            f"suppression): the workbook's figures are written as sums of the partner area's events, and a linear "
            f"programme finds the least and greatest value each hidden figure could take given every figure shown "
            f"(counts are never negative); a small count must stay uncertain across at least its threshold. Hidden "
            f"figures are the 12-month counts, changes and rates, Top 10 rows, trend-table cells, months, rolling "
            f"quarters and seasonal cells of the indicators concerned; all read '{SUPPRESSED}', small or not, so the "
            f"small ones cannot be told apart. Breakdowns and area groups are checked with the rest, category by "
            f"category. Someone may hold every workbook: a partner area's figure is checked with its own and shown or "
            f"hidden alike wherever it appears (side-by-side charts and breakdowns too); a benchmark figure, their sum, "
            f"is shown only when every one of them is, else it reads '{SUPPRESSED}' with what compares against it. A "
            f"hidden rate's bar is not drawn. {where}")
