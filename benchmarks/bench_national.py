"""Every partnership in England and Wales in one build: wall, CPU, peak memory and output at growing scale.

A seeded generator writes police.uk-format street files (the download's layout: ``YYYY-MM/``
folders, one ``YYYY-MM-<force>-street.csv`` per force and month, every column police.uk
publishes: 64-character Crime IDs, coordinates, location text, outcomes) for every LSOA of the
chosen forces, with real ONS geography (``data/ons/lsoa11_csp23_pfa23_ew.csv.gz``, made by
``scripts/prepare_national_lookup.py``) and the quirks real files have (crimes republished in a
later month, rows with no location). A scale of 1/8 takes whole forces, in a seeded order, until
an eighth of the partnerships are in; full scale is all 43 forces, about 6.5 million rows a year.
The spec has one partner area per Community Safety Partnership, each compared with its own
force's partnerships (``comparison_areas: {same: PFA23NM}``).

Each build runs in a fresh process (``saferbook build --jobs N``), so its peak memory is its own.
The yardsticks, on the same files: a plain ``pyarrow.csv.read_csv`` of every file (ingest; the median of
three reads), and a bare xlsxwriter ``write_row`` of the cells of a sample of the workbooks (render; see bench_render.py).

    python benchmarks/bench_national.py --scales 1/8 1/4 [1/2 1] [--jobs 2] [--keep] [--protected]

``--protected`` builds as partners receive their workbooks (``--suppress``), with two small indicators added and marked
sensitive, robbery and possession of weapons (counts below 5 hidden, and whatever would give them away): every
partnership's disclosure check runs, and the benchmark's figures are checked against all of them.

Generated data goes to benchmarks/results/national/ (git-ignored); it is reused when present.
"""
from __future__ import annotations

import argparse
import binascii
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from checkout import child_environment

ROOT = Path(__file__).resolve().parents[1]
LOOKUP = ROOT / "data" / "ons" / "lsoa11_csp23_pfa23_ew.csv.gz"
RESULTS = ROOT / "benchmarks" / "results" / "national"
SEED = 19
YARDSTICK_READS = 3  # the pyarrow read is timed this many times and its median taken
MONTHS = [f"{y}-{m:02d}" for y, m in [(2021, 11), (2021, 12)] + [(2022, m) for m in range(1, 11)]]
ROWS_PER_PERSON_MONTH = 6.5e6 / 59.6e6 / 12  # about 6.5 million rows a year for England and Wales
CRIME_TYPES = {  # police.uk's shares, roughly (2022)
    "Anti-social behaviour": 0.17, "Violence and sexual offences": 0.33, "Public order": 0.08,
    "Criminal damage and arson": 0.08, "Other theft": 0.07, "Shoplifting": 0.05, "Vehicle crime": 0.06,
    "Burglary": 0.04, "Drugs": 0.025, "Other crime": 0.02, "Theft from the person": 0.015,
    "Bicycle theft": 0.01, "Robbery": 0.01, "Possession of weapons": 0.01,
}
OUTCOMES = ["Investigation complete; no suspect identified", "Unable to prosecute suspect", "Under investigation",
            "Awaiting court outcome", "Status update unavailable"]
