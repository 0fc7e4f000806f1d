"""Partner columns -> the spec's columns: matching names, types, allowed values, dates, codes.

Everything is vectorised (pyarrow compute, and per distinct value where a check needs Python):
a million-row extract is routine. Each cell that fails a check is recorded with its row, column
and value; its row is rejected. Status markers (``..``, ``[x]`` …) in number, date, month and code
columns become missing values and are counted as cleaned. UK dates only: ``01/02/2022`` is the
1st of February, never January the 2nd.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import DataError, Problem
from engine.ingest.issues import IssueLog
from engine.ingest.markers import EXCEL_ERRORS, normalise_label, strip_code_footnote, strip_footnotes
from engine.ingest.readers import NUMBER, TEXT, Body
from engine.ingest.layout import SEPARATOR, Layout
from engine.ingest.periods import DEFAULT_START_MONTH, PERIOD_MONTHS, period_end
from engine.ingest.periods import DESCRIPTIONS as PERIOD_DESCRIPTIONS
from engine.ingest.readers.xlsx_head import column_letters
from engine.quality import CLEANED, REJECTED
from engine.spec.models import Column
from engine.suggest import did_you_mean

NUMBER_TYPES = ("number", "integer")
MARKED_TYPES = ("code", "number", "integer", "date", "month", "quarter", "financial_year")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
                "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b-%y", "%b %y", "%b-%Y", "%b %Y",
                "%B %Y", "%B-%Y", "%B %y")
MONTH_FORMATS = ("%Y-%m", "%m/%Y", "%Y/%m")
SERIAL_RANGE = (10_000, 100_000)  # Excel day numbers 1927-05-18 .. 2173-10-14; a bare year is not a date
EXCEL_EPOCH = np.datetime64("1899-12-30")
DATE_YEARS = (1900, 2100)  # a date outside these years is a slip (01/01/1066), rejected with its row
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
EXCEL_ERROR_TEXTS = frozenset(EXCEL_ERRORS.values())


@dataclass(frozen=True)
class Mapped:
    col: int  # sheet column (0-based)
    label: str  # the partner's label, as flattened from the header
    spec: Column


def match_columns(layout: Layout, specs: dict[str, Column] | None, file: str, sheet: str | None) -> list[Mapped]:
    """Which sheet column each spec column reads; every missing or ambiguous one is a problem.

    A spec name matches a label ignoring case, spacing and footnote markers, either whole
    (``Victim-based crime / Robbery``) or by its last part when only one column has that part
    (``Robbery``).
    """
    labels = {col: text for col, text in layout.labels.items() if text}
    if specs is None:
        return _all_columns(labels, file, sheet)
    whole: dict[str, list[int]] = {}
    last: dict[str, list[int]] = {}
    for col, text in labels.items():
        whole.setdefault(normalise_label(text), []).append(col)
        last.setdefault(normalise_label(text.split(SEPARATOR)[-1]), []).append(col)
    problems, mapped = [], []
    header_row = layout.header_rows[-1] + 1
    for partner, spec in specs.items():
        key = normalise_label(partner)
        found = whole.get(key) or last.get(key) or []
        if len(found) == 1:
            mapped.append(Mapped(found[0], labels[found[0]], spec))
        elif len(found) > 1:
            where = ", ".join(column_letters(c) for c in found)
            problems.append(Problem(f"column {partner!r} appears {len(found)} times in the header (columns {where}); "
                                    "rename the duplicates in the file or use the full ' / ' label", file=file, sheet=sheet,
                                    row=header_row, column=partner))
        elif spec.required:
            problems.append(Problem(f"required column {partner!r} is missing{did_you_mean(partner, labels.values())}",
                                    file=file, sheet=sheet, row=header_row, column=partner))
    if problems:
        raise DataError(problems)
    return sorted(mapped, key=lambda m: m.col)


def _all_columns(labels: dict[int, str], file: str, sheet: str | None) -> list[Mapped]:
    """No ``columns:`` in the spec: every labelled column, as text, under its own label."""
    seen: dict[str, int] = {}
    problems = []
    for col, text in labels.items():
        if text in seen:
            where = f"columns {column_letters(seen[text])} and {column_letters(col)}"
            problems.append(Problem(f"duplicate column header {text!r} ({where}); rename one, or list the columns you "
                                    "need under columns:", file=file, sheet=sheet, column=text))
        seen.setdefault(text, col)
    if problems:
        raise DataError(problems)
    return [Mapped(col, text, Column.model_construct(name=text, type="text", required=True, blank="keep", allowed=None,
                                                   pattern=None, formats=None, strip_footnotes=False))
            for col, text in labels.items()]


def body_kinds(mapped: list[Mapped]) -> dict[int, str]:
    return {m.col: NUMBER if m.spec.type in NUMBER_TYPES else TEXT for m in mapped}


# ---------------------------------------------------------------------------------------------
# Conversion
# ---------------------------------------------------------------------------------------------

@dataclass
class _Context:
    log: IssueLog
    source: str
    file: str
    sheet: str | None
    rows: np.ndarray  # 1-based row numbers of the rows being converted
    markers: frozenset[str]
    zeros: frozenset[str] = frozenset()  # markers that mean 0 in number columns (the source's zero_markers)
    text_markers: frozenset[str] = frozenset()  # markers the source lists itself: missing in text columns too
    max_value: float = float("inf")  # larger numbers (in size) are implausible: their rows are rejected
    places: pa.Array | None = None  # each row's location as written (small-area or partner code or name), if mapped

    def record(self, mask: np.ndarray, label: str, values: Iterable, action: str, reason: str) -> None:
        self.log.add(self.source, self.file, self.sheet, self.rows[mask], label, values, action, reason,
                     None if self.places is None else _place_texts(self.places.filter(pa.array(np.asarray(mask, bool)))))


def _np_mask(array: pa.Array) -> np.ndarray:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _trim(array: pa.Array) -> pa.Array:
    """Trimmed text; empty cells become null."""
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


class _Strings:
    """A text column as the values to check and, per row, which value it holds.

    A dictionary-encoded column (most partner columns: months, codes, categories) is checked once
    per distinct value and the results spread to the rows through its codes; a column of mostly
    distinct values (IDs) is checked row by row. The checks are the same either way.
    """

    def __init__(self, array: pa.Array):
        if pa.types.is_dictionary(array.type):
            self.codes: np.ndarray | None = np.asarray(array.indices.fill_null(-1).to_numpy(zero_copy_only=False),
                                                       dtype=np.int64)
            values = array.dictionary
        else:
            self.codes = None
            values = array
        if values.type != pa.string():
            values = values.cast(pa.string())
        self.values = _trim(values)

    def rows(self, flags: np.ndarray) -> np.ndarray:
        """A per-value mask as a per-row mask."""
        if self.codes is None:
            return flags
        return np.append(flags, False)[self.codes]

    def row_values(self, mask: np.ndarray) -> np.ndarray:
        """The (trimmed) text of the rows in ``mask``."""
        text = np.asarray(self.values.to_numpy(zero_copy_only=False), dtype=object)
        return text[mask] if self.codes is None else np.append(text, None)[self.codes[mask]]

    def present(self) -> np.ndarray:
        return self.rows(_np_mask(pc.is_valid(self.values)))

    def blank_out(self, flags: np.ndarray) -> None:
        self.values = pc.if_else(pa.array(flags), pa.scalar(None, pa.string()), self.values)

    def map(self, function) -> None:
        """Replace each value by ``function(value)`` (once per distinct value when encoded)."""
        self.values = pa.array([None if v is None else function(v) for v in self.values.to_pylist()], pa.string())

    def result(self, values: pa.Array | None = None) -> pa.Array:
        """The column as Arrow: dictionary-encoded when it came so (pandas makes it categorical).

        Values that became equal (``' a'`` and ``'a'`` once trimmed) or missing share one code.
        """
        values = self.values if values is None else values
        if self.codes is None:
            return values
        encoded = values.dictionary_encode()
        remap = np.append(np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64), -1)
        codes = remap[self.codes]
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0, type=pa.int32()), encoded.dictionary)


def _record_markers(strings: _Strings, found: np.ndarray, ctx: _Context, label: str, reason) -> None:
    """Count the marker values in ``found`` (per value), one data-quality line each with ``reason(marker)``."""
    values = strings.values.to_pylist()
    for marker in sorted({values[i] for i in np.flatnonzero(found)}):
        one = np.array([v == marker for v in values]) if strings.codes is not None else \
            _np_mask(pc.equal(strings.values, marker))
        ctx.record(strings.rows(one), label, marker, CLEANED, reason(marker))


def _clean_markers(strings: _Strings, ctx: _Context, label: str, markers: frozenset[str] | None = None) -> None:
    """Status markers (``markers``, else the context's) and Excel error values -> missing, each counted (by marker)."""
    markers = ctx.markers if markers is None else markers
    found = _np_mask(pc.is_in(strings.values, value_set=pa.array(sorted(markers | EXCEL_ERROR_TEXTS), pa.string())))
    if not found.any():
        return
    _record_markers(strings, found, ctx, label, lambda marker: (
        f"{'Excel error value' if marker in EXCEL_ERROR_TEXTS else 'status marker'} {marker!r} read as missing"))
    strings.blank_out(found)


def _zero_markers(strings: _Strings, ctx: _Context, label: str) -> None:
    """The source's zero markers (``-`` where its key says "none") -> 0, each counted (by marker)."""
    if not ctx.zeros:
        return
    found = _np_mask(pc.is_in(strings.values, value_set=pa.array(sorted(ctx.zeros), pa.string())))
    if not found.any():
        return
    _record_markers(strings, found, ctx, label, lambda marker: f"marker {marker!r} read as 0 (the spec says this source marks none so)")
    strings.values = pc.if_else(pa.array(found), pa.scalar("0", pa.string()), strings.values)


def _reject(strings: _Strings, bad: np.ndarray, ctx: _Context, label: str, reason: str, reject: np.ndarray) -> None:
    rows = strings.rows(bad)
    if rows.any():
        ctx.record(rows, label, strings.row_values(rows), REJECTED, reason)
        reject |= rows


def _numbers(values: pa.Array, errors: tuple[np.ndarray, list[str]] | None, spec: Column, ctx: _Context,
             label: str, reject: np.ndarray) -> pa.Array:
    if pa.types.is_floating(values.type):  # a workbook: numbers arrived typed; look at the cells that were not
        numbers = values
        if errors is not None and len(errors[0]):
            positions, texts = errors
            strings = _Strings(pa.array(texts, pa.string()))
            here = _Context(ctx.log, ctx.source, ctx.file, ctx.sheet, ctx.rows[positions], ctx.markers, ctx.zeros,
                            ctx.text_markers, ctx.max_value,
                            None if ctx.places is None else ctx.places.take(pa.array(positions)))
            _zero_markers(strings, here, label)
            _clean_markers(strings, here, label)
            parsed, bad = _parse_numbers(strings.values)
            filled = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float).copy()
            filled[positions] = np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=float)
            numbers = pa.array(filled, mask=np.isnan(filled))
            if bad.any():
                where = np.zeros(len(values), dtype=bool)
                where[positions[bad]] = True
                ctx.record(where, label, np.asarray(texts, dtype=object)[bad], REJECTED, "not a number")
                reject |= where
    else:  # text (CSV): the fast way when every cell is a plain number, else cell by cell
        try:
            numbers = pc.cast(values, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            strings = _Strings(values)
            _zero_markers(strings, ctx, label)
            _clean_markers(strings, ctx, label)
            numbers, bad = _parse_numbers(strings.result().cast(pa.string()) if strings.codes is not None else strings.values)
            if bad.any():
                ctx.record(bad, label, np.asarray(values.cast(pa.string()).to_numpy(zero_copy_only=False), dtype=object)[bad],
                           REJECTED, "not a number")
                reject |= bad
    numbers = _implausible(numbers, ctx, label, reject)
    if spec.type == "integer":
        array = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float)
        fractional = ~np.isnan(array) & (array != np.floor(array))
        if fractional.any():
            ctx.record(fractional, label, array[fractional], REJECTED, "not a whole number")
            reject |= fractional
    return numbers


