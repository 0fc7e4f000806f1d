"""Build every partner's workbook: the Reports once, then the files in parallel processes.

``engine.api.prepare`` reads the data and computes all partner areas at once (it is vectorised
over areas and a failure there is bad input for every area). Rendering and writing each
workbook is then an independent job in a process pool, so one area's failure is recorded for
that area and the others are still built. The workers only render; the files are written here, by
:func:`engine.api.write_partner_files` (the one writer of a partner's workbook and data-quality
CSV), into one :class:`engine.output_set.OutputSet` that replaces the folder's previous set
together. Each workbook's SHA-256 is what the ledger compares with earlier sends.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from engine.api import Prepared, prepare, stage_page, write_partner_files
from engine.output_set import OutputSet
from engine.render import load_theme, render_workbook
from engine.report import Report
from engine.spec import Spec


@dataclass(frozen=True)
class Built:
    """One partner area's build: its files and checksum, or why it failed."""

    report: Report
    path: Path | None = None
    checksum: str | None = None
    size: int | None = None
    attachments: list[Path] = field(default_factory=list)
    error: str | None = None

    @property
    def area(self) -> str:
        return self.report.partner_area


def prepare_partners(spec_path: Path, areas: Sequence[str], period_end: str | None, suppress_small_numbers: bool,
                     warn: Callable[[str], None]) -> Prepared:
    """Spec, data and every named area's Report (raises SaferbookError for bad input)."""
    # The one place partner workbooks ask for small-number suppression: the indicators the spec
    # marks sensitive have their small counts (and every number revealing one) hidden as [c].
    return prepare(spec_path, areas, period_end, suppress=suppress_small_numbers)


def render_one(spec: Spec, spec_dir: Path, report: Report) -> bytes:
    """One partner's workbook, in memory. Runs in a worker; writes nothing."""
    return render_workbook(report, load_theme(spec.theme, spec_dir))


class _InProcess(Executor):
    """An Executor that runs each job at once in this process (one worker: no pool start-up)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - handed back through the future, like a pool
            future.set_exception(error)
        return future


def start_method() -> str:
    """How worker processes start: ``fork`` (cheapest: the engine is already imported) when this
    process runs no other thread, else ``forkserver`` (clean children; e.g. inside a test with a
    mail server thread), ``spawn`` on Windows and macOS (imports the engine again in each worker)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _pool(workers: int) -> Executor:
    if workers <= 1:
        return _InProcess()
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["engine.deliver.build"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


def worker_count(requested: int, jobs: int) -> int:
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(requested or available, jobs))


def build_all(prepared: Prepared, out_dir: Path, workers: int, record_level: bool,
              on_done: Callable[[Built], None] | None = None, pages: bool = False) -> list[Built]:
    """Build every prepared Report's files, ``workers`` at a time, as one set in ``out_dir``.

    A failure to render is one area's (recorded, the others go on); a failure to write (a full
    disk, a read-only folder) is the whole set's: :class:`engine.output_set.OutputError`, nothing replaced.
    ``pages``: each partner's web page is staged and attached too (the pipeline's ``formats: [xlsx, html]``).
    """
    reports = prepared.reports
    count = worker_count(workers, len(reports))
    results: dict[str, Built] = {}
    with OutputSet(out_dir) as files, _pool(count) as pool:
        futures = {pool.submit(render_one, prepared.spec, prepared.spec_dir, report): report for report in reports}
        for future, report in futures.items():
            try:
                data = future.result()
            except Exception as error:  # noqa: BLE001 - one area's failure must not stop the others
                built = Built(report, error=f"{type(error).__name__}: {error}")
            else:
                written = write_partner_files(prepared, report, files, workbook=data)
                attachments = [written.workbook] + ([stage_page(prepared, report, files)] if pages else []) + (
                    [written.quality_csv] if record_level else [])
                built = Built(report, written.workbook, written.checksum, written.size, attachments)
            results[report.partner_area] = built
            if on_done:
                on_done(built)
        files.commit()
    return [results[r.partner_area] for r in reports]
