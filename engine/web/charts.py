"""Vega-Lite specifications for the page's charts, from the Report's figures (nothing is computed here).

Every chart gets a data table beside it on the page (see ``page.py``); these specs only say how
the same rows are drawn: bars against the benchmark, trends over quarters, colours from the theme.
"""
from __future__ import annotations

from typing import Any, Sequence

from engine.render.theme import Theme
from engine.web.vega import VEGA_LITE_VERSION

Spec = dict[str, Any]
SCHEMA = f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION.split('.')[0]}.json"
BAR_HEIGHT = 22


def _base(theme: Theme, description: str) -> Spec:
    """What every chart shares: the theme's font, a description for screen readers, fitted width."""
    return {
        "$schema": SCHEMA, "description": description, "width": "container",
        "config": {"font": theme.font, "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 260},
                   "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 300},
                   "view": {"stroke": None}},
        # The page's district filter sets this signal on every chart: the chosen area's bar is outlined.
        "params": [{"name": "district", "value": ""}],
    }


#: What the bars of the dashboard's subject and benchmark are called in its legend (they take no band).
SUBJECT, BENCHMARK = "Subject", "Benchmark"
NOT_COMPARED = "Not compared"  # a map's area with no band (no residents, or withheld), drawn unshaded


def chart_title(title: str) -> Spec:
    """"Burglary: rate per 1,000 by district" on two lines (Vega titles do not wrap; a long one is cut)."""
    head, _, rest = title.partition(": ")
    return {"text": [f"{head}:", rest] if rest else head, "anchor": "start", "fontSize": 13}


def band_scale(theme: Theme, higher_is_better: bool) -> Spec:
    """The band words → the theme's fills, flipped where higher is better (as the workbook's); the subject
    and the benchmark in the theme's neutral greys."""
    names = list(theme.bands)
    return {"domain": [*names, SUBJECT, BENCHMARK],
            "range": [*(theme.band_colours(n, higher_is_better)["fill"] for n in names),
                      theme.colours["neutral"], theme.colours["chart_other"]]}


def comparison_chart(theme: Theme, title: str, rows: Sequence[dict[str, Any]], benchmark_name: str,
                     benchmark_rate: float | None, value_title: str, has_interval: bool) -> Spec:
    """One bar per area (its own highlighted, a district picked in the filter outlined), the benchmark as a rule.

    ``rows``: ``area``, ``value``, ``shown`` (the value in words), ``own`` (bool), and optionally
    ``lower``/``upper``/``interval`` and ``period`` and ``band``.
    """
    tooltip = [{"field": "area", "title": "Area"}, {"field": "shown", "title": value_title}]
    if has_interval:
        tooltip.append({"field": "interval", "title": "95% confidence interval"})
    tooltip += [{"field": "band", "title": "Comparison"}, {"field": "period", "title": "Period"}]
    bars: Spec = {
        "mark": {"type": "bar", "cornerRadiusEnd": 2},
        "encoding": {
            "y": {"field": "area", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "value", "type": "quantitative", "title": value_title},
            "color": {"condition": {"test": "datum.own", "value": theme.colours["title"]},
                      "value": theme.colours["chart_other"]},
            "stroke": {"condition": {"test": "datum.area === district", "value": "#000000"}, "value": None},
            "strokeWidth": {"value": 2},
            "tooltip": tooltip,
        },
    }
    layers: list[Spec] = [bars]
    if has_interval:
        layers.append({"mark": {"type": "rule", "color": "#000000"},
                       "encoding": {"y": {"field": "area", "type": "nominal", "sort": "-x"},
                                    "x": {"field": "lower", "type": "quantitative"}, "x2": {"field": "upper"},
                                    "tooltip": tooltip}})
    if benchmark_rate is not None:
        layers.append({"data": {"values": [{"benchmark": benchmark_rate, "name": benchmark_name}]},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "color": theme.colours["worse"], "size": 2},
                       "encoding": {"x": {"field": "benchmark", "type": "quantitative"},
                                    "tooltip": [{"field": "name", "title": "Benchmark"},
                                                {"field": "benchmark", "title": value_title, "format": ",.1f"}]}})
    return {**_base(theme, f"{title}: bar chart of each area against {benchmark_name}"),
            "title": chart_title(title), "height": max(60, BAR_HEIGHT * len(rows)), "data": {"values": list(rows)},
            "layer": layers}


