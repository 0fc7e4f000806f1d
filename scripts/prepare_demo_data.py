"""Rebuild the bundled demo data in ``data/`` from the original public files.

Run once by a developer (``python scripts/prepare_demo_data.py SOURCE_DIR``), never by the
engine or the tests: the project ships the trimmed, compressed result so that it needs nothing
outside the repository at run or test time.

What it keeps, and why:
- police.uk street-level crime and ASB for the 24 months 2020-11 to 2022-10, as one gzip file a
  month in police.uk's own layout (so the ``police_uk`` reader is exercised on the real format),
  trimmed to the columns the engine reads;
- the ONS LSOA (2011) -> district lookup and mid-2020 LSOA populations, cut to the LSOAs of the
  districts in the chosen police force area (selected through the district -> PFA lookup,
  never by code ranges);
- the whole district -> CSP -> police force area lookup (small), so a spec can pick any force;
- mid-2020 district populations for England and Wales (small, copied unchanged): the synthetic
  most-similar-group export picks each district's peer partnerships by them.
- the English Indices of Deprivation 2019 rows of the same LSOAs, every column as published, plus
  the Income domain's rank and decile within England, derived here (see :func:`imd_extract`)
  because the copy we have has no IMD columns and ranks England and Wales together.
"""
from __future__ import annotations

import argparse
import csv as csv_module
import gzip
import io
import shutil
from pathlib import Path

import pandas as pd

POLICE_COLUMNS = ["Month", "Falls within", "LSOA code", "LSOA name", "Crime type"]
LSOA_LOOKUP = "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales_(Version_2).csv"
PFA_LOOKUP = "Local_Authority_District_to_CSPs_to_Police_Force_Areas_(December__2023)_Lookup_.csv"
POPULATION = "population20_lsoa11_all_ages.csv"
DISTRICT_POPULATION = "population20_ltla21_all_ages.csv"
IMD = "File_7a_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
IMD_CODE = "LSOA Code (2011)"
IMD_INCOME_RANK = "Income Domain Rank (where 1 is most deprived)"
ENGLAND_RANK = "Income Domain Rank in England (where 1 is most deprived)"
ENGLAND_DECILE = "Income Domain Decile in England (where 1 is most deprived 10% of LSOAs)"


def write_gzip_csv(frame: pd.DataFrame, path: Path) -> None:
    """Gzip with a zero mtime so that rebuilding gives identical bytes."""
    text = frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as handle:
        handle.write(text)
    path.write_bytes(buffer.getvalue())


