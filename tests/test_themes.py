"""Workbook themes (issue 5): the shipped themes' band colours, a partnership's own theme file, bad themes.

* Every theme in workbook_templates/ has band colours that read in greyscale: CIE L* (computed
  here from the sRGB values with the CIE formulas, not by the engine) rises strictly from "Very
  Significantly High" to "Average" and falls strictly to "Very Significantly Low", each step at
  least MIN_STEP_L; and each band's text has a WCAG 2 contrast ratio of at least 4.5 on its fill.
  Lightness, unlike hue, survives every kind of colour blindness, so the order also holds for
  colour-blind readers.
* A partnership's theme file in a temporary folder, named by a relative path in a copy of the
  demo spec, with its own logo: the built workbook's cells use its font and header colours, the
  band conditional formats use its fills, the page is its paper size, and the package holds its
  logo (xl/media, and a picture in the Summary's drawing at the theme's height, inside the
  table's width so that it prints).
* Bad theme files fail before any data is read, naming the theme file, the line and the key.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from openpyxl.utils.cell import range_boundaries

from engine.api import build, prepare
from engine.errors import SpecError
from workbook_helpers import (BANDS, NS, REPO, SPEC, band_colour_key, column_of, data_rows, polarity_by_name,
                              read_book)

THEMES = sorted(p for p in (REPO / "workbook_templates").glob("*.yaml"))
MIN_STEP_L = 5.0  # CIE L* between neighbouring bands: clearly different greys
MIN_CONTRAST = 4.5  # WCAG 2 AA for body text
EMU_PER_PIXEL = 9525
AREA = "Rutland"


# --------------------------------------------------------------------------------------------
# Colour science, written out here (sRGB -> relative luminance -> CIE L*), independent of the engine
# --------------------------------------------------------------------------------------------

def _luminance(hex_colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def lightness(hex_colour: str) -> float:
    """CIE 1976 L* of an sRGB colour (D65 white): the grey it prints as."""
    y = _luminance(hex_colour)
    return 116 * y ** (1 / 3) - 16 if y > (6 / 29) ** 3 else y * (29 / 3) ** 3


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colour_science_is_right():
    """Known values: white L* 100, black 0, mid grey #777777 about 50; black on white 21:1."""
    assert lightness("#FFFFFF") == pytest.approx(100, abs=0.01)
    assert lightness("#000000") == pytest.approx(0, abs=0.01)
    assert lightness("#777777") == pytest.approx(50.0, abs=0.5)
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the web's lightest AA grey


def _theme_bands(path: Path) -> dict[str, dict[str, str]]:
    """A theme file's bands, each band it leaves out taken from default.yaml (as documented there)."""
    default = yaml.safe_load((REPO / "workbook_templates" / "default.yaml").read_text(encoding="utf-8"))["bands"]
    own = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("bands", {})
    return {band: {**default[band], **own.get(band, {})} for band in BANDS}


def test_two_themes_ship():
    assert {"default", "partnership"} <= {p.stem for p in THEMES}


@pytest.mark.parametrize("path", THEMES, ids=lambda p: p.stem)
def test_band_colours_read_in_greyscale(path):
    bands = _theme_bands(path)
    grey = [lightness(bands[b]["fill"]) for b in BANDS]
    middle = BANDS.index("Average")
    rising = grey[: middle + 1]
    falling = grey[middle:]
    steps = [b - a for a, b in zip(rising, rising[1:])] + [a - b for a, b in zip(falling, falling[1:])]
    assert min(steps) >= MIN_STEP_L, f"{path.name}: L* by band {dict(zip(BANDS, (round(g, 1) for g in grey)))}"


@pytest.mark.parametrize("path", THEMES, ids=lambda p: p.stem)
def test_band_text_is_readable_on_its_fill(path):
    for band, colours in _theme_bands(path).items():
        ratio = contrast(colours["fill"], colours["text"])
        assert ratio >= MIN_CONTRAST, f"{path.name}: {band} text {colours['text']} on {colours['fill']}: {ratio:.2f}"


def test_the_sample_logo_ships_with_the_package():
    """The partnership theme's logo is a PNG beside it, and pyproject installs PNGs with the themes."""
    theme = yaml.safe_load((REPO / "workbook_templates" / "partnership.yaml").read_text(encoding="utf-8"))
    assert (REPO / "workbook_templates" / theme["logo"]).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert '"*.png"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# A partnership's own theme file
