"""Build benchmarks/data/lsoa11_csp23_pfa23_ew.csv.gz: every LSOA (2011) of England and Wales with its
Community Safety Partnership, police force area and mid-2020 population, for the national benchmark.

Sources (Office for National Statistics, Open Government Licence v3.0; contains OS data © Crown
copyright and database right): the LSOA (2011) → LSOA (2021) → Local Authority District (2022)
lookup for England and Wales (Version 2), the LAD → CSP → PFA lookup (December 2023, bundled as
data/ons/lad23_csp23_pfa23_lookup.csv) and the mid-2020 LSOA population estimates.

Seventeen 2022 districts were merged into unitary authorities in April 2023: Cumbria's six keep
their own partnerships (a CSP of the same name), North Yorkshire's seven and Somerset's four
belong to the new county-wide partnerships.

    python scripts/prepare_national_lookup.py ONS_FOLDER
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "data" / "lsoa11_csp23_pfa23_ew.csv.gz"
LOOKUP = "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales_(Version_2).csv"
MERGED_2023 = {**{code: "E06000065" for code in ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167",
                                                  "E07000168", "E07000169")},  # North Yorkshire
               **{code: "E06000066" for code in ("E07000187", "E07000188", "E07000189", "E07000246")}}  # Somerset


def main(ons: Path) -> None:
    lsoas = pd.read_csv(ons / LOOKUP, encoding="utf-8-sig", dtype=str).drop_duplicates("LSOA11CD")
    csps = pd.read_csv(ROOT / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv", dtype=str)
    population = pd.read_csv(ons / "population20_lsoa11_all_ages.csv", dtype={"LSOA11CD": str})
    by_lad = csps.drop_duplicates("LAD23CD").set_index("LAD23CD")
    by_name = csps.set_index("CSP23NM")
    lad = lsoas["LAD22CD"].map(lambda code: MERGED_2023.get(code, code))
    same_name = lsoas["LAD22NM"].map(lambda name: name if name in by_name.index else None)
    csp = pd.DataFrame({
        "CSP23CD": [by_name.at[n, "CSP23CD"] if n is not None and l not in by_lad.index else by_lad.at[l, "CSP23CD"]
                    for n, l in zip(same_name, lad)]})
    table = lsoas[["LSOA11CD", "LSOA11NM"]].reset_index(drop=True).join(csp)
    names = csps.drop_duplicates("CSP23CD").set_index("CSP23CD")
    table["CSP23NM"] = table["CSP23CD"].map(names["CSP23NM"])
    table["PFA23CD"] = table["CSP23CD"].map(names["PFA23CD"])
    table["PFA23NM"] = table["CSP23CD"].map(names["PFA23NM"])
    table = table.merge(population[["LSOA11CD", "All Ages (mid-2020)"]], on="LSOA11CD", how="left")
    assert table.notna().all().all(), table[table.isna().any(axis=1)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    table.sort_values("LSOA11CD").to_csv(OUT, index=False, compression={"method": "gzip", "mtime": 0})
    print(f"{OUT}: {len(table):,} LSOAs, {table['CSP23CD'].nunique()} CSPs, {table['PFA23CD'].nunique()} forces, "
          f"{OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
