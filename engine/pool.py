"""Worker processes for work that is independent per partner area (rendering, delivery builds, disclosure checks).

One place decides how many workers there are and how they start, so ``saferbook build --jobs``
and ``saferbook run``'s ``workers:`` behave alike.

A worker outlives its pool only while the process that started it lives: a pool's workers wait on
its queue, and when the build is killed outright (SIGKILL, the task manager, the out-of-memory
killer: nothing in the build runs to shut the pool down) that queue never speaks again. So each
worker watches its parent and exits as soon as the parent is gone (:func:`_exit_with_parent`).

The workers share the cores, one each: numpy's and scipy's BLAS start a thread per core in every process, so each
worker keeps one (:func:`_one_blas_thread`). The extra threads only take the cores the other workers need: the demo's
nine disclosure checks on two cores took 3.1-3.2 s in two workers with two BLAS threads each, 2.3-2.7 s with one
(3.8-3.9 s in one process, whose second BLAS thread adds CPU time, 5.4-5.7 s against 3.6-3.9 s, but no speed).
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Sequence


class InProcess(Executor):
    """An Executor that runs each job at once in this process (one worker: no pool start-up)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - handed back through the future, like a pool
            future.set_exception(error)
        return future


def start_method() -> str:
    """How worker processes start: ``fork`` (cheapest: the engine is already imported) when this
    process runs no other thread, else ``forkserver`` (clean children; e.g. inside a test with a
    mail server thread, or while a progress bar redraws), ``spawn`` on Windows and macOS (imports
    the engine again in each worker)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def cores_available() -> int:
    """The cores this process may run on (its CPU affinity where the platform says, else the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def worker_count(requested: int | None, jobs: int) -> int:
    """``requested`` workers (0 or None: one per available core), never more than there are jobs."""
    return max(1, min(requested or cores_available(), jobs))


def process_pool(workers: int, preload: Sequence[str] = ()) -> Executor:
    """``workers`` processes (in process for one); a forkserver imports ``preload`` once for all its workers."""
    if workers <= 1:
        return InProcess()
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver" and preload:
        context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)


def _start_worker() -> None:
    """Run first in every worker."""
    _one_blas_thread()
    _exit_with_parent()


def _one_blas_thread() -> None:
    """One BLAS thread in this worker: the libraries already loaded (a forked worker's, a forkserver's preloaded) are
    told at once, and those loaded later read the variables when they load (a spawned worker's)."""
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def _exit_with_parent() -> None:
    """A daemon thread that ends the worker when the process that started it ends.

    It waits on multiprocessing's own handle on the parent (``parent_process().sentinel``: a pipe whose other end
    only the parent holds, so it reads end-of-file the moment the parent is gone however it died; the parent's
    process handle on Windows), so it costs nothing while the parent lives and needs no polling or platform call.
    Forked workers also hold the ends of the workers forked before them: those then follow within moments, as
    each later worker exits."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:  # not a multiprocessing child: nothing to watch
        return
    threading.Thread(target=_exit_when_ready, args=(parent.sentinel,), name="saferbook-parent-watch",
                     daemon=True).start()


def _exit_when_ready(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)  # the parent is gone: no one is left to take this worker's results
