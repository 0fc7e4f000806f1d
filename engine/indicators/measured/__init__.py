"""Measured indicators (a ``measure:`` block): proportions, summed values, period-on-period returns."""
