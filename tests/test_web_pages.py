"""The self-contained web pages (``saferbook build --format html``), opened in a real headless Chromium.

Each page must load from disk with the network shut, with no console error and no request leaving
the file; show every KPI figure exactly as the workbook built from the same Report does (read back
from the workbook with openpyxl); change what it shows when a filter is used; and be the same bytes
when built twice. Built from the small example specs, not the demo.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from engine.api import prepare, render_all
from engine.render import load_theme
from engine.report import SUPPRESSED
from engine.web import report_html
from web_browser import (console_errors, in_ci, missing_browser, open_page, requested_urls,
                               start_browser)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "specs" / "examples"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Example name -> (page, workbook) for one partner page and the dashboard page."""
    built = {}
    for name, area in (("counted", "Melton"), ("dashboard", None)):
        out = tmp_path_factory.mktemp(name)
        prepared = prepare(EXAMPLES / f"{name}.yaml", [area] if area else None)
        workbook = render_all(prepared, out, pages=True)[0]
        built[name] = (workbook.with_suffix(".html"), workbook)
    return built


@pytest.fixture(scope="module")
def browser():
    reason = missing_browser()
    if reason:
        if in_ci():
            pytest.fail(f"the web-page tests must run in CI: {reason}")
        pytest.skip(reason)
    driver = start_browser()
    yield driver
    driver.quit()


def _number(text: str) -> float | None:
    """'1,234' -> 1234, '45.0%' -> 45.0, '+3.1%' -> 3.1; words -> None."""
    cleaned = text.replace(",", "").replace("%", "").replace("pp", "").strip()
    return float(cleaned) if re.fullmatch(r"[+-]?\d+(\.\d+)?", cleaned) else None


def _workbook_kpis(workbook: Path, table_name: str) -> dict[str, dict[str, object]]:
    """The workbook's KPI table, by indicator name: header -> cell value."""
    book = load_workbook(workbook)
    for sheet in book.worksheets:
        if table_name in sheet.tables:
            rows = [[c.value for c in row] for row in sheet[sheet.tables[table_name].ref]]
            header = rows[0]
            return {row[header.index("Indicator")]: dict(zip(header, row)) for row in rows[1:]}
    raise AssertionError(f"{workbook.name} has no table {table_name}")


def _page_kpis(driver) -> dict[str, dict[str, str]]:
    return driver.execute_script("""
        const out = {};
        document.querySelectorAll('#kpi-table tr[data-indicator]').forEach(row => {
          const name = row.querySelector('th[scope=row]').textContent.trim();
          const cells = {};
          row.querySelectorAll('td[data-field]').forEach(td => { cells[td.dataset.field] = td.textContent.trim(); });
          out[name] = cells;
        });
        return out;""")


@pytest.mark.parametrize("name", ["counted", "dashboard"])
def test_page_loads_offline_with_no_console_error_and_no_request_outside_the_file(browser, pages, name):
    page, _ = pages[name]
    requested_urls(browser)  # empty the log
    open_page(browser, page)
    assert browser.execute_script("return document.body.dataset.chartsReady") not in ("error", "0")
    drawn = browser.execute_script("return document.querySelectorAll('.chart svg').length")
    assert drawn == browser.execute_script("return document.querySelectorAll('script[data-chart]').length") > 0
    assert console_errors(browser) == []
    outside = [u for u in requested_urls(browser) if not u.startswith(LOCAL_SCHEMES)]
    assert outside == []


#: The page's KPI cell (its data-field) -> how the workbook's KPI table header begins.
WORKBOOK_COLUMNS = {"current": "Current", "previous": "Previous", "band": "Comparison with"}


