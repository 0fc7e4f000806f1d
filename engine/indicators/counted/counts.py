"""Turn an indicator's filtered rows into a small-area × month count matrix, all areas at once."""
from __future__ import annotations

import numpy as np

from engine.errors import DataError, Problem
from engine.ingest import SourceRows
from engine.spec.filters import where_mask
from engine.spec.models import Indicator
from engine.suggest import did_you_mean


def indicator_mask(source: SourceRows, indicator: Indicator) -> np.ndarray:
    """Rows of ``source`` counted by ``indicator`` (its ``where:`` conditions)."""
    missing = [c for c in indicator.where if c not in source.rows.columns]
    if missing:
        raise DataError([Problem(f"indicator {indicator.id!r} filters on column {c!r}, which this source does not have"
                                 f"{did_you_mean(c, source.rows.columns)}", file=str(source.path), column=c) for c in missing])
    return where_mask(source.rows, indicator.where)


def count_matrix(source: SourceRows, mask: np.ndarray, first_month: int, n_months: int, n_areas: int) -> np.ndarray:
    """Counts[area, month − first_month] of masked rows placed in a small area within the months."""
    offset = source.month - first_month
    keep = mask & (source.area >= 0) & (offset >= 0) & (offset < n_months)
    flat = source.area[keep] * n_months + offset[keep]
    return np.bincount(flat, minlength=n_areas * n_months).reshape(n_areas, n_months)
