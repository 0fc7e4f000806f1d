"""Where a spec may read from: its sources lie inside its ``data_root`` (default: the spec's own folder).

A spec is data that travels (e-mailed, shared, downloaded with an example); it must not be able to
make the engine open any file of the machine it runs on — ``/etc/passwd``, a key, another
team's extracts — and then quote its lines in error messages. So every source path is taken
relative to the spec's folder and must stay inside the spec's ``data_root`` (``"."``, the spec's
folder, unless the spec names a folder above it, e.g. ``data_root: ..`` for a project whose specs
and data sit side by side). The test is on the path as written, normalised (``a/../..`` climbs),
not on where symbolic links lead: a link inside the data root is the analyst's deliberate choice.
A source that must live elsewhere (a shared drive) says ``allow_outside: true``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from engine.spec.models import Spec


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def outside_sources(spec: Spec, spec_dir: Path) -> Iterator[tuple[tuple, str]]:
    """(key path, message) for each source whose path leaves the spec's data root without allow_outside."""
    root = os.path.normpath(os.path.join(spec_dir, spec.data_root))
    for name, source in spec.sources.items():
        where = os.path.normpath(os.path.join(spec_dir, source.path))
        if not source.allow_outside and not _inside(where, root):
            yield (("sources", name, "path"),
                   f"{source.path!r} is outside the folder this spec may read ({root}); move the data there, raise "
                   "data_root:, or add allow_outside: true to this source")
    maps = spec.maps
    if maps is not None and not maps.allow_outside and not _inside(os.path.normpath(os.path.join(spec_dir, maps.boundaries)),
                                                                   root):
        yield (("maps", "boundaries"),
               f"{maps.boundaries!r} is outside the folder this spec may read ({root}); move the file there, raise "
               "data_root:, or add allow_outside: true to maps")
