"""The ribbon: a Saferbook tab whose Refresh button calls Python through xlwings.

xlwings' custom-ribbon add-in template (``xlwings quickstart NAME --addin --ribbon``) carries the
VBA: its ``RibbonMyAddin.RunMain`` callback runs ``RunPython "import <file name>; <file name>.main()"``,
where <file name> is the add-in's file name without ``.xlam``. So ``saferbook.xlam`` calls
``saferbook.main()`` (the top-level module ``saferbook``), which is Refresh.
"""
from __future__ import annotations

from xml.etree import ElementTree

# The template links its ribbon part with the Office 2010 relationship type
# (http://schemas.microsoft.com/office/2007/relationships/ui/extensibility), so the part must use the 2010 schema's
# namespace: the 2007 one (2006/01/customui) under that relationship is "Cannot load the root element" to Office
# 2010 and later (and to the Open XML SDK validator for those versions).
CUSTOM_UI_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
RIBBON_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
ON_ACTION = "RibbonMyAddin.RunMain"  # the template's VBA callback (see the module docstring)
TAB_LABEL = "Saferbook"
REFRESH_LABEL = "Refresh"
REFRESH_TIP = ("Updates this workbook from its spec and the newest data: the engine's tables and key figures "
               "are replaced; your own sheets and cells are kept. Nothing changes if the data or spec is bad.")


def ribbon_xml() -> bytes:
    """The add-in's ``customUI/customUI.xml``."""
    ElementTree.register_namespace("", CUSTOM_UI_NAMESPACE)

    def tag(name: str) -> str:
        return f"{{{CUSTOM_UI_NAMESPACE}}}{name}"

    root = ElementTree.Element(tag("customUI"))
    tab = ElementTree.SubElement(ElementTree.SubElement(ElementTree.SubElement(root, tag("ribbon")), tag("tabs")),
                                 tag("tab"), id="saferbookTab", label=TAB_LABEL)
    group = ElementTree.SubElement(tab, tag("group"), id="saferbookWorkbook", label="Workbook")
    ElementTree.SubElement(group, tag("button"), id="saferbookRefresh", label=REFRESH_LABEL, size="large",
                           imageMso="RefreshAll", onAction=ON_ACTION, screentip="Refresh this workbook",
                           supertip=REFRESH_TIP)
    ElementTree.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ElementTree.tostring(root, encoding="utf-8")
