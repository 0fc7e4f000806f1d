"""Checks that need the whole spec in view: names that must refer to something that exists.

They run on the raw YAML mapping, not the validated model, so that an unknown source or crime
type is reported in the same run as a type error elsewhere (the model does not exist then).
Each message carries the exact key path of the offending value.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from engine.vocabulary.police_uk import KNOWN_VALUES as POLICE_UK_VALUES, TIDY_COLUMNS as POLICE_UK_COLUMNS
from engine.spec.models import RESIDENTS
from engine.spec.area_group_checks import area_group_problems
from engine.suggest import did_you_mean

KeyPath = tuple[str | int, ...]
OPERATORS = ("equals", "not_equals", "in", "not_in", "between")


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def cross_reference_problems(data: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    """Yield ``(key_path, message)`` for every dangling reference in the raw spec ``data``."""
    sources = _mapping(data.get("sources"))
    geography = _mapping(data.get("geography"))
    small_areas = _mapping(geography.get("small_areas"))
    references = [((part, "source"), _mapping(geography.get(part)).get("source"))
                  for part in ("small_areas", "partner_areas", "population")]
    references += [(("small_areas", part, "source"), _mapping(small_areas.get(part)).get("source"))
                   for part in ("local_names", "recode")]
    for path, ref in references:
        if not isinstance(ref, str):
            continue
        if ref not in sources:
            yield ("geography",) + path, f"unknown source {ref!r}{did_you_mean(ref, sources)}"
        elif _mapping(sources[ref]).get("type") == "police_uk":
            yield ("geography",) + path, f"source {ref!r} is a police_uk folder; lookups are csv, excel or table sources"

    ids: list[str] = []
    indicators = data.get("indicators") if isinstance(data.get("indicators"), list) else []
    for position, indicator in enumerate(indicators):
        indicator = _mapping(indicator)
        here: KeyPath = ("indicators", position)
        indicator_id = indicator.get("id")
        if isinstance(indicator_id, str):
            if indicator_id in ids:
                yield here + ("id",), f"indicator id {indicator_id!r} is used twice; ids name workbook tables and must be unique"
            ids.append(indicator_id)
        ref = indicator.get("source")
        if not isinstance(ref, str):
            continue
        if ref not in sources:
            yield here + ("source",), f"unknown source {ref!r}{did_you_mean(ref, sources)}"
        elif _mapping(sources[ref]).get("type") == "police_uk":
            yield from _police_uk_filter_problems(_mapping(indicator.get("where")), here + ("where",))
            yield from _measure_source_problems(ref, _mapping(sources[ref]), indicator, here)
        else:
            yield from _table_filter_problems(ref, _mapping(sources[ref]), _mapping(indicator.get("where")), here,
                                              needs_month=indicator.get("measure") is None)
            yield from _measure_source_problems(ref, _mapping(sources[ref]), indicator, here)

    yield from _indicator_list_problems(_mapping(data.get("trend_table")).get("rows"), ("trend_table", "rows"), ids)
    yield from _indicator_list_problems(data.get("comparisons"), ("comparisons",), ids)
    yield from _indicator_list_problems(_mapping(data.get("seasonality")).get("indicators"),
                                        ("seasonality", "indicators"), ids)
    yield from _indicator_list_problems(_mapping(data.get("maps")).get("indicators"), ("maps", "indicators"), ids)
    yield from _measured_list_problems(data, indicators)
    yield from _share_problems(indicators)
    yield from _peer_group_problems(data, sources, ids)
    yield from _table_source_problems(("comparators",), data.get("comparators"), "a published comparator table", sources)
    ref = _mapping(data.get("comparators")).get("source")
    if isinstance(ref, str) and _mapping(sources.get(ref)).get("type") not in (None, "police_uk"):
        yield from _breakdown_column_problems(ref, _mapping(sources[ref]), _mapping(data.get("comparators")), ("comparators",))
    for position, hotspot in enumerate(data.get("hotspots") if isinstance(data.get("hotspots"), list) else []):
        yield from _table_source_problems(("hotspots", position), hotspot, "a hotspots table", sources)
        ref = _mapping(hotspot).get("source")
        if isinstance(ref, str) and _mapping(sources.get(ref)).get("type") not in (None, "police_uk"):
            yield from _breakdown_column_problems(ref, _mapping(sources[ref]), _mapping(hotspot), ("hotspots", position))
    for position, table in enumerate(data.get("published") if isinstance(data.get("published"), list) else []):
        yield from _published_problems(_mapping(table), sources, ("published", position))
    yield from area_group_problems(data, ids)

    breakdowns = data.get("breakdowns") if isinstance(data.get("breakdowns"), list) else []
    for position, breakdown in enumerate(breakdowns):
        breakdown = _mapping(breakdown)
        here = ("breakdowns", position)
        ref = breakdown.get("source")
        if not isinstance(ref, str):
            continue
        if ref not in sources:
            yield here + ("source",), f"unknown source {ref!r}{did_you_mean(ref, sources)}"
        elif _mapping(sources[ref]).get("type") == "police_uk":
            yield from _police_uk_filter_problems(_mapping(breakdown.get("where")), here + ("where",))
            by = breakdown.get("by") if isinstance(breakdown.get("by"), list) else []
            for column_position, column in enumerate(by):
                if isinstance(column, str) and column not in POLICE_UK_COLUMNS:
                    yield (here + ("by", column_position),
                           f"unknown police.uk column {column!r}{did_you_mean(column, POLICE_UK_COLUMNS)}")
        else:
            yield from _breakdown_column_problems(ref, _mapping(sources[ref]), breakdown, here)


def _breakdown_column_problems(name: str, source: dict, breakdown: dict, here: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """A breakdown (or hotspot table, or comparators block) of a table source with declared columns may only use
    those columns' names."""
    columns = _mapping(source.get("columns"))
    if not columns:
        return
    names = [c if isinstance(c, str) else _mapping(c).get("name") for c in columns.values()]
    used: list[tuple[KeyPath, Any]] = [(("by", i), c) for i, c in enumerate(breakdown.get("by") or [])
                                       if isinstance(breakdown.get("by"), list)]
    used += [(("flags", c), c) for c in _mapping(breakdown.get("flags"))]
    used += [(("where", c), c) for c in _mapping(breakdown.get("where"))]
    used += [(("subsets", s, "where", c), c) for s, subset in _mapping(breakdown.get("subsets")).items()
             for c in _mapping(_mapping(subset).get("where"))]
    used += [((key,), breakdown[key]) for key in ("distinct", "small_area", "code") if isinstance(breakdown.get(key), str)]
    used += [(("measures", c), c) for c in _mapping(breakdown.get("measures"))]  # a comparators block's rate columns
    for path, column in used:
        if isinstance(column, str) and column not in names:
            yield here + path, (f"source {name!r} maps no column to {column!r}{did_you_mean(column, [str(n) for n in names])}; "
                                f"{here[0]} use the names its columns give: ({', '.join(str(n) for n in names)})")


