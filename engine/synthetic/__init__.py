"""SYNTHETIC partner data for the demo: every partner source of the seed assessments, generated.

No record-level data is published for fire and rescue, youth offending, probation, domestic
abuse services, substance-misuse treatment, hospital admissions or resident surveys, so
``saferbook demo`` generates plausible extracts for every district of the demo geography —
seeded, at the seeds' scale, and as messy as real extracts — plus a manifest saying exactly
what is wrong with each file on purpose. :data:`PROVENANCE` is the text the workbook's
Methodology sheet quotes for each source. See ``engine/synthetic/README.md``.
"""
from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Iterable

from engine.synthetic import (fire_incidents, hospital_admissions, marac_referrals, police_crime,
                              probation_caseload, resident_survey, substance_misuse, youth_offending)
from engine.synthetic.config import DEFAULT_CONFIG, PartnerConfig, load_config, source_settings
from engine.synthetic.context import Context, stream
from engine.synthetic.geography import GeographyFiles, load_geography
from engine.synthetic.manifest import MANIFEST_NAME, write_manifest
from engine.synthetic.period import Period
from engine.synthetic.police_counts import read_police_counts, simulated_counts
from engine.synthetic.profile import build_profile

__all__ = ["DEFAULT_POLICE_UK", "GeographyFiles", "MANIFEST_NAME", "PROVENANCE", "SOURCES", "generate_all"]

_MODULES: tuple[ModuleType, ...] = (police_crime, fire_incidents, youth_offending, probation_caseload,
                                    marac_referrals, substance_misuse, hospital_admissions, resident_survey)
#: source id -> the module that generates it
SOURCES: dict[str, ModuleType] = {module.SOURCE_ID: module for module in _MODULES}
#: source id -> plain statement of what the synthetic source mimics and what sets its scale
PROVENANCE: dict[str, str] = {module.SOURCE_ID: module.PROVENANCE for module in _MODULES}
DEFAULT_POLICE_UK = DEFAULT_CONFIG.parents[1] / "police_uk" / "leicestershire"
GENERATOR_VERSION = "1"


def _context(out_dir: Path, seed: int, geography_files: GeographyFiles, police_uk_dir: Path | None,
             config: PartnerConfig) -> Context:
    geography = load_geography(geography_files)
    period = Period.from_text(config.period.first_month, config.period.last_month)
    police_settings = source_settings(config, police_crime.SOURCE_ID, police_crime.Settings)
    crime_types = tuple(police_settings.fallback_rates)
    profile_rng = stream(seed, "area_profile")
    if police_uk_dir is not None:
        police = read_police_counts(police_uk_dir, geography, period, crime_types)
        profile = build_profile(geography, config.area_profile, profile_rng, police.per_lsoa)
    else:
        profile = build_profile(geography, config.area_profile, profile_rng)
        police = simulated_counts(geography, period, police_settings.fallback_rates, profile.intensity,
                                  stream(seed, "police_counts"))
    return Context(seed, out_dir, geography, profile, period, config, police)


def generate_all(out_dir: Path, seed: int = 2012, *, geography_files: GeographyFiles = GeographyFiles(),
                 police_uk_dir: Path | None = DEFAULT_POLICE_UK, config_path: Path = DEFAULT_CONFIG,
                 sources: Iterable[str] | None = None) -> dict[str, Path]:
    """Write every synthetic partner extract (or the named ``sources``) and ``manifest.json`` into ``out_dir``.

    Deterministic: the same seed, inputs and settings give byte-identical files. ``police_uk_dir``
    is a folder of police.uk monthly street files whose counts the police extract copies and
    whose crime rates place every other source's incidents; ``None`` simulates them instead.
    Returns source id -> file path (the manifest is ``out_dir / MANIFEST_NAME``).
    """
    out_dir = Path(out_dir)
    config = load_config(config_path)
    wanted = list(SOURCES) if sources is None else list(dict.fromkeys(sources))
    unknown = [name for name in wanted if name not in SOURCES]
    if unknown:
        raise ValueError(f"unknown synthetic source(s) {unknown}; choose from {list(SOURCES)}")
    ctx = _context(out_dir, seed, geography_files, police_uk_dir, config)
    entries = {name: SOURCES[name].generate(ctx) for name in wanted}
    write_manifest(out_dir, {
        "synthetic": True,
        "generator": f"engine.synthetic {GENERATOR_VERSION}",
        "seed": seed,
        "period": {"first_month": config.period.first_month, "last_month": config.period.last_month},
        "districts": [{"code": code, "name": name, "population": float(pop)} for code, name, pop in
                      zip(ctx.geography.district_codes, ctx.geography.district_names, ctx.geography.district_population)],
        "lookup": geography_files.lookup_csv.name,
        "population": geography_files.population_csv.name,
    }, entries)
    return {name: out_dir / entries[name]["file"] for name in wanted}
