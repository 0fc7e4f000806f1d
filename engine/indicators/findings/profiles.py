"""Key findings from the Profiles sheet's breakdowns, in the seeds' words.

"The most common offender needs identified in North West Leicestershire are 'Relationships'
(56%). This is significantly higher than the county average." / "48% of the offences were
committed by First Time entrants." / "The adult reoffending rate in North West Leicestershire is
16%, similar to the overall County reoffending rate, 14%." A difference that is not significant
is "not significantly different from" rather than the seeds' "similar to": with a small district's
few rows, 29% against 16% can be within chance, and "similar" would misread it.

Only breakdowns whose spec gives a ``subject`` get sentences, and the subject (like every other
word about the data) comes from the spec. "Significantly" is said only when the breakdown's
significance test says so; a breakdown that does not test says "against" instead.
"""
from __future__ import annotations

from engine.indicators.words import possessive
from engine.report import SIGNIFICANCE_WORDS, Breakdown, BreakdownRow, Finding

RELATIONS = {SIGNIFICANCE_WORDS[1]: "significantly higher than", SIGNIFICANCE_WORDS[-1]: "significantly lower than",
             SIGNIFICANCE_WORDS[0]: "not significantly different from"}
NOT_RECORDED_LABELS = {"Not recorded", "Other"}


def _relation(row: BreakdownRow) -> str:
    return RELATIONS.get(row.significance, "against")


def _figures(row: BreakdownRow) -> dict[str, float]:
    return {"percent": row.percent, "benchmark_percent": row.benchmark_percent, "count": row.count, "base": row.base,
            "benchmark_count": row.benchmark_count, "benchmark_base": row.benchmark_base}


def _compared(rows: list[BreakdownRow]) -> list[BreakdownRow]:
    return [r for r in rows if r.percent is not None and r.benchmark_percent is not None
            and r.category not in NOT_RECORDED_LABELS]


def _most_common(breakdown: Breakdown) -> BreakdownRow | None:
    """The category or flag with the largest percentage in the area; None for a profile of several characteristics."""
    rows = _compared(breakdown.rows_of(breakdown.subsets[0] if breakdown.subsets else ""))
    if not rows or len({r.group for r in rows}) > 1:
        return None
    return max(rows, key=lambda r: (r.percent, r.count))


def most_common_sentence(top: BreakdownRow, subject: str, area: str, benchmark: str) -> Finding:
    """"The most common offender needs in <area> are Relationships (56%), significantly higher than <county> (48%)"."""
    text = (f"The most common {subject} in {area} are {top.category} ({top.percent:.0%}), "
            f"{_relation(top)} {benchmark} ({top.benchmark_percent:.0%}).")
    return Finding("profile", text, _figures(top))


def differences_sentence(breakdown: Breakdown, area: str, benchmark: str, top: BreakdownRow | None = None) -> Finding | None:
    """Every significant difference from the benchmark (the first subset's) but ``top``'s, already stated,
    or that there is none."""
    if not breakdown.significance_method:
        return None
    rows = [r for r in _compared(breakdown.rows_of(breakdown.subsets[0] if breakdown.subsets else "")) if r is not top]
    if not rows:
        return None
    higher = [r for r in rows if r.significance == SIGNIFICANCE_WORDS[1]]
    lower = [r for r in rows if r.significance == SIGNIFICANCE_WORDS[-1]]
    other = "other " if top is not None else ""
    if not higher and not lower:
        return Finding("profile", f"There is no significant difference between {area} and {benchmark} in the "
                                  f"{other}{breakdown.subject}.", {"significant": 0})
    parts = []
    if higher:
        parts.append(f"significantly higher than {benchmark} for {_listed(higher, rows)}")
    if lower:
        parts.append(f"significantly lower{'' if higher else ' than ' + benchmark} for {_listed(lower, rows)}")
    figures = {_name(r, rows): r.percent for r in higher + lower}
    return Finding("profile", f"In the {other}{breakdown.subject}, {area} is {', and '.join(parts)}.",
                   {"significant": len(higher) + len(lower), **figures})


def _name(row: BreakdownRow, table: list[BreakdownRow]) -> str:
    """The category, with its characteristic when the table has several ("Age: 25 - 29")."""
    return f"{row.group}: {row.category}" if len({r.group for r in table}) > 1 else row.category


def _listed(rows: list[BreakdownRow], table: list[BreakdownRow]) -> str:
    """"Rural (35% against 24%) and Countryside (31% against 20%)"."""
    parts = [f"{_name(r, table)} ({r.percent:.0%} against {r.benchmark_percent:.0%})" for r in rows]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def subset_share_sentences(breakdown: Breakdown, area: str, benchmark: str) -> list[Finding]:
    """Each described subset's share of the first subset (the whole): "48% of the offences were committed by …"."""
    if len(breakdown.subsets) < 2:
        return []
    whole = breakdown.rows_of(breakdown.subsets[0])[0]
    findings = []
    for subset, phrase in zip(breakdown.subsets[1:], breakdown.subset_phrases[1:]):
        part = breakdown.rows_of(subset)[0]
        if not phrase or not whole.base or not whole.benchmark_base:
            continue
        share, benchmark_share = part.base / whole.base, part.benchmark_base / whole.benchmark_base
        text = (f"{share:.0%} of {breakdown.subject} in {area} were {phrase} ({benchmark}: {benchmark_share:.0%}).")
        findings.append(Finding("profile", text, {"share": share, "benchmark_share": benchmark_share,
                                                  "count": part.base, "of": whole.base}))
    return findings


def area_rate_sentence(breakdown: Breakdown, area: str, benchmark: str) -> Finding | None:
    """A partner_areas table's own row: "The adult reoffending rate in <area> is 16%, similar to <county>'s 14%"."""
    own = next((r for r in breakdown.rows if r.highlight and r.percent is not None), None)
    if own is None or own.benchmark_percent is None:
        return None
    text = (f"The {breakdown.subject} in {area} is {own.percent:.0%}, {_relation(own)} {possessive(benchmark)} "
            f"{own.benchmark_percent:.0%}.")
    return Finding("profile", text, _figures(own))


def dated(finding: Finding | None, breakdown: Breakdown, window: str) -> Finding | None:
    """The sentence with the period its figures cover: the breakdown's own, else the report's window."""
    if finding is None:
        return None
    period = breakdown.window or window
    if not period or period in finding.text:
        return finding
    text = finding.text[:-1] if finding.text.endswith(".") else finding.text
    period = "the latest snapshot of the extract" if "snapshot" in period else period
    return Finding(finding.topic, f"{text}, in {period}.", finding.figures)


def profile_findings(breakdowns: list[Breakdown], area: str, benchmark: str, window: str = "") -> list[Finding]:
    """The Profiles sheet's sentences, each dated with its breakdown's period (``window``: the report's)."""
    findings: list[Finding | None] = []
    for breakdown in breakdowns:
        if not breakdown.subject or breakdown.hidden:  # a sentence would quote or guess at a hidden figure
            continue
        if breakdown.layout == "partner_areas":
            findings.append(dated(area_rate_sentence(breakdown, area, benchmark), breakdown, window))
            continue
        top = _most_common(breakdown)
        if top is not None:
            findings.append(dated(most_common_sentence(top, breakdown.subject, area, benchmark), breakdown, window))
        findings.append(dated(differences_sentence(breakdown, area, benchmark, top), breakdown, window))
        findings += [dated(f, breakdown, window) for f in subset_share_sentences(breakdown, area, benchmark)]
    return [f for f in findings if f is not None]
