"""The generator's settings: ``data/synthetic/partners.yaml``, validated.

Rates and shares live in YAML (with the seed figures they come from), not in code, so the
generator stays free of anything place-specific. Each source module validates its own section
with its own pydantic model (:func:`source_settings`), so adding a source touches one module
and one YAML block.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import Problem, SpecError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO_ROOT / "data" / "synthetic" / "partners.yaml"

Model = TypeVar("Model", bound=BaseModel)


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt rate must not silently fall back to a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PeriodSettings(Strict):
    first_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    last_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


class AreaProfileSettings(Strict):
    intensity_cap: float = Field(gt=1)
    fallback_sd: float = Field(ge=0)
    urban_intercept: float
    urban_slope: float
    classification: dict[str, dict[str, float]]
    ethnicity: dict[str, dict[str, float]]

    @model_validator(mode="after")
    def _every_band_and_default(self) -> "AreaProfileSettings":
        missing = {"rural", "urban_low", "urban_mid", "urban_high"} - set(self.classification)
        if missing:
            raise ValueError(f"classification needs shares for {sorted(missing)}")
        if "default" not in self.ethnicity:
            raise ValueError("ethnicity needs a 'default' mix")
        return self


class PartnerConfig(Strict):
    period: PeriodSettings
    document_date: dt.date
    area_profile: AreaProfileSettings
    sources: dict[str, dict]
    path: Path = Path()


def _yaml_dates_as_text(raw: dict) -> dict:
    """YAML reads ``2020-11`` as text but ``2022-11-01`` as a date; months must stay text."""
    period = raw.get("period", {})
    raw["period"] = {key: str(value) for key, value in period.items()}
    return raw


def load_config(path: Path = DEFAULT_CONFIG) -> PartnerConfig:
    """Read and validate the settings file; problems name the file and key path."""
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
    except FileNotFoundError:
        raise SpecError(Problem("synthetic data settings not found", file=str(path))) from None
    return _validated(PartnerConfig, {**_yaml_dates_as_text(raw), "path": path}, path, "")


def source_settings(config: PartnerConfig, source_id: str, model: type[Model]) -> Model:
    """One source's section of the settings, validated by that source's own model."""
    if source_id not in config.sources:
        raise SpecError(Problem(f"no settings for source {source_id!r}", file=str(config.path), key_path="sources"))
    return _validated(model, config.sources[source_id], config.path, f"sources.{source_id}")


def _validated(model: type[Model], raw: dict, path: Path, prefix: str) -> Model:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems = [Problem(item["msg"], file=str(path),
                            key_path=".".join([prefix, *map(str, item["loc"])]).strip("."))
                    for item in error.errors()]
        raise SpecError(problems) from None
