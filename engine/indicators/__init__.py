"""Indicators: periods, counts, top areas, trends and notes -> one Report per partner area."""
from engine.indicators.compute import build_reports

__all__ = ["build_reports"]
