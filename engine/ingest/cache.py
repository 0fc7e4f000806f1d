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

A cache made with ``watch=True`` can outlive a command: each entry also keeps the stamps of the files it
was read from (:mod:`engine.ingest.stamps`), taken before the read, and is served only while they still
match, so a changed, added or removed file is read again. The Excel add-in keeps one for as long as its
Python process lives, and a Refresh reads only the sources whose files changed since the last click.
A one-command cache does not watch: its files are read once per command anyway, and stamping a source
written moments ago means reading all of its bytes for a digest. A cache keeps the :data:`MAX_ENTRIES`
most recently used reads.

A cache given a :class:`engine.ingest.disk_cache.DiskStore` also keeps each read on disk for the next
command (``saferbook build`` and ``demo`` do): a read it has not made itself is looked for there, under
its key, the whole spec that asks for it (:meth:`IngestCache.start`) and the engine's code, and served
only if the stamps of its files, taken before it was read, still match.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from engine.ingest.disk_cache import DiskStore, Stored
from engine.ingest.issues import IssueLog
from engine.ingest.police_columns import columns_kept
from engine.ingest.stamps import FileStamp, stamp, unchanged
from engine.spec.models import Spec

T = TypeVar("T")
MAX_ENTRIES = 64  # a few projects' sources; an older read is dropped, and read again if asked for


@dataclass
class _Entry:
    value: Any
    log: IssueLog
    stamps: tuple[FileStamp, ...]
    serial: int  # this read's number: never reused, so the same numbers mean the very same reads
    identity: str | None = None  # with a disk store: the same in any process for the same read of the same files


@dataclass
class IngestCache:
    """What each read produced, with the data-quality log it wrote and its files' stamps, by :func:`source_key` /
    :func:`geography_key`."""

    watch: bool = False  # stamp the files read, and read again what changed (a cache that outlives a command)
    store: DiskStore | None = None  # also keep reads on disk for later commands (see engine.ingest.disk_cache)
    _entries: OrderedDict[str, _Entry] = field(default_factory=OrderedDict)
    hits: int = 0  # how many reads were saved (the benchmark and tests look)
    reads: int = 0  # how many reads were made
    loaded: int = 0  # how many reads were taken from the disk store
    served: list[int] = field(default_factory=list)  # the serials of the reads served since :meth:`start`
    identities: list[str | None] = field(default_factory=list)  # and their identities (see :func:`_identity`)
    _scope: str = ""  # the spec being loaded, part of every disk entry's key
    _serials: int = 0

    def start(self, scope: str = "") -> None:
        """Begin listing the reads served (``served``): what one load used, for a memo of what was computed from it.

        ``scope`` is what else a read may depend on (the whole spec and its folder): disk entries are kept by it too.
        """
        self.served = []
        self.identities = []
        self._scope = scope

    def read(self, key: str, log: IssueLog, read: Callable[[IssueLog], T], files: Iterable[Path] = ()) -> T:
        """``read(log)``'s result for ``key``, read again (when the cache watches) if ``files`` (the files and folders it
        reads) changed since it was last read; its log entries go into ``log`` either way."""
        files = list(files)
        entry = self._entries.get(key)
        if entry is not None and unchanged(entry.stamps, files if self.watch else []):
            self.hits += 1
            self._entries.move_to_end(key)
        else:
            self._entries.pop(key, None)
            entry = self._from_store(key, files) or self._read(key, read, files)
            self._entries[key] = entry
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        self.served.append(entry.serial)
        self.identities.append(entry.identity)
        log.extend(entry.log)
        return entry.value

    def _serial(self) -> int:
        self._serials += 1
        return self._serials

    def _disk_key(self, key: str) -> str:
        return json.dumps({"read": key, "scope": self._scope})

    def _from_store(self, key: str, files: list[Path]) -> _Entry | None:
        """The read kept on disk for ``key``, if its files are still the ones it was read from."""
        if self.store is None:
            return None
        disk_key = self._disk_key(key)
        stored = self.store.load(disk_key)
        if stored is None or not unchanged(stored.stamps, files):
            return None
        self.loaded += 1
        return _Entry(stored.value, stored.log, stored.stamps if self.watch else (), self._serial(),
                      _identity(disk_key, stored.stamps))

    def _read(self, key: str, read: Callable[[IssueLog], T], files: list[Path]) -> _Entry:
        # Stamped before reading: a file written during the read will not match next time.
        stamps = stamp(files) if self.watch or self.store is not None else ()
        own_log = IssueLog()
        self.reads += 1
        entry = _Entry(read(own_log), own_log, stamps if self.watch else (), self._serial())
        if self.store is not None:
            disk_key = self._disk_key(key)
            self.store.save(disk_key, Stored(entry.value, own_log, stamps))
            entry.identity = _identity(disk_key, stamps)
        return entry


