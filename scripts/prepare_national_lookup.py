"""Build data/ons/lsoa11_csp23_pfa23_ew.csv.gz: every LSOA (2011) of England and Wales with its 2023 district,
Community Safety Partnership, police force area and mid-2020 population.

Sources (Office for National Statistics, Open Government Licence v3.0; contains OS data © Crown
copyright and database right): the LSOA (2011) → LSOA (2021) → Local Authority District (2022)
lookup for England and Wales (Version 2), the LAD → CSP → PFA lookup (December 2023, bundled as
data/ons/lad23_csp23_pfa23_lookup.csv) and the mid-2020 LSOA population estimates.

Why not simply LSOA → district → CSP: seven 2023 districts are unitary authorities whose partnerships
still follow the districts they replaced (Buckinghamshire's four, North and West Northamptonshire's,
Bournemouth, Christchurch and Poole's, Cumberland's and Westmorland and Furness's, East Suffolk's), so
the 2023 district does not say which partnership an LSOA is in. The 2011 district does: ONS names every
2011 LSOA after the 2011 district it lies in ("Wycombe 014C"), and each of those partnerships is named
after its 2011 district, except the three listed in ``OLDER_DISTRICT_PARTNERSHIP`` (Home Office CSP
list: Christchurch joined the Dorset partnership; Daventry and South Northamptonshire share one).
Every LSOA's (district, partnership) pair is checked against the ONS lookup before anything is written.

Districts merged into unitary authorities in April 2023 are mapped to their 2023 codes (``MERGED_2023``).

    python scripts/prepare_national_lookup.py ONS_FOLDER
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "ons" / "lsoa11_csp23_pfa23_ew.csv.gz"
LOOKUP = "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales_(Version_2).csv"
MERGED_2023 = {
    **{code: "E06000063" for code in ("E07000026", "E07000028", "E07000029")},  # Cumberland
    **{code: "E06000064" for code in ("E07000027", "E07000030", "E07000031")},  # Westmorland and Furness
    **{code: "E06000065" for code in ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167",
                                      "E07000168", "E07000169")},  # North Yorkshire
    **{code: "E06000066" for code in ("E07000187", "E07000188", "E07000189", "E07000246")},  # Somerset
}
OLDER_DISTRICT_PARTNERSHIP = {"Christchurch": "Dorset", "Daventry": "Daventry and South Northamptonshire",
                              "South Northamptonshire": "Daventry and South Northamptonshire"}


def district_2011(lsoa_names: pd.Series) -> pd.Series:
    """The 2011 district an LSOA lies in, from its ONS name ("<district> <MSOA number><letter>")."""
    return lsoa_names.str.rsplit(" ", n=1).str[0]


def partnership_codes(lsoas: pd.DataFrame, csps: pd.DataFrame) -> pd.Series:
    """Each LSOA's CSP code: the district's only partnership, or, where a 2023 district holds several, the one
    named after (or listed for) the 2011 district in the LSOA's name."""
    per_district = csps.groupby("LAD23CD")["CSP23CD"].unique()
    by_pair = {(lad, name): code for lad, name, code in csps[["LAD23CD", "CSP23NM", "CSP23CD"]].itertuples(index=False)}
    codes = []
    for lad, old in zip(lsoas["LAD23CD"], district_2011(lsoas["LSOA11NM"])):
        choices = per_district.get(lad)
        if choices is None:
            codes.append(None)
        elif len(choices) == 1:
            codes.append(choices[0])
        else:
            codes.append(by_pair.get((lad, OLDER_DISTRICT_PARTNERSHIP.get(old, old))))
    return pd.Series(codes, index=lsoas.index, dtype=object)


def main(ons: Path) -> None:
    lsoas = pd.read_csv(ons / LOOKUP, encoding="utf-8-sig", dtype=str).drop_duplicates("LSOA11CD")
    lsoas = lsoas[["LSOA11CD", "LSOA11NM"]].assign(
        LAD23CD=lsoas["LAD22CD"].map(lambda code: MERGED_2023.get(code, code))).reset_index(drop=True)
    csps = pd.read_csv(ROOT / "data" / "ons" / "lad23_csp23_pfa23_lookup.csv", dtype=str)
    population = pd.read_csv(ons / "population20_lsoa11_all_ages.csv", dtype={"LSOA11CD": str})
    table = lsoas.assign(CSP23CD=partnership_codes(lsoas, csps))
    unplaced = table[table["CSP23CD"].isna()]
    assert unplaced.empty, f"LSOAs with no partnership:\n{unplaced}"
    names = csps.drop_duplicates("CSP23CD").set_index("CSP23CD")
    for column in ("CSP23NM", "PFA23CD", "PFA23NM"):
        table[column] = table["CSP23CD"].map(names[column])
    table = table.merge(population[["LSOA11CD", "All Ages (mid-2020)"]], on="LSOA11CD", how="left")
    assert table.notna().all().all(), table[table.isna().any(axis=1)]
    pairs = set(zip(csps["LAD23CD"], csps["CSP23CD"]))
    assert set(zip(table["LAD23CD"], table["CSP23CD"])) <= pairs, "a (district, partnership) pair ONS does not list"
    missing = set(csps["CSP23CD"]) - set(table["CSP23CD"])
    assert not missing, f"partnerships with no LSOA: {sorted(missing)}"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    table.sort_values("LSOA11CD").to_csv(OUT, index=False, compression={"method": "gzip", "mtime": 0})
    print(f"{OUT}: {len(table):,} LSOAs, {table['CSP23CD'].nunique()} CSPs, {table['PFA23CD'].nunique()} forces, "
          f"{OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
