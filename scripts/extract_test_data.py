"""Rebuild the real-data extracts the ingest tests read (``tests/data/``) and the LSOA 2011 -> 2021
lookup extract the demo may use (``data/ons/``), from the original public files.

Run once by a developer (``python scripts/extract_test_data.py SOURCE_DIR``), never by the engine
or the tests. Every value is copied, never edited; what is cut is whole rows (police.uk lines,
worksheet rows) so the extracts keep the originals' layout, quirks and formatting.
"""
from __future__ import annotations

import argparse
import gzip
import io
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
POLICE_MONTHS = ("2021-01", "2021-02", "2021-03", "2021-04")
# LSOAs chosen for their quirks: repeated crime IDs (E01032597, E01013678), identical ASB rows
# (E01032867, E01013660, E01013607), codes that changed in 2021 (E01013607, E01013646, E01013647).
POLICE_LSOAS = {"E01032597", "E01013678", "E01032867", "E01013660", "E01013607", "E01013646", "E01013647"}
NO_LOCATION_ROWS = 12  # per month: the first rows with no location
SAPE_ROWS = 305  # the title rows, the header on row 5 and the first 300 LSOAs
LSOA_LOOKUP = "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales_(Version_2).csv"
PFA_LOOKUP = "Local_Authority_District_to_CSPs_to_Police_Force_Areas_(December__2023)_Lookup_.csv"


def police_extract(source: Path, out: Path, force: str = "Leicestershire") -> None:
    """Whole lines of the real monthly files: the chosen LSOAs, every out-of-force row, some with no location."""
    pfa = pd.read_csv(source / "ons" / PFA_LOOKUP, dtype=str, encoding="utf-8-sig")
    districts = set(pfa.loc[pfa["PFA23NM"] == force, "LAD23NM"])
    out.mkdir(parents=True, exist_ok=True)
    for month in POLICE_MONTHS:
        name = f"{month}-{force.lower()}-street.csv"
        lines = (source / "police_uk" / force.lower() / name).read_bytes().split(b"\r\n")
        header, body = lines[0], [line for line in lines[1:] if line]
        frame = pd.read_csv(source / "police_uk" / force.lower() / name, dtype=str, keep_default_na=False)
        assert len(frame) == len(body)
        district = frame["LSOA name"].str.rsplit(" ", n=1).str[0]
        keep = frame["LSOA code"].isin(POLICE_LSOAS) | ((frame["LSOA code"] != "") & ~district.isin(districts))
        keep |= (frame["LSOA code"] == "") & ((frame["LSOA code"] == "").cumsum() <= NO_LOCATION_ROWS)
        picked = [body[i] for i in keep[keep].index]
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as handle:
            handle.write(b"\r\n".join([header, *picked]) + b"\r\n")
        (out / (name + ".gz")).write_bytes(buffer.getvalue())


def trim_sheet(source: Path, target: Path, part: str, last_row: int) -> None:
    """Copy a workbook, keeping only rows 1..last_row of one sheet (everything else byte for byte)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                start, end = text.index("<sheetData>") + len("<sheetData>"), text.index("</sheetData>")
                rows = re.findall(r"<row [^>]*>.*?</row>|<row [^>]*/>", text[start:end], flags=re.S)
                kept = [r for r in rows if int(re.search(r'\br="(\d+)"', r).group(1)) <= last_row]
                text = text[:start] + "".join(kept) + text[end:]
                text = re.sub(r'<dimension ref="([A-Z]+\d+):([A-Z]+)\d+"', rf'<dimension ref="\1:\g<2>{last_row}"', text)
                data = text.encode("utf-8")
            new.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def format_fixtures(out: Path) -> None:
    """Synthetic: one messy partner table as xlsx (xlsxwriter), then xls and ods (LibreOffice)."""
    import subprocess

    import xlsxwriter

    out.mkdir(parents=True, exist_ok=True)
    path = out / "partner_layout.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Incidents 2022 ")
    sheet.write(0, 0, "Fire incidents by LSOA, 2022 (synthetic test data)")
    sheet.merge_range(2, 2, 2, 3, "Incidents")
    sheet.write_row(3, 0, ["Incident ID", "LSOA", "Primary3", "Secondary", "Date"])
    sheet.write_row(4, 0, [None, None, "Numbers"])
    rows = [["F1", "E01013607", 3, 1, "01/02/2022"], ["F2", "E01013646", "..", 2, "Jan-22"],
            ["F3", "E01013647", 5, "[c]", "15/03/2022"]]
    for offset, row in enumerate(rows):
        sheet.write_row(5 + offset, 0, row)
    sheet.write(9, 0, "Source: synthetic test data written for Saferbook's tests")
    workbook.close()
    for target in ("ods", "xls:MS Excel 97"):
        subprocess.run(["soffice", "--headless", "--convert-to", target, "--outdir", str(out), str(path)], check=True,
                       capture_output=True, timeout=180)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the shared data folder (holds police_uk/ and ons/)")
    parser.add_argument("--formats", action="store_true", help="also rebuild the synthetic xlsx/xls/ods fixtures (needs soffice)")
    args = parser.parse_args()
    if args.formats:
        format_fixtures(ROOT / "tests" / "data" / "formats")
    tests = ROOT / "tests" / "data"
    police_extract(args.source, tests / "police_uk" / "leicestershire")
    ons = tests / "ons"
    ons.mkdir(parents=True, exist_ok=True)
    for name in ("pfatablesdec19.xlsx",):
        shutil.copyfile(args.source / "ons" / "pfa_crime_tables" / name, ons / name)
    shutil.copyfile(args.source / "ons" / "LAD23_Mid_Year_pop_2011_to_2023.xlsx", ons / "LAD23_Mid_Year_pop_2011_to_2023.xlsx")
    trim_sheet(args.source / "ons" / "SAPE21DT11-mid-2018-lsoa-population-density.xlsx",
               ons / "SAPE21DT11-mid-2018-lsoa-population-density-extract.xlsx", "xl/worksheets/sheet4.xml", SAPE_ROWS)

    pfa = pd.read_csv(args.source / "ons" / PFA_LOOKUP, dtype=str, encoding="utf-8-sig")
    districts = set(pfa.loc[pfa["PFA23NM"] == "Leicestershire", "LAD23CD"])
    lookup = pd.read_csv(args.source / "ons" / LSOA_LOOKUP, dtype=str, encoding="utf-8-sig")
    lookup = lookup.loc[lookup["LAD22CD"].isin(districts), ["LSOA11CD", "LSOA21CD", "LSOA21NM"]].sort_values("LSOA11CD")
    lookup.to_csv(ROOT / "data" / "ons" / "lsoa11_lsoa21_leicestershire.csv", index=False)
    print(f"police.uk extract -> {tests / 'police_uk'}; ONS workbooks -> {ons}; {len(lookup)} LSOA 2011->2021 rows")


if __name__ == "__main__":
    main()
