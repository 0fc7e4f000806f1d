"""A small police.uk-only spec for the fan-out tests: the demo's geography and street crime, three indicators.

Written into a test's folder with absolute data paths, so tests can vary it (another benchmark
name, fewer indicators) without touching the repository's specs.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEMO_SPEC = REPO / "specs" / "community_safety.yaml"
KEEP_SOURCES = ("street_crime", "lsoa_lookup", "district_lookup", "lsoa_population", "lsoa_2011_2021")
KEEP_INDICATORS = ("total_crime", "anti_social_behaviour", "burglary")


def small_spec(folder: Path, name: str = "small.yaml", **changes) -> Path:
    """Write the small spec as ``folder/name``; ``changes`` replace top-level sections (None deletes one)."""
    spec = yaml.safe_load(DEMO_SPEC.read_text(encoding="utf-8"))
    spec["sources"] = {k: v for k, v in spec["sources"].items() if k in KEEP_SOURCES}
    for source in spec["sources"].values():
        source["path"] = str((DEMO_SPEC.parent / source["path"]).resolve())
    spec["indicators"] = [i for i in spec["indicators"] if i["id"] in KEEP_INDICATORS]
    for section in ("peer_groups", "breakdowns", "area_groups", "trend_table"):
        spec.pop(section, None)
    spec["comparisons"] = [c for c in spec.get("comparisons", []) if c in KEEP_INDICATORS]
    for key, value in changes.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    path = folder / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def digests(folder: Path) -> dict[str, str]:
    """File name -> SHA-256 of every file in ``folder``."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}
