"""Published statistical methods: pure functions over numpy arrays, vectorised over all areas."""
from engine.stats.compare import BAND_LABELS, band_codes, band_labels
from engine.stats.intervals import byars_limits, count_limits, exact_limits, rate_limits, z_value

__all__ = ["BAND_LABELS", "band_codes", "band_labels", "byars_limits", "count_limits", "exact_limits", "rate_limits", "z_value"]
