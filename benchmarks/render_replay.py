"""A fair floor for one rendered workbook: the same file made by xlsxwriter alone, from the calls the engine made.

The bare yardstick of :mod:`bench_render` writes the workbook's values with ``write_row`` and nothing else: no
formats, Excel tables, charts, conditional formats, sparklines or print setup. No formatted workbook can come
near it, whatever its Python costs. This one records every call the engine makes on xlsxwriter's public API
while it renders (``add_format``, ``write``, ``add_table``, ``add_chart``, ``conditional_format``, ``close`` …,
with their arguments as they were at the call) and replays them on a fresh workbook with no engine code in
between. The replayed file is byte-identical to the rendered one (:func:`recorded` checks it), so the replay's
time is what xlsxwriter needs for exactly this workbook, and the render's time over it is the engine's own share.

Only top-level calls are recorded: a public method xlsxwriter calls from inside another (``write`` from
``write_row``) is the outer call's work and is replayed by it. The replay uses the engine's workbook class
(:class:`engine.render.xlsx_writer.RenderWorkbook`), so a formula prepared once is prepared once in both.
"""
from __future__ import annotations

import dataclasses
import io
from typing import Any, Callable
from unittest import mock

from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

import engine.render.workbook as workbook_module
from engine.render.xlsx_writer import WORKBOOK_OPTIONS, RenderWorkbook

BOOK = "book"


@dataclasses.dataclass(frozen=True)
class _Ref:
    """An object an earlier call returned (a sheet, format or chart), by the order it was made in."""

    token: str


@dataclasses.dataclass(frozen=True)
class _Picture:
    """An in-memory picture (``image_data``): a fresh stream for every replay, as the engine makes one."""

    data: bytes


@dataclasses.dataclass(frozen=True)
class Call:
    target: str
    method: str
    args: tuple
    kwargs: dict
    made: str | None  # the token of the sheet, format or chart it returns
    plain: bool  # no object, container or picture among the arguments: passed as recorded


class _Recording:
    """The calls of one render, in order."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.tokens: dict[int, str] = {}
        self.keep: list[Any] = []  # the recorded objects stay alive, so that their ids stay theirs
        self.depth = 0

    def token_of(self, value: Any) -> str:
        try:
            return self.tokens[id(value)]
        except KeyError:
            raise ValueError(f"an xlsxwriter object the recording did not see made: {value!r}") from None

    def convert(self, value: Any) -> Any:
        return _mapped(value, self._recordable)

    def _recordable(self, value: Any) -> Any:
        if isinstance(value, (Format, Worksheet, Chart)):
            return _Ref(self.token_of(value))
        if isinstance(value, io.BytesIO):
            return _Picture(value.getvalue())
        return value

    def watch(self, obj: Any, token: str) -> None:
        """Record the top-level public calls on ``obj`` under ``token``."""
        self.tokens[id(obj)] = token
        self.keep.append(obj)
        for name in dir(type(obj)):
            if not name.startswith("_") and callable(getattr(type(obj), name)):
                setattr(obj, name, self._recorded(token, name, getattr(obj, name)))

    def _recorded(self, target: str, name: str, method: Callable) -> Callable:
        def call(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return method(*args, **kwargs)
            entry = len(self.calls)
            args_now, kwargs_now = self.convert(args), self.convert(kwargs)
            plain = _is_plain(args_now) and all(_is_plain(v) for v in kwargs_now.values())
            self.calls.append(Call(target, name, args_now, kwargs_now, None, plain))
            self.depth += 1
            try:
                made = method(*args, **kwargs)
            finally:
                self.depth -= 1
            if isinstance(made, (Format, Worksheet, Chart)) and id(made) not in self.tokens:
                token = f"{type(made).__name__}{len(self.tokens)}"
                self.calls[entry] = dataclasses.replace(self.calls[entry], made=token)
                self.watch(made, token)
            return made
        return call


def _is_plain(value: Any) -> bool:
    if isinstance(value, (_Ref, _Picture, dict, list)):
        return False
    if isinstance(value, tuple):
        return all(_is_plain(v) for v in value)
    return True


def _mapped(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """``value`` with ``leaf`` applied to everything in it that is not a dict, list or tuple (containers copied)."""
    if isinstance(value, dict):
        return {k: _mapped(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_mapped(v, leaf) for v in value]
    if isinstance(value, tuple):
        return tuple(_mapped(v, leaf) for v in value)
    return leaf(value)


def _resolved(value: Any, objects: dict[str, Any]) -> Any:
    """The recorded arguments with this replay's objects in them (containers copied: xlsxwriter may change them).
    :func:`_mapped` with the leaf written in: this runs inside the timed replay, on every argument of every call, and a
    function call per leaf would add to the yardstick's time what the render does not pay."""
    if isinstance(value, _Ref):
        return objects[value.token]
    if isinstance(value, _Picture):
        return io.BytesIO(value.data)
    if isinstance(value, dict):
        return {k: _resolved(v, objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, objects) for v in value]
    if isinstance(value, tuple):
        return tuple(_resolved(v, objects) for v in value)
    return value


