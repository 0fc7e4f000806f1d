"""Substance-misuse treatment: clients in treatment by district and quarter, one sheet per quarter.

Mimics a treatment provider's quarterly return as analysts receive it: one sheet per financial
quarter (one sheet name with a trailing space, as real workbooks have), a wide table of
districts by client group (alcohol, drug, young people, total), counts of 1-4 suppressed as
``*`` and none shown as ``-``, footnote digits glued to some district labels, an "unknown /
no fixed abode" row and a Total row. Levels drift from quarter to quarter, so quarter-on-quarter
changes are non-trivial, as in the seeds (+10% and +39%).
"""
from __future__ import annotations

import numpy as np

from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.common import footnoted
from engine.synthetic.manifest import publish
from engine.synthetic.output import Table

SOURCE_ID = "substance_misuse"
FILE_NAME = "substance_misuse_clients.xlsx"
SUPPRESSED = "*"
NONE = "-"
TOTAL = "Total"
DISTRICT_NOTES = ("Includes clients transferred from a neighbouring provider during the quarter.",
                  "One month of the quarter was estimated by the provider.")
PROVENANCE = (
    "Substance-misuse treatment clients (SYNTHETIC). Mimics a treatment provider's quarterly return: clients "
    "in treatment by home district and client group (alcohol, drug, young people), one sheet per financial "
    "quarter, 1-4 clients suppressed. Scale from the seed assessments' tables for 2012/13 Q1: about 1.1 adult "
    "alcohol and 1.1 adult drug clients per 1,000 residents a quarter and 0.1 young people (North West "
    "Leicestershire 122 / 126 / 12, Rutland 31 / 15 / 4), levels drifting by about 8% a quarter."
)


class Settings(Strict):
    groups: dict[str, float]
    intensity_exponent: dict[str, float]
    plausible: tuple[float, float]
    quarter_drift: float
    suppress_below: int
    unknown_area_label: str
    footnoted_districts: int


def _levels(ctx: Context, rng: np.random.Generator, settings: Settings, n_quarters: int) -> np.ndarray:
    """Expected clients [district, group, quarter]: rate x residents x intensity, then a log random walk."""
    population = ctx.geography.district_population
    start = np.stack([rate * population / 1000 * ctx.district_intensity(settings.intensity_exponent[group])
                      for group, rate in settings.groups.items()], axis=1)
    steps = rng.normal(0, settings.quarter_drift, (*start.shape, n_quarters))
    steps[..., 0] = rng.normal(0, 0.1, start.shape)
    return start[..., None] * np.exp(steps.cumsum(axis=2))


def _shown(count: int, suppress_below: int) -> object:
    if count == 0:
        return NONE
    return SUPPRESSED if count < suppress_below else count


def _labels(ctx: Context, rng: np.random.Generator, settings: Settings) -> tuple[list[str], dict[str, str], list[str]]:
    """District labels with footnote digits on a few, plus the footnotes' text."""
    names = [str(n) for n in ctx.geography.district_names]
    chosen = sorted(rng.choice(len(names), size=min(settings.footnoted_districts, len(names)), replace=False).tolist())
    labels, footnoted_labels, notes = list(names), {}, []
    for number, index in enumerate(chosen, start=1):
        labels[index] = footnoted(names[index], number)
        footnoted_labels[labels[index]] = names[index]
        notes.append(f"{number} {DISTRICT_NOTES[(number - 1) % len(DISTRICT_NOTES)]}")
    unknown = footnoted(settings.unknown_area_label, len(chosen) + 1)
    notes.append(f"{len(chosen) + 1} Clients whose home district is not recorded or who have no fixed abode.")
    return labels + [unknown], footnoted_labels, notes


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    quarters = ctx.period.quarters()
    levels = _levels(ctx, rng, settings, len(quarters))
    counts = rng.poisson(levels)
    unknown = rng.poisson(levels.sum(axis=0) * 0.01)  # [group, quarter]
    labels, footnoted_labels, notes = _labels(ctx, rng, settings)
    names = [q.label for q in quarters]
    names[rng.integers(0, len(names))] += " "  # a trailing space, as in real published workbooks
    sheets: dict[str, Table] = {}
    for q, name in enumerate(names):
        rows = np.vstack([counts[:, :, q], unknown[None, :, q]])
        rows = np.vstack([rows, rows.sum(axis=0, keepdims=True)])
        totals = rows.sum(axis=1)
        columns = [np.array(labels + [TOTAL], dtype=object)]
        columns += [np.array([_shown(int(v), settings.suppress_below) for v in rows[:, g]], dtype=object)
                    for g in range(rows.shape[1])]
        columns.append(np.array([_shown(int(v), settings.suppress_below) for v in totals], dtype=object))
        sheets[name] = Table(
            preamble=[f"Clients in structured treatment by home district, {quarters[q].label} (SYNTHETIC DEMO DATA)",
                      "Source: substance-misuse treatment provider's quarterly return (simulated by Saferbook)",
                      f"{SUPPRESSED} = 1 to {settings.suppress_below - 1} clients (suppressed); {NONE} = none."],
            header=["District", *settings.groups, TOTAL], columns=columns, footer=notes)
    n_districts = len(ctx.geography.district_names)
    return publish(ctx, SOURCE_ID, FILE_NAME, sheets,
                   description="clients in treatment by district and client group, one sheet per quarter",
                   provenance=PROVENANCE, date_forms={"sheet name": "financial quarter, Q1 2021-22"},
                   markers={SUPPRESSED: f"1 to {settings.suppress_below - 1} clients, suppressed", NONE: "none"},
                   bad_rows={"unknown_area": [(name, n_districts) for name in names],
                             "total_row": [(name, n_districts + 1) for name in names]},
                   footnoted_labels=footnoted_labels, quarters={name: q.label for name, q in zip(names, quarters)})
