"""Specs: the analyst's YAML, validated into typed models with located errors."""
from engine.spec.loader import load_spec
from engine.spec.models import Indicator, Spec
from engine.spec.schema import json_schema

__all__ = ["Indicator", "Spec", "json_schema", "load_spec"]
