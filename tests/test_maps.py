"""Maps: the Maps sheet's pictures shade each small area by the band its Top 10 row gives it.

A tiny spec (two districts of three real LSOAs each, three-month windows of real police.uk rows,
boundaries cut from the bundled ONS file into a GeoJSON of the test's own) keeps the build quick.
The colours are read back from the drawn artists (the facecolors matplotlib paints) and turned
into band words through the theme, then compared with the bands the Top 10 tables print.
"""
from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from engine.api import prepare, workbook_bytes
from engine.cli import main as cli_main
from engine.errors import DataError, SpecError
from engine.render import load_theme
from engine.render.dashboard import render_dashboard
from engine.render.map_drawing import MapCanvas, band_fill, draw_map, png_bytes
from engine.spec import load_spec

REPO = Path(__file__).resolve().parents[1]
BOUNDARIES = REPO / "data" / "ons" / "lsoa11_boundaries_leicestershire.geojson.gz"
LOOKUP = REPO / "data" / "ons" / "lsoa11_lad22_leicestershire.csv"
POPULATION = REPO / "data" / "ons" / "population20_lsoa11_leicestershire.csv"
POLICE = REPO / "data" / "police_uk" / "leicestershire"
MONTHS = [f"2022-{m:02d}" for m in range(5, 11)]  # two three-month windows
DISTRICTS = ("Melton", "Rutland")
MAPPED = ["total_crime", "anti_social_behaviour"]


def _lsoas() -> pd.DataFrame:
    lookup = pd.read_csv(LOOKUP, dtype=str)
    picked = lookup[lookup["LAD22NM"].isin(DISTRICTS)].sort_values("LSOA11CD").groupby("LAD22NM").head(3)
    return picked.reset_index(drop=True)


def _features(codes: set[str], rename: str | None = None) -> dict:
    data = json.loads(gzip.decompress(BOUNDARIES.read_bytes()))
    features = [f for f in data["features"] if f["properties"]["LSOA11CD"] in codes]
    if rename:
        for f in features:
            f["properties"] = {rename: f["properties"]["LSOA11CD"]}
    return {"type": "FeatureCollection", "features": features}


def make_project(root: Path, drop: str | None = None, maps: dict | None = None, dashboard: bool = False) -> Path:
    """The tiny spec and its data in ``root``; ``drop``: an LSOA left out of the boundary file."""
    lsoas = _lsoas()
    codes = set(lsoas["LSOA11CD"])
    lsoas.to_csv(root / "lookup.csv", index=False)
    population = pd.read_csv(POPULATION, dtype=str)
    population[population["LSOA11CD"].isin(codes)].to_csv(root / "population.csv", index=False)
    (root / "police").mkdir()
    for month in MONTHS:
        rows = pd.read_csv(POLICE / f"{month}-leicestershire-street.csv.gz", dtype=str, keep_default_na=False)
        rows[rows["LSOA code"].isin(codes)].to_csv(root / "police" / f"{month}-test-street.csv", index=False)
    (root / "shapes.geojson").write_text(json.dumps(_features(codes - {drop})), encoding="utf-8")
    spec = {
        "title": "Maps test",
        "sources": {"crime": {"type": "police_uk", "path": "police"},
                    "lookup": {"type": "csv", "path": "lookup.csv"},
                    "population": {"type": "csv", "path": "population.csv"}},
        "geography": {"small_areas": {"source": "lookup", "code": "LSOA11CD", "name": "LSOA11NM",
                                      "partner_area_code": "LAD22CD"},
                      "partner_areas": {"source": "lookup", "code": "LAD22CD", "name": "LAD22NM"},
                      "benchmark": {"name": "Both districts"},
                      "population": {"source": "population", "code": "LSOA11CD", "value": "All Ages (mid-2020)"}},
        "periods": {"window_months": 3},
        "indicators": [{"id": "total_crime", "name": "Total crime", "source": "crime"},
                       {"id": "anti_social_behaviour", "name": "Anti-social behaviour", "source": "crime",
                        "unit": "incidents", "where": {"crime_type": {"equals": "Anti-social behaviour"}},
                        "banding": {"method": "sd", "cut_points": [0.5, 1]}}],
        "comparisons": [],
        "maps": maps or {"boundaries": "shapes.geojson", "indicators": MAPPED},
    }
    if dashboard:  # a dashboard compares districts by confidence intervals only
        spec["dashboard"] = {"subject": {"name": "Both", "where": {"LAD22NM": {"in": list(DISTRICTS)}}}}
        del spec["indicators"][1]["banding"]
    path = root / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("maps")
    prepared = prepare(make_project(root))
    return prepared, load_theme("default")


