"""The bundled Leicestershire geography as spec YAML, for the small specs tests write themselves.

Every such spec needs the same three lookup sources and the same ``geography:`` block; a test that
checks a reader or a rule writes only its own source and indicators around :func:`geography_yaml`.
"""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POPULATION = REPO / "data" / "ons" / "population20_lsoa11_leicestershire.csv"


def geography_yaml(population: Path = POPULATION) -> str:
    """The lookup sources (indented to follow a spec's own ``sources:``) and the ``geography:`` block, each line
    ending in a newline, so the spec's ``indicators:`` (or anything after the geography) follows directly."""
    ons = REPO / "data" / "ons"
    return (
        f"  lsoa_lookup: {{type: csv, path: {ons}/lsoa11_lad22_leicestershire.csv}}\n"
        f"  districts: {{type: csv, path: {ons}/lad23_csp23_pfa23_lookup.csv}}\n"
        f"  population: {{type: csv, path: {population}}}\n"
        "geography:\n"
        "  small_areas: {source: lsoa_lookup, code: LSOA11CD, name: LSOA11NM, partner_area_code: LAD22CD}\n"
        "  partner_areas: {source: districts, code: LAD23CD, name: LAD23NM, where: {PFA23NM: {equals: Leicestershire}}}\n"
        "  benchmark: {name: Leicestershire}\n"
        "  population: {source: population, code: LSOA11CD, value: All Ages (mid-2020)}\n"
    )
