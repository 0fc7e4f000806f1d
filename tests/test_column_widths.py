"""A table column's fitted width is the widest of its cells, measured one by one.

:func:`engine.render.layout._widest` measures a column without measuring every cell (distinct texts longest first,
numbers by their extremes); what it returns must be what measuring every cell gives: the texts' longest line in the
theme's units, a number's digits, separators and sign, and the words of NaN and infinities.
"""
from __future__ import annotations

import math
import random

import pytest

from engine.render.layout import _widest
from engine.render.theme import load_theme
from engine.render.wrapping import units_per_char


def cell_by_cell(values, theme) -> float:
    """Every cell measured on its own, from its shown text: the independent measure."""
    widths = [0.0]
    for value in values:
        if value is None:
            widths.append(0)
        elif isinstance(value, str):
            widths.append(max([len(line) for line in value.splitlines()] or [0]) * units_per_char(theme))
        elif isinstance(value, float):
            widths.append(len(format(value, ",.1f")))
        elif isinstance(value, int):
            widths.append(len(format(int(value), ",")) + 1)
    return max(widths)


@pytest.fixture(scope="module")
def theme():
    return load_theme("default")


@pytest.mark.parametrize("values", [
    [0.0, -0.0],  # "-0.0" is wider than 0.0, which min() cannot tell from it
    [5.0, float("nan")],  # "nan" is narrower than its place in an ordering says
    [float("inf"), 12345.6],
    [-float("inf"), 3.0],
    [9.95, 9.96, -0.04],  # rounding: "10.0", and "-0.0"
    [1e308, 1e308],  # a finite column whose sum overflows
    [-1000, 7, True],
    ["a\nbbbb", "ccc", "x\u2028yyyyyy"],  # the longest line, not the longest text
    ["", None, 3],
    [],
])
def test_edge_columns(values, theme):
    assert _widest(values, theme) == pytest.approx(cell_by_cell(values, theme))


def test_random_columns(theme):
    rng = random.Random(20261205)
    pool = [0.0, -0.0, -0.04, 9.96, -9.96, 999.95, float("nan"), float("inf"), 0, -1, 1000, -1000, True, None, "",
            "a\nbbbb", "ccc", "longer text here"]
    for _ in range(3000):
        values = [rng.choice(pool) if rng.random() < 0.5 else
                  rng.choice([rng.uniform(-1e5, 1e5), rng.randint(-10**7, 10**7), rng.uniform(-1, 1)])
                  for _ in range(rng.randint(0, 10))]
        assert _widest(values, theme) == pytest.approx(cell_by_cell(values, theme)), values
    assert not math.isnan(_widest([float("nan")], theme))
