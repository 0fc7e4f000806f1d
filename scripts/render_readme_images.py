"""Regenerate the README's pictures: pages of the demo workbook as LibreOffice prints them.

    python scripts/render_readme_images.py [--area "North West Leicestershire"] [--out docs/images]

Builds the demo partner workbook from the bundled data into a temporary folder, and the same
partner's protected workbook (``--suppress``) for the pictures of hidden figures, prints each to PDF
with LibreOffice (headless, a throwaway profile), finds each page by its heading with
``pdftotext`` and writes it as a PNG at 110 dpi (an A4 landscape page is 1287 x 910 pixels) with
``pdftoppm``. Needs ``soffice`` and poppler-utils on PATH. Run it after changing how a sheet looks.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from engine.api import build  # noqa: E402

SPEC = REPO_ROOT / "specs" / "community_safety.yaml"
DPI = 110
# README picture -> the heading that starts its page (the first page that has it)
PAGES = {
    "summary.png": "Key performance indicators",
    "front_page.png": "The printable front page",
    "findings.png": "Key findings —",
    "findings_profiles.png": "Youth justice: North West",  # the Profiles sentences, the published table's among them
    "top10.png": "Top 10 highest areas in",
    "maps.png": "Maps —",
    "comparisons.png": "Comparisons —",
    "comparators.png": "population, year ending",  # the published comparators chart's title (it wraps after "1,000")
    "incidents.png": "Hate incidents by strand",
    "hotspots.png": "or more offenders live",
    "methodology.png": "What happened",  # the data-quality table's header: sources by their titles
    "uava.png": "who referred, at what risk",
    "treatment.png": "Adults starting substance-misuse treatment by",
    "published_table.png": "Children cautioned or sentenced per 10,000",  # spec published: youth justice
    "profiles_print.png": "first-time entrants: First-time entrants",  # the printable form: one subset of two
    "who_print.png": "Who is affected to print",  # the printable form's first page: the rate ratios
}
# README picture of the protected workbook -> the heading that starts its page
PROTECTED_PAGES = {
    "protected_top10.png": "Top 10 highest areas in",
    "protected_profiles.png": "Hate incidents by strand",
}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} is not on PATH (install LibreOffice and poppler-utils)")
    return found


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, in order (pdftotext separates pages with a form feed)."""
    text = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


def print_pages(workbook: Path, pages: dict[str, str], out: Path) -> None:
    """Print ``workbook`` to PDF with LibreOffice and write each picture's page (found by its heading) as a PNG."""
    soffice, pdftoppm = _tool("soffice"), _tool("pdftoppm")
    profile = (workbook.parent / "lo_profile").as_uri()
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
                    "--outdir", str(workbook.parent), str(workbook)], check=True, capture_output=True, timeout=300)
    pdf = workbook.with_suffix(".pdf")
    if not pdf.is_file():  # soffice exits 0 even when it could not load the file
        raise SystemExit(f"LibreOffice wrote no PDF for {workbook.name}")
    texts = page_texts(pdf)
    out.mkdir(parents=True, exist_ok=True)
    for name, heading in pages.items():
        page = next((i + 1 for i, text in enumerate(texts) if heading in text), None)
        if page is None:
            raise SystemExit(f"no page of {pdf.name} has the heading {heading!r}")
        target = out / name
        subprocess.run([pdftoppm, "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                        str(pdf), str(target.with_suffix(""))], check=True)
        print(f"{target.relative_to(REPO_ROOT) if target.is_relative_to(REPO_ROOT) else target}: page {page}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", default="North West Leicestershire")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "images")
    args = parser.parse_args(argv)
    _tool("soffice"), _tool("pdftoppm")  # say what is missing before a build
    with tempfile.TemporaryDirectory(prefix="sb_readme_") as tmp:
        for suppress, pages in ((False, PAGES), (True, PROTECTED_PAGES)):
            folder = Path(tmp) / ("protected" if suppress else "open")
            (workbook,) = build(SPEC, folder, areas=[args.area], suppress=suppress)
            print_pages(workbook, pages, args.out)
    return 0

if __name__ == "__main__":
    sys.exit(main())
