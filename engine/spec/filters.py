"""Evaluate a spec's declarative ``where:`` conditions on a table (never ``eval``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from engine.spec.models import Condition, Where


def _as_text(values: list) -> list[str]:
    return [str(v) for v in values]


def condition_mask(column: pd.Series, condition: Condition) -> np.ndarray:
    """Boolean mask of rows of ``column`` that satisfy ``condition``.

    A categorical column is tested once per category, then expanded through its codes: police.uk
    months have 14 crime types and hundreds of thousands of rows.

    Partner columns are read as text, so equality compares text; ``between`` compares numbers
    when both bounds are numbers (ages, counts) and text otherwise (``YYYY-MM`` months sort as text).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        per_category = np.append(_mask(pd.Series(column.cat.categories, dtype=object), condition), False)
        return per_category[column.cat.codes.to_numpy()]  # code -1 (missing) -> False
    return _mask(column, condition)


def _mask(column: pd.Series, condition: Condition) -> np.ndarray:
    if condition.equals is not None:
        return (column.astype(str) == str(condition.equals)).to_numpy()
    if condition.not_equals is not None:
        return (column.astype(str) != str(condition.not_equals)).to_numpy()
    if condition.in_ is not None:
        return column.astype(str).isin(_as_text(condition.in_)).to_numpy()
    if condition.not_in is not None:
        return (~column.astype(str).isin(_as_text(condition.not_in))).to_numpy()
    low, high = condition.between  # type: ignore[misc]
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        numbers = pd.to_numeric(column, errors="coerce")
        return ((numbers >= low) & (numbers <= high)).to_numpy()
    text = column.astype(str)
    return ((text >= str(low)) & (text <= str(high))).to_numpy()


def where_mask(frame: pd.DataFrame, where: Where) -> np.ndarray:
    """Rows of ``frame`` that satisfy every condition; callers check the columns exist first."""
    mask = np.ones(len(frame), dtype=bool)
    for column, condition in where.items():
        mask &= condition_mask(frame[column], condition)
    return mask
