"""The engine's public functions: the CLI, the Excel add-in and scheduled delivery call these.

Each step is timed so the benchmark and ``--verbose`` runs can show where time goes. The phases
(spec, ingest, indicators, render) are imported inside the functions that run them, so importing
this module costs almost nothing and a command pays only for the phases it uses.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from engine.errors import Problem, SpecError
from engine.output_set import OutputSet
from engine.suggest import did_you_mean

if TYPE_CHECKING:  # the phases are imported when they run: `saferbook --help` and the add-in start fast
    from engine.dashboard_report import DashboardReport
    from engine.ingest import Inputs
    from engine.ingest.cache import IngestCache
    from engine.ingest.disk_cache import DiskStore
    from engine.render.cell_values import WrittenCells
    from engine.render.theme import Theme
    from engine.report import Report
    from engine.spec import Spec


@dataclass
class Prepared:
    """A validated spec, its inputs and every partner area's Report, ready to render."""

    spec: Spec
    spec_dir: Path
    inputs: Inputs
    reports: list[Report]
    timings: dict[str, float] = field(default_factory=dict)
    dashboard: DashboardReport | None = None  # a spec with ``dashboard:`` builds this instead of the partner workbooks
    kept_key: str | None = None  # what the Reports are kept on disk under (``prepare(kept=...)``), if they are

    @property
    def outputs(self) -> list[Report]:
        """What :func:`render_all` writes, one workbook each: the dashboard's subject, or every partner area."""
        return [self.dashboard.report] if self.dashboard is not None else self.reports


MEMO_ENTRIES = 8  # an analyst refreshing a few partners' workbooks in turn


def _watching_cache() -> IngestCache:
    """A cache that notices its files changing (imported here: ingest is a phase, loaded when first used)."""
    from engine.ingest.cache import IngestCache

    return IngestCache(watch=True)


@dataclass
class ComputeMemo:
    """What :func:`prepare` computed, kept between calls in one long-lived process (the Excel add-in's).

    It holds the :class:`~engine.ingest.cache.IngestCache` its reads come from. A call whose spec file (by its
    path: the same text in another file is another spec, and its Reports name it), spec, arguments and build day
    are the same as an earlier one's, and whose every read was served by the very same cached read (no file
    behind it changed: see :mod:`engine.ingest.stamps`), gets that call's Reports without computing them again;
    anything else computes afresh (:func:`_computed_from`). It keeps the :data:`MEMO_ENTRIES` most recent.
    """

    cache: IngestCache = field(default_factory=_watching_cache)
    _prepared: OrderedDict[str, Prepared] = field(default_factory=OrderedDict)
    hits: int = 0

    def get(self, key: str) -> Prepared | None:
        prepared = self._prepared.get(key)
        if prepared is not None:
            self.hits += 1
            self._prepared.move_to_end(key)
        return prepared

    def put(self, key: str, prepared: Prepared) -> None:
        self._prepared[key] = prepared
        while len(self._prepared) > MEMO_ENTRIES:
            self._prepared.popitem(last=False)


def _unknown_areas(areas: Sequence[str], names: Sequence[str], spec_file: str) -> list[Problem]:
    """One problem per name (case-insensitive) that is not a partner area's, with a "did you mean"."""
    known = {name.casefold() for name in names}
    return [Problem(f"unknown area {a!r}{did_you_mean(a, names)}", file=spec_file, key_path="--area")
            for a in areas if a.casefold() not in known]


def select_areas(partner_names: Sequence[str], areas: Sequence[str] | None, spec_file: str) -> list[int] | None:
    """Positions of the named areas among ``partner_names`` (case-insensitive; None: every area), in the order
    named; every unknown name is one problem. Chosen before computing, so a ``--area`` build renders only its own."""
    if not areas:
        return None
    names = [str(name) for name in partner_names]
    problems = _unknown_areas(areas, names, spec_file)
    if problems:
        raise SpecError(problems)
    position = {name.casefold(): p for p, name in enumerate(names)}
    return [position[a.casefold()] for a in dict.fromkeys(a.casefold() for a in areas)]