def _identity(disk_key: str, stamps: tuple[FileStamp, ...]) -> str:
    """A read's identity across commands: what it was asked (its disk key) and the files it read, as stamped before
    reading. Two reads with one identity produced the same value (the disk store serves one for the other)."""
    return hashlib.sha256(repr((disk_key, stamps)).encode()).hexdigest()


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


def source_files(spec: Spec, base_dir: Path, names: Iterable[str]) -> list[Path]:
    """The files or folders the named sources read."""
    return [(base_dir / spec.sources[name].path).resolve() for name in dict.fromkeys(names)]


def geography_files(spec: Spec, base_dir: Path) -> list[Path]:
    """The lookups the geography reads (see :func:`geography_key`)."""
    geography = spec.geography.model_dump(mode="json", exclude={"benchmark"})
    return source_files(spec, base_dir, _sources_named_in(geography))


def geography_key(spec: Spec, base_dir: Path) -> str:
    """What the small areas, partner areas and populations depend on: the geography section but its benchmark
    (its name and members are applied after the read), the lookups it reads, and the most people a small area
    may hold (``quality.max_small_area_population``: the read refuses a population above it)."""
    geography = spec.geography.model_dump(mode="json", exclude={"benchmark"})
    lookups = [_definition(spec, base_dir, name) for name in dict.fromkeys(_sources_named_in(geography))]
    return json.dumps({"geography": geography, "lookups": lookups,
                       "max_small_area_population": spec.quality.max_small_area_population}, sort_keys=True, default=str)


def source_key(spec: Spec, base_dir: Path, name: str, counted: bool) -> str:
    """What a source's tidy rows depend on: its definition and file, whether it is counted, and the geography."""
    kept = columns_kept(spec) if spec.sources[name].type == "police_uk" else None  # police.uk rows keep only these
    return json.dumps({"source": _definition(spec, base_dir, name), "counted": counted, "columns": kept,
                       "geography": geography_key(spec, base_dir)}, sort_keys=True, default=str)


def _extra_key(spec: Spec, base_dir: Path, section: str, value: Any, sources: Iterable[str]) -> str:
    """What a spec section read beside the sources depends on: its settings, the sources it reads and the geography."""
    return json.dumps({section: value, "sources": [_definition(spec, base_dir, name) for name in dict.fromkeys(sources)],
                       "geography": geography_key(spec, base_dir)}, sort_keys=True, default=str)


def area_groups_key(spec: Spec, base_dir: Path) -> tuple[str, list[Path]]:
    """The key and files of the spec's area groups (each group's source, and the geography's lookups)."""
    names = [group.source for group in spec.area_groups]
    return (_extra_key(spec, base_dir, "area_groups", [g.model_dump(mode="json") for g in spec.area_groups], names),
            source_files(spec, base_dir, names) + geography_files(spec, base_dir))


def peer_table_key(spec: Spec, base_dir: Path) -> tuple[str, list[Path]]:
    """The key and files of the spec's peer-group export (which must be set)."""
    groups = spec.peer_groups
    return (_extra_key(spec, base_dir, "peer_groups", groups.model_dump(mode="json"), [groups.source]),
            source_files(spec, base_dir, [groups.source]) + geography_files(spec, base_dir))


def boundaries_key(spec: Spec, base_dir: Path) -> tuple[str, list[Path]]:
    """The key and files of the spec's map boundaries (``maps:`` must be set)."""
    path = (base_dir / spec.maps.boundaries).resolve()
    settings = {**spec.maps.model_dump(mode="json"), "boundaries": str(path)}
    return _extra_key(spec, base_dir, "maps", settings, []), [path] + geography_files(spec, base_dir)


def comparators_key(spec: Spec, base_dir: Path) -> tuple[str, list[Path]]:
    """The key and files of the spec's comparator rows (``comparators:`` must be set)."""
    block = spec.comparators
    return (_extra_key(spec, base_dir, "comparators", block.model_dump(mode="json"), [block.source]),
            source_files(spec, base_dir, [block.source]))


def published_key(spec: Spec, base_dir: Path, block: Any) -> tuple[str, list[Path]]:
    """The key and files of one published table's rows (a ``published:`` block), with its population source."""
    names = [block.source] + ([block.own.population.source] if block.own and block.own.population else [])
    return (_extra_key(spec, base_dir, "published", block.model_dump(mode="json"), names),
            source_files(spec, base_dir, names))
