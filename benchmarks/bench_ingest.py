"""Benchmark: reading a national-size partner extract, XLSX and CSV, against pandas.

    python benchmarks/bench_ingest.py [--rows 1000000] [--repeat 3] [--skip-openpyxl]

Generates once (cached in ``benchmarks/results/``, git-ignored) a 10-column police.uk-like table
of ``--rows`` rows — text, codes, months, coordinates and counts — as an XLSX workbook written
the way Excel saves one (shared strings; xlsxwriter) and as a CSV file. Then times:

* Saferbook's table reader end to end (``engine.ingest.table_source.read_table``: layout found,
  columns matched and typed — month, code pattern, allowed values, numbers, integers — and every
  rejected or cleaned cell logged), giving a typed pandas DataFrame;
* ``pandas.read_excel(engine="openpyxl")`` on the same workbook and ``pandas.read_csv`` on the
  same CSV (no typing rules, no checks).

Prints one table with rows/s and the ratio (ours ÷ pandas). Targets (reported, not enforced):
XLSX at least 150,000 rows/s, CSV at least 1,000,000 rows/s. Always exits 0.

``--national 1/8`` times instead the whole ingest of the national benchmark's spec at that scale
(``bench_national.py`` generates its police.uk files once: every force's monthly street files, every
column police.uk publishes) — the files read, Crime IDs coded, repeats found, rows placed on LSOAs
and the geography loaded, every data-quality rule kept — against a plain ``pyarrow.csv.read_csv`` of
the same files, and prints median wall and CPU seconds and their ratios (target: within 2×).
``--only saferbook`` or ``--only pyarrow`` does one of the two once, so that two processes can be
timed side by side from outside (start-up included).
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from checkout import use_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]
use_checkout()  # runnable from a checkout even without the editable install; PYTHONPATH still comes first

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from engine.ingest.issues import IssueLog  # noqa: E402
from engine.ingest.table_source import read_table  # noqa: E402
from engine.spec.models import Source  # noqa: E402

CACHE = REPO_ROOT / "benchmarks" / "results"
XLSX_TARGET, CSV_TARGET = 150_000, 1_000_000
HEADER = ["Crime ID", "Month", "Reported by", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name",
          "Crime type", "Count"]
CRIME_TYPES = ["Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
               "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
               "Vehicle crime", "Violence and sexual offences"]
COLUMNS = {
    "Crime ID": "crime_id",
    "Month": {"name": "month", "type": "month"},
    "Reported by": "reported_by",
    "Longitude": {"name": "longitude", "type": "number"},
    "Latitude": {"name": "latitude", "type": "number"},
    "Location": "location",
    "LSOA code": {"name": "small_area_code", "type": "code", "pattern": "^[EW]01[0-9]{6}$"},
    "LSOA name": "small_area_name",
    "Crime type": {"name": "crime_type", "allowed": CRIME_TYPES},
    "Count": {"name": "count", "type": "integer"},
}


def table(rows: int) -> pd.DataFrame:
    """Deterministic police.uk-like rows (seeded): 35,000 LSOAs, 5,000 streets, 36 months."""
    rng = np.random.default_rng(2022)
    lsoa = rng.integers(0, 35_000, rows)
    months = np.array([f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in range(36)], dtype=object)
    streets = np.array([f"On or near Street {i}" for i in range(5_000)], dtype=object)
    codes = np.array([f"E01{i:06d}" for i in range(35_000)], dtype=object)
    names = np.array([f"District {i // 6:04d}{chr(65 + i % 6)}" for i in range(35_000)], dtype=object)
    return pd.DataFrame({
        "Crime ID": [f"{x:016x}" for x in rng.integers(0, 2**63, rows)],
        "Month": months[rng.integers(0, 36, rows)],
        "Reported by": "Leicestershire Police",
        "Longitude": np.round(-1.5 + rng.random(rows), 6),
        "Latitude": np.round(52.4 + rng.random(rows), 6),
        "Location": streets[rng.integers(0, 5_000, rows)],
        "LSOA code": codes[lsoa],
        "LSOA name": names[lsoa],
        "Crime type": np.array(CRIME_TYPES, dtype=object)[rng.integers(0, len(CRIME_TYPES), rows)],
        "Count": rng.integers(0, 20, rows),
    }, columns=HEADER)


def files(rows: int) -> tuple[Path, Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    xlsx, csv = CACHE / f"extract_{rows}.xlsx", CACHE / f"extract_{rows}.csv"
    if xlsx.exists() and csv.exists():
        return xlsx, csv
    import xlsxwriter

    started = time.perf_counter()
    frame = table(rows)
    frame.to_csv(csv, index=False)
    workbook = xlsxwriter.Workbook(str(xlsx) + ".part", {"strings_to_numbers": False, "strings_to_formulas": False,
                                                         "strings_to_urls": False})
    sheet = workbook.add_worksheet("Extract")
    sheet.write_row(0, 0, HEADER)
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        sheet.write_row(r, 0, values)
    workbook.close()
    Path(str(xlsx) + ".part").replace(xlsx)
    print(f"generated {rows:,} rows as XLSX and CSV in {time.perf_counter() - started:.0f} s (cached in {CACHE})")
    return xlsx, csv


def timed(function, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (the machine is shared: the best run is the least disturbed)."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def ours(path: Path, kind: str):
    log = IssueLog()
    source = Source(type=kind, path=str(path), columns=COLUMNS, sheet="Extract" if kind == "excel" else None)
    data = read_table("bench", source, path, log)
    return data.frame, log


def national(scale: str, repeat: int, only: str | None) -> None:
    """The national benchmark's whole ingest against a plain pyarrow read of the same police.uk files."""
    from bench_national import pyarrow_read, scale_files
    from bench_render import timed as cpu_and_wall  # medians: CPU counts every thread (pyarrow reads on several)

    from engine.ingest import load_inputs
    from engine.spec import load_spec

    _, spec_file, data, rows = scale_files(scale)
    spec, base = load_spec(spec_file)
    if only == "saferbook":
        load_inputs(spec, base)
        return
    if only == "pyarrow":
        pyarrow_read(data)
        return
    ours = cpu_and_wall(lambda: load_inputs(spec, base), repeat)[::-1]
    plain = cpu_and_wall(lambda: pyarrow_read(data), repeat)[::-1]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nnational benchmark ingest at {scale} scale: {rows:,} police.uk rows in "
          f"{len(list(data.glob('*/*.csv')))} files; {os.cpu_count()} CPUs, load average {load}; median of {repeat}")
    print("| reader | wall s | CPU s |\n|---|---|---|")
    print(f"| Saferbook ingest (load_inputs: files, IDs, repeats, places, geography) | {ours[0]:.2f} | {ours[1]:.2f} |")
    print(f"| plain pyarrow.csv.read_csv of the same files | {plain[0]:.2f} | {plain[1]:.2f} |")
    print(f"| ratio | {ours[0] / plain[0]:.2f}× | {ours[1] / plain[1]:.2f}× |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-openpyxl", action="store_true", help="skip pandas+openpyxl (about 90 s a million rows)")
    parser.add_argument("--national", metavar="SCALE", help="time the national benchmark's ingest at SCALE (e.g. 1/8)")
    parser.add_argument("--only", choices=["saferbook", "pyarrow"], help="with --national: one run of one reader")
    args = parser.parse_args()
    if args.national:
        national(args.national, args.repeat, args.only)
        return
    xlsx, csv = files(args.rows)

    results = []
    seconds, (frame, log) = timed(lambda: ours(xlsx, "excel"), args.repeat)
    assert len(frame) == args.rows and log.frame().empty, "the benchmark data must read cleanly"
    xlsx_ours = seconds
    if args.skip_openpyxl:
        xlsx_pandas = None
    else:
        xlsx_pandas, _ = timed(lambda: pd.read_excel(xlsx, engine="openpyxl"), 1)
    seconds, (frame, log) = timed(lambda: ours(csv, "csv"), args.repeat)
    assert len(frame) == args.rows and log.frame().empty
    csv_ours = seconds
    csv_pandas, _ = timed(lambda: pd.read_csv(csv), args.repeat)
    results.append(("XLSX", xlsx_ours, xlsx_pandas, XLSX_TARGET, "pandas.read_excel(engine='openpyxl')"))
    results.append(("CSV", csv_ours, csv_pandas, CSV_TARGET, "pandas.read_csv"))

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"\nSaferbook ingest benchmark — {args.rows:,} rows × 10 columns; {platform.python_implementation()} "
          f"{platform.python_version()}, pandas {pd.__version__}, {os.cpu_count()} CPUs, load average {load}; "
          f"best of {args.repeat}")
    print(f"{'format':<6} {'Saferbook rows/s':>17} {'target':>10} {'':>4} {'pandas rows/s':>14} {'ratio':>7}  compared with")
    for name, mine, theirs, target, against in results:
        rate = args.rows / mine
        other = f"{args.rows / theirs:14,.0f}" if theirs else f"{'skipped':>14}"
        ratio = f"{theirs / mine:6.1f}×" if theirs else f"{'':>7}"
        status = "ok" if rate >= target else "LOW"
        print(f"{name:<6} {rate:17,.0f} {target:10,} {status:>4} {other} {ratio}  {against}")
    print("\nSaferbook's figures include finding the header, matching and typing every column (month, code "
          "pattern, allowed values, numbers) and logging rejected cells; pandas' do not.")


if __name__ == "__main__":
    main()
