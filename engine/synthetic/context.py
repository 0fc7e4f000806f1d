"""Everything a source generator needs: geography, area profile, period, settings, a random stream.

Each source draws from its own stream, seeded by (seed, source id), so adding or changing one
source never changes the bytes of another.
"""
from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from engine import stats
from engine.synthetic.config import PartnerConfig, source_settings
from engine.synthetic.geography import DemoGeography
from engine.synthetic.period import Period
from engine.synthetic.police_counts import PoliceCounts
from engine.synthetic.profile import AreaProfile

Model = TypeVar("Model", bound=BaseModel)


def stream(seed: int, name: str) -> np.random.Generator:
    """A generator that depends only on the seed and the name (crc32 is stable across runs)."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


@dataclass(frozen=True)
class Context:
    seed: int
    out_dir: Path
    geography: DemoGeography
    profile: AreaProfile
    period: Period
    config: PartnerConfig
    police: PoliceCounts
    omit_columns: dict[str, frozenset[str]] = field(default_factory=dict)  # source id -> columns left out

    def rng(self, source_id: str) -> np.random.Generator:
        return stream(self.seed, source_id)

    def settings(self, source_id: str, model: type[Model]) -> Model:
        return source_settings(self.config, source_id, model)

    @property
    def created(self) -> dt.datetime:
        return dt.datetime.combine(self.config.document_date, dt.time())

    def district_weights(self, exponent: float) -> np.ndarray:
        """Each district's expected share of incidents (residents x intensity^exponent, summed)."""
        lsoa = self.profile.weights(self.geography.lsoa_population, exponent)
        return np.bincount(self.geography.lsoa_district, weights=lsoa, minlength=len(self.geography.district_names))

    def district_intensity(self, exponent: float) -> np.ndarray:
        """Relative rate per resident of each district (1 = the whole area's)."""
        weights, population = self.district_weights(exponent), self.geography.district_population
        return stats.rates(weights, population, 1.0) / stats.rates(weights.sum(), population.sum(), 1.0)

    def place(self, rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
        """LSOA positions for ``n`` incidents, in proportion to residents x intensity^exponent."""
        weights = self.profile.weights(self.geography.lsoa_population, exponent)
        return rng.choice(len(weights), size=n, p=weights / weights.sum())

    def incidents(self, rng: np.random.Generator, rate_per_1000: float, exponent: float,
                  seasonality: list[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """LSOA positions and dates of a Poisson number of incidents at an annual rate, in date order."""
        expected = rate_per_1000 * self.geography.lsoa_population.sum() / 1000 * self.period.years
        n = int(rng.poisson(expected))
        lsoa = self.place(rng, n, exponent)
        days = self.period.random_days(rng, n, seasonality)
        order = np.argsort(days, kind="stable")
        return lsoa[order], days[order]
