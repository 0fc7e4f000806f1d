"""Map pictures: drawn once per workbook on a shared figure, and kept in the user's cache by their content.

The shared figure restores a background and draws only each map's own layers; its pictures must be the bytes of
each map drawn whole on a figure of its own (``png_bytes(draw_map(...).figure)``, matplotlib's full draw). The
cache must give back exactly what drawing gives, and never a picture drawn from different content.
"""
from __future__ import annotations

import dataclasses
import os
import time

import pytest

from engine.api import prepare
from engine.render import load_theme
from engine.render.map_drawing import MapCanvas, MapLook, MapPainter, draw_map, png_bytes
from engine.render import map_pictures
from engine.render.map_pictures import KEEP_DAYS, MapPictures, maps_cache_dir
from test_maps import make_project


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    prepared = prepare(make_project(tmp_path_factory.mktemp("pictures")))
    return prepared.reports, load_theme("default")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_shared_figure_paints_each_map_as_a_whole_draw_of_it_alone(reports):
    report_list, theme = reports
    first, second = report_list[0].maps, report_list[1].maps
    with_neighbour = dataclasses.replace(first, context=[second.outline])  # a dashboard's unshaded, named neighbour
    named = dataclasses.replace(with_neighbour, maps=[dataclasses.replace(m, labels="names") for m in first.maps])
    for map_set in [first, second, with_neighbour, named]:
        look = MapLook.of(theme, map_set.maps[0])
        painter = MapPainter(MapCanvas.of(map_set), look.muted, look.title)
        for area_map in map_set.maps * 2:  # a map painted after another, and again: nothing of the last one stays
            alone = png_bytes(draw_map(MapCanvas.of(map_set), area_map, theme).figure)
            assert painter.picture(area_map, MapLook.of(theme, area_map)) == alone, area_map.indicator_id


def test_a_drawn_picture_is_kept_and_used_again_with_the_same_bytes(reports, cache):
    report_list, theme = reports
    map_set = report_list[0].maps
    first = MapPictures(map_set, theme)
    drawn = [first.png(m) for m in map_set.maps]
    assert first.drawn == len(map_set.maps)
    assert len(list(maps_cache_dir().glob("*/*.png"))) == len(map_set.maps)
    again = MapPictures(map_set, theme)
    assert [again.png(m) for m in map_set.maps] == drawn
    assert again.drawn == 0


def test_a_picture_drawn_from_other_content_is_not_used(reports, cache):
    report_list, theme = reports
    map_set = report_list[0].maps
    area_map = map_set.maps[0]
    MapPictures(map_set, theme).png(area_map)
    other_band = "Average" if area_map.areas[0].band != "Average" else "Significantly High"
    changed = dataclasses.replace(area_map, areas=[dataclasses.replace(area_map.areas[0], band=other_band),
                                                   *area_map.areas[1:]])
    renamed = dataclasses.replace(map_set, place=map_set.place + " and beyond")
    recoloured = dataclasses.replace(theme, bands={band: {"fill": "#123456", "text": "#FFFFFF"} for band in theme.bands})
    for pictures, shown in [(MapPictures(map_set, theme), changed), (MapPictures(renamed, theme), area_map),
                            (MapPictures(map_set, recoloured), area_map)]:
        picture = pictures.png(shown)
        assert pictures.drawn == 1
        assert picture == png_bytes(draw_map(MapCanvas.of(pictures.map_set), shown, pictures.theme).figure)


def test_a_cut_short_cache_file_is_drawn_again(reports, cache):
    report_list, theme = reports
    map_set = report_list[0].maps
    whole = MapPictures(map_set, theme).png(map_set.maps[0])
    (kept,) = maps_cache_dir().glob("*/*.png")
    kept.write_bytes(whole[: len(whole) // 2])
    pictures = MapPictures(map_set, theme)
    assert pictures.png(map_set.maps[0]) == whole
    assert pictures.drawn == 1
    assert kept.read_bytes() == whole


def test_a_cache_that_cannot_be_written_only_means_drawing(reports, cache):
    report_list, theme = reports
    map_set = report_list[0].maps
    cache.mkdir()
    (cache / "saferbook").write_text("a file where the folder would be")
    pictures = MapPictures(map_set, theme)
    assert [pictures.png(m) for m in map_set.maps] == [
        png_bytes(draw_map(MapCanvas.of(map_set), m, theme).figure) for m in map_set.maps]
    assert pictures.drawn == len(map_set.maps)


def test_pictures_unused_too_long_or_beyond_the_size_cap_are_removed(reports, cache, monkeypatch):
    report_list, theme = reports
    map_set = report_list[0].maps
    folder = maps_cache_dir()
    (folder / "ab").mkdir(parents=True)
    now = time.time()
    stale, old, recent = folder / "ab" / "stale.png", folder / "ab" / "old.png", folder / "ab" / "recent.png"
    for path, days in ((stale, KEEP_DAYS + 1), (old, 30), (recent, 1)):
        path.write_bytes(b"\x89PNG" + b"x" * 1000)
        os.utime(path, (now - days * 86_400, now - days * 86_400))
    size = len(png_bytes(draw_map(MapCanvas.of(map_set), map_set.maps[0], theme).figure))
    monkeypatch.setattr(map_pictures, "KEEP_BYTES", size + 1_500)  # room for the new picture and one old one
    MapPictures(map_set, theme).png(map_set.maps[0])
    assert not stale.exists()  # unused for longer than KEEP_DAYS
    assert not old.exists() and recent.exists()  # over the cap: the least recently used went first
    assert len(list(folder.glob("*/*.png"))) == 2


def test_a_machines_matplotlib_settings_do_not_change_the_pictures(reports):
    """A matplotlibrc or style on the building machine (here: no text antialiasing, no hinting, thick edges) must
    not change a map: the same Report gives the same bytes everywhere, and the picture cache's key stays complete."""
    import matplotlib

    report_list, theme = reports
    map_set = report_list[0].maps
    look = MapLook.of(theme, map_set.maps[0])
    plain = MapPainter(MapCanvas.of(map_set), look.muted, look.title).picture(map_set.maps[0], look)
    with matplotlib.rc_context({"text.antialiased": False, "text.hinting": "none", "patch.linewidth": 4.0,
                                "lines.linewidth": 4.0, "savefig.facecolor": "black"}):
        styled = MapPainter(MapCanvas.of(map_set), look.muted, look.title)
        assert styled.picture(map_set.maps[0], look) == plain
        assert png_bytes(draw_map(MapCanvas.of(map_set), map_set.maps[0], theme).figure) == plain
