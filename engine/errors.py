"""One error hierarchy, each error carrying *where* the problem is.

Analysts fix their spec or their data from our messages, so every problem names the file and
the place inside it (YAML line and key path; data sheet, row, column, value). Many problems are
collected and raised together so that one run shows all of them, not one per run.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    key_path: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object | None = None

    def __str__(self) -> str:
        """``file:line: key.path: message`` for specs; ``file: sheet 'S', row 5, column 'C': message (value …)`` for data."""
        head = (self.file or "") + (f":{self.line}" if self.file and self.line else "")
        place = [f"sheet {self.sheet!r}" if self.sheet else "", f"row {self.row}" if self.row is not None else "",
                 f"column {self.column!r}" if self.column else "", self.key_path or ""]
        parts = [head] if head else []
        if any(place):
            parts.append(", ".join(p for p in place if p))
        text = ": ".join(parts + [self.message])
        if self.value is not None:
            text += f" (value {self.value!r})"
        return text


class SaferbookError(Exception):
    """Bad input that a person can fix; the CLI prints each problem on one line, exit 2."""

    def __init__(self, problems: Problem | str | Iterable[Problem]):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SpecError(SaferbookError):
    """The YAML spec is malformed, mistyped or refers to something that does not exist."""


class DataError(SaferbookError):
    """A data file cannot be read or does not fit what the spec says it holds."""


class DeliveryError(SaferbookError):
    """Sending a workbook failed in a way the operator must act on."""
