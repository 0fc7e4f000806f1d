"""police.uk rows keep only the columns a count can read once repeats are found; the reader's memory is handed back.

The expected values come from the real extract in ``tests/data/police_uk`` read with the csv module
(``raw_rows``), never from the reader.
"""
from __future__ import annotations

from collections import Counter

import pyarrow as pa
import pytest

from engine.ingest import load_inputs
from engine.ingest.cache import IngestCache
from engine.ingest.police_columns import columns_kept
from engine.spec import load_spec
from test_police_uk_quirks import EXTRACT, REPO, SPEC, inputs, issues_of, raw_rows

OUTCOME = "Unable to prosecute suspect"
BY_OUTCOME = f"""  - {{id: open_cases, name: Open cases, source: street, where: {{last_outcome: {{equals: {OUTCOME}}}}}}}
"""


def spec_file(tmp_path, name: str, indicators: str = ""):
    path = tmp_path / name
    path.write_text(SPEC.format(folder=EXTRACT, repo=REPO, extra_source="", more_sources="", small_extra="")
                    + indicators, encoding="utf-8")
    return load_spec(path)


def test_rows_keep_only_where_when_and_what(tmp_path):
    loaded = inputs(tmp_path)
    rows = loaded.sources["street"].rows
    assert list(rows.columns) == ["month", "small_area_code", "crime_type"]
    raw = raw_rows()
    assert len(rows) == len(raw)
    assert Counter(rows["crime_type"].astype(str)) == Counter(r["Crime type"] for _, _, r in raw)
    # the repeats were still found on every column before the rest were let go
    assert len(issues_of(loaded, "crime ID already published in an earlier month")) == 2


def test_a_column_the_spec_names_is_kept(tmp_path):
    spec, base = spec_file(tmp_path, "outcome.yaml", BY_OUTCOME)
    assert "last_outcome" in columns_kept(spec)
    rows = load_inputs(spec, base).sources["street"].rows
    raw = raw_rows()
    assert "crime_id" not in rows.columns
    assert (rows["last_outcome"].astype(str) == OUTCOME).sum() == sum(r["Last outcome category"] == OUTCOME
                                                                     for _, _, r in raw) > 0


def test_a_shared_cache_reads_again_for_a_spec_naming_more_columns(tmp_path):
    cache = IngestCache()
    plain, base = spec_file(tmp_path, "plain.yaml")
    assert "last_outcome" not in load_inputs(plain, base, cache).sources["street"].rows.columns
    outcome, base = spec_file(tmp_path, "outcome.yaml", BY_OUTCOME)
    assert "last_outcome" in load_inputs(outcome, base, cache).sources["street"].rows.columns


def test_arrow_default_pool_hands_memory_back(tmp_path):
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow has no jemalloc")
    inputs(tmp_path)
    assert pa.default_memory_pool().backend_name == "jemalloc"
