"""Render many workbooks from computed Reports: in this process, in worker processes, or on a Dask cluster.

Ingest and compute run once for all partner areas (they are vectorised over areas); rendering a
workbook needs only its Report and the theme, so it fans out. Every route returns the workbook's
bytes to this process, which writes the files (atomically, one folder), so the output does not
depend on the route: ``--jobs 4`` and ``--scheduler tcp://…`` give byte-identical files to
``--jobs 1``.

A failure in any worker fails the build: the remaining jobs are cancelled and the error is
raised here, so the CLI reports it (bad input, exit 2; a bug, exit 1). Files already written by
this build stay complete; nothing half-written is left.
"""
from __future__ import annotations

from concurrent.futures import FIRST_EXCEPTION, Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Sequence, Union

from engine.dashboard_report import DashboardReport
from engine.pool import process_pool, worker_count
from engine.render.theme import Theme
from engine.report import Report

Output = Union[Report, DashboardReport]
#: called in this process as each workbook arrives: (position in ``outputs``, its bytes)
OnRendered = Callable[[int, bytes], None]


def render_output(output: Output, theme: Theme) -> bytes:
    """One workbook's bytes: a partner's workbook or a dashboard (runs in a worker)."""
    if isinstance(output, DashboardReport):
        from engine.render import render_dashboard

        return render_dashboard(output, theme)
    from engine.render import render_workbook

    return render_workbook(output, theme)


def render_local(outputs: Sequence[Output], theme: Theme, jobs: int | None, on_rendered: OnRendered) -> None:
    """Render ``outputs`` in ``jobs`` worker processes (None or 0: one per available core; 1: in this process)."""
    with process_pool(worker_count(jobs, len(outputs)), preload=["engine.fanout", "engine.render"]) as pool:
        futures: dict[Future, int] = {pool.submit(render_output, output, theme): i for i, output in enumerate(outputs)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in sorted(done, key=futures.__getitem__):  # a stable order when several finish together
                try:
                    data = future.result()
                except BrokenProcessPool as error:
                    _cancel(pending)
                    raise RuntimeError(f"a render worker process died while writing "
                                       f"{_name(outputs[futures[future]])} ({error})") from None
                except BaseException:
                    _cancel(pending)
                    raise
                on_rendered(futures[future], data)


def _cancel(futures: set[Future]) -> None:
    for future in futures:
        future.cancel()


def _name(output: Output) -> str:
    return output.file_stem if isinstance(output, DashboardReport) else output.partner_area


def render_fanned_out(outputs: Sequence[Output], theme: Theme, on_rendered: OnRendered, jobs: int | None = 1,
                      scheduler: str | None = None) -> None:
    """Render every output, on the Dask cluster at ``scheduler`` when one is named, else locally in ``jobs``."""
    if scheduler:
        from engine.cluster import render_on_cluster

        render_on_cluster(outputs, theme, scheduler, on_rendered)
    else:
        render_local(outputs, theme, jobs, on_rendered)

