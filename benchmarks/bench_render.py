"""Render one workbook against the writer's floor: a bare xlsxwriter write of the same cells.

The yardstick writes every value the workbook holds (read back from the rendered file), sheet by
sheet, with ``write_row`` and no formats, tables, charts or conditional formats: what any
program must pay to put those cells in an .xlsx with xlsxwriter. For the workbook with its maps, the
yardstick also inserts the same PNG pictures (their drawing is what the maps rows measure). The ratio
is what Saferbook's presentation (formats, Excel tables, charts, sparklines, print setup, the settings
sheet) and its own Python cost on top. Target: within 2×.

    python benchmarks/bench_render.py [--area Leicester] [--repeat 7] [--profile] [--floor]

Prints CPU seconds (process time: robust on a shared machine) and wall seconds, medians. Maps are
timed three ways: left out, taken from the picture cache (a rebuild whose maps did not change), and
drawn afresh (an empty cache for every run). Each mode has its own yardstick: "left out" is compared with the
bare write of the cells alone, the other two with the bare write that also inserts the pictures. Inserting a
picture costs both sides the same (reading its PNG header, deflating it into the zip), so that common cost makes
the "from the cache" ratio the smaller of the two even though the render is the same; read the seconds too.

The measured things take turns (one run of each per round), so that a change in the shared machine's load falls on
all of them alike. Every timed run starts from a full garbage collection (untimed). Without it the measurement was the collector's:
``prepare`` and the yardsticks' cells leave this process well over a hundred thousand tracked objects, each render
moves some ten thousand more into the oldest generation (Python collects it whole once those reach a quarter of
it), and so every second or third run paid a full collection of the whole heap (0.07–0.1 s, more than all of the
render's own Python). Which mode's runs it fell in decided which came out slower: it made
"maps left out" (timed first, right after ``prepare``) slower than "maps from the cache", which does strictly
more. A collection at the start of each run puts every mode, the yardsticks included, on the same footing.

``--floor`` adds where xlsxwriter's own time for the workbook goes beyond the bare write: the engine's recorded calls
replayed (:mod:`render_replay`, no engine code runs) without its charts, without its Excel tables (their cells written
plainly), without cell formats, and without conditional formats. With the demo's workbooks those features alone take
xlsxwriter past 2× the bare write, before any of the engine's Python: what the target would cost to reach is fewer Excel
features, not less overhead.

For a whole-process comparison by an outside timer, ``--save DIR`` keeps the Report and the cells,
and ``--loop render|render-without-maps|bare --from DIR --times N`` repeats one of them N times.
"""
from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import io
import os
import pickle
import pstats
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from checkout import use_checkout

ROOT = Path(__file__).resolve().parents[1]
use_checkout()  # PYTHONPATH still comes first

from render_replay import FEATURES, recorded, replay  # noqa: E402

from engine.render import load_theme, render_workbook  # noqa: E402
from engine.render.theme import Theme  # noqa: E402
from engine.render.xlsx_writer import WORKBOOK_OPTIONS  # noqa: E402
from engine.report import Report  # noqa: E402

Sheets = list[tuple[str, list[list]]]


def cells_of(data: bytes) -> Sheets:
    """Every sheet's values, row by row, as openpyxl reads them back."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return [(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book.worksheets]


def pictures_of(data: bytes) -> list[bytes]:
    """The workbook's embedded pictures (the maps), in file order."""
    book = zipfile.ZipFile(io.BytesIO(data))
    return [book.read(n) for n in sorted(book.namelist()) if n.startswith("xl/media/") and n.endswith(".png")]