REPUBLISHED = 0.01  # share of crimes republished in a later month
NO_LOCATION = 0.015  # share of rows with no LSOA
INDICATORS = {
    "total_crime": ("Total recorded crime", {"not_in": ["Anti-social behaviour"]}),
    "anti_social_behaviour": ("Anti-social behaviour", {"equals": "Anti-social behaviour"}),
    "violence_and_sexual_offences": ("Violence and sexual offences", {"equals": "Violence and sexual offences"}),
    "burglary": ("Burglary", {"equals": "Burglary"}),
    "vehicle_crime": ("Vehicle crime", {"equals": "Vehicle crime"}),
    "criminal_damage_and_arson": ("Criminal damage and arson", {"equals": "Criminal damage and arson"}),
}
SENSITIVE = {  # added with --protected, small counts hidden (the spec's default rule: below 5): about 1% of crimes each
    "robbery": ("Robbery", {"equals": "Robbery"}),
    "possession_of_weapons": ("Possession of weapons", {"equals": "Possession of weapons"}),
}


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def chosen_forces(lookup: pd.DataFrame, scale: Fraction) -> list[str]:
    """Whole forces in a seeded order until ``scale`` of the partnerships are in."""
    forces = sorted(lookup["PFA23NM"].unique())
    order = np.random.default_rng(SEED).permutation(len(forces))
    csps = lookup.groupby("PFA23NM")["CSP23CD"].nunique()
    target, taken, chosen = float(scale) * lookup["CSP23CD"].nunique(), 0, []
    for i in order:
        if taken >= target - 0.5:
            break
        chosen.append(forces[i])
        taken += csps[forces[i]]
    return sorted(chosen)


def generate(folder: Path, lookup: pd.DataFrame, forces: list[str]) -> int:
    """Write the street files of ``forces`` into ``folder``; return the number of rows."""
    rng = np.random.default_rng(SEED)
    types = np.array(list(CRIME_TYPES), dtype=object)
    shares = np.array(list(CRIME_TYPES.values()))
    shares /= shares.sum()
    intensity = rng.gamma(2.0, 0.5, len(lookup))  # some neighbourhoods busier than others
    lookup = lookup.assign(expected=lookup["All Ages (mid-2020)"] * ROWS_PER_PERSON_MONTH * intensity)
    total, carried = 0, {}
    for force in forces:
        areas = lookup.loc[lookup["PFA23NM"] == force]
        codes, names = areas["LSOA11CD"].to_numpy(dtype=object), areas["LSOA11NM"].to_numpy(dtype=object)
        for month in MONTHS:
            counts = rng.poisson(areas["expected"].to_numpy())
            n = int(counts.sum())
            at = np.repeat(np.arange(len(areas)), counts)
            crime = types[rng.choice(len(types), n, p=shares)]
            ids = np.frombuffer(binascii.hexlify(rng.bytes(32 * n)), dtype="S64").astype(str).astype(object)
            ids[crime == "Anti-social behaviour"] = ""
            lsoa, lsoa_name = codes[at].copy(), names[at].copy()
            lost = rng.random(n) < NO_LOCATION
            lsoa[lost], lsoa_name[lost] = "", ""
            frame = pd.DataFrame({
                "Crime ID": ids, "Month": month, "Reported by": f"{force} Police", "Falls within": f"{force} Police",
                "Longitude": np.round(rng.uniform(-5.5, 1.7, n), 6).astype(str),
                "Latitude": np.round(rng.uniform(50.0, 55.8, n), 6).astype(str),
                "Location": [f"On or near Street {k}" for k in rng.integers(1, 5000, n)],
                "LSOA code": lsoa, "LSOA name": lsoa_name, "Crime type": crime,
                "Last outcome category": np.where(crime == "Anti-social behaviour", "",
                                                  np.array(OUTCOMES, dtype=object)[rng.integers(0, len(OUTCOMES), n)]),
                "Context": "",
            })
            previous = carried.get(force)
            if previous is not None and len(previous):  # crimes republished from an earlier month, outcome updated
                frame = pd.concat([frame, previous.assign(Month=month)], ignore_index=True)
            named = frame.loc[(frame["Crime ID"] != "") & (frame["Month"] == month)]
            carried[force] = named.sample(frac=REPUBLISHED, random_state=int(rng.integers(1 << 31)))
            out = folder / month / f"{month}-{slug(force)}-street.csv"
            out.parent.mkdir(parents=True, exist_ok=True)
            pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), out,
                            pacsv.WriteOptions(quoting_style="needed"))
            total += len(frame)
    return total