def drawn_bands(theme, map_set, area_map) -> dict[str, str]:
    """Each drawn area's band, read from the colour matplotlib paints it with (mapped back through the theme)."""
    drawn = draw_map(MapCanvas.of(map_set), area_map, theme)
    assert drawn.areas in drawn.figure.axes[0].collections  # the artist the picture is painted with
    colours = ["#{:02X}{:02X}{:02X}".format(*(round(c * 255) for c in rgba[:3])) for rgba in drawn.areas.get_facecolors()]
    words = {band_fill(theme, band, area_map.polarity): band for band in theme.bands}
    assert len(colours) == len(drawn.codes)
    return {code: words[colour] for code, colour in zip(drawn.codes, colours)}


def test_every_mapped_indicator_has_a_map_coloured_as_its_top_10_bands(built):
    prepared, theme = built
    lsoas = _lsoas()
    for report in prepared.reports:
        assert [m.indicator_id for m in report.maps.maps] == MAPPED
        own = set(lsoas.loc[lsoas["LAD22NM"] == report.partner_area, "LSOA11CD"])
        for area_map in report.maps.maps:
            bands = drawn_bands(theme, report.maps, area_map)
            assert set(bands) == own  # every LSOA of the partner area, and only those
            (table,) = [t for t in report.top_tables if t.indicator_id == area_map.indicator_id]
            assert table.rows, "the fixture has crime in every district"
            for row in table.rows:
                assert bands[row.code] == row.band, (area_map.indicator_id, row.code)
            ranks = {a.code: a.rank for a in area_map.areas if a.rank}
            assert ranks == {row.code: row.rank for row in table.rows}


def test_the_maps_sheet_embeds_one_described_picture_per_map_and_the_bytes_repeat(built):
    prepared, theme = built
    report = next(r for r in prepared.reports if r.partner_area == "Rutland")
    data = workbook_bytes(prepared, report)
    assert data == workbook_bytes(prepared, report)  # byte-identical from build to build
    book = zipfile.ZipFile(io.BytesIO(data))
    media = sorted(n for n in book.namelist() if n.startswith("xl/media/"))
    canvas = MapCanvas.of(report.maps)
    expected = [png_bytes(draw_map(canvas, m, theme).figure) for m in report.maps.maps]
    assert sorted(book.read(n) for n in media) == sorted(expected)
    for picture in expected:
        assert b"Software" not in picture and b"tIME" not in picture  # no version or date inside
    workbook = book.read("xl/workbook.xml").decode()
    assert re.search(r'<sheet name="Maps"', workbook)
    drawings = " ".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/drawings/drawing"))
    alt = re.findall(r'descr="([^"]*)"', drawings)
    assert sum(a.startswith("Map of ") for a in alt) == len(MAPPED)
    assert any("Very Significantly" in a or "Average" in a for a in alt)


def test_a_spec_names_its_own_boundary_file_and_property(tmp_path):
    root = tmp_path
    spec = make_project(root, maps={"boundaries": "own.geojson.gz", "code_property": "lsoa", "indicators": ["total_crime"]})
    codes = set(_lsoas()["LSOA11CD"])
    (root / "own.geojson.gz").write_bytes(gzip.compress(json.dumps(_features(codes, rename="lsoa")).encode()))
    prepared = prepare(spec)
    assert all(set(r.maps.shapes) <= codes and r.maps.shapes for r in prepared.reports)
    assert [m.indicator_id for m in prepared.reports[0].maps.maps] == ["total_crime"]


@pytest.mark.parametrize("content, words", [
    ("not json {", "not a GeoJSON file"),
    ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
    ("projected", "not longitude/latitude"),
    ("renamed", "no feature has the property 'LSOA11CD'"),
])
def test_a_bad_boundary_file_is_an_error_naming_the_file(tmp_path, capsys, content, words):
    spec = make_project(tmp_path)
    shapes = tmp_path / "shapes.geojson"
    if content == "projected":  # British National Grid metres where longitude/latitude belong
        data = json.loads(shapes.read_text())
        for f in data["features"]:
            f["geometry"]["coordinates"] = [[[x * 1e4, y * 1e4] for x, y in ring] for ring in f["geometry"]["coordinates"]]
        content = json.dumps(data)
    elif content == "renamed":
        content = json.dumps(_features(set(_lsoas()["LSOA11CD"]), rename="code"))
    shapes.write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        prepare(spec)
    message = str(raised.value)
    assert str(shapes) in message and words in message, message
    assert cli_main(["validate", str(spec)]) == 2
    err = capsys.readouterr().err
    assert str(shapes) in err and words in err


