"""Every partner area's protected workbook read together: one status per figure, whoever shows it.

A protected workbook shows other partner areas' figures: the Comparisons sheet every partner area's count of an
indicator (its rate and limits, with the population shown, give the count back), a breakdown laid out by partner
area every partner area's counts of each category. Every workbook shows the benchmark's figures (its rate, a
breakdown's benchmark column, an area group's benchmark row), each the sum of the partner areas' own figures of the
same cut. A reader may hold every partner's workbook. The statuses nest:

1. Partner q's figures are q's alone (q's events are in no other partner area), and q's own problem
   (:func:`engine.indicators.disclosure.hidden_numbers`) holds every one of them that any workbook shows (its row of
   a breakdown by partner area too, see :func:`engine.indicators.breakdown_cells.partner_cells`). Each partner's
   check runs on its own, and decides the status of its figures in every workbook.
2. A benchmark figure (:class:`SharedTotal`) is shown only when every summand is shown by its owner; otherwise it is
   hidden in every workbook, and so is whatever would bound it (the callers: its rate, a percentage or
   significance against it).

Why that is sound for the reader holding every workbook: a shown benchmark figure is the sum of shown figures, so it
tells nothing they do not; everything else shown is some partner's own figure. The unknowns of different partners
are different events, so what can be learnt about partner q's hidden count is what q's own shown figures allow,
which q's check made wide enough. No loop between partners is needed, and the checks are independent.

Being independent, the checks run in worker processes (:func:`partners_hidden`: ``saferbook build --jobs``), each
partner's the same numbers whichever process solves it.

The price: a benchmark figure goes whenever any partner's summand of it does (a small category in one district hides
the county's count of it), where a joint check might have hidden more of the partners' own figures instead.
"""
from __future__ import annotations

import math
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from engine.indicators.disclosure import (LINK, BreakdownCells, Key, Layout, Signatures, SmallAreaGroups,
                                          hidden_numbers)
from engine.pool import process_pool, worker_count

#: How many chunks each worker's share of the problems goes in: a chunk is one pickle, holding what the partners'
#: problems share (the kinds of event, the layout) once (the demo's nine: 0.56 MB together, 1.35 MB one by one), and a
#: few per worker keep every worker busy to the end when some checks take twice as long as others (0.3-0.6 s each).
CHUNKS_PER_WORKER = 4


@dataclass(frozen=True)
class PartnerProblem:
    """One partner area's disclosure problem, as :func:`engine.indicators.disclosure.hidden_numbers` takes it."""

    values: dict[Key, float]
    layout: Layout
    kinds: Signatures
    picks: dict[str, list[int]]
    complete: set[str]
    rules: dict[str, tuple[int, bool]]
    areas: SmallAreaGroups | None = None
    breakdowns: BreakdownCells | None = None

    def hidden(self) -> set[Key]:
        return hidden_numbers(self.values, self.layout, self.kinds, self.picks, self.complete, self.rules, self.areas,
                              self.breakdowns)


@dataclass(frozen=True)
class SharedTotal:
    """A figure every workbook shows that is the sum of partner areas' own figures (``summands``: partner -> its key);
    ``key``: ``(LINK, …)``."""

    key: Key
    summands: dict[int, Key]

    def __post_init__(self) -> None:
        if self.key[0] != LINK:
            raise ValueError(f"a shared total's key starts with {LINK!r}: {self.key!r}")


def bands_bound_benchmark(banding_method: str) -> bool:
    """Whether a rate's band (``"ci"`` or ``"sd"``, the spec's banding) tells something about the benchmark's rate, so
    goes where that is hidden: confidence-interval bands compare the rate with the benchmark's; standard-deviation
    bands with the mean and spread of the small areas' rates, not the benchmark's."""
    return banding_method == "ci"


def protect_partners(problems: list[PartnerProblem], totals: list[SharedTotal],
                     jobs: int | None = 1) -> tuple[list[set[Key]], set[Key]]:
    """Each partner area's hidden keys (its own check, in ``jobs`` worker processes: see :func:`partners_hidden`), and
    the shared totals hidden in every workbook: those with a summand its owner hides. See the module's note for why no
    workbook, nor all of them together, then lets a hidden small count be narrowed below its threshold or a hidden
    figure be worked out."""
    own = partners_hidden(problems, jobs)
    links = {t.key for t in totals if any(k in own[q] for q, k in t.summands.items())}
    return own, links


def partners_hidden(problems: list[PartnerProblem], jobs: int | None = 1) -> list[set[Key]]:
    """Each problem's hidden keys, in the order of ``problems``: in this process for one job or fewer than two problems
    (no pool to start), else in ``jobs`` worker processes (None or 0: one per available core; see
    :mod:`engine.pool`), the problems sent a chunk at a time. A check that raises fails the whole with its own error,
    the checks not yet started cancelled, as a failed render does (:mod:`engine.fanout`)."""
    workers = worker_count(jobs, len(problems))
    if workers == 1:
        return [problem.hidden() for problem in problems]
    chunk = max(1, math.ceil(len(problems) / (workers * CHUNKS_PER_WORKER)))
    with process_pool(workers, preload=[__name__]) as pool:
        try:
            return list(pool.map(PartnerProblem.hidden, problems, chunksize=chunk))
        except BrokenProcessPool as error:
            raise RuntimeError(f"a disclosure-check worker process died ({error})") from None