def _published_problems(table: dict, sources: dict, here: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """A published table's columns, its own extract's and its population's are mapped columns of their sources, and
    each area code fits the pattern its code column declares, all before any data is read."""
    own = _mapping(table.get("own"))
    population = _mapping(own.get("population"))
    parts = [(here, table, {"code": table.get("code"), "where": table.get("where"),
                            "columns": [("value", table.get("value"))] + (
                                [("period", table.get("period"))] if not isinstance(table.get("period"), list) else
                                [(("period", i), c) for i, c in enumerate(table.get("period"))])}),
             (here + ("own",), own, {"where": own.get("where"), "distinct": own.get("distinct")}),
             (here + ("own", "population"), population,
              {"code": population.get("code"),
               "columns": [(("value", i), c) for i, c in enumerate(population.get("value") or [])
                           if isinstance(population.get("value"), list)]})]
    for path, block, used in parts:
        if not block:
            continue
        yield from _table_source_problems(path, block, "a published table", sources)
        ref = block.get("source")
        if not isinstance(ref, str) or _mapping(sources.get(ref)).get("type") in (None, "police_uk"):
            continue
        yield from _breakdown_column_problems(ref, _mapping(sources[ref]), {k: v for k, v in used.items() if k != "columns"},
                                              path)
        names = [c if isinstance(c, str) else _mapping(c).get("name") for c in _mapping(sources[ref].get("columns")).values()]
        for key, column in used.get("columns", []):
            if names and isinstance(column, str) and column not in names:
                yield path + (key if isinstance(key, tuple) else (key,)), (
                    f"source {ref!r} maps no column to {column!r}{did_you_mean(column, [str(n) for n in names])}")
    yield from _area_code_pattern_problems(table, sources, here)


def _area_code_pattern_problems(table: dict, sources: dict, here: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """An area code that cannot be in the table, because its code column declares a pattern it does not fit."""
    source = _mapping(sources.get(table.get("source")))
    column = next((c for c in _mapping(source.get("columns")).values()
                   if isinstance(c, dict) and c.get("name") == table.get("code")), None)
    pattern = _mapping(column).get("pattern")
    if not isinstance(pattern, str):
        return
    try:
        compiled = re.compile(pattern)
    except re.error:
        return  # the source's own check reports a bad pattern
    for position, area in enumerate(table.get("areas") if isinstance(table.get("areas"), list) else []):
        code = _mapping(area).get("code")
        if isinstance(code, str) and not compiled.fullmatch(code):
            yield here + ("areas", position, "code"), (f"area code {code!r} does not fit the pattern {pattern!r} that "
                                                       f"source {table.get('source')!r} declares for {table.get('code')!r}")


def _table_source_problems(here: KeyPath, block: Any, what: str, sources: dict) -> Iterator[tuple[KeyPath, str]]:
    """A spec block's ``source`` names a source, and a table one (``what`` says what the table is)."""
    ref = _mapping(block).get("source")
    if isinstance(ref, str):
        if ref not in sources:
            yield here + ("source",), f"unknown source {ref!r}{did_you_mean(ref, sources)}"
        elif _mapping(sources[ref]).get("type") == "police_uk":
            yield here + ("source",), f"source {ref!r} is a police_uk folder; {what} is a csv, excel or table source"


def _peer_group_problems(data: dict[str, Any], sources: dict, ids: list[str]) -> Iterator[tuple[KeyPath, str]]:
    """The peer-group export is a table source, and its measures map indicators that exist."""
    groups = _mapping(data.get("peer_groups"))
    yield from _table_source_problems(("peer_groups",), groups, "a peer-group export", sources)
    for indicator_id in _mapping(groups.get("measures")):
        if isinstance(indicator_id, str) and indicator_id not in ids:
            yield ("peer_groups", "measures", indicator_id), f"unknown indicator {indicator_id!r}{did_you_mean(indicator_id, ids)}"


def _indicator_list_problems(rows: Any, here: KeyPath, ids: list[str]) -> Iterator[tuple[KeyPath, str]]:
    """Every entry of a list of indicator ids must name an indicator."""
    for position, row in enumerate(rows if isinstance(rows, list) else []):
        if isinstance(row, str) and row not in ids:
            yield here + (position,), f"unknown indicator {row!r}{did_you_mean(row, ids)}"


def _police_uk_filter_problems(where: dict, here: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """police.uk has a fixed vocabulary, so a misspelt crime type is caught before reading data."""
    for column, condition in where.items():
        if column not in POLICE_UK_COLUMNS:
            yield here + (column,), f"unknown police.uk column {column!r}{did_you_mean(column, POLICE_UK_COLUMNS)}"
            continue
        known = POLICE_UK_VALUES.get(column)
        if not known:
            continue
        for operator, value in _mapping(condition).items():
            if operator not in OPERATORS:
                continue  # the model reports unknown operators
            values = value if isinstance(value, list) else [value]
            for position, item in enumerate(values):
                if isinstance(item, (str, int, float)) and item not in known:
                    path = here + (column, operator) + ((position,) if isinstance(value, list) else ())
                    yield path, f"unknown {column.replace('_', ' ')} {item!r}{did_you_mean(str(item), known)}"


def _table_filter_problems(name: str, source: dict, where: dict, here: KeyPath,
                           needs_month: bool = True) -> Iterator[tuple[KeyPath, str]]:
    """A table counted by indicators must map month and a place (small_area_code, or a partner-area code or
    name); filters name mapped columns. Indicators with a measure block may read an undated snapshot."""
    columns = _mapping(source.get("columns"))
    if not columns:
        yield ("sources", name), (f"indicators count rows of {name!r}, so it needs columns: mapping one column to month "
                                  "and one to small_area_code")
        return
    specs = _column_specs(source)
    if needs_month and "month" not in specs:
        yield ("sources", name, "columns"), f"indicators count rows of {name!r}: map one column to month"
    if not {"small_area_code", "partner_area_code", "partner_area_name"} & set(specs):
        yield ("sources", name, "columns"), (f"indicators count rows of {name!r}: map one column to small_area_code "
                                             "(or partner_area_code / partner_area_name for extracts that record only "
                                             "the district)")
    yield from _table_where_problems(name, specs, where, here + ("where",))


def _column_specs(source: dict) -> dict[str, dict | None]:
    """A table source's spec column names -> their settings (None for the plain-string shorthand): its columns,
    an unpivoted table's fields and period, and the column a sheet's name becomes."""
    unpivot = _mapping(source.get("unpivot"))
    every = [*_mapping(source.get("columns")).values(), *_mapping(unpivot.get("fields")).values()]
    every += [c for c in (source.get("sheet_name_column"), unpivot.get("period")) if isinstance(c, dict)]
    return {(c if isinstance(c, str) else _mapping(c).get("name")): (None if isinstance(c, str) else _mapping(c))
            for c in every}


def _table_where_problems(name: str, specs: dict[str, dict | None], where: dict,
                          here: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Conditions must name mapped columns, and values among a column's allowed ones."""
    known = [n for n in specs if isinstance(n, str)]
    for column, condition in where.items():
        if column not in specs:
            yield here + (column,), f"unknown column {column!r} of source {name!r}{did_you_mean(column, known)}"
            continue
        allowed = (specs[column] or {}).get("allowed")
        if not isinstance(allowed, list):
            continue
        for operator, value in _mapping(condition).items():
            if operator not in OPERATORS or operator == "between":
                continue
            values = value if isinstance(value, list) else [value]
            for position, item in enumerate(values):
                if isinstance(item, (str, int, float)) and item not in allowed and str(item) not in map(str, allowed):
                    path = here + (column, operator) + ((position,) if isinstance(value, list) else ())
                    yield path, f"{item!r} is not an allowed value of {column}{did_you_mean(str(item), map(str, allowed))}"


NUMBER_TYPES = ("number", "integer")


def _measure_source_problems(name: str, source: dict, indicator: dict, here: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """A measure's columns must be number columns of its source, and its numerator conditions must fit it."""
    measure = _mapping(indicator.get("measure"))
    if not measure:
        return
    here = here + ("measure",)
    police_uk = source.get("type") == "police_uk"
    if police_uk:
        yield from _police_uk_filter_problems(_mapping(measure.get("numerator")), here + ("numerator",))
    specs = {} if police_uk else _column_specs(source)
    if not police_uk:
        yield from _table_where_problems(name, specs, _mapping(measure.get("numerator")), here + ("numerator",))
    if measure.get("denominator") == RESIDENTS and RESIDENTS in specs:
        yield here + ("denominator",), (f"denominator: {RESIDENTS} means the geography's population, but source "
                                        f"{name!r} also has a column named {RESIDENTS}: rename that column so the "
                                        "choice is clear")
    for key in ("value", "denominator", "percent_column", "respondents_column"):
        column = measure.get(key)
        if not isinstance(column, str) or (key == "denominator" and column == RESIDENTS):
            continue
        if police_uk:
            yield here + (key,), f"source {name!r} is a police_uk folder: it has no number columns to read {key} from"
        elif column not in specs:
            known = [n for n in specs if isinstance(n, str)]
            yield here + (key,), f"unknown column {column!r} of source {name!r}{did_you_mean(column, known)}"
        elif (specs[column] or {}).get("type") not in NUMBER_TYPES:
            yield here + (key,), (f"column {column!r} of source {name!r} is read as text: give it type: number or "
                                  "integer in the source's columns")


def _measured_list_problems(data: dict, indicators: list) -> Iterator[tuple[KeyPath, str]]:
    """The trend table, the Comparisons charts and area groups work on counts over rolling windows: not measured
    indicators. (The dashboard takes them: engine.indicators.dashboard.measures pools its members' figures.)"""
    measured = {_mapping(i).get("id") for i in indicators if _mapping(i).get("measure")}
    lists: list[tuple[KeyPath, Any, str]] = [
        (("trend_table", "rows"), _mapping(data.get("trend_table")).get("rows"), "the trend table sums counts"),
        (("comparisons",), data.get("comparisons"), "the Comparisons sheet charts rates per resident"),
        (("seasonality", "indicators"), _mapping(data.get("seasonality")).get("indicators"),
         "the seasonal profile counts rows")]
    for key in _mapping(_mapping(data.get("peer_groups")).get("measures")):
        if key in measured:
            yield ("peer_groups", "measures", key), (f"indicator {key!r} has a measure block, and peer groups rank "
                                                     "rates per resident: leave it out here")
    groups = data.get("area_groups") if isinstance(data.get("area_groups"), list) else []
    lists += [(("area_groups", position, "indicators"), _mapping(group).get("indicators"),
               "area groups compare small areas' counts") for position, group in enumerate(groups)]
    lists.append((("maps", "indicators"), _mapping(data.get("maps")).get("indicators"),
                  "maps shade small areas by their counts"))
    for here, rows, why in lists:
        for position, row in enumerate(rows if isinstance(rows, list) else []):
            if isinstance(row, str) and row in measured:
                yield here + (position,), (f"indicator {row!r} has a measure block, and {why} by month: leave it out "
                                           "here (its Summary row and key findings show it)")


def _share_problems(indicators: list) -> Iterator[tuple[KeyPath, str]]:
    """``measure.share_of`` names two counted indicators of the indicator's own source: a share of rows
    only means something when the part and the whole are counted from the same records."""
    by_id = {_mapping(i).get("id"): _mapping(i) for i in indicators}
    for position, indicator in enumerate(indicators):
        indicator = _mapping(indicator)
        share = _mapping(_mapping(indicator.get("measure")).get("share_of"))
        for role in ("numerator", "denominator"):
            ref = share.get(role)
            if not isinstance(ref, str):
                continue
            here: KeyPath = ("indicators", position, "measure", "share_of", role)
            other = by_id.get(ref)
            if other is None:
                yield here, f"unknown indicator {ref!r}{did_you_mean(ref, [k for k in by_id if isinstance(k, str)])}"
            elif other.get("measure"):
                yield here, f"indicator {ref!r} has a measure block; a share is made of counted indicators' rows"
            elif other.get("source") != indicator.get("source"):
                yield here, (f"indicator {ref!r} reads source {other.get('source')!r}, not {indicator.get('source')!r}: "
                             "a share's part and whole come from the indicator's own source")
