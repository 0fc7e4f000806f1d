"""Load a workbook theme: the look of a partnership's workbooks, kept out of the code.

A theme file says only what differs from ``workbook_templates/default.yaml``: the two are merged
key by key and then checked as a whole, so a partnership's file can set just its font, colours
and logo. A wrong key, a colour that is not ``#RRGGBB`` or a logo that is missing or not a PNG is
reported with the theme file, line and key, like a spec problem (the spec names the theme).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from engine.errors import Problem, SpecError
from engine.yaml_lines import read_yaml, validate_model
from workbook_templates import THEMES_DIR

BAND_NAMES = ("Very Significantly High", "Significantly High", "Above Average", "Average",
              "Below Average", "Significantly Low", "Very Significantly Low")
PAPER_SIZES = {"A4": 9, "A3": 8, "Letter": 1}  # Excel's paper codes
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCREEN_DPI = 96.0  # Excel's pixels per inch, for the logo's displayed size


def _colour(value: Any) -> Any:
    """``#RRGGBB`` (as Excel and xlsxwriter take colours); anything else is a readable error."""
    if not (isinstance(value, str) and len(value) == 7 and value.startswith("#")
            and all(c in "0123456789abcdefABCDEF" for c in value[1:])):
        raise ValueError(f"{value!r} is not a colour: write #RRGGBB in quotes, e.g. \"#1F3864\"")
    return value.upper()


Colour = Annotated[str, BeforeValidator(_colour)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ThemeColours(_Strict):
    title: Colour
    header_fill: Colour
    header_text: Colour
    muted_text: Colour
    link: Colour
    band_border: Colour
    better: Colour
    worse: Colour
    neutral: Colour
    near_target: Colour = Field(description="'Close to target' (amber) target status, between better and worse.")
    chart_other: Colour = Field(description="Bars of the other partner areas on the Comparisons charts.")
    peer_average: Colour = Field(description="The peer-average bar on the Comparisons charts.")


class BandColour(_Strict):
    fill: Colour
    text: Colour


class ThemeBands(_Strict):
    very_significantly_high: BandColour = Field(alias="Very Significantly High")
    significantly_high: BandColour = Field(alias="Significantly High")
    above_average: BandColour = Field(alias="Above Average")
    average: BandColour = Field(alias="Average")
    below_average: BandColour = Field(alias="Below Average")
    significantly_low: BandColour = Field(alias="Significantly Low")
    very_significantly_low: BandColour = Field(alias="Very Significantly Low")


class ThemePage(_Strict):
    paper: Literal["A4", "A3", "Letter"]
    landscape: bool
    margins_cm: float = Field(gt=0, le=5)


class ThemeFile(_Strict):
    """What a theme YAML file may hold; every key is in default.yaml, with its meaning."""

    name: str
    font: str = Field(min_length=1)
    font_size: int = Field(ge=6, le=20)
    title_size: int = Field(ge=6, le=36)
    heading_size: int = Field(ge=6, le=28)
    colours: ThemeColours
    bands: ThemeBands
    page: ThemePage
    logo: str | None = None
    logo_height_px: int = Field(48, ge=12, le=200)


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
    paper: int = PAPER_SIZES["A4"]
    logo_size: tuple[float, float] | None = None  # (width, height) shown, in pixels
    logo_scale: float = 1.0  # what xlsxwriter scales the image by to show it at logo_size

    def band_colours(self, band: str, higher_is_better: bool) -> dict[str, str]:
        """Fill and text colour of a band; the scale flips when higher is better."""
        if higher_is_better:
            band = band.replace("High", "\0").replace("Low", "High").replace("\0", "Low")
            band = band.replace("Above", "\0").replace("Below", "Above").replace("\0", "Below")
        return self.bands[band]


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` on top of ``base``, mapping by mapping (a partnership's file on the default)."""
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


def png_size(path: Path) -> tuple[int, int, float, float] | None:
    """(width, height, x dpi, y dpi) from a PNG's IHDR and pHYs chunks; None if it is not a PNG."""
    data = path.read_bytes()
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    x_dpi = y_dpi = SCREEN_DPI
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind == b"pHYs" and length == 9:
            x_ppm, y_ppm, unit = struct.unpack(">IIB", data[position + 8:position + 17])
            if unit == 1 and x_ppm and y_ppm:  # pixels per metre
                x_dpi, y_dpi = x_ppm * 0.0254, y_ppm * 0.0254
        if kind in (b"IDAT", b"IEND"):
            break
        position += 12 + length
    return width, height, x_dpi, y_dpi


def theme_path(name_or_path: str, spec_dir: Path | None = None) -> Path:
    """``default`` -> workbook_templates/default.yaml; a ``.yaml`` path is relative to the spec."""
    candidate = Path(name_or_path)
    if candidate.suffix not in (".yaml", ".yml"):
        path = THEMES_DIR / f"{name_or_path}.yaml"
    else:
        path = candidate if candidate.is_absolute() or spec_dir is None else (spec_dir / candidate)
    if not path.is_file():
        choices = sorted(p.stem for p in THEMES_DIR.glob("*.yaml"))
        raise SpecError(Problem(f"theme {name_or_path!r} not found (themes: {', '.join(choices)}, or a .yaml path)",
                                key_path="theme"))
    return path


def load_theme(name_or_path: str, spec_dir: Path | None = None) -> Theme:
    """A theme by name from workbook_templates/, or a YAML path relative to the spec, on top of the default."""
    path = theme_path(name_or_path, spec_dir)
    default, _ = read_yaml(THEMES_DIR / "default.yaml", what="theme")
    data, index = read_yaml(path, what="theme")
    if not isinstance(data, dict):
        raise SpecError(Problem("a theme must be a YAML mapping of keys (font:, colours:, bands: …)", file=str(path), line=1))
    model, problems = validate_model(ThemeFile, _merged(default, data), index, "")
    logo_file, logo_size, logo_scale = None, None, 1.0
    if isinstance(data.get("logo"), str) and data["logo"]:
        logo_file = path.parent / data["logo"]
        size = png_size(logo_file) if logo_file.is_file() else None
        if not logo_file.is_file():
            problems.append(index.problem(("logo",), f"logo file not found: {logo_file}"))
        elif size is None:
            problems.append(index.problem(("logo",), f"the logo must be a PNG image: {logo_file}"))
        else:
            width, height, x_dpi, y_dpi = size
            height_px = model.logo_height_px if model is not None else 48
            logo_scale = height_px / (height * SCREEN_DPI / y_dpi)  # xlsxwriter sizes images by their dpi
            logo_size = (width * SCREEN_DPI / x_dpi * logo_scale, float(height_px))
    if problems or model is None:
        raise SpecError(sorted(problems, key=lambda p: p.line or 0))
    return Theme(
        name=model.name if "name" in data else path.stem, font=model.font, font_size=model.font_size,
        title_size=model.title_size, heading_size=model.heading_size, colours=model.colours.model_dump(),
        bands={field.alias: getattr(model.bands, name).model_dump() for name, field in ThemeBands.model_fields.items()},
        landscape=model.page.landscape, margin_inches=model.page.margins_cm / 2.54, logo=logo_file,
        paper=PAPER_SIZES[model.page.paper], logo_size=logo_size, logo_scale=logo_scale,
    )