def _in_order_named(reports: list[Report], chosen: list[int] | None, partner_names: Sequence[str]) -> list[Report]:
    """The chosen areas' Reports in the order ``--area`` named them (build_reports returns them by position)."""
    if chosen is None:
        return reports
    by_name = {r.partner_area: r for r in reports}
    return [by_name[str(partner_names[p])] for p in chosen]


def check_arguments(spec: Spec, spec_dir: Path, spec_file: str, areas: Sequence[str] | None,
                    period_end: str | None) -> None:
    """The build's own arguments, before any data is read: ``--period-end`` must be YYYY-MM (or latest), and each
    ``--area`` a partner area's name, looked up in the partner-area lookup only (a small table; none of the data
    sources). The spec's ``geography.benchmark.areas`` are checked against the same lookup. Whether the data
    reaches the period end is known only once it is read."""
    from engine.ingest.benchmark_areas import benchmark_area_problems
    from engine.ingest.geography import partner_area_codes_and_names
    from engine.spec.method_checks import period_end_argument_problems
    from engine.yaml_lines import locate

    problems = period_end_argument_problems(period_end, spec_file)
    needs_lookup = (areas and spec.dashboard is None) or spec.geography.benchmark.areas is not None
    codes, names = partner_area_codes_and_names(spec, spec_dir) if needs_lookup else ([], [])
    if areas and spec.dashboard is None:
        problems += _unknown_areas(areas, names, spec_file)
    if spec.geography.benchmark.areas is not None:
        problems += locate(SpecError(benchmark_area_problems(spec, codes, names)), spec_file).problems
    if problems:
        raise SpecError(problems)


def _computed_from(spec: Spec, spec_path: str | Path, spec_dir: Path, project, areas: Sequence[str] | None,
                   period_end: str | None, suppress: bool, reads: Sequence) -> str:
    """Everything the Reports are computed from, as one key: the spec, the spec file's own path (the Reports name it:
    the settings sheet's ``spec``, which a Refresh reads) and folder, the project, the arguments, the build day, and
    ``reads``, each read's serial (:class:`ComputeMemo`, in this process) or identity (kept on disk, across commands;
    see :mod:`engine.ingest.cache`): a read is keyed by its sources' resolved paths and served only while their files
    are unchanged, so the same reads mean the same data."""
    from engine.indicators.periods import generated_timestamp

    return json.dumps({"spec": spec.model_dump(mode="json"), "spec_path": os.path.abspath(spec_path),
                       "spec_dir": str(spec_dir), "project": [project.id, str(project.root)],
                       "areas": list(areas or ()), "period_end": period_end, "suppress": suppress,
                       "generated": generated_timestamp(0).isoformat(), "reads": list(reads)},
                      sort_keys=True, default=str)


