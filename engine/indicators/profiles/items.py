"""What a breakdown's rows are: each category or flag as two masks over the selected rows.

A category of a ``by`` column, a category made from conditions (``groups``) and a yes/no flag are
all the same thing to the counting: ``member`` (the rows in the category, or with the flag) and
``valid`` (the rows that count in its percentage: all of them for a category; those with a
value for a flag, so that people with no assessment leave the denominator).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.spec.filters import condition_mask
from engine.spec.models import BreakdownSpec

NOT_RECORDED = "Not recorded"
OTHER_VALUES = "Other"


@dataclass(frozen=True)
class Item:
    group: str  # the characteristic (a by column's label) or the breakdown's title for flags
    label: str
    member: np.ndarray
    valid: np.ndarray


def _text(values: pd.Series) -> pd.Series:
    """Values as trimmed text, blanks and nulls as missing. A categorical column (the readers' text columns) is
    converted once per category, not once per row: per row it was most of a breakdown's time. (Other categories
    go the slow way: a categorical of numbers with a gap converts them as floats, "1.0".)"""
    if isinstance(values.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(values.cat.categories):
        categories = _text(pd.Series(values.cat.categories))
        codes = values.cat.codes.to_numpy()
        text = categories.take(np.maximum(codes, 0)).where(codes >= 0).set_axis(values.index)
        return text
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _group_label(spec: BreakdownSpec, column: str) -> str:
    return spec.labels.get(column, spec.title if len(spec.by) == 1 else column.replace("_", " ").capitalize())


def _by_values(spec: BreakdownSpec, column: str, values: pd.Series) -> tuple[list[str], np.ndarray]:
    """(categories in table order, category index of each row)."""
    text = _text(values)
    missing = text.isna().to_numpy()
    if column in spec.groups:
        labels = list(spec.groups[column])
        index = np.full(len(values), -1)
        for position, condition in enumerate(spec.groups[column].values()):
            hit = pd.Series(condition_mask(values, condition), dtype="boolean").fillna(False).to_numpy(dtype=bool)
            index = np.where((index < 0) & ~missing & hit, position, index)
        if ((index < 0) & ~missing).any():
            labels.append(OTHER_VALUES)
            index = np.where((index < 0) & ~missing, len(labels) - 1, index)
    else:
        codes, uniques = pd.factorize(text.to_numpy(dtype=object, na_value=None), use_na_sentinel=True)
        totals = np.bincount(codes[codes >= 0], minlength=len(uniques))
        if spec.order == "name":
            order = sorted(range(len(uniques)), key=lambda i: str(uniques[i]).casefold())
        else:
            order = sorted(range(len(uniques)), key=lambda i: (-totals[i], str(uniques[i])))
        rank = np.empty(len(uniques), dtype=np.int64)
        rank[order] = np.arange(len(uniques))
        labels = [str(uniques[i]) for i in order]
        index = np.where(codes >= 0, rank[np.maximum(codes, 0)] if len(uniques) else -1, -1)
    if missing.any():
        labels.append(NOT_RECORDED)
        index = np.where(missing, len(labels) - 1, index)
    return labels, index


def breakdown_items(spec: BreakdownSpec, rows: pd.DataFrame) -> list[Item]:
    """Every row of the breakdown table, in order, as masks over ``rows`` (the selected rows)."""
    everyone = np.ones(len(rows), dtype=bool)
    items: list[Item] = []
    for column in spec.by:
        labels, index = _by_values(spec, column, rows[column])
        group = _group_label(spec, column)
        items += [Item(group, label, index == position, everyone) for position, label in enumerate(labels)]
    for column, label in spec.flags.items():
        text = _text(rows[column])
        valid = text.notna().to_numpy()
        items.append(Item(spec.title, label, valid & (text == str(spec.flag_value)).fillna(False).to_numpy(), valid))
    return items
