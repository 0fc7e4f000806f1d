"""The Summary's peer-group columns: rank among peers, peer average, comparison with peers.

Shown when the spec ranks indicators in peer groups (most similar groups); the words say above,
in line with or below, and the colour (better / worse by the indicator's polarity) repeats them.
"""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from engine.render.formats import Formats
from engine.report import Kpi

RANK_AMONG_PEERS = "Rank among peers (1 = lowest rate)"
ABOVE, BELOW = "Above the peer average", "Below the peer average"


def peer_rules(sheet: Worksheet, formats: Formats, cell_range: tuple[int, int, int, int], polarity: str) -> None:
    """Above / below the peer average in the worse / better colour for the rows' polarity (none without one)."""
    if polarity == "neither":
        return
    higher_is_worse = polarity == "higher_is_worse"
    for words, outcome in ((ABOVE, "Worse" if higher_is_worse else "Better"), (BELOW, "Better" if higher_is_worse else "Worse")):
        sheet.conditional_format(*cell_range, {"type": "cell", "criteria": "equal to", "value": f'"{words}"',
                                               "format": formats.outcome(outcome)})


def peer_columns_note(kpis: list[Kpi], partner_label: str) -> str:
    """Which peers each row's rank is among: its peer group, or (indicators the export lacks) the partner areas."""
    grouped = [k for k in kpis if k.peer_group]
    within = [k for k in kpis if not k.peer_group]
    label = grouped[0].peer_group
    text = (f"Rank among peers, peer average and comparison with peers: within the {partner_label.lower()}'s {label} "
            f"(peer-group export; the peer average is the peers' pooled rate, see Methodology)")
    if within:
        names = ", ".join(k.name for k in within)
        text += (f"; for {names}, which the export does not cover, among the {within[0].peer_count} "
                 f"{partner_label.lower()}s, with no peer average")
    return text + "."