def _implausible(numbers: pa.Array, ctx: _Context, label: str, reject: np.ndarray) -> pa.Array:
    """Reject numbers too large to be a count or measure (1e300, inf, or over the source's max_value).

    Such a cell is a slip or a hostile file, never a figure: left in, it overflows integer columns
    and sums. The row is rejected with its value; the value itself is blanked so nothing downstream
    meets it.
    """
    array = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float)
    with np.errstate(invalid="ignore"):
        huge = ~np.isnan(array) & ~(np.abs(array) <= ctx.max_value)
    if not huge.any():
        return numbers
    limit = f"{ctx.max_value:,.0f}" if np.isfinite(ctx.max_value) else "any finite number"
    ctx.record(huge, label, np.array([f"{v:g}" for v in array[huge]], dtype=object), REJECTED,
               f"implausibly large: over {limit} (the source's max_value)")
    reject |= huge
    array = array.copy()
    array[huge] = np.nan
    return pa.array(array, mask=np.isnan(array))


def _parse_numbers(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(float64 with nulls, mask of non-empty cells that are not numbers); thousands separators allowed."""
    plain = pc.replace_substring(text, ",", "")
    try:
        return pc.cast(plain, pa.float64()), np.zeros(len(text), dtype=bool)
    except pa.ArrowInvalid:
        ok = pc.match_substring_regex(plain, _NUMBER)
        numbers = pc.cast(pc.if_else(ok, plain, pa.scalar(None, pa.string())), pa.float64())
        bad = _np_mask(pc.and_(pc.is_valid(plain), pc.invert(ok)))
        return numbers, bad


def parse_dates(texts: list[str | None], formats: tuple[str, ...]) -> list[np.datetime64 | None]:
    """Each text as a date (UK day-first formats, then Excel day numbers); None where none fits or it is out of range."""
    return parse_dates_in_range(texts, formats)[0]


def parse_dates_in_range(texts: list[str | None], formats: tuple[str, ...]) -> tuple[list[np.datetime64 | None], np.ndarray]:
    """(dates, mask of texts that read as a date outside :data:`DATE_YEARS`); those dates are None.

    A year such as 1066 parses but cannot be a partner's record (and does not fit pandas'
    nanosecond dates): it is told apart from text that is no date at all, so the row's rejection
    says why.
    """
    series = pd.Series(texts, dtype=object)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    outside = pd.Series(False, index=series.index)
    todo = series.notna()
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(series[todo], format=fmt, errors="coerce")
        found = parsed.notna()
        years = parsed.dt.year
        far = found & ((years < DATE_YEARS[0]) | (years > DATE_YEARS[1]))
        outside[far[far].index] = True
        found &= ~far
        result[found[found].index] = parsed[found].astype("datetime64[ns]")
        todo &= result.isna() & ~outside
    if todo.any():
        numbers = pd.to_numeric(series[todo], errors="coerce")
        serial = numbers[(numbers >= SERIAL_RANGE[0]) & (numbers <= SERIAL_RANGE[1])]
        if len(serial):
            result[serial.index] = (EXCEL_EPOCH + np.floor(serial.to_numpy()).astype("timedelta64[D]")).astype("datetime64[ns]")
    dates = [None if pd.isna(v) else v for v in result.to_numpy(dtype="datetime64[ns]")]
    return dates, outside.to_numpy(dtype=bool)


def _dates(strings: _Strings, spec: Column, ctx: _Context, label: str, reject: np.ndarray) -> pa.Array:
    _clean_markers(strings, ctx, label)
    formats = tuple(spec.formats) if spec.formats else DATE_FORMATS + (MONTH_FORMATS if spec.type == "month" else ())
    dates, outside = parse_dates_in_range(strings.values.to_pylist(), formats)
    parsed = np.array(dates or [], dtype="datetime64[ns]")
    _reject(strings, outside, ctx, label, f"a date outside {DATE_YEARS[0]}–{DATE_YEARS[1]} (a typing slip?)", reject)
    bad = np.isnat(parsed) & _np_mask(pc.is_valid(strings.values)) & ~outside
    kind = "month" if spec.type == "month" else "date"
    _reject(strings, bad, ctx, label, f"not a {kind} in a known UK format (dd/mm/yyyy, Jan-22, an Excel date…)", reject)
    if spec.type == "month" or spec.name == "month":  # the month column holds YYYY-MM, as police.uk's does
        months = np.datetime_as_string(parsed.astype("datetime64[M]"), unit="M")
        return strings.result(pa.array(np.where(np.isnat(parsed), None, months).tolist(), pa.string()))
    dates = pa.array(parsed, pa.timestamp("ns"))
    return dates if strings.codes is None else pc.take(dates, pa.array(strings.codes, mask=strings.codes < 0))


def _periods(strings: _Strings, spec: Column, ctx: _Context, label: str, reject: np.ndarray) -> pa.Array:
    """Quarters and financial years -> their last month (YYYY-MM), once per distinct value."""
    _clean_markers(strings, ctx, label)
    start = spec.year_start_month or DEFAULT_START_MONTH
    texts = strings.values.to_pylist()
    ends = [None if text is None else period_end(text, spec.type, start) for text in texts]
    bad = np.array([text is not None and end is None for text, end in zip(texts, ends)], dtype=bool)
    _reject(strings, bad, ctx, label, f"not {PERIOD_DESCRIPTIONS[spec.type]}", reject)
    return strings.result(pa.array(ends, pa.string()))


def _strip_code_footnotes(strings: _Strings, ctx: _Context, label: str) -> None:
    """Footnote digits glued to ONS codes (``E230000118``) removed by the code's length; each one counted."""
    before = strings.values.to_pylist()
    after = [None if v is None else strip_code_footnote(v) for v in before]
    changed = np.array([a != b for a, b in zip(after, before)], dtype=bool)
    if changed.any():
        rows = strings.rows(changed)
        ctx.record(rows, label, strings.row_values(rows), CLEANED,
                   "footnote digits glued to the code removed (an ONS code is a letter and 8 digits)")
        strings.values = pa.array(after, pa.string())


