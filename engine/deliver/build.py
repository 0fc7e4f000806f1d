"""Build every partner's workbook: the Reports once, then the files in parallel processes.

``engine.api.prepare`` reads the data and computes all partner areas at once (it is vectorised
over areas and a failure there is bad input for every area). Rendering and writing each
workbook is then an independent job in a process pool, so one area's failure is recorded for
that area and the others are still built. Each finished file's SHA-256 is what the ledger
compares with earlier sends.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import Executor
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from engine.api import Prepared, prepare
from engine.atomic import write_bytes_atomic
from engine.pool import process_pool, worker_count
from engine.quality import issues_csv
from engine.render import load_theme, write_workbook
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


def quality_csv(report: Report) -> bytes:
    """The workbook's listed data-quality rows as CSV (attached only when the pipeline allows record-level data)."""
    return issues_csv([astuple(issue) for issue in report.quality_issues])


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_one(spec: Spec, spec_dir: Path, report: Report, out_dir: Path,
              record_level: bool) -> tuple[Path, str, int, list[Path]]:
    """Write one partner's workbook (and CSV); return path, checksum, size and attachments. Runs in a worker."""
    return _written(report, write_workbook(report, load_theme(spec.theme, spec_dir), out_dir), out_dir, record_level)


def _written(report: Report, path: Path, out_dir: Path, record_level: bool) -> tuple[Path, str, int, list[Path]]:
    """A written workbook's path, checksum, size and attachments (its data-quality CSV written beside it if wanted)."""
    attachments = [path]
    if record_level:
        csv_path = out_dir / f"{report.file_stem}_data_quality.csv"
        write_bytes_atomic(csv_path, quality_csv(report))
        attachments.append(csv_path)
    return path, sha256_of(path), path.stat().st_size, attachments


def _pool(workers: int) -> Executor:
    return process_pool(workers, preload=["engine.deliver.build"])


def build_on_cluster(prepared: Prepared, out_dir: Path, scheduler: str, record_level: bool,
                     on_done: Callable[[Built], None] | None = None) -> list[Built]:
    """Build every prepared Report's workbook on the Dask cluster at ``scheduler`` (pipeline ``scheduler:``); the
    workbooks come back here and are written here; failures are per area, as in :func:`build_all`."""
    from engine.cluster import rendered_on_cluster
    from engine.render.workbook import write_xlsx

    reports = prepared.reports
    results: dict[int, Built] = {}
    for position, result in rendered_on_cluster(reports, load_theme(prepared.spec.theme, prepared.spec_dir), scheduler):
        report = reports[position]
        try:
            if isinstance(result, Exception):
                raise result
            built = Built(report, *_written(report, write_xlsx(result, out_dir, report.file_stem), out_dir,
                                            record_level))
        except Exception as error:  # noqa: BLE001 - one area's failure must not stop the others
            built = Built(report, error=f"{type(error).__name__}: {error}")
        results[position] = built
        if on_done:
            on_done(built)
    return [results[i] for i in range(len(reports))]


def build_all(prepared: Prepared, out_dir: Path, workers: int, record_level: bool,
              on_done: Callable[[Built], None] | None = None, scheduler: str | None = None) -> list[Built]:
    """Build every prepared Report's workbook, ``workers`` at a time (or on a Dask cluster); failures are per area."""
    if scheduler:
        return build_on_cluster(prepared, out_dir, scheduler, record_level, on_done)
    reports = prepared.reports
    count = worker_count(workers, len(reports))
    results: dict[str, Built] = {}
    with _pool(count) as pool:
        futures = {pool.submit(build_one, prepared.spec, prepared.spec_dir, report, out_dir, record_level): report
                   for report in reports}
        for future, report in futures.items():
            try:
                path, checksum, size, attachments = future.result()
                built = Built(report, path, checksum, size, attachments)
            except Exception as error:  # noqa: BLE001 - one area's failure must not stop the others
                built = Built(report, error=f"{type(error).__name__}: {error}")
            results[report.partner_area] = built
            if on_done:
                on_done(built)
    return [results[r.partner_area] for r in reports]
