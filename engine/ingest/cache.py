"""Sources read once per command, however many specs use them.

``saferbook demo`` builds two specs (the partner workbooks and the county dashboard) from the same
police.uk folder, lookups and partner extracts; reading them twice cost the demo a second. An
:class:`IngestCache` passed to :func:`engine.ingest.load_inputs` keeps what each read produced
under a key made of everything that determines it — the source's definition as the spec gives it,
its resolved path, whether indicators count it, and the geography its rows are placed on — so a
second spec that reads the same file the same way gets the same rows, and a spec that reads it
differently (other columns, another geography) reads it again.

The data-quality log is part of what a read produces: each cached read keeps its own
:class:`IssueLog` and replays it into the log of every spec that uses it, in the order that spec
reads its sources, so each spec's data-quality report is exactly what an uncached read gives.

A cache lives for one command: it does not notice a file changing under it, and is not meant to
outlive the build that made it (the Excel add-in and the scheduler read afresh every time).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from engine.ingest.issues import IssueLog
from engine.spec.models import Spec

T = TypeVar("T")


@dataclass
class IngestCache:
    """What each read produced, with the data-quality log it wrote, by :func:`source_key` / :func:`geography_key`."""

    _entries: dict[str, tuple[Any, IssueLog]] = field(default_factory=dict)
    hits: int = 0  # how many reads were saved (the benchmark and tests look)

    def read(self, key: str, log: IssueLog, read: Callable[[IssueLog], T]) -> T:
        """``read(log)``'s result for ``key``, reading only the first time; its log entries go into ``log`` either way."""
        if key in self._entries:
            value, own_log = self._entries[key]
            self.hits += 1
        else:
            own_log = IssueLog()
            value = read(own_log)
            self._entries[key] = (value, own_log)
        log.extend(own_log)
        return value


def _definition(spec: Spec, base_dir: Path, name: str) -> dict:
    """A source's definition as read: the spec's settings with the path resolved (two specs in different folders
    can name one file by different relative paths)."""
    source = spec.sources[name]
    return {"name": name, "path": str((base_dir / source.path).resolve()),
            "definition": source.model_dump(mode="json", exclude={"path"})}


def _sources_named_in(value: Any) -> list[str]:
    """Every ``source:`` value inside a (dumped) spec section, in order."""
    if isinstance(value, dict):
        found = [value["source"]] if isinstance(value.get("source"), str) else []
        return found + [name for v in value.values() for name in _sources_named_in(v)]
    if isinstance(value, list):
        return [name for v in value for name in _sources_named_in(v)]
    return []


def geography_key(spec: Spec, base_dir: Path) -> str:
    """What the small areas, partner areas and populations depend on: the geography section but its benchmark
    (its name and members are applied after the read), and the lookups it reads."""
    geography = spec.geography.model_dump(mode="json", exclude={"benchmark"})
    lookups = [_definition(spec, base_dir, name) for name in dict.fromkeys(_sources_named_in(geography))]
    return json.dumps({"geography": geography, "lookups": lookups}, sort_keys=True, default=str)


def source_key(spec: Spec, base_dir: Path, name: str, counted: bool) -> str:
    """What a source's tidy rows depend on: its definition and file, whether it is counted, and the geography."""
    return json.dumps({"source": _definition(spec, base_dir, name), "counted": counted,
                       "geography": geography_key(spec, base_dir)}, sort_keys=True, default=str)
