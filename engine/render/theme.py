"""Load a workbook theme: the look of a partnership's workbooks, kept out of the code."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Problem, SpecError
from workbook_templates import THEMES_DIR

BAND_NAMES = ("Very Significantly High", "Significantly High", "Above Average", "Average",
              "Below Average", "Significantly Low", "Very Significantly Low")


@dataclass(frozen=True)
class Theme:
    name: str
    font: str
    font_size: int
    title_size: int
    heading_size: int
    colours: dict[str, str]
    bands: dict[str, dict[str, str]]
    landscape: bool
    margin_inches: float
    logo: Path | None

    def band_colours(self, band: str, higher_is_better: bool) -> dict[str, str]:
        """Fill and text colour of a band; the scale flips when higher is better."""
        if higher_is_better:
            band = band.replace("High", "\0").replace("Low", "High").replace("\0", "Low")
            band = band.replace("Above", "\0").replace("Below", "Above").replace("\0", "Below")
        return self.bands[band]


def load_theme(name_or_path: str, spec_dir: Path | None = None) -> Theme:
    """A theme by name (``default``) from workbook_templates/, or a YAML path relative to the spec."""
    candidate = Path(name_or_path)
    if candidate.suffix not in (".yaml", ".yml"):
        path = THEMES_DIR / f"{name_or_path}.yaml"
    else:
        path = candidate if candidate.is_absolute() or spec_dir is None else (spec_dir / candidate)
    if not path.is_file():
        choices = sorted(p.stem for p in THEMES_DIR.glob("*.yaml"))
        raise SpecError(Problem(f"theme {name_or_path!r} not found (themes: {', '.join(choices)}, or a .yaml path)", key_path="theme"))
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [b for b in BAND_NAMES if b not in raw.get("bands", {})]
    if missing:
        raise SpecError(Problem(f"theme has no colours for bands: {', '.join(missing)}", file=str(path), key_path="bands"))
    page = raw.get("page", {})
    logo = raw.get("logo")
    return Theme(
        name=raw.get("name", path.stem), font=raw.get("font", "Arial"), font_size=int(raw.get("font_size", 10)),
        title_size=int(raw.get("title_size", 16)), heading_size=int(raw.get("heading_size", 12)),
        colours=dict(raw.get("colours", {})), bands={k: dict(v) for k, v in raw["bands"].items()},
        landscape=bool(page.get("landscape", True)), margin_inches=float(page.get("margins_cm", 1.5)) / 2.54,
        logo=(path.parent / logo) if logo else None,
    )