def prepare(spec_path: str | Path, areas: Sequence[str] | None = None, period_end: str | None = None,
            suppress: bool = False, cache: IngestCache | None = None, memo: ComputeMemo | None = None,
            kept: DiskStore | None = None, jobs: int | None = 1) -> Prepared:
    """Load spec and data and compute the Reports; raises SaferbookError for bad input.

    ``suppress=True`` is for workbooks that leave the analysts' hands (partner deliveries): the
    small counts of indicators marked ``sensitive: true``, and every number that would reveal
    one, are hidden (``None`` in the Reports, ``suppressed`` in the workbook). ``cache`` shares sources read by an
    earlier ``prepare`` of the same command (the demo's two specs; see :mod:`engine.ingest.cache`). ``memo``
    (which brings its own cache) also keeps the Reports, for a later call with nothing changed (:class:`ComputeMemo`).
    ``kept`` keeps them on disk for a later command, when ``cache`` keeps its reads on disk too: a command whose
    spec, arguments, build day, engine and every read (each file behind it unchanged) are the same as an earlier
    one's gets that command's Reports without computing them (``saferbook build`` and ``demo``).

    ``jobs``: the worker processes a protected build's disclosure checks run in, one partner area's at a time (None
    or 0: one per available core; 1: in this process), as ``render_all``'s render. The Reports are the same whatever
    it is, so it is no part of what they are memoised or kept under.
    """
    from engine.indicators import build_reports
    from engine.indicators.dashboard.subject import build_dashboard, subject_members
    from engine.indicators.published import with_subject_published
    from engine.ingest import load_inputs
    from engine.project import project_of_spec
    from engine.render import load_theme
    from engine.report import Provenance
    from engine.spec import load_spec
    from engine.spec.loader import locate

    started = time.perf_counter()
    spec, spec_dir = load_spec(spec_path)
    if spec.dashboard is not None:
        _check_dashboard_options(areas, suppress, str(spec_path))
    load_theme(spec.theme, spec_dir)  # a bad theme is a spec problem: find it before reading data
    check_arguments(spec, spec_dir, str(spec_path), areas, period_end)
    project = project_of_spec(spec_path)  # a broken project file needs no data to find
    loaded = time.perf_counter()
    if memo is not None:
        cache = memo.cache
    try:
        inputs = load_inputs(spec, spec_dir, cache)
    except SpecError as error:  # found while reading the geography (a group member, an alias): point at the spec
        raise locate(SpecError([replace(p, file=p.file or str(spec_path)) for p in error.problems]), spec_path) from None
    ingested = time.perf_counter()
    key = None
    if memo is not None:  # the reads' serials stand for the data
        key = _computed_from(spec, spec_path, spec_dir, project, areas, period_end, suppress, memo.cache.served)
        known = memo.get(key)
        if known is not None:
            timings = {"spec": loaded - started, "ingest": ingested - loaded, "compute": time.perf_counter() - ingested}
            return replace(known, timings=timings)
    kept_key = None
    if kept is not None and cache is not None and cache.identities and None not in cache.identities:
        # each read's identity across commands stands for the data (None: a cache without a disk store)
        kept_key = _computed_from(spec, spec_path, spec_dir, project, areas, period_end, suppress, cache.identities)
    stored = kept.load(kept_key) if kept is not None and kept_key is not None else None
    if stored is not None:
        reports, dashboard = stored.value
        timings = {"spec": loaded - started, "ingest": ingested - loaded, "compute": time.perf_counter() - ingested}
        return Prepared(spec, spec_dir, inputs, reports, timings, dashboard, kept_key)
    dashboard = None
    try:
        chosen = select_areas(inputs.geography.partner_names, areas, str(spec_path))
        reports = build_reports(spec, inputs, str(spec_path), period_end, suppress=suppress, partners=chosen,
                                jobs=jobs)
        if spec.dashboard is not None:
            dashboard = build_dashboard(spec, inputs.geography, reports, str(spec_path), boundaries=inputs.boundaries)
            dashboard = with_subject_published(dashboard, spec, inputs,
                                               subject_members(spec, inputs.geography, str(spec_path)))
        reports = _in_order_named(reports, chosen, inputs.geography.partner_names)
    except SpecError as error:
        raise locate(error, spec_path) from None
    computed = time.perf_counter()
    provenance = Provenance(
        project=project.id,
        spec=project.relative(spec_path),
        period_end_setting=period_end or spec.periods.period_end,
        protected=suppress,
        data_locations=tuple((name, project.relative(spec_dir / source.path)) for name, source in spec.sources.items()),
    )
    reports = [replace(report, provenance=provenance) for report in reports]
    if dashboard is not None:
        dashboard = replace(dashboard, report=replace(dashboard.report, provenance=provenance))
    timings = {"spec": loaded - started, "ingest": ingested - loaded, "compute": computed - ingested}
    prepared = Prepared(spec, spec_dir, inputs, reports, timings, dashboard, kept_key if kept is not None else None)
    if memo is not None and key is not None:
        memo.put(key, prepared)
    if kept is not None and kept_key is not None:
        from engine.ingest.disk_cache import Stored
        from engine.ingest.issues import IssueLog

        kept.save(kept_key, Stored((reports, dashboard), IssueLog(), ()))
    return prepared


def _check_dashboard_options(areas: Sequence[str] | None, suppress: bool, spec_file: str) -> None:
    """A dashboard spec builds one workbook for its subject: per-area and privacy-protected builds do not apply."""
    problems = []
    if areas:
        problems.append(Problem("a dashboard spec builds one workbook for its subject; --area does not apply",
                                file=spec_file, key_path="--area"))
    if suppress:
        problems.append(Problem("small-number suppression is not available for dashboards yet (the member areas' "
                                "counts would show what it hides); build without --suppress", file=spec_file,
                                key_path="--suppress"))
    if problems:
        raise SpecError(problems)


