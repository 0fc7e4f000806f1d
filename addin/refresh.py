"""Refresh: the ribbon button's entry point.

It reads the workbook's own settings (the hidden ``_saferbook`` sheet written by ``saferbook
build``: project, spec, partner area, period), finds the project's folder in this computer's
add-in settings (:mod:`addin.config`; a project not registered there is refused), runs the engine
exactly as ``saferbook build SPEC --area AREA --period-end SETTING`` would, and rewrites the engine-owned tables and cells in the open workbook. The analyst's own
sheets and cells are never written. Everything is computed before the first write: bad data or a
bad spec shows the CLI's one-line messages and leaves the workbook unchanged.
"""
from __future__ import annotations

import functools
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.api import Prepared, prepare, write_report
from engine.errors import SaferbookError
from engine.contract.names import table_name
from engine.contract.settings_sheet import KIND_DASHBOARD, NOT_PROTECTED, PROTECTED, SHEET_SETTINGS, WorkbookSettings
from addin.book import Book, XlwingsBook
from addin.config import AddinConfig, load_config, registered_spec
from addin.fresh import excel_input
from addin.plan import Conflict, LayoutChange, Plan, SheetState, make_plan, settings_write
from addin.warm import Warm

if TYPE_CHECKING:
    from engine.report import Report

TITLE = "Saferbook"


@functools.cache
def this_process() -> Warm:
    """What this process keeps between clicks (xlwings' UDF server keeps the process; see :mod:`addin.warm`), made
    at the first click: making it imports the engine's phases, which loading the add-in should not wait for."""
    return Warm()


@dataclass
class Outcome:
    """What a refresh did: ``refreshed``, ``failed`` (bad input), ``new_layout``, ``conflict`` or ``error`` (a bug)."""

    status: str
    message: str
    plan: Plan | None = None
    rebuilt: Path | None = None


def main(caller: object | None = None) -> Outcome:
    """Called by the ribbon (through ``saferbook.main()``): refresh the workbook that called.

    ``caller`` is the xlwings book (``xw.Book.caller()`` when omitted) or, in tests, anything with the
    :class:`addin.book.Book` protocol.
    """
    import xlwings as xw

    caller = xw.Book.caller() if caller is None else caller
    book = XlwingsBook(caller) if isinstance(caller, xw.Book) else caller
    return refresh(book, xlwings_version=xw.__version__)


def version_problem(config: AddinConfig, xlwings_version: str | None) -> str | None:
    """Words for a mismatch between the xlwings VBA in the installed add-in and the xlwings Python runs."""
    if not config.xlwings or not xlwings_version or config.xlwings == xlwings_version:
        return None
    return (f"the Saferbook add-in carries the VBA of xlwings {config.xlwings}, but this Python has xlwings "
            f"{xlwings_version}; they must match. Quit Excel and run 'saferbook addin install' again in the Python "
            "environment that has Saferbook (or install xlwings " + config.xlwings + " there)")


def _rebuild_path(book: Book, report: Report) -> Path | None:
    if book.path is None:
        return None
    folder = book.path.parent
    path = folder / f"{report.file_stem}.xlsx"
    number = 1
    while path.exists() or path == book.path:
        path = folder / f"{report.file_stem} (rebuilt{'' if number == 1 else f' {number}'}).xlsx"
        number += 1
    return path


def _offer_rebuild(book: Book, prepared: Prepared, report: Report, spec: str, status: str, why: str) -> Outcome:
    target = _rebuild_path(book, report)
    command = f"saferbook build \"{spec}\" --area \"{report.partner_area}\""
    if target is None:
        text = f"{why}\n\nTo start a new workbook with the new layout, run:\n{command}"
        book.alert(text, f"{TITLE}: nothing was changed")
        return Outcome(status, text)
    question = (f"{why}\n\nBuild a new workbook for {report.partner_area}, {report.current_window}, as "
                f"\"{target.name}\" beside this one? This workbook stays as it is.")
    if not book.ask(question, f"{TITLE}: nothing was changed"):
        return Outcome(status, question)
    try:
        write_report(prepared, report, target)
    except OSError as error:
        text = f"Could not write {target}: {error.strerror or error}. This workbook is unchanged."
        book.alert(text, f"{TITLE}: nothing was changed")
        return Outcome(status, f"{question}\n{text}")
    done = f"Built {target}.\nThis workbook is unchanged: copy your commentary and sheets across to the new one."
    book.alert(done, TITLE)
    return Outcome(status, f"{question}\n{done}", rebuilt=target)


def _summary(settings: WorkbookSettings, report: Report, plan: Plan) -> str:
    lines = [f"{report.partner_area}: refreshed to the 12 months {report.current_window} "
             f"(the workbook showed the period to {settings.shows_period_end or 'unknown'})."]
    if report.kpis:
        kpi = report.kpis[0]
        change = f"{kpi.percent_change:+.1%}" if kpi.percent_change is not None else "n/a"
        lines.append(f"{kpi.name}: {kpi.current:,} ({change} on the previous 12 months).")
    lines.append(f"{len(plan.table_writes)} tables updated" + (f"; resized: {'; '.join(plan.resized)}." if plan.resized
                                                               else ", none resized."))
    if report.quality:
        lines.append("Data quality:")
        lines += [f"  {q.source}: {q.reason}: {q.rows:,}" for q in report.quality]
    return "\n".join(lines)


def _apply(book: Book, plan: Plan) -> None:
    for shift in plan.shifts:
        (book.insert if shift.insert else book.delete)(shift.sheet, shift.rect, shift.direction)
    for sheet, rect in plan.clears:
        book.clear(sheet, rect)
    for write in plan.writes:
        book.write(write.sheet, write.rect, [[excel_input(v) for v in row] for row in write.values])
    for align in plan.aligns:
        book.align(align.sheet, align.rect, align.horizontal)
    for link in plan.links:
        book.link(link.sheet, link.cell, link.target, link.text)