def assert_page_shows_the_workbooks_kpis(browser, page: Path, workbook: Path, table: str,
                                         fields: tuple[str, ...]) -> None:
    """Every KPI row of the page has its workbook row, and each of its ``fields`` says what the workbook's cell
    does: a number to rounding, words ([c], n/a, a band) exactly."""
    open_page(browser, page)
    shown = _page_kpis(browser)
    expected = _workbook_kpis(workbook, table)
    assert set(shown) == set(expected)
    for name, cells in shown.items():
        for field in fields:
            value = next(v for k, v in expected[name].items() if str(k).startswith(WORKBOOK_COLUMNS[field]))
            if isinstance(value, (int, float)):
                assert _number(cells[field]) == pytest.approx(value), (name, field, cells[field], value)
            else:
                assert cells[field] == value, (name, field, cells[field], value)


def test_partner_page_shows_the_workbooks_kpi_figures(browser, pages):
    page, workbook = pages["counted"]
    assert_page_shows_the_workbooks_kpis(browser, page, workbook, "sb_summary", ("current", "previous", "band"))


def test_dashboard_page_shows_the_workbooks_kpi_figures(browser, pages):
    page, workbook = pages["dashboard"]
    assert_page_shows_the_workbooks_kpis(browser, page, workbook, "sb_dash_kpis", ("current",))


def test_filters_change_what_is_shown(browser, pages, tmp_path):
    page, _ = pages["dashboard"]
    open_page(browser, page)
    visible = "return Array.from(document.querySelectorAll('section.indicator')).filter(s => !s.hidden).map(s => s.dataset.group)"
    everything = browser.execute_script(visible)
    groups = sorted(set(everything))
    assert len(groups) >= 2, "the example dashboard needs two outcomes to test the filter"
    browser.execute_script("const s = document.getElementById('filter-group'); s.value = arguments[0];"
                           "s.dispatchEvent(new Event('change'));", groups[0])
    filtered = browser.execute_script(visible)
    assert filtered and set(filtered) == {groups[0]} and len(filtered) < len(everything)
    kpi_rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('#kpi-table tr[data-indicator]')).filter(r => !r.hidden && "
        "!r.closest('tbody').hidden).map(r => r.dataset.group)")
    assert set(kpi_rows) == {groups[0]}

    district = browser.execute_script("return document.getElementById('filter-district').options[1].value")
    browser.execute_script("const s = document.getElementById('filter-district'); s.value = arguments[0];"
                           "s.dispatchEvent(new Event('change'));", district)
    rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('section.indicator:not([hidden]) tr[data-district]'))"
        ".filter(r => !r.hidden && r.dataset.district).map(r => r.dataset.district)")
    assert rows and set(rows) == {district}
    assert district in browser.find_element("id", "status").text
    shot = tmp_path / "dashboard.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_same_report_gives_the_same_bytes(tmp_path):
    prepared = prepare(EXAMPLES / "counted.yaml", ["Blaby"])
    first = render_all(prepared, tmp_path / "one", pages=True)[0].with_suffix(".html").read_bytes()
    second = render_all(prepared, tmp_path / "two", pages=True)[0].with_suffix(".html").read_bytes()
    assert first == second


def test_partner_text_is_written_as_text_not_markup():
    prepared = prepare(EXAMPLES / "counted.yaml", ["Blaby"])
    hostile = "<img src=x onerror=alert(1)>"
    report = dataclasses.replace(prepared.reports[0], partner_area=hostile)
    page = report_html(report, load_theme(prepared.spec.theme, prepared.spec_dir)).decode("utf-8")
    assert hostile not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_suppressed_figures_show_as_the_workbook_shows_them(tmp_path):
    """The example's sensitive indicator with a threshold high enough to hide Rutland's top-10 counts."""
    text = (EXAMPLES / "counted.yaml").read_text(encoding="utf-8")
    text = text.replace("    sensitive: true\n", "    sensitive: true\n    suppress: {below: 40}\n", 1)
    spec = EXAMPLES / ".suppressed_counted.yaml"  # beside the example: its data paths are relative to it
    spec.write_text(text, encoding="utf-8")
    try:
        prepared = prepare(spec, ["Rutland"], suppress=True)
    finally:
        spec.unlink()
    workbook = render_all(prepared, tmp_path, pages=True)[0]
    page = workbook.with_suffix(".html").read_text(encoding="utf-8")
    book = load_workbook(workbook)
    top = next(s for s in book.worksheets if "sb_top10_violence_and_sexual_offences" in s.tables)
    cells = [[c.value for c in row] for row in top[top.tables["sb_top10_violence_and_sexual_offences"].ref]][1:]
    hidden_codes = [row[2] for row in cells if SUPPRESSED in row]
    assert hidden_codes, "the threshold must hide something, or this tests nothing"
    section = page[page.index('id="ind-violence_and_sexual_offences"'):]
    section = section[:section.index("</section>")]
    for code in hidden_codes:  # the same row of the page's top-10 table says so too
        row = re.search(rf"<td>{code}</td><td>[^<]*</td><td class=\"num\">([^<]*)</td>", section)
        assert row and row.group(1) == SUPPRESSED, code


