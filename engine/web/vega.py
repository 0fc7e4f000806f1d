"""The Vega, Vega-Lite and Vega-Embed JavaScript, bundled once per vl-convert version and cached on disk.

vl-convert builds the bundle from the libraries it ships (no network), but building takes seconds,
so the result is kept in the user's cache folder, keyed by vl-convert's version and the Vega-Lite
version: the same versions give the same bytes, which keeps pages deterministic.
"""
from __future__ import annotations

import functools
import hashlib

from engine.atomic import write_bytes_atomic
from engine.user_cache import cache_dir

#: The Vega-Lite version every page's charts are written for (the specs' $schema names it too).
VEGA_LITE_VERSION = "5.21"


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """The bundle's JavaScript: defines ``vegaEmbed``, ``vegaLite`` and ``vega`` on ``window``."""
    import vl_convert  # imported here: only HTML builds pay for it

    version = getattr(vl_convert, "__version__", "unknown")
    key = hashlib.sha256(f"{version}/{VEGA_LITE_VERSION}".encode()).hexdigest()[:16]
    cached = cache_dir() / f"vega-bundle-{key}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)
    try:
        write_bytes_atomic(cached, bundle.encode("utf-8"))
    except OSError:  # a read-only home: build it again next time
        pass
    return bundle


def script_safe(javascript: str) -> str:
    """JavaScript that can sit inside ``<script>…</script>``: no closing tag can end it early."""
    return javascript.replace("</script", "<\\/script").replace("<!--", "<\\!--")