# --------------------------------------------------------------------------------------------

def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG, written here byte by byte."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


CUSTOM = {
    "name": "Our partnership",
    "font": "Georgia",
    "font_size": 11,
    "colours": {"title": "#123456", "header_fill": "#2B2B2B", "header_text": "#FFFF00", "link": "#00008B"},
    "bands": {  # ColorBrewer BrBG, 7 classes
        "Very Significantly High": {"fill": "#8C510A", "text": "#FFFFFF"},
        "Significantly High": {"fill": "#D8B365", "text": "#000000"},
        "Above Average": {"fill": "#F6E8C3", "text": "#000000"},
        "Average": {"fill": "#F5F5F5", "text": "#000000"},
        "Below Average": {"fill": "#C7EAE5", "text": "#000000"},
        "Significantly Low": {"fill": "#5AB4AC", "text": "#000000"},
        "Very Significantly Low": {"fill": "#01665E", "text": "#FFFFFF"},
    },
    "page": {"paper": "A3"},
    "logo": "art/our_logo.png",
    "logo_height_px": 30,
}
LOGO = png(90, 45, (0, 102, 94))


def spec_with_theme(folder: Path, theme: dict | str) -> Path:
    """A copy of the demo spec in ``folder`` whose ``theme:`` is ``themes/ours.yaml`` beside it."""
    (folder / "themes" / "art").mkdir(parents=True, exist_ok=True)
    (folder / "themes" / "art" / "our_logo.png").write_bytes(LOGO)
    text = theme if isinstance(theme, str) else yaml.safe_dump(theme, sort_keys=False)
    (folder / "themes" / "ours.yaml").write_text(text, encoding="utf-8")
    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source["path"] = str((SPEC.parent / source["path"]).resolve())
    if "maps" in data:
        data["maps"]["boundaries"] = str((SPEC.parent / data["maps"]["boundaries"]).resolve())
    data["data_root"] = "/"  # the copy reads the repository's data where it is
    data["theme"] = "themes/ours.yaml"
    spec_path = folder / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return spec_path


