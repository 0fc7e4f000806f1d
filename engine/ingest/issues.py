"""Collect every rejected, cleaned or excluded row while reading, column-wise (a national extract
can have hundreds of thousands), and summarise them for the workbook, the CSV and the terminal."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.quality import ISSUE_FIELDS, REJECTED, QualityIssue, QualityNote


@dataclass
class SourceCounts:
    """Rows read and rows rejected per source: the threshold compares them."""

    read: int = 0
    rejected: int = 0


@dataclass
class IssueLog:
    parts: list[tuple] = field(default_factory=list)  # (source, file, sheet, rows, column, values, action, reason)
    notes: list[QualityNote] = field(default_factory=list)  # counted things that are not row issues ("rows read")
    counts: dict[str, SourceCounts] = field(default_factory=dict)
    _frame: pd.DataFrame | None = field(default=None, repr=False)

    def add(self, source: str, file: str, sheet: str | None, rows, column: str, values, action: str, reason: str) -> None:
        """Record issues for the 1-based ``rows`` (an array or one int); ``values`` one per row, or one for all."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if not len(rows):
            return
        if not (isinstance(values, (str, int, float)) or values is None):
            values = np.asarray(values, dtype=object)
        self.parts.append((source, file, sheet or "", rows, column, values, action, reason))
        self._frame = None

    def note(self, source: str, reason: str, rows: int, example: str = "") -> None:
        self.notes.append(QualityNote(source, reason, int(rows), example))

    def count_read(self, source: str, rows: int) -> None:
        self.counts.setdefault(source, SourceCounts()).read += int(rows)

    def count_rejected(self, source: str, rows: int) -> None:
        self.counts.setdefault(source, SourceCounts()).rejected += int(rows)

    def extend(self, other: IssueLog) -> None:
        """Append another log's issues, notes and counts after this one's (a cached read replayed, see ingest.cache)."""
        self.parts.extend(other.parts)
        self.notes.extend(other.notes)
        for source, counts in other.counts.items():
            self.count_read(source, counts.read)
            self.count_rejected(source, counts.rejected)
        self._frame = None

    def frame(self) -> pd.DataFrame:
        """Every issue, one row each, in the order found."""
        if self._frame is not None:
            return self._frame
        if not self.parts:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in ISSUE_FIELDS})
        sizes = [len(p[3]) for p in self.parts]

        def repeated(position: int) -> np.ndarray:
            return np.repeat(np.array([p[position] for p in self.parts], dtype=object), sizes)

        values = np.concatenate([_text(p[5], len(p[3])) for p in self.parts])
        self._frame = pd.DataFrame({
            "source": repeated(0), "file": repeated(1), "sheet": repeated(2), "row": np.concatenate([p[3] for p in self.parts]),
            "column": repeated(4), "value": values, "action": repeated(6), "reason": repeated(7),
        }, columns=list(ISSUE_FIELDS))
        return self._frame

    def summary(self) -> list[QualityNote]:
        """Plain notes first, then one note per (source, action, reason) with its count and an example."""
        notes = list(self.notes)
        frame = self.frame()
        if frame.empty:
            return notes
        grouped = frame.groupby(["source", "action", "reason"], sort=False)
        for (source, action, reason), group in grouped:
            first = group.iloc[0]
            place = f"{_file_name(first['file'])}" + (f" sheet {first['sheet']!r}" if first["sheet"] else "") + \
                    f" row {first['row']}" + (f" {first['column']!r}" if first["column"] else "")
            example = f"{place}: {first['value']!r}" if first["value"] else place
            notes.append(QualityNote(source, f"{action}: {reason}", len(group), example))
        return notes

    def detail(self, limit: int) -> list[QualityIssue]:
        """The first ``limit`` issues, rejected rows first, spread across reasons (each reason gets its share)."""
        frame = self.frame()
        if frame.empty or limit <= 0:
            return []
        frame = frame.assign(_order=(frame["action"] != REJECTED).astype(int),
                             _rank=frame.groupby(["source", "action", "reason"], sort=False).cumcount())
        picked = frame.sort_values(["_rank", "_order"], kind="stable").head(limit)
        picked = picked.sort_values(["_order", "source", "reason", "_rank"], kind="stable")
        return [QualityIssue(r.source, _file_name(r.file), r.sheet, int(r.row), r.column, r.value, r.action, r.reason)
                for r in picked.itertuples(index=False)]

    def rows(self) -> list[tuple]:
        """Every issue as a CSV row (file names shortened to the name alone)."""
        frame = self.frame()
        if frame.empty:
            return []
        frame = frame.assign(file=frame["file"].map(_file_name))
        return list(frame[list(ISSUE_FIELDS)].itertuples(index=False, name=None))


def _one_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text(values, size: int) -> np.ndarray:
    """Values as text: '' for missing, whole numbers without a trailing .0."""
    if not isinstance(values, np.ndarray):
        return np.full(size, _one_text(values), dtype=object)
    if all(isinstance(v, str) for v in values):
        return values
    return np.array([_one_text(v) for v in values], dtype=object)


def _file_name(path: str) -> str:
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]
