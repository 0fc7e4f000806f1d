"""The cell formats every sheet shares, built once per workbook from the theme."""
from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from engine.render.theme import Theme

COUNT = "#,##0"
RATE = "#,##0.0"
PERCENT = "0.0%;-0.0%;0.0%"
CHANGE = "+#,##0;-#,##0;0"
UK_DATE = "dd/mm/yyyy"
MONTH = "mmm yyyy"


class Formats:
    """Named xlsxwriter formats; ``get`` makes variants on demand and caches them."""

    def __init__(self, workbook: Workbook, theme: Theme):
        self._workbook = workbook
        self.theme = theme
        self._cache: dict[tuple, Format] = {}
        self._properties: dict[int, dict[str, Any]] = {}  # id of a format made by get -> its properties
        c = theme.colours
        self.base = {"font_name": theme.font, "font_size": theme.font_size, "valign": "top"}
        self.title = self.get(bold=True, font_size=theme.title_size, font_color=c.get("title", "#000000"), valign="vcenter")
        self.heading = self.get(bold=True, font_size=theme.heading_size, font_color=c.get("title", "#000000"))
        self.subtitle = self.get(font_size=theme.font_size + 1, font_color=c.get("muted_text", "#404040"))
        self.note = self.get(italic=True, font_color=c.get("muted_text", "#404040"), text_wrap=False)
        self.header = self.get(bold=True, font_color=c.get("header_text", "#FFFFFF"), bg_color=c.get("header_fill", "#1F3864"),
                               text_wrap=True, valign="vcenter", border=1, border_color=c.get("band_border", "#7F7F7F"))
        self.text = self.get()
        self.wrap = self.get(text_wrap=True)
        self.bold = self.get(bold=True)
        self.count = self.get(num_format=COUNT)
        self.change = self.get(num_format=CHANGE)
        self.rate = self.get(num_format=RATE)
        self.percent = self.get(num_format=PERCENT)
        self.centre = self.get(align="center")
        self.month = self.get(num_format=MONTH, align="left")
        self.link = self.get(font_color=c.get("link", "#0B5394"), underline=1)
        self.total_text = self.get(bold=True, top=1)
        self.total_count = self.get(bold=True, top=1, num_format=COUNT)

    def get(self, **properties: Any) -> Format:
        merged = {**self.base, **properties}
        key = tuple(sorted(merged.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format(merged)
            self._properties[id(self._cache[key])] = merged
        return self._cache[key]

    def right_aligned(self, cell_format: Format | None) -> Format:
        """``cell_format`` (one of these formats) aligned right: a word written where a number would sit."""
        properties = self._properties.get(id(cell_format), {}) if cell_format is not None else {}
        return self.get(**{**properties, "align": "right"})

    def chart_font(self, size: float, bold: bool = False) -> dict[str, Any]:
        """A chart text font in the theme's face (charts do not take the cells' fonts)."""
        return {"name": self.theme.font, "size": size, "bold": bold}

    def band(self, band: str, higher_is_better: bool) -> Format:
        """Fill for a band, used by conditional formats (a dxf: colours only)."""
        colours = self.theme.band_colours(band, higher_is_better)
        key = ("band", band, higher_is_better)
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format({"bg_color": colours["fill"], "font_color": colours["text"]})
        return self._cache[key]

    def outcome(self, outcome: str) -> Format:
        """Font colour for direction of travel judged by polarity (a dxf for conditional formats)."""
        colour = {"Better": "better", "Worse": "worse", "Close": "near_target"}.get(outcome, "neutral")
        key = ("outcome", outcome)
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format({"font_color": self.theme.colours.get(colour, "#404040"), "bold": True})
        return self._cache[key]
