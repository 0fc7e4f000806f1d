"""The Maps sheet: one picture per mapped indicator, its caption, alt text and print setup.

The pictures are drawn by :mod:`engine.render.map_drawing` (or taken from the picture cache,
:mod:`engine.render.map_pictures`) from the Report's :class:`MapSet` (partner workbooks: the partner
area's small areas by their Top 10 bands; the dashboard: its member areas by their band against the
subject). Each map has a page of its own when printed: heading, picture, and a caption that gives the
bands in words and numbers (the picture's legend names the bands; the caption counts their areas), so
the page reads in greyscale and to a screen reader (the picture's alt text says the same).
"""
from __future__ import annotations

import io
import textwrap

from xlsxwriter.worksheet import Worksheet

from engine.map_report import AreaMap, MapSet
from engine.render.formats import Formats
from engine.render.layout import report_page_setup, section_heading
from engine.render.map_drawing import FIGURE_INCHES, band_order
from engine.render.map_pictures import MapPictures
from engine.contract.names import SHEET_MAPS, SHEET_SUMMARY
from engine.report import Report

FIRST_ROW = 4
ROW_PIXELS = 20  # Excel's default row height (15 pt) in pixels
PICTURE_ROWS = round(FIGURE_INCHES[1] * 96 / ROW_PIXELS) + 1
CAPTION_WIDTH = 140  # characters per caption line (column A spills across the empty columns, as wide as the picture)


def band_summary(area_map: AreaMap, area_label: str) -> str:
    """"Very Significantly High: 2 LSOAs; Significantly High: 5; …" (bands with no area left out)."""
    counts = [(band, sum(a.band == band for a in area_map.areas)) for band in band_order(area_map)]
    shown = [(band, n) for band, n in counts if n]
    return "; ".join(f"{band}: {n}" + (f" {area_label}{'s' if n != 1 else ''}" if i == 0 else "")
                     for i, (band, n) in enumerate(shown))


def _caption(area_map: AreaMap, map_set: MapSet, window: str) -> list[str]:
    """What the picture shows, in words: the comparison, and how many areas are in each band."""
    ranked = " Numbers mark the areas of the Top 10 table, by rank." if any(a.rank for a in area_map.areas) else ""
    return [f"{map_set.area_label}s of {map_set.place} shaded by {area_map.compared}, {window}.",
            f"Bands: {band_summary(area_map, map_set.area_label)}.{ranked}"]


def _alt_text(area_map: AreaMap, map_set: MapSet, window: str) -> str:
    return (f"Map of {area_map.title.lower()} by {map_set.area_label} in {map_set.place}, {window}: each "
            f"{map_set.area_label} shaded by its band ({area_map.compared}). {band_summary(area_map, map_set.area_label)}."
            + (" Numbers mark the Top 10 areas." if any(a.rank for a in area_map.areas) else "") + f" {map_set.source}")


def write_maps(sheet: Worksheet, report: Report, map_set: MapSet, formats: Formats, home: str = SHEET_SUMMARY) -> None:
    """The sheet: an introduction, then per map a heading, its picture and its caption, one page each."""
    section_heading(sheet, formats, f"Maps — {map_set.place}", home)
    window = report.current_window
    intro = [f"{len(map_set.maps)} map{'s' if len(map_set.maps) != 1 else ''}, {window}. Each {map_set.area_label} is "
             f"shaded by its band, the same band as in the tables; the legend and the caption give the bands in words."]
    intro += map_set.notes  # (the boundaries' source is printed in every picture)
    intro.append(f"Drawn on {report.generated.day} {report.generated:%B %Y} for {window}. Refresh in Excel leaves "
                 "this sheet as it was built; building the workbook again (saferbook build) redraws the maps.")
    row = 2
    for text in intro:
        for line in textwrap.wrap(text, CAPTION_WIDTH):
            sheet.write_string(row, 0, line, formats.note)
            row += 1
    row = max(row + 1, FIRST_ROW)
    pictures = MapPictures(map_set, formats.theme)
    breaks = []
    for position, area_map in enumerate(map_set.maps):
        if position:
            breaks.append(row)
        sheet.write_string(row, 0, f"{area_map.title} — {area_map.value_label.lower()}, {window}", formats.heading)
        picture = pictures.png(area_map)
        sheet.insert_image(row + 1, 0, f"map_{area_map.indicator_id}.png", {
            "image_data": io.BytesIO(picture), "description": _alt_text(area_map, map_set, window),
            "object_position": 3, "x_offset": 2, "y_offset": 4})
        row += 1 + PICTURE_ROWS
        for text in _caption(area_map, map_set, window):
            for line in textwrap.wrap(text, CAPTION_WIDTH):
                sheet.write_string(row, 0, line, formats.note)
                row += 1
        row += 2
    if not map_set.maps:
        sheet.write_string(row, 0, "No maps: every mapped indicator is left out of this workbook (see above).",
                           formats.note)
    sheet.set_column(0, 0, 12)
    sheet.set_h_pagebreaks(breaks)
    report_page_setup(sheet, formats, report)
