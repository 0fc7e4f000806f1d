"""Breakdowns and profiles: each category's share for a partner area against the benchmark."""
