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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from engine.api import Prepared, prepare, stage_page, write_partner_files
from engine.fanout import render_output
from engine.output_set import OutputSet
from engine.pool import process_pool, worker_count
from engine.render import load_theme
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
                     warn: Callable[[str], None], workers: int = 1) -> Prepared:
    """Spec, data and every named area's Report (raises SaferbookError for bad input); the disclosure checks in
    ``workers`` processes (0: one per CPU), as the workbooks are rendered."""
    # The one place partner workbooks ask for small-number suppression: the indicators the spec
    # marks sensitive have their small counts (and every number revealing one) hidden as [c].
    return prepare(spec_path, areas, period_end, suppress=suppress_small_numbers, jobs=workers)


def render_one(spec: Spec, spec_dir: Path, report: Report) -> bytes:
    """One partner's workbook, in memory. Runs in a worker; writes nothing."""
    return render_output(report, load_theme(spec.theme, spec_dir))


def _rendered(prepared: Prepared, workers: int, scheduler: str | None) -> Iterator[tuple[int, bytes | Exception]]:
    """(position, workbook bytes or the render's exception) for every Report: in ``workers`` local processes, or
    on the Dask cluster at ``scheduler`` (the pipeline's ``scheduler:``)."""
    reports = prepared.reports
    if scheduler:
        from engine.cluster import rendered_on_cluster

        yield from rendered_on_cluster(reports, load_theme(prepared.spec.theme, prepared.spec_dir), scheduler)
        return
    with process_pool(worker_count(workers, len(reports)), preload=["engine.deliver.build"]) as pool:
        futures = [pool.submit(render_one, prepared.spec, prepared.spec_dir, report) for report in reports]
        for position, future in enumerate(futures):
            try:
                yield position, future.result()
            except Exception as error:  # noqa: BLE001 - one area's failure must not stop the others
                yield position, error


def build_all(prepared: Prepared, out_dir: Path, workers: int, record_level: bool,
              on_done: Callable[[Built], None] | None = None, pages: bool = False,
              scheduler: str | None = None) -> list[Built]:
    """Build every prepared Report's files, ``workers`` at a time (or on a Dask cluster), as one set in ``out_dir``.

    A failure to render is one area's (recorded, the others go on); a failure to write (a full
    disk, a read-only folder) is the whole set's: :class:`engine.output_set.OutputError`, nothing replaced.
    ``pages``: each partner's web page is staged and attached too (the pipeline's ``formats: [xlsx, html]``).
    """
    reports = prepared.reports
    results: dict[int, Built] = {}
    with OutputSet(out_dir) as files:
        for position, result in _rendered(prepared, workers, scheduler):
            report = reports[position]
            if isinstance(result, Exception):
                built = Built(report, error=f"{type(result).__name__}: {result}")
            else:
                written = write_partner_files(prepared, report, files, workbook=result)
                attachments = [written.workbook] + ([stage_page(prepared, report, files)] if pages else []) + (
                    [written.quality_csv] if record_level else [])
                built = Built(report, written.workbook, written.checksum, written.size, attachments)
            results[position] = built
            if on_done:
                on_done(built)
        files.commit()
    return [results[i] for i in range(len(reports))]
