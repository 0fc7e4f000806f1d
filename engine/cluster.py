"""Render partner workbooks on a Dask distributed cluster (``--scheduler tcp://host:8786``).

For teams whose builds outgrow one machine: the client (this process) reads and computes once,
ships each Report to the cluster's workers, and gathers the rendered workbooks back to write
them itself, atomically, in its own output folder — workers need the same Saferbook installed
(``pip install "saferbook[cluster]"``) but no access to the data or the output folder. One
machine renders every partnership of England and Wales in well under a minute, so a cluster is
for far larger fan-outs (many specs, many periods) or when the building machine is small.

``distributed`` is an optional dependency, imported only here and only when a scheduler is named.
"""
from __future__ import annotations

from typing import Iterator, Sequence

from engine.errors import SaferbookError
from engine.fanout import OnRendered, Output, render_output
from engine.render.theme import Theme

CONNECT_TIMEOUT = "20s"  # how long to keep trying a scheduler that does not answer


def _client(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise SaferbookError('--scheduler needs Dask distributed: pip install "saferbook[cluster]"') from None
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise SaferbookError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None


def rendered_on_cluster(outputs: Sequence[Output], theme: Theme, scheduler: str) -> Iterator[tuple[int, bytes | Exception]]:
    """Render every output on the cluster at ``scheduler``; yield (position, bytes or the job's exception) as each
    arrives. Closing the generator early cancels what is still queued."""
    from distributed import as_completed

    with _client(scheduler) as client:
        shared_theme = client.scatter(theme, broadcast=True)
        futures = [client.submit(render_output, output, shared_theme, pure=False) for output in outputs]
        position = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in as_completed(futures):
                try:
                    yield position[future.key], future.result()
                except Exception as error:  # noqa: BLE001 - the caller decides what a failed job means
                    yield position[future.key], error
        finally:
            client.cancel(futures)


def render_on_cluster(outputs: Sequence[Output], theme: Theme, scheduler: str, on_rendered: OnRendered) -> None:
    """Render every output on the cluster at ``scheduler``; ``on_rendered`` runs here as each workbook arrives.

    The first failure cancels the rest and is raised here (a worker's SaferbookError stays one).
    """
    results = rendered_on_cluster(outputs, theme, scheduler)
    try:
        for position, result in results:
            if isinstance(result, Exception):
                raise result
            on_rendered(position, result)
    finally:
        results.close()