@dataclass(frozen=True)
class PartnerFiles:
    """One partner's files as staged by :func:`write_partner_files` (in place once the set is committed)."""

    report: Report
    workbook: Path
    quality_csv: Path
    checksum: str  # SHA-256 of the workbook's bytes: what the delivery ledger compares
    size: int


def theme(prepared: Prepared) -> Theme:
    """The prepared spec's theme, read now (a theme file edited since :func:`prepare` is seen)."""
    from engine.render import load_theme

    return load_theme(prepared.spec.theme, prepared.spec_dir)


def partner_workbook(prepared: Prepared, report: Report) -> bytes:
    """One prepared Report's workbook, in memory: the dashboard's, or a partner area's."""
    from engine.render import render_dashboard, render_workbook

    if prepared.dashboard is not None and report is prepared.dashboard.report:
        return render_dashboard(prepared.dashboard, theme(prepared))
    return render_workbook(report, theme(prepared))


def workbook_cells(prepared: Prepared, report: Report, with_theme: Theme | None = None) -> WrittenCells:
    """What each sheet of one prepared Report's workbook holds, by sheet (the hidden settings sheet too), values and
    horizontal alignments, without making the file: what Refresh in Excel copies from (the sheets it keeps as built
    are left empty). ``with_theme``: the :func:`theme` the caller has just read (else it is read here)."""
    from engine.render.dashboard import dashboard_cells
    from engine.render.workbook import workbook_cells as partner_cells

    now = with_theme or theme(prepared)
    if prepared.dashboard is not None and report is prepared.dashboard.report:
        return dashboard_cells(prepared.dashboard, now)
    return partner_cells(report, now)


def partner_quality_csv(prepared: Prepared, report: Report) -> bytes:
    """The data-quality CSV that goes beside ``report``'s workbook: every row about that partner area, and every
    row about a file as a whole (labelled so), never another partner's. A dashboard (the analysts' own
    overview of its member areas) lists every row."""
    from engine.indicators.partner_quality import PartnerQuality
    from engine.quality import issues_csv, missing_rows

    issues = prepared.inputs.issues
    geography = prepared.inputs.geography
    codes = [str(code) for code in geography.partner_codes]
    missing = missing_rows(report)  # the workbook's own figures shown as n/a, and why
    if report.partner_code not in codes:
        return issues_csv(missing + issues.rows())
    own = PartnerQuality(prepared.spec, prepared.inputs).own_rows(codes.index(report.partner_code), report.partner_area)
    return issues_csv([(*row, report.partner_area) for row in missing] + issues.rows(*own), labelled=True)


def write_partner_files(prepared: Prepared, report: Report, files: OutputSet, *, workbook: bytes | None = None,
                        stem: str | None = None) -> PartnerFiles:
    """Stage one partner's workbook and data-quality CSV in ``files``: the one writer of a partner's files.

    The CLI, delivery and the add-in all call this. ``workbook``: bytes already rendered (by a
    delivery worker process); ``stem``: another file name than the Report's (the add-in's rebuild).
    """
    data = partner_workbook(prepared, report) if workbook is None else workbook
    stem = stem or report.file_stem
    path = files.add(f"{stem}.xlsx", data)
    csv_path = files.add(f"{stem}_data_quality.csv", partner_quality_csv(prepared, report))
    return PartnerFiles(report, path, csv_path, hashlib.sha256(data).hexdigest(), len(data))


def _kept_workbook_key(prepared: Prepared, position: int, now: Theme) -> str | None:
    """What one output's workbook bytes are kept on disk under: the kept Reports' key (the computation), which output,
    and the theme with its logo's bytes (the workbook embeds them); None when the Reports are not kept."""
    if prepared.kept_key is None:
        return None
    try:
        logo = hashlib.sha256(now.logo.read_bytes()).hexdigest() if now.logo is not None else None
    except OSError:
        return None  # rendering reports it
    return json.dumps({"reports": prepared.kept_key, "output": position, "theme": repr(now), "logo": logo})


