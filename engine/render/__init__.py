"""Render a Report as an .xlsx workbook. Reads only the Report and the theme; computes nothing."""
from engine.render.dashboard import render_dashboard, write_dashboard
from engine.render.theme import Theme, load_theme
from engine.render.workbook import render_workbook, write_workbook

__all__ = ["Theme", "load_theme", "render_dashboard", "render_workbook", "write_dashboard", "write_workbook"]
