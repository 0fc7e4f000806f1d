"""Published statistical methods: pure functions over numpy arrays, vectorised over all areas.

One module per job: ``intervals`` (counts, rates, proportions, means), ``standardised`` (DSR,
ISR), ``compare`` (bands against a benchmark value), ``sd_bands`` (z-score bands), ``funnels``,
``change`` (two periods), ``proportions`` (a proportion's change and peers), ``rate_ratio`` (two groups' rates),
``peers`` (rank, quartile, peer average) and ``suppression``. They
follow the Fingertips methods of UKHSA/OHID and reproduce the reference values of
PHEindicatormethods (see ``tests/reference``). Nothing here imports the rest of the engine.
"""
from engine.stats.change import change, change_codes, poisson_change_p_values
from engine.stats.compare import (BAND_LABELS, NOT_COMPARED, band_codes, band_codes_from_limits, band_labels,
                                  judgement, proportion_band_codes, significance)
from engine.stats.intervals import (byars_limits, confidence_level, count_limits, exact_limits, mean_limits, rate_limits,
                                    rates, wilson_limits, z_value)
from engine.stats.rate_ratio import RateRatio, rate_ratio
from engine.stats.peers import PEER_LABELS, peer_comparison, peer_ranks, pooled_rates, quartiles
from engine.stats.proportions import (pooled_proportion, proportion_change_codes, proportion_change_p_values,
                                      proportion_peer_comparison)
from engine.stats.sd_bands import reference_mean_sd, sd_band_codes, sd_band_codes_from_z, z_scores
from engine.stats.standardised import dsr, expected_counts, isr, reference_rate
from engine.stats.suppression import derivable, derivable_items, primary_suppression, protect, secondary_suppression

__all__ = [
    "BAND_LABELS", "NOT_COMPARED", "PEER_LABELS", "band_codes", "band_codes_from_limits", "band_labels", "byars_limits",
    "change", "change_codes", "confidence_level", "count_limits", "derivable", "derivable_items", "dsr", "exact_limits",
    "expected_counts", "isr", "judgement", "mean_limits",
    "peer_comparison", "peer_ranks", "poisson_change_p_values", "pooled_rates", "primary_suppression", "protect",
    "pooled_proportion", "proportion_band_codes", "proportion_change_codes", "proportion_change_p_values",
    "proportion_peer_comparison", "quartiles", "rate_limits", "RateRatio", "rate_ratio", "rates", "reference_mean_sd",
    "reference_rate", "sd_band_codes",
    "sd_band_codes_from_z", "secondary_suppression", "significance", "wilson_limits", "z_scores", "z_value",
]
