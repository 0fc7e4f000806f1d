"""Shares of one counted indicator in another (``measure.share_of``): the seeds' quoted percentages.

"Criminal damage makes up 18% of all Total Recorded Crime", "a third of all violence against the
person offences being alcohol-related": the part and the whole are two counted indicators of the
same source, so each row is in the denominator when the whole counts it and in the numerator when
both count it. The result is an ordinary proportion: Wilson intervals, bands and the test of the
change come from the proportion pipeline (:mod:`engine.indicators.measured.proportions`).
"""
from __future__ import annotations

import numpy as np

from engine.indicators.counted.counts import indicator_mask
from engine.ingest import SourceRows
from engine.spec.models import Indicator, Spec


def share_parts(spec: Spec, indicator: Indicator) -> tuple[Indicator, Indicator]:
    """The (numerator, denominator) indicators a share_of indicator names (the spec checks they exist)."""
    assert indicator.measure is not None and indicator.measure.share_of is not None
    by_id = {i.id: i for i in spec.indicators}
    share = indicator.measure.share_of
    return by_id[share.numerator], by_id[share.denominator]


def share_rows(spec: Spec, indicator: Indicator, source: SourceRows) -> tuple[np.ndarray, np.ndarray]:
    """Each row's numerator and denominator (1 or 0), and so which rows the share is about: the whole's."""
    part, whole = share_parts(spec, indicator)
    inside = indicator_mask(source, whole)
    return (inside & indicator_mask(source, part)).astype(float), inside
