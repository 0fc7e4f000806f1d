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
from engine.ingest.markers import normalise_label, strip_footnotes
from engine.ingest.readers import NUMBER, TEXT, Body
from engine.ingest.readers.excel_reader import _EXCEL_ERRORS
from engine.ingest.layout import SEPARATOR, Layout
from engine.quality import CLEANED, REJECTED
from engine.spec.models import Column
from engine.spec.suggest import did_you_mean

NUMBER_TYPES = ("number", "integer")
MARKED_TYPES = ("code", "number", "integer", "date", "month")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
                "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b-%y", "%b %y", "%b-%Y", "%b %Y",
                "%B %Y", "%B-%Y", "%B %y")
MONTH_FORMATS = ("%Y-%m", "%m/%Y", "%Y/%m")
SERIAL_RANGE = (10_000, 100_000)  # Excel day numbers 1927-05-18 .. 2173-10-14; a bare year is not a date
EXCEL_EPOCH = np.datetime64("1899-12-30")
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"
EXCEL_ERRORS = frozenset(_EXCEL_ERRORS.values())


@dataclass(frozen=True)
class Mapped:
    col: int  # sheet column (0-based)
    label: str  # the partner's label, as flattened from the header
    spec: Column


def _letter(col: int) -> str:
    from engine.ingest.readers.xlsx_head import column_letters
    return column_letters(col)


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
            where = ", ".join(_letter(c) for c in found)
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
            problems.append(Problem(f"duplicate column header {text!r} (columns {_letter(seen[text])} and {_letter(col)}); "
                                    "rename one, or list the columns you need under columns:", file=file, sheet=sheet,
                                    column=text))
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

    def record(self, mask: np.ndarray, label: str, values: Iterable, action: str, reason: str) -> None:
        self.log.add(self.source, self.file, self.sheet, self.rows[mask], label, values, action, reason)


def _strings(array: pa.Array) -> pa.Array:
    """Trimmed text; empty cells become null."""
    if array.type != pa.string():
        array = array.cast(pa.string())
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _np_mask(array: pa.Array) -> np.ndarray:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _clean_markers(values: pa.Array, ctx: _Context, label: str) -> pa.Array:
    """Status markers and Excel error values -> null, each counted (by marker)."""
    missing = frozenset(ctx.markers | EXCEL_ERRORS)
    is_marker = _np_mask(pc.is_in(values, value_set=pa.array(sorted(missing), pa.string())))
    if not is_marker.any():
        return values
    found = np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)[is_marker]
    for marker in sorted(set(found)):
        where = np.zeros(len(values), dtype=bool)
        where[np.flatnonzero(is_marker)[found == marker]] = True
        kind = "Excel error value" if marker in EXCEL_ERRORS else "status marker"
        ctx.record(where, label, marker, CLEANED, f"{kind} {marker!r} read as missing")
    return pc.if_else(pa.array(is_marker), pa.scalar(None, values.type), values)


def _per_distinct(values: pa.Array, function) -> tuple[pa.Array, pa.Array]:
    """Apply ``function`` (list of distinct strings -> list of results) once per distinct value."""
    encoded = values.dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    results = function(distinct)
    return encoded.indices, results


def _numbers(values: pa.Array, errors: tuple[np.ndarray, list[str]] | None, spec: Column, ctx: _Context,
             label: str, reject: np.ndarray) -> pa.Array:
    if values.type == pa.float64():  # a workbook: numbers arrived typed; look at the cells that were not numbers
        numbers = values
        if errors is not None:
            positions, texts = errors
            text = pa.array([t.strip() or None for t in texts], pa.string())
            cleaned = _clean_markers(text, _Context(ctx.log, ctx.source, ctx.file, ctx.sheet, ctx.rows[positions],
                                                    ctx.markers), label)
            parsed, bad = _parse_numbers(cleaned)
            if len(positions):
                filled = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float).copy()
                filled[positions] = np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=float)
                numbers = pa.array(filled, mask=np.isnan(filled))
            if bad.any():
                where = np.zeros(len(values), dtype=bool)
                where[positions[bad]] = True
                ctx.record(where, label, np.asarray(texts, dtype=object)[bad], REJECTED, "not a number")
                reject |= where
    else:  # text (CSV): parse
        text = _clean_markers(_strings(values), ctx, label)
        numbers, bad = _parse_numbers(text)
        if bad.any():
            ctx.record(bad, label, np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)[bad], REJECTED, "not a number")
            reject |= bad
    if spec.type == "integer":
        array = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=float)
        fractional = ~np.isnan(array) & (array != np.floor(array))
        if fractional.any():
            ctx.record(fractional, label, array[fractional], REJECTED, "not a whole number")
            reject |= fractional
    return numbers


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
    """Each text as a date (UK day-first formats, then Excel day numbers); None where none fits."""
    series = pd.Series(texts, dtype=object)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    todo = series.notna()
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(series[todo], format=fmt, errors="coerce")
        found = parsed.notna()
        result[found[found].index] = parsed[found]
        todo &= result.isna()
    if todo.any():
        numbers = pd.to_numeric(series[todo], errors="coerce")
        serial = numbers[(numbers >= SERIAL_RANGE[0]) & (numbers <= SERIAL_RANGE[1])]
        if len(serial):
            result[serial.index] = (EXCEL_EPOCH + np.floor(serial.to_numpy()).astype("timedelta64[D]")).astype("datetime64[ns]")
    return [None if pd.isna(v) else v for v in result.to_numpy(dtype="datetime64[ns]")]


