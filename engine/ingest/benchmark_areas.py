"""Which partner areas make up the benchmark (``geography.benchmark.areas``).

By default the benchmark is every partner area together (a force area). A spec may name a subset
instead: the seed assessments compare each district with its county, which is the force area
without its unitary city (and Rutland). Every partner area is still compared against the benchmark,
those outside it included; only the benchmark's counts, populations and reference rates change.

The names are checked against the partner-area lookup alone (a small table) before any data
source is read, so a misspelt district costs no data read.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from engine.errors import Problem, SpecError
from engine.spec.models import Spec
from engine.spec.suggest import did_you_mean

KEY_PATH = "geography.benchmark.areas"


def benchmark_members(spec: Spec, codes: Sequence[object], names: Sequence[object]) -> np.ndarray:
    """A bool per partner area (in the order given): is it part of the benchmark? Areas are matched by code or
    name, case and surrounding spaces aside; every unknown name is one problem (SpecError, key path with its
    position in the list)."""
    wanted = spec.geography.benchmark.areas
    if wanted is None:
        return np.ones(len(codes), dtype=bool)
    position = {str(text).strip().casefold(): p for p, pair in enumerate(zip(codes, names)) for text in pair}
    members = np.zeros(len(codes), dtype=bool)
    problems = []
    for i, area in enumerate(wanted):
        found = position.get(area.strip().casefold())
        if found is None:
            problems.append(Problem(f"{area!r} is not one of the partner areas{did_you_mean(area, [str(n) for n in names])}",
                                    key_path=f"{KEY_PATH}[{i}]", value=area))
        else:
            members[found] = True
    if problems:
        raise SpecError(problems)
    return members


def benchmark_area_problems(spec: Spec, partner_codes: Sequence[object], partner_names: Sequence[object]) -> list[Problem]:
    """The problems :func:`benchmark_members` would raise, as a list (to report with the build's other checks)."""
    try:
        benchmark_members(spec, partner_codes, partner_names)
    except SpecError as error:
        return error.problems
    return []