def _protected(settings: WorkbookSettings) -> bool:
    """Whether the refreshed figures must be protected as the built ones were (``--suppress``). A protected
    workbook is the one that leaves the analysts' hands: refreshed without protection it would show the small
    numbers it was sent out hiding, under the same file name. A partner area's workbook that does not say (built
    before the setting was recorded) is refused rather than guessed; a dashboard is never protected."""
    if settings.protected in (PROTECTED, NOT_PROTECTED):
        return settings.protected == PROTECTED
    if settings.kind == KIND_DASHBOARD:
        return False
    raise SaferbookError(f"this workbook does not say whether its small numbers are hidden (protected: "
                         f"{settings.protected!r} on the {SHEET_SETTINGS} sheet; it was built by an earlier Saferbook or "
                         "the setting was edited): build it again with 'saferbook build' (with --suppress if it is "
                         "to be shared) to refresh it")


def refresh(book: Book, period_end: str | None = None, config: AddinConfig | None = None,
            xlwings_version: str | None = None, warm: Warm | None = None) -> Outcome:
    """Refresh ``book`` in place; ``period_end`` overrides the workbook's own setting.

    ``config`` is this computer's add-in settings (read from the user's config file when omitted);
    ``xlwings_version`` the xlwings Python runs, checked against the add-in's VBA; ``warm`` what earlier clicks
    left to reuse (:func:`this_process`'s when omitted).
    """
    spec = ""
    warm = this_process() if warm is None else warm
    try:
        config = load_config() if config is None else config
        mismatch = version_problem(config, xlwings_version)
        if mismatch:
            raise SaferbookError(mismatch)
        book.status(f"{TITLE}: reading this workbook's settings…")
        if SHEET_SETTINGS not in book.sheet_names():
            raise SaferbookError(f"this workbook has no {SHEET_SETTINGS} sheet: Refresh updates workbooks made by "
                                 "'saferbook build' (this version or later); build it again first")
        settings_values = book.values(SHEET_SETTINGS)
        settings = WorkbookSettings.from_rows(settings_values)
        spec = str(registered_spec(config, settings.project, settings.spec))
        request = period_end or settings.period_end or "latest"
        book.status(f"{TITLE}: computing {settings.partner_area}, period end {request}…")
        dashboard = settings.kind == KIND_DASHBOARD  # a dashboard spec builds one workbook: no --area
        prepared = prepare(spec, None if dashboard else [settings.partner_area], request,
                           suppress=_protected(settings), memo=warm.memo)
        if dashboard and prepared.dashboard is None:
            raise SaferbookError(f"this workbook is a dashboard, but {settings.spec} no longer builds one")
        report = prepared.dashboard.report if dashboard else prepared.reports[0]
        fresh = warm.fresh_workbook(prepared, report)
        names = book.sheet_names()
        state = {s: SheetState(book.values(s), book.tables(s)) for s in settings.sheets if s in names}
        old_size = SheetState(settings_values, {}).size
        plan = make_plan(settings, fresh, state)
        plan.writes.append(settings_write(settings, fresh, SHEET_SETTINGS, old_size))
    except SaferbookError as error:
        book.status(None)
        text = "\n".join(f"error: {problem}" for problem in error.problems)
        book.alert(f"{text}\n\nNothing was changed.", f"{TITLE}: Refresh stopped")
        return Outcome("failed", text)
    except LayoutChange as change:
        book.status(None)
        indicators = {table_name("top10", t.indicator_id): t.indicator_name for t in report.top_tables}
        new_indicators = [indicators[t] for t in change.added if t in indicators]
        lines = ([f"the spec now has indicators this workbook lacks: {', '.join(new_indicators)}"] if new_indicators
                 else []) + change.lines
        why = ("This workbook's layout no longer matches what its spec makes, so Refresh changed nothing "
               "rather than half-update it:\n" + "\n".join(f"• {line}" for line in lines))
        return _offer_rebuild(book, prepared, report, spec, "new_layout", why)
    except Conflict as conflict:
        book.status(None)
        why = ("Your own content is where the refreshed layout needs the engine's, so Refresh changed nothing:\n"
               + "\n".join(f"• {line}" for line in conflict.lines[:10])
               + ("\n• …" if len(conflict.lines) > 10 else "") + "\nMove it and click Refresh again, or:")
        return _offer_rebuild(book, prepared, report, spec, "conflict", why)
    except Exception as error:  # noqa: BLE001 - a bug: say so in Excel, where the analyst is, and keep the trace
        traceback.print_exc(file=sys.stderr)
        book.status(None)
        text = f"Refresh stopped because of an internal error (a bug; please report it). Nothing was changed.\n\n{error!r}"
        book.alert(text, f"{TITLE}: internal error")
        return Outcome("error", text)

    failure = None
    try:
        book.screen_updating(False)
        book.status(f"{TITLE}: writing {len(plan.table_writes)} tables…")
        _apply(book, plan)
    except Exception as error:  # noqa: BLE001 - Excel refused something mid-way: the book is partly written
        traceback.print_exc(file=sys.stderr)
        failure = error
    finally:
        book.screen_updating(True)
        book.status(None)
    if failure is not None:
        text = (f"Refresh failed part-way through writing, so this workbook is partly updated: close it without "
                f"saving and try again.\n\n{failure!r}")
        book.alert(text, f"{TITLE}: Refresh failed")
        return Outcome("error", text, plan)
    text = _summary(settings, report, plan)
    book.alert(text, f"{TITLE}: Refresh done")
    return Outcome("refreshed", text, plan)