def test_a_pipeline_with_formats_html_sends_each_partner_its_own_page(tmp_path):
    """``formats: [xlsx, html]``: the page goes with the workbook, the same bytes as a ``--format html`` build."""
    from deliver_support import AREAS, MailServer, stem, write_pipeline
    from engine.deliver.runner import run_pipeline

    server = MailServer().start()
    try:
        result = run_pipeline(write_pipeline(tmp_path, server.port, extra="formats: [xlsx, html]\n"))
    finally:
        server.stop()
    assert result.exit_code == 0
    for area, recipients in AREAS.items():
        messages = server.handler.for_recipient(recipients[0])
        assert len(messages) == 1
        attachments = messages[0].attachments
        assert set(attachments) == {f"{stem(area)}.xlsx", f"{stem(area)}.html"}
        page = attachments[f"{stem(area)}.html"]
        page = page.encode("utf-8") if isinstance(page, str) else page
        assert page == (tmp_path / "out" / f"{stem(area)}.html").read_bytes()
        assert f"<strong>{area}</strong>" in page.decode("utf-8")


def test_map_areas_are_drawn_in_their_top_10_bands(browser, tmp_path):
    """Each mapped indicator's map on the page, its small areas' fills read from Vega's drawn marks (not the
    picture) and mapped back through the theme: every Top 10 area in its Top 10 band, every area in the Report's."""
    from test_maps import make_project

    prepared = prepare(make_project(tmp_path))
    theme = load_theme(prepared.spec.theme, prepared.spec_dir)
    report = prepared.reports[0]
    page = render_all(prepared, tmp_path / "out", pages=True)[0].with_suffix(".html")
    open_page(browser, page)
    assert console_errors(browser) == []
    drawn = browser.execute_script("""
        const out = {};
        for (const [chart, view] of Object.entries(window.saferbookCharts)) {
          const fills = {};
          (function walk(node) {
            if (!node) { return; }
            if (node.items) { node.items.forEach(walk); }
            const p = node.datum && node.datum.properties;
            if (p && p.code && node.fill) { fills[p.code] = node.fill; }
          })(view.scenegraph().root);
          if (Object.keys(fills).length) { out[document.getElementById(chart).getAttribute('aria-label')] = fills; }
        }
        return out;""")
    assert len(drawn) == len(report.maps.maps) > 0
    for area_map in report.maps.maps:
        (fills,) = [f for label, f in drawn.items() if label.startswith(f"{area_map.title}: map")]
        words = {theme.band_colours(b, area_map.polarity == "higher_is_better")["fill"].upper(): b for b in theme.bands}
        bands = {code: words.get(fill.upper(), "Not compared") for code, fill in fills.items()}
        assert bands == {a.code: a.band for a in area_map.areas if a.code in report.maps.shapes}
        (table,) = [t for t in report.top_tables if t.indicator_id == area_map.indicator_id]
        assert table.rows
        for row in table.rows:
            assert bands[row.code] == row.band, (area_map.indicator_id, row.code)
