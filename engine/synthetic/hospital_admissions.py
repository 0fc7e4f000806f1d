"""Hospital admissions for violence: admissions, population and rate per 100,000 by district and year.

Mimics a public-health indicator table as published: one row per district plus a comparator
row (England), financial years side by side under a merged two-row header (year over
Admissions / Population / Rate per 100,000), small counts suppressed ``*``, a few cells not
available ``..``, and a footnote digit on one label.
"""
from __future__ import annotations

import numpy as np

from engine.stats import rates
from engine.synthetic.common import footnoted
from engine.synthetic.config import Strict
from engine.synthetic.context import Context
from engine.synthetic.manifest import publish
from engine.synthetic.output import Table
from engine.synthetic.period import fy_label

SOURCE_ID = "hospital_admissions"
FILE_NAME = "hospital_admissions_violence.xlsx"
SHEET = "Violence admissions"
SUPPRESSED = "*"
NOT_AVAILABLE = ".."
FIELDS = ("Admissions", "Population", "Rate per 100,000")
PROVENANCE = (
    "Hospital admissions for violence (SYNTHETIC). Mimics a public-health indicator table: emergency "
    "admissions for violence (including sexual violence) by district of residence and financial year, with "
    "population and crude rate per 100,000; 1-4 admissions suppressed. Scale from the 2019 county "
    "performance report: 24.98 admissions per 100,000 (2015/16-2017/18)."
)


class Settings(Strict):
    rate_per_100000: float
    intensity_exponent: float
    plausible: tuple[float, float]
    years: int
    population_growth: float
    population_year: int
    suppress_below: int
    not_available: int
    comparator: str
    comparator_rate: float


def generate(ctx: Context) -> dict:
    settings = ctx.settings(SOURCE_ID, Settings)
    rng = ctx.rng(SOURCE_ID)
    geo = ctx.geography
    years = ctx.period.financial_years(settings.years)
    growth = (1 + settings.population_growth) ** (np.array(years) - settings.population_year)
    population = np.round(np.outer(geo.district_population, growth))
    expected = settings.rate_per_100000 / 100_000 * population * ctx.district_intensity(settings.intensity_exponent)[:, None]
    admissions = rng.poisson(expected)
    rate = np.round(rates(admissions, population, 100_000), 1)
    n_districts = len(geo.district_names)
    missing = rng.choice(n_districts * len(years), size=min(settings.not_available, n_districts * len(years)), replace=False)
    cells = np.empty((n_districts, len(years) * 3), dtype=object)
    for y in range(len(years)):
        for d in range(n_districts):
            shown: list[object] = [int(admissions[d, y]), int(population[d, y]), float(rate[d, y])]
            if d * len(years) + y in missing:
                shown[0] = shown[2] = NOT_AVAILABLE
            elif 0 < admissions[d, y] < settings.suppress_below:
                shown[0] = shown[2] = SUPPRESSED
            cells[d, y * 3:(y + 1) * 3] = shown
    label_index = int(rng.integers(0, n_districts))
    labels = [str(name) for name in geo.district_names]
    labels[label_index] = footnoted(labels[label_index], 1)
    comparator = [NOT_AVAILABLE, NOT_AVAILABLE, settings.comparator_rate] * len(years)
    columns = [np.array([*labels, settings.comparator], dtype=object)]
    columns += [np.array([*cells[:, c], comparator[c]], dtype=object) for c in range(cells.shape[1])]
    header = ["Area"] + [field for _ in years for field in FIELDS]
    groups = [(fy_label(year), 1 + 3 * i, 3 + 3 * i) for i, year in enumerate(years)]
    table = Table(
        preamble=["Emergency hospital admissions for violence (including sexual violence), crude rate per 100,000 (SYNTHETIC DEMO DATA)",
                  "Source: Hospital Episode Statistics via the public health intelligence team (simulated by Saferbook)",
                  "Financial years, April to March, by district of residence."],
        header=header, columns=columns, groups=groups,
        footer=[f"{SUPPRESSED} 1 to {settings.suppress_below - 1} admissions: suppressed to protect confidentiality.",
                f"{NOT_AVAILABLE} not available.",
                f"1 Boundary change: admissions for {geo.district_names[label_index]} include a small area transferred in.",
                f"{settings.comparator}: rate only, for comparison."],
        formats={1 + 3 * i + 2: "0.0" for i in range(len(years))})
    return publish(ctx, SOURCE_ID, FILE_NAME, {SHEET: table},
                   description="admissions for violence, population and rate per 100,000 by district and financial year",
                   provenance=PROVENANCE, date_forms={"header": "financial year, 2021/22"},
                   markers={SUPPRESSED: f"1 to {settings.suppress_below - 1} admissions, suppressed",
                            NOT_AVAILABLE: "not available"},
                   bad_rows={"unknown_area": [(SHEET, n_districts)]},
                   footnoted_labels={labels[label_index]: str(geo.district_names[label_index])},
                   financial_years=[fy_label(year) for year in years])
