"""The ``saferbook`` command. Thin: it parses arguments and calls :mod:`engine.api`.

Exit status: 0 done, 2 bad input (each problem on one line, no traceback), 1 a bug.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Sequence

from engine import __version__
from engine.errors import SaferbookError, SpecError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
DEMO_DATA = REPO_ROOT / "data" / "synthetic" / "generated"  # the demo spec's SYNTHETIC partner extracts (git-ignored)
DEMO_DASHBOARD_SPEC = REPO_ROOT / "specs" / "dashboard.yaml"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saferbook", description="Partner workbooks from YAML indicator specs and raw partner data.")
    parser.add_argument("--version", action="version", version=f"saferbook {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build one workbook per partner area (or the spec's dashboard)")
    build.add_argument("spec", type=Path, help="the spec YAML file")
    build.add_argument("--area", action="append", metavar="NAME", help="only this partner area (repeatable)")
    build.add_argument("--period-end", metavar="YYYY-MM", help="last month of the current 12 months (default: the spec's)")
    build.add_argument("--out", type=Path, default=Path("out"), metavar="DIR", help="output folder (default: out)")
    build.add_argument("--quiet", action="store_true", help="no progress or summary, for schedulers")
    build.add_argument("--verbose", action="store_true", help="also every data-quality note and the stages' times")
    build.add_argument("--suppress", action="store_true",
                       help="hide small counts of sensitive indicators (for workbooks sent to partners)")
    build.add_argument("--format", choices=("xlsx", "html"), default="xlsx",
                       help="html: also a self-contained web page beside each workbook (default: xlsx only)")
    _fan_out_options(build)

    validate = commands.add_parser("validate", help="check the spec and its data; write nothing")
    validate.add_argument("spec", type=Path)
    validate.add_argument("--period-end", metavar="YYYY-MM")

    demo = commands.add_parser("demo", help="build the nine Leicestershire demo workbooks and the county dashboard "
                                            "from the bundled real data and generated SYNTHETIC partner extracts")
    demo.add_argument("--out", type=Path, default=Path("saferbook-demo"), metavar="DIR", help="output folder (default: saferbook-demo)")
    demo.add_argument("--quiet", action="store_true")
    demo.add_argument("--verbose", action="store_true", help="also every data-quality note and the stages' times")
    _fan_out_options(demo)

    schema = commands.add_parser("schema", help="print the spec's JSON Schema (for editor autocompletion)")
    schema.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")

    for plugin in _plugins():  # e.g. ``saferbook addin``: the add-in describes its own subcommand
        plugin.add_parser(commands)

    run = commands.add_parser("run", help="build every partner's workbook and e-mail each partner its own, once",
                              description="Exit status: 0 all sent (or already sent), 1 something failed or another "
                                          "run is in progress, 2 bad input.")
    run.add_argument("pipeline", type=Path, help="the pipeline YAML file")
    run.add_argument("--dry-run", action="store_true", help="write the messages as .eml files to the outbox; send nothing")
    run.add_argument("--only", action="append", metavar="AREA", help="only this partner area (repeatable)")
    run.add_argument("--force", action="store_true", help="send even what was already sent (or is in doubt)")
    run.add_argument("--quiet", action="store_true", help="print nothing unless something needs attention, for schedulers")

    history = commands.add_parser("history", help="the run ledger: recent runs, workbooks and sends")
    history.add_argument("pipeline", type=Path, help="the pipeline YAML file")
    history.add_argument("--runs", type=int, default=10, metavar="N", help="how many recent runs (default 10)")
    history.add_argument("--area", metavar="NAME", help="only this partner area's sends")
    return parser


def _spec_first(spec: Path, period_end: str | None) -> None:
    """The spec and ``--period-end`` checked with the spec package alone, before the data engine (pandas, pyarrow,
    scipy: most of a run's start-up) is even imported, so that a spec mistake is reported in a fraction of a
    second. ``prepare`` checks them again (a few milliseconds) for callers that come through the API."""
    from engine.spec import load_spec
    from engine.spec.method_checks import period_end_argument_problems

    load_spec(spec)
    problems = period_end_argument_problems(period_end, str(spec))
    if problems:
        raise SpecError(problems)


def _fan_out_options(command: argparse.ArgumentParser) -> None:
    """Where the workbooks are rendered: worker processes here, or a Dask cluster."""
    command.add_argument("--jobs", type=_jobs, default=0, metavar="N",
                         help="render (and run a protected build's disclosure checks) in N worker processes "
                              "(default: one per available core; 1: in this process)")
    command.add_argument("--scheduler", metavar="tcp://HOST:8786",
                         help="render on this Dask distributed cluster instead (pip install \"saferbook[cluster]\")")


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of worker processes, 1 or more, not {text!r}")
    return int(text)


def _build(spec: Path, out: Path, areas: Sequence[str] | None, period_end: str | None, quiet: bool,
           suppress: bool = False, output_format: str = "xlsx", jobs: int | None = None, scheduler: str | None = None,
           cache=None, verbose: bool = False, sources: bool = True) -> int:
    _spec_first(spec, period_end)
    from engine.api import prepare, render_all
    from engine.cli_output import print_build_summary, progress_bar

    started = time.perf_counter()
    cache = cache if cache is not None else _ingest_cache()
    with progress_bar(None, quiet, f"Reading and computing {spec.name}"):
        kept = _kept_reports(cache)
        prepared = prepare(spec, areas, period_end, suppress, cache=cache, kept=kept, jobs=jobs)
    with progress_bar(len(prepared.outputs), quiet, "Writing workbooks") as advance:
        paths = render_all(prepared, out, on_written=lambda report, path: advance(report.partner_area),
                           pages=output_format == "html", jobs=jobs, scheduler=scheduler, kept=kept)
    pages = [path.with_suffix(".html") for path in paths] if output_format == "html" else []
    if not quiet:
        print_build_summary(prepared, paths, time.perf_counter() - started, verbose=verbose, sources=sources)
        if pages:
            print(f"{len(pages)} web page(s) beside the workbooks: {', '.join(p.name for p in pages)}")
    return 0


def _ingest_cache():
    """One command's reads, kept on disk for the next command while their files are unchanged
    (:mod:`engine.ingest.disk_cache`; ``SAFERBOOK_NO_INGEST_CACHE=1`` reads every file every time)."""
    from engine.ingest.cache import IngestCache
    from engine.ingest.disk_cache import DiskStore, enabled

    return IngestCache(store=DiskStore() if enabled() else None)


def _kept_reports(cache):
    """Computed Reports and their workbooks kept on disk beside the reads they came from (only when the reads are
    kept)."""
    from engine.ingest.disk_cache import DiskStore, reports_folder

    return DiskStore(reports_folder()) if getattr(cache, "store", None) is not None else None


def _demo_data(quiet: bool) -> None:
    """The demo's SYNTHETIC partner extracts, generated only when missing or stale (see engine.synthetic.freshness)."""
    from engine.cli_output import progress_bar
    from engine.synthetic import ensure_generated

    started = time.perf_counter()
    with progress_bar(None, quiet, "Generating the SYNTHETIC partner extracts"):
        generated = ensure_generated(DEMO_DATA)
    if generated and not quiet:
        print(f"Generated the SYNTHETIC partner extracts (not real records) in {DEMO_DATA} "
              f"({time.perf_counter() - started:.1f} s)")


def _validate(spec: Path, period_end: str | None) -> int:
    _spec_first(spec, period_end)
    from engine.api import prepare

    prepared = prepare(spec, None, period_end)
    geo = prepared.inputs.geography
    print(f"{spec}: valid. {len(prepared.spec.indicators)} indicators, {len(prepared.reports)} partner areas, "
          f"{len(geo.small_area_codes):,} small areas, period to {prepared.reports[0].period_end}.")
    if prepared.dashboard is not None:
        print(f"  dashboard: {prepared.dashboard.subject} = {len(prepared.dashboard.members)} "
              f"{geo.partner_label.lower()}s ({', '.join(prepared.dashboard.members)})")
    for line in prepared.inputs.quality:  # the builder's console: with examples (partners' sheets have none)
        print(f"  {line.source}: {line.reason}: {line.rows:,}" + (f" (e.g. {line.example})" if line.example else ""))
    return 0


def _schema(out: Path | None) -> int:
    from engine.spec import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


PLUGIN_GROUP = "saferbook.commands"


def _plugins() -> list[Any]:
    """Subcommands other packages add (the ``saferbook.commands`` entry points: ``addin`` = :mod:`addin.cli`).

    Each is a module with ``NAME``, ``add_parser(commands)`` and ``run(args)``. Found through the installed
    package's metadata, so the engine never imports the add-in by name (DESIGN: nothing in ``engine/``
    imports ``addin/``); a Saferbook installed without the add-in simply has no ``addin`` command.
    """
    return [entry.load() for entry in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name)]