def _text(strings: _Strings, errors: tuple[np.ndarray, list[str]] | None, spec: Column, ctx: _Context, label: str,
          reject: np.ndarray) -> pa.Array:
    if errors is not None and len(errors[0]):  # Excel error values in a text column
        where = np.zeros(len(ctx.rows), dtype=bool)
        where[errors[0]] = True
        ctx.record(where, label, errors[1], CLEANED, "Excel error value read as missing")
    if spec.type == "code":
        _clean_markers(strings, ctx, label)
    elif ctx.text_markers:  # markers the source lists itself mean missing in its text columns too
        _clean_markers(strings, ctx, label, ctx.text_markers)
    if spec.strip_footnotes and spec.type == "code":
        _strip_code_footnotes(strings, ctx, label)
    elif spec.strip_footnotes:
        strings.map(lambda v: strip_footnotes(v, capitals=True))
    if spec.pattern is not None:
        try:
            fits = _np_mask(pc.match_substring_regex(strings.values, spec.pattern))
        except pa.ArrowInvalid:  # a pattern RE2 does not take: Python's re, value by value
            regex = re.compile(spec.pattern)
            fits = np.array([v is not None and bool(regex.search(v)) for v in strings.values.to_pylist()], dtype=bool)
        bad = ~fits & _np_mask(pc.is_valid(strings.values))
        _reject(strings, bad, ctx, label, f"does not match the pattern {spec.pattern}", reject)
    if spec.allowed is not None:
        choices = [str(v) for v in spec.allowed]
        bad = _np_mask(pc.and_(pc.is_valid(strings.values),
                               pc.invert(pc.is_in(strings.values, value_set=pa.array(choices, pa.string())))))
        values = strings.values.to_pylist()
        for value in sorted({values[i] for i in np.flatnonzero(bad)}):
            one = np.array([v == value for v in values]) if strings.codes is not None else \
                _np_mask(pc.equal(strings.values, value))
            _reject(strings, one, ctx, label, f"not an allowed value{did_you_mean(value, choices)}", reject)
    return strings.result()


