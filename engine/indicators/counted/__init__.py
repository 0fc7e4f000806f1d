"""Counted indicators: events counted from rows (police.uk crimes, partner incidents) per small area and month.

Counts, the Comparisons chart's rates, peer-group ranks, who-is-affected group rates and the maps' data.
"""