def _run(pipeline: Path, dry_run: bool, only: Sequence[str] | None, force: bool, quiet: bool) -> int:
    from engine.deliver.lock import RunLocked
    from engine.deliver.runner import RunOptions, run_pipeline
    from engine.deliver.summary import print_run_summary

    echo = (lambda line: None) if quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    try:
        result = run_pipeline(pipeline, RunOptions(dry_run=dry_run, only=only, force=force), echo=echo)
    except RunLocked as error:
        print(f"saferbook run: {error}", file=sys.stderr)
        return 1
    print_run_summary(result, quiet)
    return result.exit_code


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    plugin = next((p for p in _plugins() if p.NAME == args.command), None)
    if plugin is not None:
        return plugin.run(args)
    if args.command == "build":
        return _build(args.spec, args.out, args.area, args.period_end, args.quiet, args.suppress, args.format,
                      args.jobs, args.scheduler, verbose=args.verbose)
    if args.command == "validate":
        return _validate(args.spec, args.period_end)
    if args.command == "demo":
        for spec in (DEMO_SPEC, DEMO_DASHBOARD_SPEC):
            if not spec.is_file():
                raise SaferbookError(f"the demo spec {spec} is not here: run the demo from a source checkout (pip install -e .)")
        _demo_data(args.quiet)
        cache = _ingest_cache()  # the dashboard reads the partner workbooks' sources: read them once
        return (_build(DEMO_SPEC, args.out, None, None, args.quiet, jobs=args.jobs, scheduler=args.scheduler,
                       cache=cache, verbose=args.verbose)
                or _build(DEMO_DASHBOARD_SPEC, args.out, None, None, args.quiet, jobs=args.jobs,
                          scheduler=args.scheduler, cache=cache, verbose=args.verbose,
                          sources=False))
    if args.command == "run":
        return _run(args.pipeline, args.dry_run, args.only, args.force, args.quiet)
    if args.command == "history":
        from engine.deliver.history import print_history

        print_history(args.pipeline, args.runs, args.area)
        return 0
    return _schema(args.out)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: bad input -> one line per problem and exit 2; a bug -> traceback and exit 1."""
    try:
        return run(argv)
    except SaferbookError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; finished workbooks are complete, the rest were not written", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - anything else is our bug; show it in full
        traceback.print_exc()
        print("saferbook: internal error (a bug); please report it with the lines above", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