def imd_extract(imd_csv: Path, lsoa_codes: set[str]) -> pd.DataFrame:
    """The IoD2019 rows of ``lsoa_codes``, with the Income domain's rank and decile within England.

    The copy of MHCLG's File 7 we have (10 columns: Income, IDACI and IDAOPI domain scores and
    ranks) has Welsh LSOAs added, and its ranks run over all 34,753 LSOAs of England and Wales.
    MHCLG's deciles are tenths of England's 32,844 LSOAs (decile 1 = the most deprived 10%), so
    the English rows are re-ranked among themselves in the published order (tied ranks share the
    lower rank) and decile = ceil(rank x 10 / number of English LSOAs). Every published value is
    kept unchanged; the two derived columns are added at the end.
    """
    imd = pd.read_csv(imd_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    england = imd.loc[imd[IMD_CODE].str.startswith("E")].copy()
    rank = england[IMD_INCOME_RANK].astype(int).rank(method="min").astype(int)
    england[ENGLAND_RANK] = rank.astype(str)
    england[ENGLAND_DECILE] = ((rank * 10 - 1) // len(england) + 1).astype(str)
    picked = england.loc[england[IMD_CODE].isin(lsoa_codes)].sort_values(IMD_CODE)
    missing = sorted(lsoa_codes - set(picked[IMD_CODE]))
    if missing:
        raise SystemExit(f"{len(missing)} LSOAs are not in {imd_csv.name}: {missing[:5]}")
    return picked


PRC = "prc-pfa-201718_new.csv.gz"
PRC_FORCES = ("Derbyshire", "Leicestershire", "Lincolnshire", "Northamptonshire", "Nottinghamshire")
MID_YEAR = "LAD23_Mid_Year_pop_2011_to_2023.xlsx"


def gzip_bytes(data: bytes, path: Path) -> None:
    """``data`` gzipped with no name or time in the header, so the same input gives the same bytes."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
        out.write(data)


def public_partner_extracts(source: Path, out: Path, districts: set[str]) -> None:
    """The published partner tables the specs read as published: the Youth Justice Statistics file whole; the
    Home Office recorded crime file's East Midlands forces, every column and line as published; and the ONS
    mid-2023 residents aged 10 to 17 (single years, as published) of the force's districts and England."""
    out.mkdir(parents=True, exist_ok=True)
    gzip_bytes((source / "public_partner" / "children_offending.csv").read_bytes(), out / "children_offending.csv.gz")
    with gzip.open(source / "public_partner" / PRC, "rt", newline="") as f:
        lines = f.read().splitlines(keepends=True)
    kept = [lines[0]] + [line for line in lines[1:] if next(csv_module.reader([line]))[3] in PRC_FORCES]
    gzip_bytes("".join(kept).encode(), out / "prc_pfa_201718_east_midlands.csv.gz")
    ages = pd.read_excel(source / "ons" / MID_YEAR, sheet_name="MYE2 - Persons", header=7, dtype=object)
    ages.columns = [str(c) for c in ages.columns]
    ages = ages.loc[ages["Code"].isin(districts | {"E92000001"}), ["Code", "Name", "Geography"] + [str(a) for a in range(10, 18)]]
    ages.to_csv(out.parent / "ons" / "population23_lad23_aged_10_17.csv", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the shared data folder (holds police_uk/ and ons/)")
    parser.add_argument("--force", default="Leicestershire", help="PFA23NM of the police force area")
    parser.add_argument("--first", default="2020-11")
    parser.add_argument("--last", default="2022-10")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    args = parser.parse_args()

    police_in = args.source / "police_uk" / args.force.lower()
    police_out = args.out / "police_uk" / args.force.lower()
    police_out.mkdir(parents=True, exist_ok=True)
    for csv in sorted(police_in.glob("*-street.csv")):
        if args.first <= csv.name[:7] <= args.last:
            frame = pd.read_csv(csv, dtype=str, keep_default_na=False, usecols=POLICE_COLUMNS)
            write_gzip_csv(frame[POLICE_COLUMNS], police_out / (csv.name + ".gz"))

    ons_out = args.out / "ons"
    ons_out.mkdir(parents=True, exist_ok=True)
    pfa = pd.read_csv(args.source / "ons" / PFA_LOOKUP, dtype=str, encoding="utf-8-sig")
    pfa.to_csv(ons_out / "lad23_csp23_pfa23_lookup.csv", index=False)
    districts = set(pfa.loc[pfa["PFA23NM"] == args.force, "LAD23CD"])

    lookup = pd.read_csv(args.source / "ons" / LSOA_LOOKUP, dtype=str, encoding="utf-8-sig")
    lookup = lookup.loc[lookup["LAD22CD"].isin(districts), ["LSOA11CD", "LSOA11NM", "LAD22CD", "LAD22NM"]]
    lookup = lookup.drop_duplicates("LSOA11CD").sort_values("LSOA11CD")
    lookup.to_csv(ons_out / f"lsoa11_lad22_{args.force.lower()}.csv", index=False)

    population = pd.read_csv(args.source / "ons" / POPULATION, dtype=str)
    population = population.loc[population["LSOA11CD"].isin(set(lookup["LSOA11CD"]))]
    population.sort_values("LSOA11CD").to_csv(ons_out / f"population20_lsoa11_{args.force.lower()}.csv", index=False)
    shutil.copyfile(args.source / "ons" / DISTRICT_POPULATION, ons_out / DISTRICT_POPULATION)
    imd = imd_extract(args.source / "ons" / IMD, set(lookup["LSOA11CD"]))
    imd.to_csv(ons_out / f"imd2019_lsoa11_{args.force.lower()}.csv", index=False)
    public_partner_extracts(args.source, args.out / "public_partner", districts)
    print(f"{len(lookup)} LSOAs in {len(districts)} districts; police files -> {police_out}")


if __name__ == "__main__":
    main()
