"""Status markers in numeric cells and footnote markers glued to labels.

Published tables put a symbol where a number cannot be given: ``..`` (not available), ``-`` or
``*`` (too small / suppressed), ONS's bracketed codes ``[x]`` ``[c]`` ``[z]`` ``[low]``, ``N/A``.
These are read as *missing* — never as zero — and every one is counted. Labels carry footnote
numbers glued to the word they annotate (``Violence against the person4``,
``Total recorded crime (excluding fraud3)``, ``Homicide5,6``), superscripts (``Rate¹``) or
``[note 3]``; for matching a spec's column names they are removed.
"""
from __future__ import annotations

import re
import unicodedata

#: Excel's error values, as calamine names them -> as Excel shows them. Always read as missing.
EXCEL_ERRORS: dict[str, str] = {"Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!", "Num": "#NUM!",
                                "Ref": "#REF!", "Value": "#VALUE!", "GettingData": "#GETTING_DATA"}

#: Read as missing in number, date, month and code columns unless a source lists its own.
DEFAULT_MISSING_MARKERS: tuple[str, ...] = (
    "..", ".", "-", "–", "—", ":", "*", "x", "~", "[x]", "[c]", "[z]", "[low]", "[u]", "[w]", "[k]",
    "N/A", "n/a", "NA", "#N/A", "n.a.", "NULL", "null",
)

# Digits glued to a lower-case letter or a closing bracket, optionally comma-separated, at a word end:
# "fraud3)", "person4", "Homicide5,6", "(mid-2018)3". Never after a capital or a hyphen ("LSOA11CD",
# "Mid-2018", "Table P1" keep theirs).
_GLUED = re.compile(r"(?<=[a-z\)])\d{1,2}(?:,\d{1,2})*(?=$|[\s\)\]:;,])")
_GLUED_ANY_CASE = re.compile(r"(?<=[A-Za-z\)])\d{1,2}(?:,\d{1,2})*(?=$|[\s\)\]:;,])")
_SUPERSCRIPTS = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079]+")
_NOTE = re.compile(r"\s*\[(?:note|notes|footnote)\s*[\d,\s and]+\]", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def strip_footnotes(label: str, capitals: bool = False) -> str:
    """``'Violence against the person4'`` -> ``'Violence against the person'``; whitespace collapsed.

    Labels keep digits after a capital (``LSOA11CD``, ``Table P1``); for values the spec opts in to
    (``strip_footnotes: true``), ``capitals`` also strips ``ENGLAND AND WALES7,8``.
    """
    text = _NOTE.sub("", label)
    text = _SUPERSCRIPTS.sub("", text)
    text = (_GLUED_ANY_CASE if capitals else _GLUED).sub("", text)
    return _SPACE.sub(" ", text).strip()


# An ONS (GSS) code is a letter and eight digits (E23000011); in published tables a footnote number is
# sometimes glued on (E230000118 = E23000011 + note 8, E060000167,8). Digits alone cannot be told
# apart, so the code's known length decides.
_GSS_WITH_NOTE = re.compile(r"^([EWSNKL]\d{8})\d{1,2}(?:,\d{1,2})*$")


def strip_code_footnote(code: str) -> str:
    """``'E230000118'`` -> ``'E23000011'``; any other value is returned as it is."""
    match = _GSS_WITH_NOTE.match(code)
    return match.group(1) if match else code


def normalise_label(label: str) -> str:
    """The form column names are compared in: footnotes stripped, case and spacing ignored."""
    return unicodedata.normalize("NFKC", strip_footnotes(label)).casefold()


def marker_set(markers: list[str] | tuple[str, ...] | None) -> frozenset[str]:
    """The markers a source treats as missing (compared after trimming spaces)."""
    return frozenset(m.strip() for m in (DEFAULT_MISSING_MARKERS if markers is None else markers))
