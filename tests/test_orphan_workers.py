"""A build whose process is killed leaves no process behind: its render workers (and the processes that started
them) exit within seconds, whatever killed it and however the workers were started.

Only the build's own process is killed (SIGKILL cannot be caught), not its process group: a user's ``kill -9``, the
add-in's Excel being ended from the task manager, the out-of-memory killer. The workers then have no one to give
their work to, and used to wait on their pool's queue for ever.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from engine.ingest.disk_cache import OFF_VARIABLE
from hostile_support import copy_fixture

REPO = Path(__file__).resolve().parents[1]

#: Pause the build once the first partner's workbook is rendered (the pool and its workers are up), saying so.
PAUSE_AFTER_FIRST_WORKBOOK = """
import engine.api as api
import engine.deliver.build as deliver_build
_write = api.write_partner_files
def write_then_wait(*args, **kwargs):
    written = _write(*args, **kwargs)
    print("RENDERING", flush=True)
    time.sleep(120)
    return written
api.write_partner_files = deliver_build.write_partner_files = write_then_wait
"""

#: A second thread in the build makes the pool start its workers from a fork server rather than by forking the build.
ANOTHER_THREAD = "import threading; threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"


def _alive(process: psutil.Process) -> bool:
    """Still running (a zombie has exited: only its exit status waits to be collected)."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _start_build(folder: Path, patch: str, command: str) -> subprocess.Popen[str]:
    spec = copy_fixture(folder)
    arguments = (["build", str(spec), "--out", str(folder / "out"), "--quiet", "--jobs", "2"] if command == "build"
                 else ["run", str(_pipeline(folder, spec)), "--dry-run"])
    code = (f"import os, sys, time\n{patch}\nfrom engine.cli import main\n"
            f"raise SystemExit(main({arguments!r}))")
    env = {**os.environ, "PYTHONPATH": str(REPO), OFF_VARIABLE: "1"}  # nothing kept: the workbooks are rendered
    # A session of its own only so that the test can clean up if the engine leaves processes behind.
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)


def _pipeline(folder: Path, spec: Path) -> Path:
    from hostile_support import tiny_pipeline

    path = tiny_pipeline(folder, port=9, spec=spec)  # nothing is sent (--dry-run)
    text = path.read_text(encoding="utf-8")
    assert "\nworkers: 1\n" in text
    path.write_text(text.replace("\nworkers: 1\n", "\nworkers: 2\n"), encoding="utf-8")
    return path


@pytest.mark.parametrize("threads", ["one thread (workers forked)", "two threads (workers from a fork server)"])
@pytest.mark.parametrize("command", ["build", "run"])
def test_killing_only_the_build_leaves_no_process_behind(tmp_path, command, threads):
    patch = PAUSE_AFTER_FIRST_WORKBOOK + (ANOTHER_THREAD if threads.startswith("two") else "")
    build = _start_build(tmp_path, patch, command)
    try:
        line = build.stdout.readline()
        assert line.strip() == "RENDERING", (line, build.stderr.read() if build.poll() is not None else "")
        started = psutil.Process(build.pid).children(recursive=True)
        workers = [p for p in started if "python" in p.name().lower()]
        assert len(workers) >= 2, [p.cmdline() for p in started]  # the pool is up: two render workers at least

        os.kill(build.pid, signal.SIGKILL)  # the build alone, not its process group
        build.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in started) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [(p.pid, p.name()) for p in started if _alive(p)]
        assert not left, f"still running 10 s after the build was killed: {left}"
    finally:
        try:
            os.killpg(build.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        build.wait(timeout=10)
        build.stdout.close()
        build.stderr.close()
