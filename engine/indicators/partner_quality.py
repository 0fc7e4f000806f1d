"""What a partner's Report says about data quality: only its own rows, and counts without examples.

A build reads every partner's data at once, so its data-quality record mixes them. Each issue is
assigned an owner (the partner area whose row it is, or the file as a whole) once per build; a
partner's Data Quality sheet and CSV then list its own rows and those about whole files, and its
Methodology sheet states the build's counts without their example values (an example is one
record of whichever partner area it came from).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from engine.indicators.measured.missing_cells import missing_figures
from engine.ingest import Inputs
from engine.quality import QualityIssue, QualityNote
from engine.report import Kpi
from engine.spec.models import Spec


def partner_safe_notes(notes: Sequence[QualityNote]) -> list[QualityNote]:
    """The build's data-quality counts as every partner's Methodology sheet states them: without their example
    value, which is one record of whichever partner area it came from (each partner's own rows are on its Data
    Quality sheet and in its CSV)."""
    return [replace(note, example="") for note in notes]


class PartnerQuality:
    """The build's data-quality issues, each with its owner, cut per partner area."""

    def __init__(self, spec: Spec, inputs: Inputs) -> None:
        self.spec, self.inputs = spec, inputs
        self.owners = inputs.issue_owners()  # worked out once per build, however many PartnerQuality are made

    def own_rows(self, p: int, partner_area: str) -> tuple[np.ndarray, np.ndarray]:
        """Which of the build's issues partner ``p`` may see (positions of its own rows and of those about a file as
        a whole, found without scanning every issue), and each one's label (the partner's name, or that it is
        about the whole file)."""
        return self.inputs.issues.for_partner(self.owners, p, partner_area)

    def issues(self, p: int, partner_area: str, kpis: list[Kpi]) -> tuple[list[QualityIssue], int]:
        """Partner ``p``'s data-quality rows (its KPIs' missing figures first, then the first rows the spec's
        ``quality.detail_rows`` allows of its own issues) and how many issues it has in all."""
        missing = missing_figures(kpis, self.inputs, self.spec, partner_area)
        keep, about = self.own_rows(p, partner_area)
        return (missing + self.inputs.issues.detail(self.spec.quality.detail_rows, keep, about),
                len(keep) + len(missing))
