"""How much room text needs: column widths and row heights estimated from the text and the font.

Excel sizes columns in widths of the default font's digit "0" (Calibri 11, about 7 pixels) and
does not grow a row whose height is set, nor a merged cell, to fit wrapped text. So the sheets set
those heights themselves, from these estimates: generous enough that nothing is cut off in Excel
or LibreOffice, close enough that no row is mostly empty. English text in Arial (LibreOffice's
metric twin, Liberation Sans, measured on the demo's pages) runs about 0.75 digit-widths a
character at 10 points (0.78 here, to be safe), bold about 0.85; wider faces such as Verdana scale that up.
"""
from __future__ import annotations

import functools
import math
import textwrap

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.render.theme import Theme

UNITS_PER_CHAR = 0.78  # column-width units per character of regular Arial text at 10 points
BOLD_UNITS_PER_CHAR = 0.88
FONT_WIDTHS = {"verdana": 1.2, "tahoma": 1.02, "trebuchet ms": 1.02, "segoe ui": 1.0, "calibri": 0.92,
               "georgia": 1.1, "times new roman": 0.9}  # average letter width against Arial's
LINE_POINTS = 1.3  # a line's height in points per point of font size
ROW_PADDING = 3.0  # points above and below the lines


def font_scale(theme: Theme) -> float:
    """How much wider the theme's body text runs than Arial at 10 points (fixed column widths grow by it)."""
    return _font_scale(theme.font, theme.font_size)


@functools.lru_cache(maxsize=64)
def _font_scale(font: str, font_size: float) -> float:
    """:func:`font_scale` by face and size (asked for every measured cell)."""
    return FONT_WIDTHS.get(font.lower(), 1.0) * font_size / 10


def units_per_char(theme: Theme, bold: bool = False) -> float:
    """Column-width units an average character of the theme's body font takes."""
    return (BOLD_UNITS_PER_CHAR if bold else UNITS_PER_CHAR) * font_scale(theme)


def text_width(text: str, theme: Theme, bold: bool = False) -> float:
    """Column-width units the longest line of ``text`` needs."""
    longest = max((len(line) for line in str(text).splitlines()), default=0)
    return longest * units_per_char(theme, bold)


def wrapped_lines(text: str, width: float, theme: Theme, bold: bool = False) -> int:
    """Lines ``text`` takes when wrapped at word breaks in a column ``width`` units wide."""
    text = str(text)
    per_line = max(1, int((width - 1.5) / units_per_char(theme, bold)))
    if len(text) <= per_line and "\n" not in text:  # most cells: no need to wrap
        return 1
    return _wrapped_lines(text, per_line)


@functools.lru_cache(maxsize=4096)
def _wrapped_lines(text: str, per_line: int) -> int:
    """Lines of ``text`` wrapped at ``per_line`` characters (the same notes and labels recur in every workbook)."""
    return sum(max(1, len(textwrap.wrap(paragraph, per_line, break_long_words=True)))
               for paragraph in text.splitlines() or [""])


def one_line_points(font_size: float) -> float:
    """A row holding one line of text ``font_size`` points high, in whole pixels, as Excel sizes its default row for
    the face (12.75 points for 10-point text, 15.75 for 12): xlsxwriter's default row is 15 points, an 11-point
    face's, so a sheet in a 10-point theme otherwise prints each row with 2 points of air."""
    return math.ceil(font_size * 1.275 / 0.75) * 0.75


def row_height(lines: int, theme: Theme) -> float:
    """Points for ``lines`` lines of the theme's body text."""
    return math.ceil(lines * theme.font_size * LINE_POINTS + ROW_PADDING)


def wrapped_note(sheet: Worksheet, formats: Formats, row: int, first_col: int, last_col: int, text: str,
                 widths: dict[int, float]) -> None:
    """A note wrapped across a table's width (a merged cell, its height set), so it prints with the table."""
    width = sum(widths.get(col, 8.43) for col in range(first_col, last_col + 1))
    note = formats.get(italic=True, font_color=formats.theme.colours["muted_text"], text_wrap=True)
    if last_col > first_col:
        sheet.merge_range(row, first_col, row, last_col, "", note)
    sheet.write_string(row, first_col, text, note)
    lines = wrapped_lines(text, width, formats.theme)
    if lines > 1:
        sheet.set_row(row, row_height(lines, formats.theme))
