"""Workbook themes (palette, fonts, band colours, page setup) as YAML files beside this module.

A package, so that the themes install with Saferbook; a partnership can also pass a path to its
own theme file (``theme: path/to/our_theme.yaml`` in a spec).
"""
from pathlib import Path

THEMES_DIR = Path(__file__).resolve().parent