def _allowed_numbers(values: pa.Array, spec: Column, ctx: _Context, label: str, reject: np.ndarray) -> None:
    if spec.allowed is None:
        return
    allowed = pa.array([float(v) for v in spec.allowed if isinstance(v, (int, float))], pa.float64())
    bad = _np_mask(pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=allowed))))
    if bad.any():
        ctx.record(bad, label, np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)[bad], REJECTED,
                   "not an allowed value")
        reject |= bad


def convert(body: Body, mapped: list[Mapped], keep: np.ndarray, markers: frozenset[str], log: IssueLog,
            source: str, file: str, sheet: str | None, zeros: frozenset[str] = frozenset(),
            text_markers: frozenset[str] = frozenset(), max_value: float = float("inf"),
            rejected: list[pd.DataFrame] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The tidy table (spec names, typed) and each kept row's 1-based row number; rejections logged.

    ``rejected``, when given, receives the rejected rows' other cells (the bad cell empty), so that a measure can
    tell the (area, period) a rejected value belonged to and show it as missing rather than as zero.

    ``markers`` are read as missing in number, date, month and code columns; ``text_markers`` (the ones a source
    lists itself) in text columns too; ``zeros`` are read as 0 in number columns.
    """
    positions = np.flatnonzero(keep)
    every = len(positions) == len(body.rows)
    take = None if every else pa.array(positions, pa.int64())
    rows = body.rows[positions]
    ctx = _Context(log, source, file, sheet, rows, markers, zeros, text_markers, max_value, _places(body, mapped, take))
    reject = np.zeros(len(positions), dtype=bool)
    out: dict[str, pa.Array] = {}
    for m in mapped:
        values = body.columns[m.col] if every else body.columns[m.col].take(take)
        errors = _errors_in(body.cell_errors.get(m.col), positions)
        kind = m.spec.type
        if kind in NUMBER_TYPES:
            result = _numbers(values, errors, m.spec, ctx, m.label, reject)
            _allowed_numbers(result, m.spec, ctx, m.label, reject)
        elif kind in ("date", "month"):
            result = _dates(_Strings(values), m.spec, ctx, m.label, reject)
        elif kind in PERIOD_MONTHS:
            result = _periods(_Strings(values), m.spec, ctx, m.label, reject)
        else:
            result = _text(_Strings(values), errors, m.spec, ctx, m.label, reject)
        if m.spec.blank == "reject" or kind == "month" or m.spec.name == "month":
            empty = ~_np_mask(pc.is_valid(result)) & ~reject
            if empty.any():
                ctx.record(empty, m.label, "", REJECTED, "empty, but a value is required")
                reject |= empty
        out[m.spec.name] = result
    if reject.any():
        log.count_rejected(source, int(reject.sum()))
    kept = pa.array(~reject) if reject.any() else None
    specs = {m.spec.name: m.spec for m in mapped}
    frame = pd.DataFrame({name: _to_pandas(array if kept is None else array.filter(kept), specs[name])
                          for name, array in out.items()})
    if rejected is not None and kept is not None:
        dropped = pc.invert(kept)
        rejected.append(pd.DataFrame({name: array.filter(dropped).to_pandas() if specs[name].type == "integer"  # 1.5
                                      else _to_pandas(array.filter(dropped), specs[name]) for name, array in out.items()}))
    return frame, rows[~reject]


PLACE_COLUMNS = ("small_area_code", "partner_area_code", "partner_area_name")  # most precise first


def _places(body: Body, mapped: list[Mapped], take: pa.Array | None) -> pa.Array | None:
    """Each kept row's location as the file writes it, from the most precise location column mapped (or None).
    Left as Arrow: only the rows an issue is recorded for are ever turned into text."""
    by_name = {m.spec.name: m for m in mapped}
    for name in PLACE_COLUMNS:
        if name in by_name:
            values = body.columns[by_name[name].col]
            return values if take is None else values.take(take)
    return None


def _place_texts(values: pa.Array) -> np.ndarray:
    """Places as text (None where blank: IssueLog.add gives such rows to no partner)."""
    return np.asarray(values.cast(pa.string()).to_numpy(zero_copy_only=False), dtype=object)


def _errors_in(errors: tuple[np.ndarray, list[str]] | None, positions: np.ndarray) -> tuple[np.ndarray, list[str]] | None:
    """Cell errors re-indexed to the kept rows (errors on dropped rows are left out)."""
    if errors is None:
        return None
    rows, texts = errors
    index = np.searchsorted(positions, rows)
    inside = index < len(positions)
    inside[inside] &= positions[index[inside]] == rows[inside]
    return index[inside], [t for t, ok in zip(texts, inside) if ok]


def _to_pandas(array: pa.Array, spec: Column) -> pd.Series:
    """Text columns: '' where empty (as the lookups always were); categorical when dictionary-encoded."""
    if spec.type in ("text", "code", "month", *PERIOD_MONTHS):
        if pa.types.is_dictionary(array.type):
            if array.null_count:
                dictionary = pa.concat_arrays([array.dictionary, pa.array([""], pa.string())])
                indices = pc.fill_null(array.indices, len(array.dictionary))
                array = pa.DictionaryArray.from_arrays(indices, dictionary)
            return array.to_pandas()
        return array.fill_null("").to_pandas()
    if spec.type == "integer":
        return pd.Series(array.to_pandas(), dtype="Int64")
    return array.to_pandas()
