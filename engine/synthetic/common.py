"""Messiness helpers shared by every synthetic source: bad rows, markers, dates, footnotes.

Real partner extracts are messy in a small number of recurring ways; each way is one function
here so every source is messy in the same, countable manner and the manifest can say exactly
how many cells or rows of each kind were written.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Sequence

import numpy as np

#: Text that no UK date reader should accept: impossible days and months, not "missing" words
#: (a reader may rightly treat "Unknown" as a missing-value marker rather than a bad date).
BAD_DAY_DATES = ("31/02/2021", "30/02/2022", "00/00/0000", "32/01/2022", "15/13/2021", "29/02/2021")
BAD_MONTH_DATES = ("Jnu-21", "Mar-2x", "13-22", "Sepember-21")


def bad_row_counts(n_rows: int, rates: dict[str, float]) -> dict[str, int]:
    """How many rows of each bad kind: the rate of ``n_rows``, at least one when the rate is positive."""
    return {kind: min(n_rows, max(1, round(rate * n_rows))) if rate > 0 else 0 for kind, rate in rates.items()}


def pick_rows(rng: np.random.Generator, n_rows: int, counts: dict[str, int],
              exclude: Iterable[int] = ()) -> dict[str, np.ndarray]:
    """Disjoint sorted row indices per kind, so that each bad row is bad in exactly one way."""
    allowed = np.ones(n_rows, dtype=bool)
    allowed[np.fromiter(exclude, dtype=np.int64)] = False
    available = np.flatnonzero(allowed)
    chosen = available[rng.choice(len(available), size=sum(counts.values()), replace=False)]
    picked, start = {}, 0
    for kind, count in counts.items():
        picked[kind] = np.sort(chosen[start:start + count])
        start += count
    return picked


def unknown_codes(rng: np.random.Generator, known: Sequence[str], n: int) -> np.ndarray:
    """Codes that look like ``known`` ones but are not in it: half unused numbers, half truncated."""
    known_set = set(known)
    prefix = min(known)[:3] if known else "E01"
    width = max((len(code) for code in known), default=9) - len(prefix)
    out: list[str] = []
    while len(out) < n:
        if len(out) % 2 == 0 or not known:
            code = f"{prefix}{rng.integers(10 ** (width - 1), 10 ** width):0{width}d}"
        else:
            code = str(known[rng.integers(0, len(known))])[:-1]
        if code not in known_set:
            out.append(code)
    return np.array(out, dtype=object)


def code_shape_counts(values: Sequence[str], known: Sequence[str]) -> dict[str, int]:
    """Unknown codes split by whether they have a known code's shape (digits as 9s): a well-formed
    code outside the area and a malformed one (a typo) are different rejections for an ingest."""
    shapes = {re.sub(r"\d", "9", code) for code in known}
    well_formed = sum(re.sub(r"\d", "9", str(value)) in shapes for value in values)
    return {"well_formed": well_formed, "malformed": len(values) - well_formed}


def replace_at(column: np.ndarray, rows: np.ndarray, pool: Sequence[object], rng: np.random.Generator) -> None:
    """Overwrite ``column[rows]`` with values drawn from ``pool`` (bad codes, bad dates, markers)."""
    if len(rows):
        column[rows] = np.array(pool, dtype=object)[rng.integers(0, len(pool), len(rows))]


def spoil(rng: np.random.Generator, rates: dict[str, float],
          targets: dict[str, tuple[np.ndarray, Sequence[object]]], exclude: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Make a known number of rows bad, one way each: ``targets[kind]`` is (column, bad values).

    Returns the rows spoilt per kind (the manifest counts them); ``exclude`` rows are left alone
    (rows that already carry a missing-value marker, say).
    """
    unknown = set(rates) - set(targets)
    if unknown:
        raise ValueError(f"no way to make rows bad by {sorted(unknown)}; this source knows {sorted(targets)}")
    targets = {kind: targets[kind] for kind in rates}
    n_rows = len(next(iter(targets.values()))[0])
    excluded = np.array([], dtype=np.int64) if exclude is None else exclude
    bad = pick_rows(rng, n_rows, bad_row_counts(n_rows - len(excluded), rates), excluded)
    for kind, rows in bad.items():
        column, pool = targets[kind]
        replace_at(column, rows, pool, rng)
    return bad