def write_spec(folder: Path, data: Path, lookup_file: Path, forces: list[str], protected: bool = False) -> Path:
    import yaml

    indicators = [{"id": key, "name": name, "priority": "Crime", "source": "street_crime",
                   "where": {"crime_type": condition}} for key, (name, condition) in INDICATORS.items()]
    indicators += [{"id": key, "name": name, "priority": "Crime", "source": "street_crime", "where": {"crime_type": condition},
                    "sensitive": True} for key, (name, condition) in (SENSITIVE.items() if protected else ())]
    spec = {
        "spec_version": "1.0", "title": "National benchmark (generated police.uk rows)",
        "organisation": "Benchmark", "attribution": "Generated rows; ONS geography (Open Government Licence v3.0).",
        "data_root": str(RESULTS),
        "sources": {
            "street_crime": {"type": "police_uk", "path": str(data), "description": "generated police.uk rows",
                             "forces": [slug(force) for force in forces]},
            "lookup": {"type": "csv", "path": str(lookup_file)},
        },
        "geography": {
            "small_areas": {"source": "lookup", "code": "LSOA11CD", "name": "LSOA11NM", "partner_area_code": "CSP23CD",
                            "label": "LSOA"},
            "partner_areas": {"source": "lookup", "code": "CSP23CD", "name": "CSP23NM", "label": "Partnership",
                              "where": {"PFA23NM": {"in": forces}}},
            "benchmark": {"name": "The forces built", "description": "every partnership of the forces built"},
            "population": {"source": "lookup", "code": "LSOA11CD", "value": "All Ages (mid-2020)"},
        },
        "periods": {"period_end": "latest", "window_months": 6},
        "comparisons": list(INDICATORS),
        "comparison_areas": {"same": "PFA23NM"},
        "indicators": indicators,
    }
    path = folder / ("national_protected.yaml" if protected else "national.yaml")
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def pyarrow_read(data: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of a plain pyarrow read of every file: the ingest yardstick."""
    started, cpu = time.perf_counter(), time.process_time()
    tables = [pacsv.read_csv(f) for f in sorted(data.glob("*/*.csv"))]
    pa.concat_tables(tables, promote_options="default")
    return time.perf_counter() - started, time.process_time() - cpu


def bare_render(workbooks: list[Path]) -> float:
    """Median CPU seconds of a bare xlsxwriter write of each workbook's cells: the render yardstick."""
    from bench_render import bare_write, cells_of

    seconds = []
    for path in workbooks:
        sheets = cells_of(path.read_bytes())
        started = time.process_time()
        bare_write(sheets)
        seconds.append(time.process_time() - started)
    return statistics.median(seconds)


CHILD = """
import json, resource, sys, time
from multiprocessing import forkserver
from pathlib import Path
from engine.api import prepare, render_all
from engine.render import load_theme, render_workbook

p = prepare(sys.argv[1], suppress=sys.argv[4] == "protected", jobs=int(sys.argv[3]))
paths = render_all(p, Path(sys.argv[2]), jobs=int(sys.argv[3]))
# forkserver render workers are the forkserver's children, not this process's: until it is stopped and waited for,
# their CPU and memory are in no count this process can read (at exit it would be left for init to reap)
getattr(getattr(forkserver, "_forkserver", None), "_stop", lambda: None)()
mine, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
built = {"cpu": mine.ru_utime + mine.ru_stime + workers.ru_utime + workers.ru_stime,
         "rss_mb": max(mine.ru_maxrss, workers.ru_maxrss) / 1024, "workbooks": len(paths)}
started = time.perf_counter()
theme = load_theme(p.spec.theme, p.spec_dir)
sample = p.reports[::max(1, len(p.reports) // 3)][:3]
cpu = []
for report in sample:
    c = time.process_time()
    render_workbook(report, theme)
    cpu.append(time.process_time() - c)
print(json.dumps({**p.timings, **built, "sample": [r.file_stem + ".xlsx" for r in sample], "sample_cpu": cpu,
                  "sample_wall": time.perf_counter() - started}))
"""


def build(spec: Path, out: Path, jobs: int, protected: bool = False) -> dict:
    """One build in a fresh process (start-up included): wall, CPU (its render workers included, whether forked or
    started by a forkserver) and peak RSS of its largest process, as the build process measured them before
    rendering a sample of workbooks again for the yardstick. The child imports Saferbook as this process does
    (PYTHONPATH's folders first, then this checkout; see checkout.py)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", CHILD, str(spec), str(out), str(jobs),
                             "protected" if protected else "open"], capture_output=True,
                            text=True, cwd=spec.parent, env=child_environment())  # not cwd=ROOT: "-c" puts it first
    wall = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(result.stderr)
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return {**measured, "wall": wall - measured["sample_wall"]}


def scale_files(text: str, protected: bool = False) -> tuple[Path, Path, Path, int]:
    """(folder, spec, police.uk folder, rows) of one scale ("1/8"), generated on first use and reused after."""
    lookup = pd.read_csv(LOOKUP, dtype={"All Ages (mid-2020)": float})
    lookup_file = RESULTS / "lookup.csv"
    if not lookup_file.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        with gzip.open(LOOKUP, "rt", encoding="utf-8") as handle:
            lookup_file.write_text(handle.read(), encoding="utf-8")
    scale = Fraction(text)
    forces = chosen_forces(lookup, scale)
    folder = RESULTS / f"scale_{scale.numerator}_{scale.denominator}"
    data = folder / "police_uk"
    marker = folder / "rows.txt"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        data.mkdir(parents=True)
        marker.write_text(str(generate(data, lookup, forces)))
    return folder, write_spec(folder, data, lookup_file, forces, protected), data, int(marker.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["1/8", "1/4"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the workbooks written")
    parser.add_argument("--protected", action="store_true",
                        help="build as partners receive it (--suppress), with two small sensitive indicators added")
    args = parser.parse_args()
    rows_out = []
    for text in args.scales:
        folder, spec, data, rows = scale_files(text, args.protected)
        out = folder / "out"
        shutil.rmtree(out, ignore_errors=True)
        measured = build(spec, out, args.jobs, args.protected)
        output_bytes = sum(p.stat().st_size for p in out.iterdir())
        reads = [pyarrow_read(data) for _ in range(YARDSTICK_READS)]  # one read's wall swung 2x with the load
        arrow = (statistics.median(w for w, _ in reads), statistics.median(c for _, c in reads))
        bare = bare_render([out / name for name in measured["sample"]])
        rows_out.append((text, rows, measured, output_bytes, arrow, bare, statistics.median(measured["sample_cpu"])))
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    print(f"\n--jobs {args.jobs}{', protected (--suppress)' if args.protected else ''}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| scale | rows | workbooks | wall s | CPU s | CPU s per million rows | ingest s | compute s | render s "
          "| peak RSS MB | output MB | pyarrow read wall / CPU s | ingest ÷ pyarrow (wall) "
          "| render one workbook CPU ms | ÷ bare xlsxwriter |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for text, rows, m, size, (arrow_wall, arrow_cpu), bare, each in rows_out:
        print(f"| {text} | {rows:,} | {m['workbooks']} | {m['wall']:.1f} | {m['cpu']:.1f} | {m['cpu'] / rows * 1e6:.1f} | "
              f"{m['ingest']:.1f} | {m['compute']:.1f} | {m['render']:.1f} | {m['rss_mb']:,.0f} | {size / 1e6:,.1f} | "
              f"{arrow_wall:.1f} / {arrow_cpu:.1f} | {m['ingest'] / arrow_wall:.1f}× | {each * 1000:.0f} | "
              f"{each / bare:.1f}× |")


if __name__ == "__main__":
    main()
