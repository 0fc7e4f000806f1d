"""Resident survey: percentage agreeing with each question, by district and quarter, with respondents.

Mimics a community-based survey's results workbook: a Notes sheet first, then a long table of
district (and "All areas") x question x quarter with "% Agree" and the number of respondents (so Wilson
intervals can be computed), ``[c]`` where fewer than 30 answered and ``-`` where a question was
not asked that quarter (the annual question is asked in Q2 only).
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish
from engine.synthetic.output import Table

SOURCE_ID = "resident_survey"
FILE_NAME = "resident_survey.xlsx"
SHEET = "Results"
NOTES_SHEET = "Notes"
ALL_AREAS = "All areas"
CONFIDENTIAL = "[c]"
NOT_ASKED = "-"
ANNUAL_QUARTER = "Q2"
HEADER = ["Area", "Question", "Survey Period", "% Agree", "Respondents"]
PROVENANCE = (
    "Resident survey (SYNTHETIC). Mimics a community-based survey's quarterly results: for each district, "
    "question and quarter, the percentage of respondents agreeing and the number who answered; fewer than 30 "
    "respondents shown [c]. County levels from the 2019 performance report: 81% agree anti-social behaviour "
    "has decreased or stayed the same; 93% agree people from different backgrounds get on well together "
    "(asked once a year); the third question's level is an assumption."
)


class Question(Strict):
    agree: float
    every_quarter: bool


class Settings(Strict):
    questions: dict[str, Question]
    respondents_per_1000: float
    respondents_minimum: int
    suppressed_cells: int
    suppress_below: int
    district_spread: float
    intensity_effect: float


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _bases(ctx: Context, rng: np.random.Generator, settings: Settings, n_quarters: int) -> np.ndarray:
    """Respondents per district and quarter; a few district-quarters fall under the suppression base."""
    expected = settings.respondents_per_1000 * ctx.geography.district_population / 1000
    bases = np.maximum(settings.respondents_minimum, rng.poisson(np.repeat(expected[:, None], n_quarters, axis=1)))
    small = rng.choice(bases.size, size=min(settings.suppressed_cells, bases.size), replace=False)
    bases.flat[small] = rng.integers(12, settings.suppress_below, len(small))
    return bases


def _cells(answered: int, agree: int, asked: bool, suppress_below: int) -> list[object]:
    """% Agree and Respondents as published: not asked, too few to show, or the figures."""
    if not asked:
        return [NOT_ASKED, NOT_ASKED]
    if answered < suppress_below:
        return [CONFIDENTIAL, answered]
    return [round(100 * agree / answered, 1), answered]


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    quarters = [q.label for q in ctx.period.quarters()]
    names = [str(n) for n in ctx.geography.district_names]
    bases = _bases(ctx, rng, settings, len(quarters))
    shift = settings.intensity_effect * np.log(ctx.district_intensity(1.0))
    rows: list[list[object]] = []
    for question, spec in settings.questions.items():
        level = _logit(np.array(spec.agree)) + shift + rng.normal(0, settings.district_spread, len(names))
        chance = 1 / (1 + np.exp(-(level[:, None] + rng.normal(0, 0.08, bases.shape))))
        answered = bases - rng.binomial(bases, 0.03)
        agree = rng.binomial(answered, chance)
        asked = [spec.every_quarter or quarter.startswith(ANNUAL_QUARTER) for quarter in quarters]
        for d, name in enumerate([*names, ALL_AREAS]):
            for q, quarter in enumerate(quarters):
                n, k = (answered[:, q].sum(), agree[:, q].sum()) if name == ALL_AREAS else (answered[d, q], agree[d, q])
                rows.append([name, question, quarter, *_cells(int(n), int(k), asked[q], settings.suppress_below)])
    table = Table(
        preamble=[f"Community survey results by district, {quarters[0]} to {quarters[-1]} (SYNTHETIC DEMO DATA)",
                  "Source: community-based survey of residents aged 16+ (simulated by Saferbook)"],
        header=HEADER, columns=[np.array(column, dtype=object) for column in zip(*rows)], formats={3: "0.0"})
    notes = Table(preamble=[
        "Community survey: notes (SYNTHETIC DEMO DATA)",
        "% Agree: respondents who agree or strongly agree, of those who answered the question.",
        f"{CONFIDENTIAL} fewer than {settings.suppress_below} respondents: not shown.",
        f"{NOT_ASKED} question not asked that quarter (the question on people from different backgrounds is asked in {ANNUAL_QUARTER} only).",
        "Results are unweighted."], header=[], columns=[])
    return publish(ctx, SOURCE_ID, FILE_NAME, {SHEET: table}, notes_sheets={NOTES_SHEET: notes},
                   description="% agreeing and respondents by district, question and quarter",
                   provenance=PROVENANCE, date_forms={"Survey Period": "financial quarter text, Q1 2021-22"},
                   markers={CONFIDENTIAL: f"fewer than {settings.suppress_below} respondents",
                            NOT_ASKED: "question not asked that quarter"},
                   bad_rows={"total_row": [(SHEET, i) for i, row in enumerate(rows) if row[0] == ALL_AREAS]},
                   questions=list(settings.questions))
