"""``saferbook addin build``: the ``.xlam`` made from xlwings' own custom-ribbon add-in template.

The template (shipped inside the installed xlwings package, BSD-licensed, its VBA matching that
xlwings version) is copied entry by entry; the ribbon XML is ours, the VBA gets two small changes
(:mod:`addin.vba`: settings never come from the active workbook, and the button imports
``saferbook`` whatever the file is called), and, for ``install``, the add-in's own settings sheet
gets the Python interpreter. Nothing binary is committed.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from engine.atomic import write_bytes_atomic
from engine.errors import SaferbookError
from addin.ribbon import ribbon_xml
from addin.vba import patch_vba_project

ADDIN_FILE = "saferbook.xlam"
TEMPLATE = "quickstart_addin_ribbon.xlam"
CUSTOM_UI = "customUI/customUI.xml"
VBA_PROJECT = "xl/vbaProject.bin"
CONFIG_SHEET_XML = "xl/worksheets/sheet1.xml"
# The template's VBA reads its settings from a sheet named after its project, "myaddin"; the
# template ships it switched off (a leading underscore).
CONFIG_SHEET_OFF, CONFIG_SHEET_ON = "_myaddin.conf", "myaddin.conf"


def template_path() -> Path:
    try:
        import xlwings
    except ImportError:
        raise SaferbookError("the Excel add-in needs xlwings: pip install \"saferbook[addin]\" "
                             "(or pip install -e \".[addin]\" in a source checkout)") from None
    path = Path(xlwings.__file__).parent / TEMPLATE
    if not path.is_file():
        raise SaferbookError(f"xlwings {xlwings.__version__} has no ribbon add-in template ({TEMPLATE}): "
                             "install xlwings 0.33 or later")
    return path


def _value_cell(ref: str, value: str | bool) -> str:
    if isinstance(value, bool):  # the template's own switches are boolean cells (VBA reads them as Booleans)
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def _config_sheet(sheet_xml: bytes, shared_strings: bytes, settings: dict[str, str | bool]) -> bytes:
    """The template's settings sheet (keys in column A) with ``settings`` written into column B.

    A key the template lacks (``ADD_WORKBOOK_TO_PYTHONPATH``, the OneDrive settings) gets a row of its own after
    the template's: xlwings' VBA reads the keys from A1 down to the first empty cell."""
    strings = [re.sub(r"<[^>]+>", "", s) for s in re.findall(r"<si>(.*?)</si>", shared_strings.decode("utf-8"))]
    text = sheet_xml.decode("utf-8")
    for key, value in settings.items():
        # <row r="1" ...><c r="A1" s="1" t="s"><v>6</v></c>[<c r="B1" ...>...</c>]</row>, 6 being the key's string
        match = key in strings and re.search(
            rf'<row r="(\d+)"[^>]*><c r="A\d+"[^>]*t="s"[^>]*><v>{strings.index(key)}</v></c>', text)
        if match:
            end = text.index("</row>", match.end())
            row = text[match.start():match.end()].replace(' spans="1:1"', ' spans="1:2"')
            text = text[:match.start()] + row + _value_cell(f"B{match.group(1)}", value) + text[end:]
            continue
        keyed = [int(r) for r in re.findall(r'<row r="(\d+)"[^>]*><c r="A\d+"[^>]*t="(?:s|inlineStr)"', text)]
        number = max(keyed, default=0) + 1
        text = re.sub(rf'<row r="{number}"[^>]*>.*?</row>', "", text)  # the template's empty formatted rows
        row = (f'<row r="{number}" spans="1:2"><c r="A{number}" t="inlineStr"><is><t>{escape(key)}</t></is></c>'
               f'{_value_cell(f"B{number}", value)}</row>')
        previous = re.search(rf'<row r="{number - 1}"[^>]*>.*?</row>', text)
        text = text[:previous.end()] + row + text[previous.end():]
    return re.sub(r'<dimension ref="[^"]*"\s*/>', "", text)  # optional, and now stale


# Two things of the template's workbook part that Saferbook's add-in must not carry: the folder (and user name) of
# the machine the template was last saved on (x15ac:absPath), and x14:workbookPr defaultImageDpi="32767", which
# the Open XML SDK rejects for every Office version (the add-in has no pictures: the attribute has nothing to do).
_ABS_PATH = re.compile(rb"<mc:AlternateContent[^>]*><mc:Choice[^>]*><x15ac:absPath[^>]*/></mc:Choice></mc:AlternateContent>")
_IMAGE_DPI = re.compile(rb'<extLst><ext uri="\{79F54976-1DA5-4618-B147-4CDE4B953A38\}"[^>]*><x14:workbookPr defaultImageDpi="\d+"\s*/></ext></extLst>')


def _clean_workbook_xml(data: bytes) -> bytes:
    return _IMAGE_DPI.sub(b"", _ABS_PATH.sub(b"", data))


def addin_bytes(interpreter_settings: dict[str, str | bool] | None = None) -> bytes:
    """The add-in's bytes: the template with our ribbon (and, if given, its interpreter settings)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(template_path()) as template, zipfile.ZipFile(buffer, "w") as out:
        for info in template.infolist():
            data = template.read(info)
            if info.filename == CUSTOM_UI:
                data = ribbon_xml()
            elif info.filename == VBA_PROJECT:
                data = patch_vba_project(data)  # settings from the add-in and user only; a fixed module name
            elif info.filename == "xl/workbook.xml":
                data = _clean_workbook_xml(data)
                if interpreter_settings:
                    data = data.replace(f'name="{CONFIG_SHEET_OFF}"'.encode(), f'name="{CONFIG_SHEET_ON}"'.encode())
            elif interpreter_settings and info.filename == CONFIG_SHEET_XML:
                data = _config_sheet(data, template.read("xl/sharedStrings.xml"), interpreter_settings)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)  # the template's dates: same bytes each build
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            out.writestr(entry, data)
    return buffer.getvalue()


def build_addin(out_dir: Path, interpreter_settings: dict[str, str | bool] | None = None) -> Path:
    """Write ``saferbook.xlam`` into ``out_dir`` (atomically); return its path."""
    path = Path(out_dir) / ADDIN_FILE
    data = addin_bytes(interpreter_settings)
    try:
        write_bytes_atomic(path, data)
    except PermissionError:
        raise SaferbookError(f"cannot write {path}: if Excel has the add-in open, quit Excel and try again") from None
    return path


def installed_settings(path: Path) -> dict[str, str]:
    """The settings an add-in file carries in its own settings sheet (column A -> column B), as text.

    Read with calamine (fastexcel), which opens ``.xlam`` packages; openpyxl refuses them."""
    import fastexcel

    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
    except Exception as error:  # noqa: BLE001 - calamine's errors have no common base; any means "unreadable"
        raise SaferbookError(f"cannot read the add-in {path}: {error}") from None
    rows = [list(row.values()) for row in sheet.to_arrow().to_pylist()]
    return {row[0]: row[1] or "" for row in rows if row and row[0]}