def _dates(values: pa.Array, spec: Column, ctx: _Context, label: str, reject: np.ndarray) -> pa.Array:
    text = _clean_markers(_strings(values), ctx, label)
    formats = tuple(spec.formats) if spec.formats else DATE_FORMATS + (MONTH_FORMATS if spec.type == "month" else ())
    indices, dates = _per_distinct(text, lambda distinct: parse_dates(distinct, formats))
    table = np.array([np.datetime64("NaT") if d is None else d for d in dates] + [np.datetime64("NaT")],
                     dtype="datetime64[ns]")
    codes = np.asarray(indices.fill_null(len(dates)).to_numpy(zero_copy_only=False), dtype=np.int64)
    parsed = table[codes]
    bad = np.isnat(parsed) & _np_mask(pc.is_valid(text))
    if bad.any():
        kind = "month" if spec.type == "month" else "date"
        ctx.record(bad, label, np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)[bad], REJECTED,
                   f"not a {kind} in a known UK format (dd/mm/yyyy, Jan-22, an Excel date…)")
        reject |= bad
    if spec.type == "month" or spec.name == "month":  # the month column holds YYYY-MM, as police.uk's does
        months = np.datetime_as_string(parsed.astype("datetime64[M]"), unit="M")
        return pa.array(np.where(np.isnat(parsed), None, months), pa.string())
    return pa.array(parsed, pa.timestamp("ns"))


def _text(values: pa.Array, errors: tuple[np.ndarray, list[str]] | None, spec: Column, ctx: _Context, label: str,
          reject: np.ndarray) -> pa.Array:
    text = _strings(values)
    if errors is not None and len(errors[0]):  # Excel error values in a text column
        positions, texts = errors
        where = np.zeros(len(values), dtype=bool)
        where[positions] = True
        ctx.record(where, label, texts, CLEANED, "Excel error value read as missing")
    if spec.type == "code":
        text = _clean_markers(text, ctx, label)
    if spec.strip_footnotes:
        indices, stripped = _per_distinct(text, lambda distinct: [strip_footnotes(v, capitals=True) if v else v for v in distinct])
        text = pc.take(pa.array(stripped, pa.string()), indices)
    if spec.pattern is not None:
        regex = re.compile(spec.pattern)
        indices, fits = _per_distinct(text, lambda distinct: [bool(regex.search(v)) for v in distinct])
        ok = _np_mask(pc.take(pa.array(fits, pa.bool_()), indices))
        bad = ~ok & _np_mask(pc.is_valid(text))
        if bad.any():
            ctx.record(bad, label, np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)[bad], REJECTED,
                       f"does not match the pattern {spec.pattern}")
            reject |= bad
    return text


def _check_allowed(values: pa.Array, spec: Column, ctx: _Context, label: str, reject: np.ndarray) -> None:
    if spec.allowed is None:
        return
    if pa.types.is_floating(values.type):
        allowed = pa.array([float(v) for v in spec.allowed if isinstance(v, (int, float))], pa.float64())
    else:
        allowed = pa.array([str(v) for v in spec.allowed], pa.string())
        values = values.cast(pa.string())
    bad = _np_mask(pc.and_(pc.is_valid(values), pc.invert(pc.is_in(values, value_set=allowed))))
    if bad.any():
        shown = np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)[bad]
        choices = [str(v) for v in spec.allowed]
        for value in sorted(set(map(str, shown))):
            where = bad & (np.asarray(values.cast(pa.string()).to_numpy(zero_copy_only=False), dtype=object) == value)
            ctx.record(where, label, value, REJECTED, f"not an allowed value{did_you_mean(value, choices)}")
        reject |= bad


def convert(body: Body, mapped: list[Mapped], keep: np.ndarray, markers: frozenset[str], log: IssueLog,
            source: str, file: str, sheet: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """The tidy table (spec names, typed) and each kept row's 1-based row number; rejections logged."""
    positions = np.flatnonzero(keep)
    take = pa.array(positions, pa.int64())
    rows = body.rows[positions]
    ctx = _Context(log, source, file, sheet, rows, markers)
    reject = np.zeros(len(positions), dtype=bool)
    out: dict[str, pa.Array] = {}
    for m in mapped:
        values = body.columns[m.col].take(take) if len(positions) != len(body.rows) else body.columns[m.col]
        errors = _errors_in(body.cell_errors.get(m.col), positions)
        kind = m.spec.type
        if kind in NUMBER_TYPES:
            result = _numbers(values, errors, m.spec, ctx, m.label, reject)
        elif kind in ("date", "month"):
            result = _dates(values, m.spec, ctx, m.label, reject)
        else:
            result = _text(values, errors, m.spec, ctx, m.label, reject)
        _check_allowed(result, m.spec, ctx, m.label, reject)
        if m.spec.blank == "reject" or kind == "month" or m.spec.name == "month":
            empty = ~_np_mask(pc.is_valid(result)) & ~reject
            if empty.any():
                ctx.record(empty, m.label, "", REJECTED, "empty, but a value is required")
                reject |= empty
        out[m.spec.name] = result
    if reject.any():
        log.count_rejected(source, int(reject.sum()))
    kept = ~reject
    frame = pd.DataFrame({name: _to_pandas(array.filter(pa.array(kept)) if reject.any() else array,
                                           next(m.spec for m in mapped if m.spec.name == name))
                          for name, array in out.items()})
    return frame, rows[kept]


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
    if spec.type in ("text", "code", "month"):
        return array.fill_null("").to_pandas()
    if spec.type == "integer":
        return pd.Series(array.to_pandas(), dtype="Int64")
    return array.to_pandas()
