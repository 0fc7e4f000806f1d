"""Benchmark: what the maps cost, apart from the rest of the build.

    python benchmarks/bench_maps.py [--repeat N]

Measures, each N times (default 3), reporting the median and the minimum:

* reading the bundled boundary file (611 LSOAs) and keeping the geography's shapes;
* computing every partner's map data (bands, ranks, rings, the dissolved outline: ``partner_map_sets``);
* importing matplotlib (a fresh interpreter: what the first map of a process pays once);
* per workbook (every demo partner area): turning its shapes into matplotlib paths once, then each map
  drawn on the workbook's shared figure and encoded as PNG (and, for comparison, drawn whole on a figure of
  its own, as before the figure was shared); the whole workbook rendered with its maps drawn afresh (an empty
  picture cache), with its maps from the picture cache, and without its Maps sheet;
* the dashboard's district maps, the same way.

Also checks that importing the engine and the command line, and preparing Reports, do not import
matplotlib (start-up stays fast), nor does rendering workbooks whose maps are all in the cache. Prints a
plain-text table and always exits 0: the targets (< 0.15 s of a workbook's render for its maps) are
reported, not enforced.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checkout import use_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]
use_checkout()  # runnable from a checkout even without the editable install; PYTHONPATH still comes first

import engine.cli  # noqa: E402,F401  (imported for the start-up check)
import engine.indicators.counted.phase as counted_phase  # noqa: E402
from engine.api import prepare  # noqa: E402
from engine.ingest.boundaries import load_boundaries  # noqa: E402
from engine.ingest.issues import IssueLog  # noqa: E402
from engine.render import load_theme, render_workbook  # noqa: E402
from engine.render.dashboard import render_dashboard  # noqa: E402

SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
DASHBOARD_SPEC = REPO_ROOT / "specs" / "dashboard.yaml"
PER_MAP_TARGET_S = 0.3
PER_WORKBOOK_TARGET_S = 0.15  # the maps' share of one workbook's render
# Timed by wall clock in a fresh interpreter: imports are mostly reading files.
IMPORT_SNIPPET = ("import time; t = time.perf_counter(); import matplotlib.figure, matplotlib.collections, "
                  "matplotlib.backends.backend_agg; print(time.perf_counter() - t)")
# A fresh interpreter renders a demo workbook whose maps the benchmark has just put in the cache.
CACHED_SNIPPET = ("import sys; from engine.api import prepare; from engine.render import load_theme, render_workbook; "
                  "p = prepare('specs/community_safety.yaml'); "
                  "render_workbook(p.reports[0], load_theme(p.spec.theme, p.spec_dir)); print('matplotlib' in sys.modules)")


WALL: dict[int, float] = {}  # id of a CPU-time measurement -> its wall time (shown beside it)


class Seconds(float):
    """CPU seconds of one measurement (``time.process_time``), carrying its wall time too: on a machine shared
    with other jobs the wall time includes waiting for a core, the CPU time is the work done."""

    wall: float

    def __new__(cls, cpu: float, wall: float) -> "Seconds":
        value = super().__new__(cls, cpu)
        value.wall = wall
        return value

    def __sub__(self, other: float) -> "Seconds":  # type: ignore[override]
        return Seconds(float(self) - float(other), self.wall - getattr(other, "wall", float(other)))


def timed(action) -> tuple[Seconds, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return Seconds(time.process_time() - cpu, time.perf_counter() - wall), result


def row(name: str, values: list, target: float | None = None) -> str:
    if not values:  # e.g. the map data is no longer computed where this benchmark looks for it
        return f"{name:<58} {'n/a':>9}"
    median, low = statistics.median(values), min(values)
    wall = statistics.median(getattr(v, "wall", v) for v in values)
    verdict = "" if target is None else ("met" if median < target else "MISSED")
    return f"{name:<58} {median:>9.3f} {low:>9.3f} {wall:>9.3f} {len(values):>5}  {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    startup_clean = "matplotlib" not in sys.modules

    map_set_times: list[float] = []
    original = counted_phase.partner_map_sets

    def measured(*a, **k):
        seconds, result = timed(lambda: original(*a, **k))
        map_set_times.append(seconds)
        return result

    counted_phase.partner_map_sets = measured  # type: ignore[assignment]
    prepared = prepare(SPEC)
    counted_phase.partner_map_sets = original  # type: ignore[assignment]
    prepare_clean = "matplotlib" not in sys.modules
    dashboard = prepare(DASHBOARD_SPEC).dashboard
    theme = load_theme(prepared.spec.theme, prepared.spec_dir)
    assert prepared.spec.maps is not None and dashboard is not None and dashboard.maps is not None

    read, imports, canvas, per_map, whole_map, fresh, cached, without_maps = [], [], [], [], [], [], [], []
    dash_canvas, dash_map = [], []
    from engine.render.map_drawing import MapCanvas, MapLook, MapPainter, draw_map, png_bytes

    def per_map_on_one_figure(map_set, shapes) -> list:
        look = MapLook.of(theme, map_set.maps[0])
        painter = MapPainter(shapes, look.muted, look.title)
        return [timed(lambda: painter.picture(m, MapLook.of(theme, m)))[0] for m in map_set.maps]

    empty = tempfile.mkdtemp(prefix="saferbook-bench-maps-")
    shared, runs = f"{empty}/shared", iter(range(10**9))
    os.environ["XDG_CACHE_HOME"] = shared  # the benchmark's own picture cache, filled below

    def render_fresh(render) -> Seconds:
        """``render`` timed with an empty picture cache (every map drawn), then the shared cache back."""
        os.environ["XDG_CACHE_HOME"] = f"{empty}/{next(runs)}"
        seconds = timed(render)[0]
        os.environ["XDG_CACHE_HOME"] = shared
        return seconds

    for report in prepared.reports:
        render_workbook(report, theme)  # fills the shared cache: the "from the picture cache" rows
    render_dashboard(dashboard, theme)

    for _ in range(args.repeat):
        read.append(timed(lambda: load_boundaries(prepared.spec.maps, prepared.spec_dir,
                                                  prepared.inputs.geography, IssueLog()))[0])
        imported = float(subprocess.run([sys.executable, "-c", IMPORT_SNIPPET], capture_output=True, text=True,
                                        check=True).stdout)
        imports.append(Seconds(imported, imported))  # wall time only (the child's own clock)
        for report in prepared.reports:
            seconds, built = timed(lambda: MapCanvas.of(report.maps))
            canvas.append(seconds)
            per_map += per_map_on_one_figure(report.maps, built)
            whole_map += [timed(lambda: png_bytes(draw_map(built, m, theme).figure))[0] for m in report.maps.maps]
            fresh.append(render_fresh(lambda: render_workbook(report, theme)))
            cached.append(timed(lambda: render_workbook(report, theme))[0])
            without_maps.append(timed(lambda: render_workbook(dataclasses.replace(report, maps=None), theme))[0])
        seconds, built = timed(lambda: MapCanvas.of(dashboard.maps))
        dash_canvas.append(seconds)
        dash_map += per_map_on_one_figure(dashboard.maps, built)
    dash_fresh = [render_fresh(lambda: render_dashboard(dashboard, theme)) for _ in range(args.repeat)]
    dash_without = [timed(lambda: render_dashboard(dataclasses.replace(dashboard, maps=None), theme))[0]
                    for _ in range(args.repeat)]
    cached_clean = subprocess.run([sys.executable, "-c", CACHED_SNIPPET], capture_output=True, text=True, check=True,
                                  cwd=REPO_ROOT).stdout.strip()
    shutil.rmtree(empty, ignore_errors=True)

    maps_per_book = len(prepared.spec.maps.indicators)
    print(f"Maps: {len(prepared.reports)} partner workbooks x {maps_per_book} maps, and the dashboard's "
          f"{len(dashboard.maps.maps)}; Python {sys.version.split()[0]}; {args.repeat} repeats")
    print(f"{'seconds (CPU; wall time beside it)':<58} {'cpu med':>9} {'cpu min':>9} {'wall med':>9} {'n':>5}")
    print(row("read boundaries (611 LSOAs, gzipped GeoJSON)", read))
    print(row("compute all partners' map data (bands, rings, outlines)", map_set_times))
    print(row("import matplotlib (fresh interpreter, once per process)", imports))
    print(row("per workbook: shapes to matplotlib paths (once)", canvas))
    print(row("per map: drawn on the workbook's shared figure, PNG", per_map, PER_MAP_TARGET_S))
    print(row("per map: drawn whole on a figure of its own, PNG", whole_map, PER_MAP_TARGET_S))
    print(row(f"per workbook: maps drawn afresh ({maps_per_book}; render - without)",
              [a - b for a, b in zip(fresh, without_maps)], PER_WORKBOOK_TARGET_S))
    print(row("per workbook: maps from the picture cache (render - without)",
              [a - b for a, b in zip(cached, without_maps)], PER_WORKBOOK_TARGET_S))
    print(row("per workbook: render, maps drawn afresh", fresh))
    print(row("per workbook: render, maps from the picture cache", cached))
    print(row("per workbook: render without maps", without_maps))
    print(row("dashboard: shapes to paths (once)", dash_canvas))
    print(row("dashboard: per map, shared figure, PNG", dash_map, PER_MAP_TARGET_S))
    print(row("dashboard: maps drawn afresh (render - without)", [a - b for a, b in zip(dash_fresh, dash_without)]))
    print(f"matplotlib imported by 'import engine.cli': {'no' if startup_clean else 'YES'}; "
          f"by prepare(): {'no' if prepare_clean else 'YES'}; "
          f"by rendering a workbook whose maps are all in the cache: {'no' if cached_clean == 'False' else 'YES'}")


if __name__ == "__main__":
    main()