@pytest.fixture(scope="module")
def themed(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("own_theme")
    (path,) = build(spec_with_theme(folder, CUSTOM), folder / "out", areas=[AREA])
    return read_book(AREA, path)


def test_cells_use_the_theme_font_and_header_colours(themed):
    ws, table = themed.table("sb_summary")
    min_col, header_row, max_col, _ = range_boundaries(table.ref)
    for col in range(min_col, max_col + 1):
        header = ws.cell(header_row, col)
        assert header.font.name == "Georgia" and header.font.sz == 11, header.coordinate
        assert header.font.color.rgb[-6:] == "FFFF00", header.coordinate
        assert header.fill.fgColor.rgb[-6:] == "2B2B2B", header.coordinate
    first, last = data_rows(table)
    assert {ws.cell(r, c).font.name for r in range(first, last + 1) for c in range(min_col, max_col + 1)} == {"Georgia"}
    assert ws["A1"].font.color.rgb[-6:] == "123456" and ws["A1"].font.name == "Georgia"


def test_band_rules_use_the_theme_fills(themed):
    seen = 0
    ws, summary = themed.table("sb_summary")
    name_col = column_of(ws, summary, "Indicator")
    polarity = polarity_by_name()
    for sheet in ("Summary", "Top 10"):
        for cf in themed.wb[sheet].conditional_formatting:
            # A Summary run of higher-is-better indicators flips the scale; top-10 tables are all higher-is-worse.
            rows = [r for cells in cf.sqref.ranges for r in range(cells.min_row, cells.max_row + 1)]
            for rule in cf.rules:
                word = (rule.formula or [""])[0].strip('"')
                if word in BANDS:
                    seen += 1
                    (shared,) = {polarity[ws.cell(r, name_col).value] if sheet == "Summary" else "higher_is_worse"
                                 for r in rows}
                    key = band_colour_key(word, shared)
                    assert rule.dxf.fill.bgColor.rgb[-6:] == CUSTOM["bands"][key]["fill"][1:], (sheet, word)
                    assert rule.dxf.font.color.rgb[-6:] == CUSTOM["bands"][key]["text"][1:], (sheet, word)
    assert seen >= 14, "expected the seven band rules on the Summary and on every top-10 table"


def test_page_uses_the_theme_paper(themed):
    for sheet in ("Summary", "Top 10", "Methodology"):
        assert themed.wb[sheet].page_setup.paperSize in (8, "8"), sheet  # A3


def test_the_logo_is_in_the_package_and_on_the_summary(themed):
    with zipfile.ZipFile(themed.path) as archive:
        media = [n for n in archive.namelist() if n.startswith("xl/media/")]
        pictures = [archive.read(n) for n in media]
        assert pictures.count(LOGO) == 1, media  # the logo once; the others are the Maps sheet's maps
        maps = [n for n in archive.namelist() if n.startswith("xl/drawings/") and n.endswith(".xml")]
        assert len(pictures) == sum(archive.read(n).count(b"<xdr:pic>") for n in maps), media  # one file a picture
        rels = ElementTree.fromstring(archive.read("xl/worksheets/_rels/sheet1.xml.rels"))
        (drawing_target,) = [r.get("Target") for r in rels.findall("rel:Relationship", NS) if r.get("Type").endswith("/drawing")]
        drawing = ElementTree.fromstring(archive.read("xl/drawings/" + drawing_target.rsplit("/", 1)[-1]))
    assert themed.sheet_order[0] == "Summary"
    (pic,) = drawing.iter(f"{{{NS['xdr']}}}pic")
    assert pic.find("xdr:nvPicPr/xdr:cNvPr", NS).get("descr") == "Our partnership logo"
    ext = pic.find("xdr:spPr/a:xfrm/a:ext", NS)
    assert int(ext.get("cy")) == 30 * EMU_PER_PIXEL and int(ext.get("cx")) == 60 * EMU_PER_PIXEL  # 90x45 at height 30
    (anchor,) = [a for a in drawing if pic in list(a)]
    ws, table = themed.table("sb_summary")
    _, _, max_col, _ = range_boundaries(table.ref)
    to_col, to_offset = (int(anchor.findtext(f"xdr:to/xdr:{t}", namespaces=NS)) for t in ("col", "colOff"))
    assert to_col <= max_col - 1 or (to_col == max_col and to_offset == 0), "the logo must sit within the table's width"
    assert int(anchor.findtext("xdr:to/xdr:row", namespaces=NS)) < 3, "the logo must stay above the links and the table"


# --------------------------------------------------------------------------------------------
# Bad theme files
# --------------------------------------------------------------------------------------------

BAD = {
    "unknown key": ("colours:\n  header_fil: '#000000'\n", "colours.header_fil", "unknown key 'header_fil'", 2),
    "bad colour": ("colours:\n  title: navy\n", "colours.title", "'navy' is not a colour", 2),
    "short colour": ("bands:\n  Average: {fill: '#FFF', text: '#000000'}\n", "bands.Average.fill", "is not a colour", 2),
    "unknown band": ("bands:\n  Very High: {fill: '#000000', text: '#FFFFFF'}\n", "bands.Very High", "unknown key", 2),
    "missing logo": ("name: ours\nlogo: art/missing.png\n", "logo", "logo file not found", 2),
    "logo not a png": ("logo: ours.yaml\n", "logo", "must be a PNG", 1),
    "paper": ("page:\n  paper: A5\n", "page.paper", "'A5' is not allowed", 2),
    "font size": ("font_size: 100\n", "font_size", "less than or equal to 20", 1),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_theme_names_the_file_line_and_key(tmp_path, case):
    text, key, words, line = BAD[case]
    spec_path = spec_with_theme(tmp_path, text)
    with pytest.raises(SpecError) as caught:
        prepare(spec_path)
    message = str(caught.value)
    theme_file = str(tmp_path / "themes" / "ours.yaml")
    assert f"{theme_file}:{line}: {key}: " in message, message
    assert words in message, message


def test_a_did_you_mean_for_a_mistyped_key(tmp_path):
    with pytest.raises(SpecError, match="header_fill"):
        prepare(spec_with_theme(tmp_path, "colours:\n  header_fil: '#000000'\n"))


def test_a_missing_theme_file_is_a_spec_problem(tmp_path):
    spec_path = spec_with_theme(tmp_path, "name: ours\n")
    spec_path.write_text(spec_path.read_text(encoding="utf-8").replace("themes/ours.yaml", "themes/none.yaml"),
                         encoding="utf-8")
    with pytest.raises(SpecError, match=r"theme 'themes/none.yaml' not found"):
        prepare(spec_path)
