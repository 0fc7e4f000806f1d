"""How full each printed page is, for the page-fill tests (tests/test_page_fill.py, tests/test_print_pages.py).

A page is rasterised (poppler's ``pdftoppm``, greyscale) and the lowest row with any ink between the
running header and the footer, as a share of the height between them, is how much of the page its
content uses (text, tables, charts and maps alike). Which sheet a page belongs to is its running header
("Comparisons — Melton"), read with ``pdftotext -bbox``.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from openpyxl import load_workbook
from PIL import Image

DPI = 24  # enough to find the lowest line of ink
INK = 200  # grey levels below this are ink (0 black, 255 white)
HALF, NEARLY_EMPTY = 0.5, 0.1


@dataclass(frozen=True)
class PageFill:
    number: int
    sheet: str
    used: float  # share of the body down to the lowest ink
    ends_sheet: bool  # the sheet's last page: a section's end
    across: bool  # its sheet prints across pages (wider than a page at the smallest readable scale)


def _used(image: Path, height_points: float, margin_points: float) -> float:
    pixels = np.asarray(Image.open(image).convert("L"))
    scale = pixels.shape[0] / height_points
    body = pixels[int(margin_points * scale):int((height_points - margin_points) * scale)]
    inked = np.flatnonzero((body < INK).any(axis=1))
    return (inked.max() + 1) / body.shape[0] if inked.size else 0.0


def printed_across(book: Path) -> set[str]:
    """Sheets that print across pages (their page order is over, then down)."""
    return {ws.title for ws in load_workbook(book).worksheets if ws.page_setup.pageOrder == "overThenDown"}


def page_fills(pdftoppm: str, pdf: Path, book: Path, pages: Sequence, margin_points: float, work: Path) -> list[PageFill]:
    """Every page of ``pdf`` (the print of ``book``; ``pages`` its pdftotext pages, with ``running_header()``,
    ``number`` and ``height``)."""
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run([pdftoppm, "-r", str(DPI), "-gray", str(pdf), str(work / "page")], check=True, timeout=300)
    images = sorted(work.glob("page-*.pgm"))
    assert len(images) == len(pages) > 0
    sheets = [p.running_header().split(" — ")[0] for p in pages]
    across = printed_across(book)
    return [PageFill(p.number, sheet, _used(image, p.height, margin_points), sheet != (sheets + [""])[i + 1],
                     sheet in across) for i, (p, sheet, image) in enumerate(zip(pages, sheets, images))]


def half_empty(fills: Sequence[PageFill]) -> list[tuple[int, str, str]]:
    """Pages less than half used that neither end a sheet nor belong to a sheet printed across pages."""
    return [(f.number, f.sheet, f"{f.used:.0%}") for f in fills if f.used < HALF and not f.ends_sheet and not f.across]


def nearly_empty(fills: Sequence[PageFill]) -> list[tuple[int, str, str]]:
    """Pages with almost nothing on them, wherever they fall."""
    return [(f.number, f.sheet, f"{f.used:.0%}") for f in fills if f.used < NEARLY_EMPTY]
