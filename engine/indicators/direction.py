"""Direction of travel in words: what a change test's code says, and how the indicator's polarity judges it."""
from __future__ import annotations

#: Direction of travel, by the change test's code (+1 significant increase, −1 significant reduction).
DIRECTIONS = {1: "Increase (significant)", -1: "Reduction (significant)", 0: "No significant change"}


def outcome(code: int, polarity: str) -> str:
    """A significant change judged by the indicator's polarity; anything else is "Similar"."""
    if code == 0:
        return "Similar"
    if polarity == "neither":
        return "Neither"
    return "Worse" if (code > 0) == (polarity == "higher_is_worse") else "Better"
