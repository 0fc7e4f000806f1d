"""What kind of place each LSOA is: crime intensity, urban or rural, area classification.

Partner incidents are not spread evenly: fires, offenders and referrals concentrate where
crime does. Intensity is the LSOA's crime rate relative to the whole area's (from police.uk
when given, else a log-normal draw); urban/rural and the classification follow from it, so
busy town centres come out urban and quiet villages rural without naming any place.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import stats
from engine.synthetic.config import AreaProfileSettings
from engine.synthetic.geography import DemoGeography


@dataclass(frozen=True)
class AreaProfile:
    intensity: np.ndarray  # per LSOA; population-weighted mean 1
    urban: np.ndarray  # bool per LSOA
    classification: np.ndarray  # area classification label per LSOA
    ethnicity_mix: dict[str, dict[str, float]]  # by classification, with a 'default'

    def weights(self, population: np.ndarray, exponent: float) -> np.ndarray:
        """Expected share of incidents per LSOA: residents x intensity^exponent."""
        return population * self.intensity ** exponent

    def ethnicity(self, rng: np.random.Generator, lsoa: np.ndarray) -> np.ndarray:
        """An ethnic group for each person living in ``lsoa``, by the mix of the LSOA's classification."""
        out = np.empty(len(lsoa), dtype=object)
        classes = self.classification[lsoa]
        for name in dict.fromkeys(classes.tolist()):
            rows = np.flatnonzero(classes == name)
            out[rows] = weighted_choice(rng, self.ethnicity_mix.get(name, self.ethnicity_mix["default"]), len(rows))
        return out


def weighted_choice(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    """``n`` labels drawn with the given (not necessarily normalised) shares."""
    labels = np.array(list(shares), dtype=object)
    weights = np.array(list(shares.values()), dtype=float)
    return labels[rng.choice(len(labels), size=n, p=weights / weights.sum())]


def build_profile(geography: DemoGeography, settings: AreaProfileSettings, rng: np.random.Generator,
                  crimes_per_lsoa: np.ndarray | None = None) -> AreaProfile:
    population = geography.lsoa_population
    if crimes_per_lsoa is None:
        raw = rng.lognormal(0.0, settings.fallback_sd, len(population))
    else:
        raw = stats.rates(np.maximum(crimes_per_lsoa, 0.5), population, 1.0)
    intensity = np.minimum(raw / np.average(raw, weights=population), settings.intensity_cap)
    intensity = intensity / np.average(intensity, weights=population)
    log_intensity = np.log(intensity)
    p_urban = 1 / (1 + np.exp(-(settings.urban_intercept + settings.urban_slope * log_intensity)))
    urban = rng.random(len(population)) < p_urban
    band = np.full(len(population), "rural", dtype=object)
    if urban.any():
        low, high = np.quantile(intensity[urban], [1 / 3, 2 / 3])
        band[urban] = np.where(intensity[urban] <= low, "urban_low", np.where(intensity[urban] <= high, "urban_mid", "urban_high"))
    classification = np.empty(len(population), dtype=object)
    for name, shares in settings.classification.items():
        chosen = band == name
        classification[chosen] = weighted_choice(rng, shares, int(chosen.sum()))
    return AreaProfile(intensity, urban, classification, settings.ethnicity)
