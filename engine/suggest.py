"""'Did you mean …' hints, shared by spec, YAML and data messages (imports nothing of ours)."""
from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close match exists, else the list of valid choices."""
    options = sorted(str(c) for c in choices)
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (valid: {', '.join(options)})" if options else ""
