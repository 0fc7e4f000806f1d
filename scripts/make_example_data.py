"""Cut the small data the example specs (``specs/examples/``) read from the bundled demo data.

The examples are fast fixtures for the tests: three partner areas (Blaby, Melton, Rutland) of the
Leicestershire force area instead of nine, and one police.uk row in ten instead of all 210,767.
Run from the repository root after ``saferbook demo`` (the SYNTHETIC extracts are cut from
``data/synthetic/generated/``); the output is deterministic (gzip without a timestamp).
"""
from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "specs" / "examples" / "data"
DISTRICTS = ("Blaby", "Melton", "Rutland")
KEEP_EVERY = 10  # one police.uk row in ten


def lsoa_codes() -> set[str]:
    with open(ROOT / "data" / "ons" / "lsoa11_lad22_leicestershire.csv", encoding="utf-8", newline="") as f:
        return {row["LSOA11CD"] for row in csv.DictReader(f) if row["LAD22NM"] in DISTRICTS}


def write_gzip(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(text.encode("utf-8"))


def police_uk(codes: set[str]) -> int:
    """Every tenth row whose LSOA is in the three districts, or blank (no location: handled by the engine)."""
    kept = 0
    for source in sorted((ROOT / "data" / "police_uk" / "leicestershire").glob("*.csv.gz")):
        with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            lsoa = header.index("LSOA code")
            rows = [row for row in reader if row[lsoa] in codes or not row[lsoa]][::KEEP_EVERY]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        write_gzip(OUT / "police_uk" / source.name, buffer.getvalue())
        kept += len(rows)
    return kept


def marac() -> int:
    """The SYNTHETIC MARAC referral log's rows for the three districts, its four title lines kept."""
    lines = (ROOT / "data" / "synthetic" / "generated" / "marac_referrals.csv").read_text(encoding="utf-8-sig").splitlines()
    title, header, rows = lines[:4], lines[4], lines[5:]
    district = header.split(",").index("District")
    kept = [line for line in rows if next(csv.reader([line]))[district] in DISTRICTS]
    (OUT / "marac_referrals.csv").write_text("\n".join([*title, header, *kept]) + "\n", encoding="utf-8")
    return len(kept)


def resident_survey() -> int:
    """The SYNTHETIC resident survey's Results sheet as a CSV (a partner-keyed table: district × question × quarter)."""
    sheet = load_workbook(ROOT / "data" / "synthetic" / "generated" / "resident_survey.xlsx", read_only=True)["Results"]
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    header, body = rows[0], [r for r in rows[1:] if r and r[0] in DISTRICTS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in r] for r in body)
    (OUT / "resident_survey.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return len(body)


def main() -> None:
    codes = lsoa_codes()
    print(f"police.uk rows: {police_uk(codes)}; MARAC referrals: {marac()}; survey rows: {resident_survey()}")


if __name__ == "__main__":
    main()