def mark(column: np.ndarray, rng: np.random.Generator, share: float, marker: str) -> np.ndarray:
    """Replace a random ``share`` of cells with a status marker; returns the rows marked."""
    rows = np.flatnonzero(rng.random(len(column)) < share)
    column[rows] = marker
    return rows


def _day_table(days: np.ndarray) -> tuple[np.datetime64, np.ndarray]:
    first = days.min()
    span = np.arange(first, days.max() + 1)
    return first, span


def uk_date_text(days: np.ndarray) -> np.ndarray:
    """``dd/mm/yyyy`` text, the way partner CSV exports write dates (formatted once per distinct day)."""
    first, span = _day_table(days)
    labels = np.array([d.strftime("%d/%m/%Y") for d in span.astype(dt.date)], dtype=object)
    return labels[(days - first).astype(int)]


def month_year_text(days: np.ndarray) -> np.ndarray:
    """``Jan-22``: how Excel shows a month and how it lands in a CSV saved from Excel."""
    first, span = _day_table(days)
    labels = np.array([d.strftime("%b-%y") for d in span.astype(dt.date)], dtype=object)
    return labels[(days - first).astype(int)]


def as_datetimes(days: np.ndarray, seconds: np.ndarray | None = None) -> np.ndarray:
    """Python datetimes (what xlsxwriter writes as real Excel dates), optionally with a time of day."""
    stamps = days.astype("datetime64[s]")
    if seconds is not None:
        stamps = stamps + seconds.astype("timedelta64[s]")
    return np.array(stamps.astype(dt.datetime).tolist() if len(stamps) else [], dtype=object)


def mixed_dates(rng: np.random.Generator, days: np.ndarray, text_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Excel dates with a share typed as ``dd/mm/yyyy`` text, as when some rows were keyed by hand; returns the
    cells and the rows typed as text (for the manifest)."""
    dates = as_datetimes(days)
    typed = np.flatnonzero(rng.random(len(days)) < text_share)
    dates[typed] = uk_date_text(days[typed]) if len(typed) else dates[typed]
    return dates, typed


def yearly_references(days: np.ndarray, prefix: str, width: int) -> np.ndarray:
    """Case numbers that count up through each calendar year in date order, as case systems issue them.

    ``prefix`` may use ``{year}`` and ``{yy}``; the number follows, zero-padded to ``width``
    (``"CR/{yy:02d}/"``, 6 -> ``CR/21/000123``).
    """
    years = days.astype("datetime64[Y]").astype(int) + 1970
    references = np.empty(len(days), dtype=object)
    for year in np.unique(years).tolist():
        rows = np.flatnonzero(years == year)
        head = prefix.format(year=year, yy=year % 100)
        references[rows] = [f"{head}{n:0{width}d}" for n in range(1, len(rows) + 1)]
    return references


def footnoted(label: str, number: int) -> str:
    """A footnote digit glued to a label, as published tables do (``Coalville1``)."""
    return f"{label}{number}"


def footnoted_names(rng: np.random.Generator, names: Sequence[str], count: int) -> tuple[np.ndarray, list[int]]:
    """``names`` with footnote digits 1, 2, … glued to ``count`` of them drawn at random (``Melton1``), and the
    positions footnoted, in order (their footnotes' numbers)."""
    chosen = sorted(rng.choice(len(names), size=min(count, len(names)), replace=False).tolist())
    labels = np.array(list(names), dtype=object)
    for number, index in enumerate(chosen, start=1):
        labels[index] = footnoted(str(names[index]), number)
    return labels, chosen


def count_markers(columns: dict[str, Sequence[object]], meanings: dict[str, str]) -> dict[str, dict]:
    """Exactly how many cells hold each marker, and in which columns (for the manifest)."""
    found: dict[str, dict] = {}
    for marker, meaning in meanings.items():
        per_column = {name: int(np.count_nonzero(np.asarray(values, dtype=object) == marker))
                      for name, values in columns.items()}
        used = {name: n for name, n in per_column.items() if n}
        if used:
            found[marker] = {"meaning": meaning, "count": sum(used.values()), "columns": used}
    return found
