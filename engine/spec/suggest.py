"""Kept so that ``from engine.spec.suggest import did_you_mean`` still works: the hints live in :mod:`engine.suggest`."""
from engine.suggest import did_you_mean

__all__ = ["did_you_mean"]