def test_a_missing_boundary_file_is_an_error_naming_it(tmp_path):
    spec = make_project(tmp_path, maps={"boundaries": "nowhere.geojson", "indicators": MAPPED})
    with pytest.raises(DataError, match=re.escape(str(tmp_path / "nowhere.geojson"))):
        prepare(spec)


def test_an_lsoa_with_no_boundary_is_reported_not_dropped(tmp_path):
    lsoas = _lsoas()
    dropped = lsoas.loc[lsoas["LAD22NM"] == "Rutland", "LSOA11CD"].iloc[0]
    prepared = prepare(make_project(tmp_path, drop=dropped))
    rutland = next(r for r in prepared.reports if r.partner_area == "Rutland")
    melton = next(r for r in prepared.reports if r.partner_area == "Melton")
    assert any(dropped in note and "no boundary" in note for note in rutland.maps.notes)
    assert not any(dropped in note for note in melton.maps.notes)  # each partner sees only its own
    assert all(dropped not in {a.code for a in m.areas} for m in rutland.maps.maps)
    assert any("no boundary" in n.reason and n.rows == 1 for n in rutland.quality)
    sheet = zipfile.ZipFile(io.BytesIO(workbook_bytes(prepared, rutland))).read("xl/sharedStrings.xml").decode()
    assert dropped in sheet  # said on the Maps sheet


def test_maps_name_known_counted_indicators(tmp_path):
    spec = make_project(tmp_path, maps={"boundaries": "shapes.geojson", "indicators": ["total_crim"]})
    with pytest.raises(SpecError) as raised:
        load_spec(spec)
    (problem,) = raised.value.problems
    assert problem.key_path.startswith("maps.indicators") and problem.line and "total_crime" in problem.message


def test_the_dashboard_maps_each_member_by_its_band_against_the_subject(tmp_path):
    prepared = prepare(make_project(tmp_path, dashboard=True))
    dashboard = prepared.dashboard
    theme = load_theme("default")
    assert [m.indicator_id for m in dashboard.maps.maps] == MAPPED
    for area_map in dashboard.maps.maps:
        item = next(k for k in dashboard.kpis if k.indicator_id == area_map.indicator_id)
        bands = drawn_bands(theme, dashboard.maps, area_map)
        by_name = {dashboard.maps.shapes[code].name: band for code, band in bands.items()}
        assert by_name == {m.name: m.band for m in item.members}
    book = zipfile.ZipFile(io.BytesIO(render_dashboard(dashboard, theme)))
    drawings = " ".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/drawings/drawing"))
    assert len(re.findall(r'descr="Map of ', drawings)) == len(MAPPED)  # (identical pictures share one file)


def test_a_privacy_protected_build_leaves_out_the_maps_of_sensitive_indicators(tmp_path):
    spec = make_project(tmp_path)
    data = yaml.safe_load(spec.read_text())
    data["indicators"][1]["sensitive"] = True
    spec.write_text(yaml.safe_dump(data, sort_keys=False))
    for report in prepare(spec, suppress=True).reports:
        assert [m.indicator_id for m in report.maps.maps] == ["total_crime"]
        assert any("anti-social behaviour is left out" in note for note in report.maps.notes)
    assert [m.indicator_id for m in prepare(spec).reports[0].maps.maps] == MAPPED


def test_matplotlib_is_imported_only_when_a_map_is_drawn():
    import subprocess
    import sys

    code = "import sys, engine.cli, engine.api, engine.render; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=REPO).stdout.strip() == "False"


def test_shapely_is_imported_only_when_a_spec_has_maps():
    """Importing the engine, the ingest package and the add-in's Refresh module, and preparing a spec with no maps
    (what Refresh does on every click), leave shapely unimported; a spec with maps imports it."""
    import subprocess
    import sys

    no_maps = REPO / "specs" / "examples" / "counted.yaml"
    code = ("import sys, engine.ingest, engine.api, addin.refresh; from engine.api import prepare; "
            f"prepare({str(no_maps)!r}); print('shapely' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=REPO).stdout.strip() == "False"


def test_a_boundary_file_outside_the_specs_data_root_is_refused(tmp_path):
    (tmp_path / "project").mkdir()
    spec = make_project(tmp_path / "project", maps={"boundaries": "../elsewhere.geojson", "indicators": MAPPED})
    with pytest.raises(SpecError) as raised:
        load_spec(spec)
    (problem,) = raised.value.problems
    assert problem.key_path == "maps.boundaries" and "outside the folder this spec may read" in problem.message
