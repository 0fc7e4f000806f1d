"""JSON Schema of the spec, so editors (VS Code's YAML extension, …) can autocomplete specs."""
from __future__ import annotations

from typing import Any

from engine.spec.models import Spec


def json_schema() -> dict[str, Any]:
    schema = Spec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Saferbook spec"
    return schema
