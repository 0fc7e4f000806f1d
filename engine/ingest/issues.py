"""Collect every rejected, cleaned or excluded row while reading, column-wise (a national extract
can have hundreds of thousands), and summarise them for the workbook, the CSV and the terminal."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.ingest.markers import strip_footnotes
from engine.quality import ISSUE_FIELDS, REJECTED, WHOLE_FILE_LABEL, QualityIssue, QualityNote


@dataclass
class SourceCounts:
    """Rows read and rows rejected per source: the threshold compares them."""

    read: int = 0
    rejected: int = 0


@dataclass
class IssueLog:
    parts: list[tuple] = field(default_factory=list)  # (source, file, sheet, rows, column, values, action, reason, places)
    notes: list[QualityNote] = field(default_factory=list)  # counted things that are not row issues ("rows read")
    counts: dict[str, SourceCounts] = field(default_factory=dict)
    _frame: pd.DataFrame | None = field(default=None, repr=False)
    _owners: tuple[tuple, IssueOwners] | None = field(default=None, repr=False)  # see owners()

    def add(self, source: str, file: str, sheet: str | None, rows, column: str, values, action: str, reason: str,
            places=None) -> None:
        """Record issues for the 1-based ``rows`` (an array or one int); ``values`` one per row, or one for all.

        ``places``: each row's own location as the file gives it (its small-area code, or its partner
        area's code or name), so that each partner is shown only the rows about it; None when the file has
        no location column (the issue is then about the file as a whole). A blank place is a row of a
        located file without a location: it belongs to no partner (UNPLACED), never to every partner.
        """
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if not len(rows):
            return
        if not (isinstance(values, (str, int, float)) or values is None):
            values = np.asarray(values, dtype=object)
        if places is not None:
            places = np.asarray(places, dtype=object).copy()
            places[np.array([p is None or p != p or not str(p).strip() for p in places], dtype=bool)] = UNPLACED
        self.parts.append((source, file, sheet or "", rows, column, values, action, reason, places))
        self._frame, self._owners = None, None

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
        self._frame, self._owners = None, None

    def frame(self) -> pd.DataFrame:
        """Every issue, one row each, in the order found."""
        if self._frame is not None:
            return self._frame
        if not self.parts:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in (*ISSUE_FIELDS, PLACE)})
        sizes = [len(p[3]) for p in self.parts]

        def repeated(position: int) -> np.ndarray:
            return np.repeat(np.array([p[position] for p in self.parts], dtype=object), sizes)

        values = np.concatenate([_text(p[5], len(p[3])) for p in self.parts])
        places = np.concatenate([_text(p[8], len(p[3])) for p in self.parts])
        self._frame = pd.DataFrame({
            "source": repeated(0), "file": repeated(1), "sheet": repeated(2), "row": np.concatenate([p[3] for p in self.parts]),
            "column": repeated(4), "value": values, "action": repeated(6), "reason": repeated(7), PLACE: places,
        }, columns=[*ISSUE_FIELDS, PLACE])
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

    def owners(self, partner_codes, partner_names, small_area_codes, small_area_partner) -> IssueOwners:
        """Each issue's owner (see :func:`issue_owners`), worked out once per log and geography: every workbook's
        Data Quality sheet and CSV asks, and working it out per workbook cost partners × issues (quadratic in a
        national build, where both grow with the areas)."""
        key = (partner_codes, partner_names, small_area_codes, small_area_partner)
        if self._owners is None or any(mine is not asked for mine, asked in zip(self._owners[0], key)):
            self._owners = (key, IssueOwners.of(issue_owners(self.frame(), *key)))
        return self._owners[1]

    def _picked(self, keep: np.ndarray | None, about: np.ndarray | None) -> pd.DataFrame:
        """The issues at positions ``keep`` (all when None), with their ``about`` labels (aligned with ``keep``)."""
        frame = self.frame()
        if keep is not None:
            frame = frame.take(keep)
        return frame if about is None else frame.assign(about=about)

    def detail(self, limit: int, keep: np.ndarray | None = None, about: np.ndarray | None = None) -> list[QualityIssue]:
        """The first ``limit`` issues (of those at positions ``keep``), rejected rows first, spread across reasons;
        ``about``: each kept issue's label (whom or what it is about)."""
        frame = self._picked(keep, about)
        if frame.empty or limit <= 0:
            return []
        frame = frame.assign(_order=(frame["action"] != REJECTED).astype(int),
                             _rank=frame.groupby(["source", "action", "reason"], sort=False).cumcount())
        picked = frame.sort_values(["_rank", "_order"], kind="stable").head(limit)
        picked = picked.sort_values(["_order", "source", "reason", "_rank"], kind="stable")
        return [QualityIssue(r.source, _file_name(r.file), r.sheet, int(r.row), r.column, r.value, r.action, r.reason,
                             getattr(r, "about", "")) for r in picked.itertuples(index=False)]

    def rows(self, keep: np.ndarray | None = None, about: np.ndarray | None = None) -> list[tuple]:
        """Every issue (of those at positions ``keep``) as a CSV row (file names shortened to the name alone), with
        its ``about`` label last when given."""
        frame = self._picked(keep, about)
        columns = list(ISSUE_FIELDS) + ([] if about is None else ["about"])
        if frame.empty:
            return []
        frame = frame.assign(file=frame["file"].map(_file_name))
        return list(frame[columns].itertuples(index=False, name=None))

    @staticmethod
    def for_partner(owners: IssueOwners, partner: int, partner_name: str) -> tuple[np.ndarray, np.ndarray]:
        """Which issues a partner sees (positions of its own rows and of those about a file as a whole, in the
        order found) and their labels; costs the partner's own rows, not every issue."""
        own, shared = owners.positions(partner), owners.positions(WHOLE_FILE)
        keep = np.concatenate([own, shared])
        labels = np.array([partner_name] * len(own) + [WHOLE_FILE_LABEL] * len(shared), dtype=object)
        order = np.argsort(keep, kind="stable")
        about = labels[order]
        return keep[order], about


