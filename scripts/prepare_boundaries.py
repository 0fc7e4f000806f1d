"""Cut the demo's small-area boundaries out of the ONS file for England and Wales.

Run once by a developer (``python scripts/prepare_boundaries.py SOURCE_DIR``), never by the engine
or the tests: the project ships the result, ``data/ons/lsoa11_boundaries_leicestershire.geojson.gz``,
so that it needs nothing outside the repository at run or test time.

What it keeps, and why:
- the LSOAs (2011) of the districts in the chosen police force area (611 for Leicestershire),
  selected through the LSOA -> district and district -> police force area lookups, never by
  code ranges (the same selection as ``scripts/prepare_demo_data.py``);
- only the properties a spec needs (``LSOA11CD``, ``LSOA11NM``);
- coordinates snapped to a 0.0001 degree grid (about 11 m north-south, 7 m east-west) by
  shapely's ``set_precision``, which keeps every polygon valid and shared edges shared: the
  boundaries are "super generalised" to about 200 m already, so nothing visible is lost, and the
  file shrinks by two thirds.
District outlines are not shipped: the engine dissolves each partner area from its LSOAs
(shapely ``unary_union``) through the spec's own lookup, so a spec's partner areas and its map
can never disagree.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import mapping, shape

BOUNDARIES = "boundaries/LSOA_Dec_2011_Boundaries_Super_Generalised_Clipped_EW.geojson.gz"
LSOA_LOOKUP = "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales_(Version_2).csv"
PFA_LOOKUP = "Local_Authority_District_to_CSPs_to_Police_Force_Areas_(December__2023)_Lookup_.csv"
GRID = 0.0001  # degrees
KEPT_PROPERTIES = ("LSOA11CD", "LSOA11NM")


def force_lsoas(ons: Path, force: str) -> set[str]:
    """The 2011 LSOA codes of the districts in the police force area named ``force`` (PFA23NM)."""
    pfa = pd.read_csv(ons / PFA_LOOKUP, dtype=str, encoding="utf-8-sig")
    districts = set(pfa.loc[pfa["PFA23NM"] == force, "LAD23CD"])
    if not districts:
        raise SystemExit(f"no districts in police force area {force!r}")
    lookup = pd.read_csv(ons / LSOA_LOOKUP, dtype=str, encoding="utf-8-sig")
    return set(lookup.loc[lookup["LAD22CD"].isin(districts), "LSOA11CD"])


def cut(boundaries: dict, codes: set[str]) -> dict:
    """The features of ``codes``, sorted by code, with fewer properties and snapped coordinates."""
    features = []
    for feature in boundaries["features"]:
        properties = feature["properties"]
        if properties["LSOA11CD"] not in codes:
            continue
        geometry = shapely.set_precision(shape(feature["geometry"]), GRID)
        features.append({"type": "Feature", "properties": {k: properties[k] for k in KEPT_PROPERTIES},
                         "geometry": mapping(geometry)})
    found = {f["properties"]["LSOA11CD"] for f in features}
    if found != codes:
        raise SystemExit(f"{len(codes - found)} LSOAs have no boundary: {sorted(codes - found)[:5]}")
    features.sort(key=lambda f: f["properties"]["LSOA11CD"])
    return {"type": "FeatureCollection", "features": features}


def _rounded(value):
    """Coordinates as written: snapped values printed without float noise (0.1 + 0.2 style tails)."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def write_gzip_json(data: dict, path: Path) -> None:
    """Compact JSON, gzipped with a zero mtime so that rebuilding gives identical bytes."""
    text = json.dumps(_rounded(data), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as handle:
        handle.write(text)
    path.write_bytes(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the shared data folder (holds ons/ and ons/boundaries/)")
    parser.add_argument("--force", default="Leicestershire", help="PFA23NM of the police force area")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "ons"
                        / "lsoa11_boundaries_leicestershire.geojson.gz")
    args = parser.parse_args()
    ons = args.source / "ons"
    codes = force_lsoas(ons, args.force)
    with gzip.open(ons / BOUNDARIES, "rt", encoding="utf-8") as handle:
        boundaries = json.load(handle)
    subset = cut(boundaries, codes)
    write_gzip_json(subset, args.out)
    print(f"{args.out}: {len(subset['features'])} LSOAs, {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