def band_bar_chart(theme: Theme, title: str, rows: Sequence[dict[str, Any]], value_title: str,
                   higher_is_better: bool) -> Spec:
    """A dashboard KPI's member areas, coloured by their band against the subject (the legend names each band)."""
    return {**_base(theme, f"{title}: bar chart of each area, coloured by its comparison band"),
            "title": chart_title(title), "height": max(60, BAR_HEIGHT * len(rows)), "data": {"values": list(rows)},
            "mark": {"type": "bar", "cornerRadiusEnd": 2},
            "encoding": {
                "y": {"field": "area", "type": "nominal", "sort": None, "title": None},
                "x": {"field": "value", "type": "quantitative", "title": value_title},
                "color": {"field": "band", "type": "nominal", "scale": band_scale(theme, higher_is_better),
                          "legend": {"title": "Comparison", "orient": "bottom", "columns": 2}},
                "stroke": {"condition": {"test": "datum.area === district", "value": "#000000"}, "value": None},
                "strokeWidth": {"value": 2},
                "tooltip": [{"field": "area", "title": "Area"}, {"field": "shown", "title": value_title},
                            {"field": "band", "title": "Comparison"}, {"field": "change", "title": "% change"},
                            {"field": "direction", "title": "Direction of travel"},
                            {"field": "period", "title": "Period"}]}}


def trend_chart(theme: Theme, title: str, rows: Sequence[dict[str, Any]], value_title: str) -> Spec:
    """A line over the periods in order (``period``, ``value``, ``shown``); missing periods break the line."""
    return {**_base(theme, f"{title}: line chart over {len(rows)} periods"),
            "title": chart_title(title), "height": 160, "data": {"values": list(rows)},
            "mark": {"type": "line", "point": True, "color": theme.colours["title"]},
            "encoding": {
                "x": {"field": "period", "type": "ordinal", "sort": None, "title": None,
                      "axis": {"labelAngle": -30}},
                "y": {"field": "value", "type": "quantitative", "title": value_title},
                "tooltip": [{"field": "period", "title": "Period"}, {"field": "shown", "title": value_title}]}}


def map_chart(theme: Theme, title: str, features: Sequence[dict[str, Any]], outline: dict[str, Any] | None,
              value_title: str, higher_is_better: bool) -> Spec:
    """Areas shaded by band (the legend names each band), the place outlined; hover names the area and its figures.

    ``features``: GeoJSON features whose properties hold ``name``, ``band``, ``shown`` (the value in words),
    ``count`` and ``rank``; ``outline``: one feature, drawn unfilled over them.
    """
    names = list(theme.bands)
    scale = {"domain": [*names, NOT_COMPARED],
             "range": [*(theme.band_colours(n, higher_is_better)["fill"] for n in names), "#FFFFFF"]}
    layers: list[Spec] = [{
        "data": {"values": list(features)},
        "mark": {"type": "geoshape", "stroke": theme.colours["band_border"], "strokeWidth": 0.5},
        "encoding": {
            "color": {"field": "properties.band", "type": "nominal", "scale": scale,
                      "legend": {"title": "Comparison", "orient": "bottom", "columns": 2}},
            "tooltip": [{"field": "properties.name", "title": "Area"},
                        {"field": "properties.band", "title": "Comparison"},
                        {"field": "properties.shown", "title": value_title},
                        {"field": "properties.count", "title": "Count"},
                        {"field": "properties.period", "title": "Period"}]},
    }]
    if outline is not None:
        layers.append({"data": {"values": [outline]},
                       "mark": {"type": "geoshape", "filled": False, "stroke": "#000000", "strokeWidth": 2}})
    return {**_base(theme, f"{title}: map of each area shaded by its comparison band"),
            # A fixed size: a projection fitted to a "container" width collapses to nothing in a grid cell.
            "title": chart_title(title), "width": 440, "height": 400, "projection": {"type": "mercator"}, "layer": layers}