def bare_write(sheets: Sheets, pictures: list[bytes] = ()) -> bytes:
    """The same cells with xlsxwriter and nothing else (and the same pictures, when given)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    for title, rows in sheets:
        sheet = workbook.add_worksheet(title)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
        for position, picture in enumerate(pictures if title == "Maps" else ()):
            sheet.insert_image(position * 30, 0, f"map{position}.png", {"image_data": io.BytesIO(picture)})
    workbook.close()
    return buffer.getvalue()


def timed(fn, repeat: int, before=None) -> tuple[float, float]:
    """Median CPU and wall seconds of ``fn`` (``before`` and a full garbage collection run untimed ahead of each)."""
    cpu, wall = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        gc.collect()
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def timed_in_turn(fns: list, repeat: int) -> list[tuple[float, float]]:
    """:func:`timed` for several things, taking turns: each round runs every one of them once, so that a change in
    the machine's load (it is shared) falls on all of them alike and the ratios between them keep."""
    runs: list[list[tuple[float, float]]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, times in zip(fns, runs):
            times.append(timed(fn, 1))
    return [(statistics.median(c for c, _ in times), statistics.median(w for _, w in times)) for times in runs]


def fresh_cache(root: Path):
    """A new, empty picture cache for the next run: every map is drawn."""
    counter = iter(range(10**9))

    def point() -> None:
        os.environ["XDG_CACHE_HOME"] = str(root / f"empty-{next(counter)}")
    return point


def loop(what: str, saved: Path, times: int) -> None:
    """Repeat one measured thing ``times`` times, for a whole-process timer outside."""
    report, theme, sheets = pickle.loads((saved / "render.pickle").read_bytes())
    if what == "bare":  # the cells of the workbook without its maps
        for _ in range(times):
            bare_write(sheets)
        return
    report = report if what == "render" else dataclasses.replace(report, maps=None)
    for _ in range(times):
        render_workbook(report, theme)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=str(ROOT / "specs" / "community_safety.yaml"))
    parser.add_argument("--area", default="Leicester")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print the render's cProfile (maps left out), by own time")
    parser.add_argument("--floor", action="store_true",
                        help="also print what each kind of Excel feature costs xlsxwriter in this workbook (maps left out)")
    parser.add_argument("--save", type=Path, help="keep the Report and cells here for --loop")
    parser.add_argument("--loop", choices=["render", "render-without-maps", "bare"],
                        help="repeat one thing (bare: the cells of the workbook without its maps)")
    parser.add_argument("--from", dest="saved", type=Path)
    parser.add_argument("--times", type=int, default=20)
    args = parser.parse_args()
    if args.loop:
        loop(args.loop, args.saved, args.times)
        return
    from engine.api import prepare

    prepared = prepare(args.spec, areas=[args.area])
    report: Report = prepared.reports[0]
    theme: Theme = load_theme(prepared.spec.theme, prepared.spec_dir)
    plain = dataclasses.replace(report, maps=None)
    data = render_workbook(report, theme)  # (fills the picture cache: the "from the cache" rows use it)
    sheets, pictures = cells_of(render_workbook(plain, theme)), pictures_of(data)
    sheets_with_maps = cells_of(data)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / "render.pickle").write_bytes(pickle.dumps((report, theme, sheets)))
    plain_calls = recorded(lambda: render_workbook(plain, theme))[0]
    calls = recorded(lambda: render_workbook(report, theme))[0]
    n_cells = sum(1 for _, rows in sheets for row in rows for v in row if v is not None)
    without, cached, bare, bare_pictures, replayed, replayed_maps = timed_in_turn([
        lambda: render_workbook(plain, theme), lambda: render_workbook(report, theme), lambda: bare_write(sheets),
        lambda: bare_write(sheets_with_maps, pictures), lambda: replay(plain_calls), lambda: replay(calls)], args.repeat)
    home = os.environ.get("XDG_CACHE_HOME")
    with tempfile.TemporaryDirectory() as empty:
        drawn = timed(lambda: render_workbook(report, theme), max(3, args.repeat // 2), before=fresh_cache(Path(empty)))
    if home is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = home
    print(f"| one workbook ({args.area}: {len(sheets)} sheets, {n_cells:,} cells, {len(pictures)} maps, "
          f"{len(data):,} bytes) | CPU s | wall s | ratio to its yardstick (CPU) |")
    print("|---|---|---|---|")
    print(f"| bare xlsxwriter write_row of the same cells | {bare[0]:.3f} | {bare[1]:.3f} | |")
    print(f"| the same, and the same map pictures inserted | {bare_pictures[0]:.3f} | {bare_pictures[1]:.3f} | |")
    print(f"| the same workbook by xlsxwriter alone (the render's calls replayed), maps left out | {replayed[0]:.3f} | "
          f"{replayed[1]:.3f} | {replayed[0] / bare[0]:.2f}× the bare write |")
    print(f"| the same, with the maps | {replayed_maps[0]:.3f} | {replayed_maps[1]:.3f} | "
          f"{replayed_maps[0] / bare_pictures[0]:.2f}× the bare write |")
    print(f"| Saferbook render, maps left out | {without[0]:.3f} | {without[1]:.3f} | {without[0] / bare[0]:.2f}× (target 2×); "
          f"{without[0] / replayed[0]:.2f}× xlsxwriter alone |")
    print(f"| Saferbook render, maps from the picture cache | {cached[0]:.3f} | {cached[1]:.3f} | "
          f"{cached[0] / bare_pictures[0]:.2f}× (target 2×); {cached[0] / replayed_maps[0]:.2f}× xlsxwriter alone |")
    print(f"| Saferbook render, maps drawn afresh | {drawn[0]:.3f} | {drawn[1]:.3f} | {drawn[0] / bare_pictures[0]:.2f}× |")
    print(f"| maps' share: drawn afresh − left out | {drawn[0] - without[0]:.3f} | {drawn[1] - without[1]:.3f} | |")
    print(f"| maps' share: from the cache − left out | {cached[0] - without[0]:.3f} | {cached[1] - without[1]:.3f} | |")
    if args.floor:
        print_floor(plain_calls, sheets, args.repeat)
    if args.profile:
        profile = cProfile.Profile()
        gc.collect()
        profile.enable()
        render_workbook(plain, theme)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        print_shares(pstats.Stats(profile))


def print_floor(calls: list, sheets: Sheets, repeat: int) -> None:
    """Where xlsxwriter's time for this workbook (maps left out) goes beyond the bare write of its cells: the recorded
    calls replayed with one kind of Excel feature taken out at a time, and with all of them out. A feature's cost is
    the whole replay's time less the replay without it; no engine code runs in any of them."""
    without_all = calls
    for strip in FEATURES.values():
        without_all = strip(without_all)
    variants = [calls] + [strip(calls) for strip in FEATURES.values()] + [without_all]
    *timings, bare = timed_in_turn([lambda v=v: replay(v) for v in variants] + [lambda: bare_write(sheets)], repeat)
    whole, each, rest = timings[0][0], timings[1:-1], timings[-1][0]
    print(f"\n| xlsxwriter's time for the workbook (maps left out), CPU s | seconds | × the bare write |")
    print("|---|---|---|")
    print(f"| the bare write_row of the same cells | {bare[0]:.3f} | 1.00× |")
    print(f"| the whole workbook by xlsxwriter alone (replay) | {whole:.3f} | {whole / bare[0]:.2f}× |")
    for name, (without, _wall) in zip(FEATURES, each):
        print(f"| of which {name} (the replay without them: {without:.3f} s) | {whole - without:.3f} | "
              f"{(whole - without) / bare[0]:.2f}× |")
    print(f"| the replay without all of those | {rest:.3f} | {rest / bare[0]:.2f}× |")


def _owner(filename: str) -> str | None:
    """``engine/render/layout.py`` or ``xlsxwriter/worksheet.py`` for our and xlsxwriter's files, else None."""
    for marker in ("/engine/", "/xlsxwriter/"):
        if marker in filename:
            return marker.strip("/") + "/" + filename.split(marker, 1)[1]
    return None


def print_shares(stats: pstats.Stats, top: int = 15) -> None:
    """The profiled render's time by whose code spends it: each engine module's own time (with the built-ins and
    standard library it calls itself), and xlsxwriter's by function, own time with what it calls in turn (the
    profiler inflates many small Python calls more than a few long ones: read shares, not seconds)."""
    engine: dict[str, float] = {}
    writer: dict[str, list[float]] = {}
    for (filename, _line, function), (_cc, _n, own, cumulative, callers) in stats.stats.items():  # type: ignore[attr-defined]
        owner = _owner(filename)
        if owner is None:  # a built-in or the standard library: charged to whoever called it
            for (caller_file, _l, _f), (_c, _m, spent, _cum) in callers.items():
                if (by := _owner(caller_file)) and by.startswith("engine/"):
                    engine[by] = engine.get(by, 0.0) + spent
            continue
        if owner.startswith("engine/"):
            engine[owner] = engine.get(owner, 0.0) + own
        else:
            writer[f"{owner}:{function}"] = [own, cumulative]
    total = sum(engine.values())
    print(f"\nengine's own Python: {total:.3f} s of {stats.total_tt:.3f} s profiled, by module")  # type: ignore[attr-defined]
    for module, spent in sorted(engine.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {spent:.4f}  {module}")
    print("xlsxwriter by function: own s, cumulative s")
    for function, (own, cumulative) in sorted(writer.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"  {own:.4f}  {cumulative:.4f}  {function}")


if __name__ == "__main__":
    main()
