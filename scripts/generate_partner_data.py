"""Write the SYNTHETIC partner extracts and their manifest by hand (``saferbook demo`` does the same).

    python scripts/generate_partner_data.py [--out DIR] [--seed N] [--source ID]... [--no-police-uk]

The files are generated, never committed: the same seed always gives byte-identical files. The
default folder is the one the demo spec reads (``saferbook demo`` regenerates it only when its
manifest's fingerprint is stale).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from engine.cli import DEMO_DATA
from engine.errors import SaferbookError
from engine.synthetic import DEFAULT_POLICE_UK, MANIFEST_NAME, SOURCES, generate_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the synthetic partner extracts of the demo.")
    parser.add_argument("--out", type=Path, default=DEMO_DATA,
                        help="folder to write (default data/synthetic/generated, where the demo spec reads them)")
    parser.add_argument("--seed", type=int, default=2012, help="random seed (default 2012)")
    parser.add_argument("--source", action="append", choices=list(SOURCES), help="only this source (repeatable)")
    parser.add_argument("--no-police-uk", action="store_true",
                        help="simulate crime counts instead of copying the bundled police.uk data")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        paths = generate_all(args.out, args.seed, sources=args.source,
                             police_uk_dir=None if args.no_police_uk else DEFAULT_POLICE_UK)
    except SaferbookError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    for source, path in paths.items():
        print(f"{source:20} {path}")
    print(f"{'manifest':20} {args.out / MANIFEST_NAME}")
    print(f"done in {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
