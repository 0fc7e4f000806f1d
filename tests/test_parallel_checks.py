"""A protected build's per-partner disclosure checks run in worker processes (``prepare(jobs=...)``, ``build --jobs``).

tests/specs/protected_notes.yaml: three districts, Total recorded crime sensitive below 40, so each district's check
hides figures of its own. The reference is the check run one partner after another in the building process
(``jobs=1``, the only route before the checks had workers): two workers must hide exactly the same figures and give
the same Reports. A check that raises in a worker fails the build with its own error, as a failed render does, and a
worker that dies fails it with an error saying so.

The failing check is a partner problem the check itself refuses (area-group counts without the partner area's small
areas, :func:`refused`): it is data, so it reaches the worker whichever way the pool starts its processes (fork or
forkserver), and the worker runs the real check.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import engine.indicators.counted.suppression as suppression
from engine.api import ComputeMemo, prepare
from engine.indicators import cross_partner
from engine.indicators.cross_partner import PartnerProblem, partners_hidden
from engine.ingest.cache import IngestCache
from engine.ingest.disk_cache import OFF_VARIABLE, DiskStore

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "tests" / "specs" / "protected_notes.yaml"
REFUSED = "area-group counts need the partner area's small areas and their groups"


def refused(problems: list) -> list:
    """The second partner area's problem made one its check refuses (area-group counts, no small areas)."""
    bad = replace(problems[1], areas=None, values={**problems[1].values, ("group", "x", "g", 0): 1.0})
    return [problems[0], bad, *problems[2:]]


def poisoned(protect):
    """``protect_partners`` handed :func:`refused` problems (in the building process, before the checks start)."""
    def protect_refused(problems, totals, jobs=1):
        return protect(refused(problems), totals, jobs)
    return protect_refused


def _checked(monkeypatch, jobs: int) -> tuple[object, list, list[int]]:
    """``prepare(SPEC, suppress=True, jobs=jobs)``, what the checks returned and the pools asked for (their workers)."""
    returned, pools = [], []
    protect, pool = suppression.protect_partners, cross_partner.process_pool

    def recorded(problems, totals, jobs=1):
        returned.append(protect(problems, totals, jobs))
        return returned[-1]

    def counted(workers, preload=()):
        pools.append(workers)
        return pool(workers, preload)

    monkeypatch.setattr(suppression, "protect_partners", recorded)
    monkeypatch.setattr(cross_partner, "process_pool", counted)
    prepared = prepare(SPEC, suppress=True, jobs=jobs)
    monkeypatch.undo()
    return prepared, returned, pools


def test_two_workers_hide_exactly_what_one_process_hides(monkeypatch):
    serial, (serial_hidden,), no_pools = _checked(monkeypatch, 1)
    parallel, (parallel_hidden,), pools = _checked(monkeypatch, 2)
    assert no_pools == [] and pools == [2]  # the checks ran in two worker processes, and only then
    own, links = serial_hidden
    assert len(own) == 3 and all(own) and links  # every district hides figures: the spec exercises each check
    assert parallel_hidden == serial_hidden  # in partner order
    assert pickle.dumps(parallel.reports) == pickle.dumps(serial.reports)


class _Solved:
    """A partner problem that says what it hides (the checks' order, without a solver)."""

    def __init__(self, partner: int):
        self.partner = partner

    def hidden(self) -> set:
        return {("current", self.partner)}


def test_one_job_or_one_partner_area_starts_no_pool(monkeypatch):
    monkeypatch.setattr(cross_partner, "process_pool", lambda *a, **k: pytest.fail("a pool was started"))
    assert partners_hidden([_Solved(p) for p in range(3)], jobs=1) == [{("current", p)} for p in range(3)]
    assert partners_hidden([_Solved(0)], jobs=2) == [{("current", 0)}]
    assert partners_hidden([], jobs=None) == []


def _blas_threads() -> list[int]:
    """The BLAS thread counts in this process, numpy and scipy loaded (runs in a worker)."""
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_info

    return [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]


def test_each_worker_keeps_one_blas_thread(monkeypatch):
    """The workers share the cores (engine/pool.py: a BLAS thread per core in each worker slowed the checks). Forked
    from a process with two BLAS threads (the tests' own processes have one: tests/conftest.py), each worker has one."""
    from threadpoolctl import threadpool_limits

    from engine import pool

    monkeypatch.setattr(pool, "start_method", lambda: "fork")
    with threadpool_limits(2, user_api="blas"), pool.process_pool(2) as workers:
        assert set(_blas_threads()) == {2}
        threads = [workers.submit(_blas_threads).result() for _ in range(2)]
    assert all(counts and set(counts) == {1} for counts in threads), threads