@dataclass(frozen=True)
class IssueOwners:
    """Each issue's owner (a partner area's position, WHOLE_FILE or NOBODY), grouped once so that one partner's
    issues are found without scanning all of them."""

    owner: np.ndarray
    order: np.ndarray  # positions sorted by owner, in the order found within each owner
    sorted_owner: np.ndarray

    @classmethod
    def of(cls, owner: np.ndarray) -> IssueOwners:
        order = np.argsort(owner, kind="stable")
        return cls(owner, order, owner[order])

    def positions(self, who: int) -> np.ndarray:
        """Positions of the issues owned by ``who``, in the order found."""
        start = np.searchsorted(self.sorted_owner, who, side="left")
        return self.order[start:np.searchsorted(self.sorted_owner, who, side="right")]


PLACE = "place"  # the frame's column of each issue's location (not written anywhere; it decides who sees the row)
UNPLACED = "\x00unplaced"  # a row of a located table that belongs to no partner area (outside, no location)
WHOLE_FILE = -2  # issue_owners: an issue of a file with no location column (a lookup): about the file as a whole
NOBODY = -1  # issue_owners: a row that belongs to no partner area: in no partner's files


def issue_owners(frame: pd.DataFrame, partner_codes, partner_names, small_area_codes, small_area_partner) -> np.ndarray:
    """Each issue's partner area (index), or WHOLE_FILE, or NOBODY — so each partner sees only rows about it.

    A row's place is what its file wrote in its location column: a small-area code (its partner is the
    one containing it), or a partner area's code or name. An issue without a place comes from a
    file with no location column (a lookup, a population table): it is about that file as a whole.
    """
    lookup: dict[str, int] = {}
    for position, name in enumerate(partner_names):
        lookup[str(name).strip().casefold()] = position
    for position, code in enumerate(partner_codes):
        lookup[str(code).strip().casefold()] = position
    for code, partner in zip(small_area_codes, small_area_partner):
        lookup[str(code).strip().casefold()] = int(partner)
    names = {str(name).strip().casefold() for name in partner_names}

    def owner(text: str) -> int:
        """The place's partner area; a partner's name with a footnote digit glued on (``Rutland2``, as provider
        tables print it) is that partner's, so a rejected row from it is shown to that partner."""
        if text == "":
            return WHOLE_FILE
        found = lookup.get(text.strip().casefold())
        if found is None and strip_footnotes(text, capitals=True).casefold() in names:
            found = lookup[strip_footnotes(text, capitals=True).casefold()]
        return NOBODY if found is None else found

    places = frame[PLACE].to_numpy(dtype=object)
    distinct, inverse = np.unique(places.astype(str), return_inverse=True)
    table = np.array([owner(text) for text in distinct], dtype=np.int64)
    return table[inverse] if len(places) else np.zeros(0, dtype=np.int64)


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