def render_all(prepared: Prepared, out_dir: Path, on_written: Callable[[Report, Path], None] | None = None,
               pages: bool = False, jobs: int | None = 1, scheduler: str | None = None,
               kept: DiskStore | None = None) -> list[Path]:
    """Write every prepared Report's workbook and data-quality CSV into ``out_dir`` as one set
    (:class:`engine.output_set.OutputSet`: all replaced together, or none; a concurrent build is refused).

    ``pages``: each workbook's web page too (``--format html``), in the same set; the returned paths
    are the workbooks'. ``jobs`` worker processes render the workbooks (None or 0: one per available core),
    or the Dask cluster at ``scheduler`` does; this process stages every file, so the files are the same
    bytes either way. ``kept``: workbooks kept on disk for Reports that were kept (``prepare(kept=...)``), served
    instead of rendering the same Report with the same theme and engine again, and kept when rendered.
    """
    from engine.fanout import render_fanned_out

    started = time.perf_counter()
    outputs = [prepared.dashboard] if prepared.dashboard is not None else prepared.outputs
    paths: list[Path | None] = [None] * len(outputs)
    with OutputSet(Path(out_dir)) as files:
        def stage(position: int, data: bytes) -> None:
            report = prepared.outputs[position]
            paths[position] = write_partner_files(prepared, report, files, workbook=data).workbook
            if pages:
                stage_page(prepared, report, files)
            if on_written:
                on_written(report, paths[position])

        now = theme(prepared)
        keys = [_kept_workbook_key(prepared, i, now) if kept is not None else None for i in range(len(outputs))]
        missing = []
        for position, key in enumerate(keys):
            stored = kept.load(key) if kept is not None and key is not None else None
            if stored is not None and isinstance(stored.value, bytes):
                stage(position, stored.value)
            else:
                missing.append(position)

        def rendered(index: int, data: bytes) -> None:
            position = missing[index]
            if kept is not None and keys[position] is not None:
                from engine.ingest.disk_cache import Stored
                from engine.ingest.issues import IssueLog

                kept.save(keys[position], Stored(data, IssueLog(), ()))
            stage(position, data)

        if missing:
            render_fanned_out([outputs[i] for i in missing], now, rendered, jobs=jobs, scheduler=scheduler)
        files.commit()
    prepared.timings["render"] = time.perf_counter() - started
    return [path for path in paths if path is not None]


def partner_page(prepared: Prepared, report: Report) -> bytes:
    """One prepared Report's self-contained web page (``--format html``): the dashboard's, or a partner area's."""
    from engine.web import dashboard_html, report_html  # only HTML builds load the page renderer

    if prepared.dashboard is not None and report is prepared.dashboard.report:
        return dashboard_html(prepared.dashboard, theme(prepared))
    return report_html(report, theme(prepared))


def stage_page(prepared: Prepared, report: Report, files: OutputSet) -> Path:
    """Stage one Report's web page beside its workbook, in the same set (replaced together with it)."""
    from engine.web import html_name

    return files.add(html_name(report), partner_page(prepared, report))


def workbook_bytes(prepared: Prepared, report: Report) -> bytes:
    """One prepared Report's workbook, in memory (nothing is written)."""
    return partner_workbook(prepared, report)


def write_report(prepared: Prepared, report: Report, path: Path) -> Path:
    """One prepared Report's files written at ``path`` (any name, e.g. a rebuild beside a workbook) and its
    data-quality CSV beside it, as one set."""
    with OutputSet(path.parent) as files:
        write_partner_files(prepared, report, files, stem=path.stem)
        files.commit()
    return path


def build(spec_path: str | Path, out_dir: str | Path, areas: Sequence[str] | None = None,
          period_end: str | None = None, suppress: bool = False, jobs: int | None = 1,
          scheduler: str | None = None) -> list[Path]:
    """Build the partner workbooks a spec describes; return their paths (``suppress``: see :func:`prepare`;
    ``jobs`` and ``scheduler``: see :func:`render_all`; ``jobs`` worker processes run the disclosure checks too)."""
    return render_all(prepare(spec_path, areas, period_end, suppress, jobs=jobs), Path(out_dir), jobs=jobs,
                      scheduler=scheduler)