def test_the_memo_and_the_kept_reports_serve_another_jobs_count_without_computing(tmp_path, monkeypatch):
    import engine.indicators

    memo = ComputeMemo()
    first = prepare(SPEC, suppress=True, memo=memo, jobs=1)
    cache, kept = IngestCache(store=DiskStore(tmp_path / "ingest")), DiskStore(tmp_path / "reports")
    stored = prepare(SPEC, suppress=True, cache=cache, kept=kept, jobs=1)
    monkeypatch.setattr(engine.indicators, "build_reports", lambda *a, **k: pytest.fail("computed again"))
    again = prepare(SPEC, suppress=True, memo=memo, jobs=2)
    assert memo.hits == 1 and again.reports is first.reports
    cache = IngestCache(store=DiskStore(tmp_path / "ingest"))
    served = prepare(SPEC, suppress=True, cache=cache, kept=DiskStore(tmp_path / "reports"), jobs=2)
    assert served.kept_key == stored.kept_key is not None  # the kept Reports, read back, not computed
    assert [r.partner_area for r in served.reports] == [r.partner_area for r in stored.reports]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_check_that_raises_fails_the_build_with_its_own_error(monkeypatch, jobs):
    monkeypatch.setattr(suppression, "protect_partners", poisoned(suppression.protect_partners))
    with pytest.raises(ValueError, match=REFUSED) as raised:
        prepare(SPEC, suppress=True, jobs=jobs)
    # a worker's error comes back with the worker's traceback as its cause; this process's has none
    assert ("hidden_numbers" in str(raised.value.__cause__)) == (jobs == 2)


class _EndsTheWorker:
    """A figure whose arrival ends the process that unpickles it at once (as the out-of-memory killer would)."""

    def __reduce__(self):
        return os._exit, (1,)


def test_a_worker_that_dies_fails_the_checks_with_a_clear_error():
    problems = [PartnerProblem({("current", "x"): _EndsTheWorker()}, None, None, {}, set(), {}) for _ in range(2)]
    with pytest.raises(RuntimeError, match="a disclosure-check worker process died"):
        partners_hidden(problems, jobs=2)


def test_the_command_line_exits_1_with_the_checks_error_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    arguments = ["build", str(SPEC), "--suppress", "--jobs", "2", "--out", str(out), "--quiet"]
    code = (f"import sys; sys.path.insert(0, {str(REPO / 'tests')!r})\n"
            "import engine.indicators.counted.suppression as suppression\n"
            "from test_parallel_checks import poisoned\n"
            "suppression.protect_partners = poisoned(suppression.protect_partners)\n"
            f"from engine.cli import main\nraise SystemExit(main({arguments!r}))")
    env = {**os.environ, "PYTHONPATH": str(REPO), OFF_VARIABLE: "1"}  # nothing kept: the checks run
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 1, done.stderr
    assert f"ValueError: {REFUSED}" in done.stderr and "internal error" in done.stderr
    assert not out.exists() or not any(out.iterdir())


class _Stop(Exception):
    """Raised by a stand-in for ``prepare`` once it has seen its arguments: nothing else needs to run."""


def _seen_jobs(monkeypatch, module) -> list:
    seen = []

    def stand_in(*args, jobs=1, **kwargs):
        seen.append(jobs)
        raise _Stop

    monkeypatch.setattr(module, "prepare", stand_in)
    return seen


def test_build_jobs_and_a_pipelines_workers_reach_prepare(tmp_path, monkeypatch):
    import engine.api
    import engine.deliver.build
    from deliver_support import write_pipeline
    from engine.cli import main

    seen = _seen_jobs(monkeypatch, engine.api)
    assert main(["build", str(SPEC), "--suppress", "--jobs", "3", "--out", str(tmp_path / "out"), "--quiet"]) == 1
    assert main(["build", str(SPEC), "--suppress", "--out", str(tmp_path / "out"), "--quiet"]) == 1
    with pytest.raises(_Stop):
        engine.api.build(SPEC, tmp_path / "out", suppress=True, jobs=2)
    assert seen == [3, 0, 2]  # --jobs, its default (0: one per available core), and the API's build(jobs=...)
    seen = _seen_jobs(monkeypatch, engine.deliver.build)
    assert main(["run", str(write_pipeline(tmp_path, 2525, workers=3)), "--dry-run", "--quiet"]) == 1
    assert seen == [3]