def recorded(render: Callable[[], bytes]) -> tuple[list[Call], bytes]:
    """The calls ``render`` makes on xlsxwriter and the bytes it returns; checks that a replay makes the same bytes."""
    recording = _Recording()

    class Book(RenderWorkbook):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            recording.watch(self, BOOK)

    with mock.patch.object(workbook_module, "new_workbook", lambda buffer: Book(buffer, WORKBOOK_OPTIONS)):
        data = render()
    calls = recording.calls
    if replay(calls) != data:
        raise AssertionError("the replayed calls did not make the rendered workbook byte for byte")
    return calls, data


def replay(calls: list[Call]) -> bytes:
    """The workbook the recorded calls make, written by xlsxwriter with nothing else in between."""
    buffer = io.BytesIO()
    objects: dict[str, Any] = {BOOK: RenderWorkbook(buffer, WORKBOOK_OPTIONS)}
    for call in calls:
        method = getattr(objects[call.target], call.method)
        if call.plain:
            made = method(*call.args, **call.kwargs)
        else:
            made = method(*_resolved(call.args, objects), **_resolved(call.kwargs, objects))
        if call.made is not None:
            objects[call.made] = made
    return buffer.getvalue()



# What each kind of Excel feature costs xlsxwriter: the recorded calls without it, replayed.
# The differences say where a formatted workbook's time over a bare write of its cells goes (bench_render --floor):
# not the engine's Python (none runs in a replay) but xlsxwriter making the features the workbook shows.

def _chart_tokens(calls: list[Call]) -> set[str]:
    return {c.made for c in calls if c.method == "add_chart" and c.made is not None}


def without_charts(calls: list[Call]) -> list[Call]:
    """No charts: neither made, set up (their own calls) nor inserted."""
    charts = _chart_tokens(calls)
    return [c for c in calls if c.method not in ("add_chart", "insert_chart") and c.target not in charts]


def without_conditional_formats(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method != "conditional_format"]


def without_excel_tables(calls: list[Call]) -> list[Call]:
    """Every Excel table's cells written plainly with their formats, with no table made: the header row cell by cell
    (each with its header format), then the data a column at a time (``write_column`` with the column's format, as
    ``add_table`` writes each cell with it). Its cells stay; the table (its part, style and total row) goes. Column by
    column, so that the calls replacing one ``add_table`` cost about what its own loop over the cells does."""
    plain: list[Call] = []
    for call in calls:
        if call.method != "add_table":
            plain.append(call)
            continue
        first_row, first_col, options = call.args[0], call.args[1], call.args[4]
        columns, data = options.get("columns", []), options.get("data", [])

        def write(method: str, *args: Any) -> None:
            plain.append(dataclasses.replace(call, method=method, args=args, kwargs={}, made=None, plain=False))

        for j, column in enumerate(columns):
            write("write", first_row, first_col + j, column.get("header"), column.get("header_format"))
            write("write_column", first_row + 1, first_col + j, [row[j] if j < len(row) else None for row in data],
                  column.get("format"))
    return plain


def _formatless(value: Any) -> Any:
    return _mapped(value, lambda v: None if isinstance(v, _Ref) and v.token.startswith("Format") else v)


def without_cell_formats(calls: list[Call]) -> list[Call]:
    """Cells, rows, columns and tables without their formats (conditional formats and charts keep theirs: those are
    counted on their own)."""
    charts = _chart_tokens(calls)
    return [c if c.method == "conditional_format" or c.target in charts
            else dataclasses.replace(c, args=_formatless(c.args), kwargs=_formatless(c.kwargs), plain=False)
            for c in calls]


FEATURES: dict[str, Callable[[list[Call]], list[Call]]] = {
    "charts": without_charts,
    "Excel tables": without_excel_tables,
    "cell, row and column formats": without_cell_formats,
    "conditional formats": without_conditional_formats,
}
