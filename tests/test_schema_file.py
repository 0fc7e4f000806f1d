"""The committed JSON Schema (that editors read through the spec's first line) matches the models."""
from __future__ import annotations

import json
from pathlib import Path

from engine.spec import json_schema

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schema_is_current():
    committed = json.loads((ROOT / "saferbook.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: saferbook schema --out saferbook.schema.json"


def test_example_spec_points_editors_at_the_schema():
    first_line = (ROOT / "specs" / "community_safety.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../saferbook.schema.json"
