"""A build is one transaction: its files are staged and replaced together, under a lock on the output folder.

Each test starts from an earlier build of the tiny fixture spec, changes the data so that the new
set differs byte for byte, and breaks the new build part-way: killed while staging, killed while
moving files into place, racing another build, or a disk that fills between a workbook and its CSV.
"""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.output_set import COMMIT_PREFIX, STAGING_PREFIX, OutputSet
from hostile_support import copy_fixture, snapshot

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path) -> Path:
    """The fixture spec built once into out/, then its data changed so that a rebuild differs."""
    spec = copy_fixture(tmp_path)
    assert main(["build", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    incidents = tmp_path / "incidents.csv"
    lines = incidents.read_text(encoding="utf-8").splitlines()
    extra = [f"{9000 + i},01/09/2022,E0100000{1 + i % 6},Primary fire" for i in range(30)]
    incidents.write_text("\n".join(lines + extra) + "\n", encoding="utf-8")
    return tmp_path


def new_set(project: Path) -> dict[str, str]:
    """What a clean build of the changed data writes (built into another folder)."""
    assert main(["build", str(project / "tiny.yaml"), "--out", str(project / "clean"), "--quiet"]) == 0
    return snapshot(project / "clean")


def build_process(project: Path, patch: str) -> subprocess.Popen[str]:
    """``saferbook build`` in another process, with ``patch`` (Python) run first to pause or kill it part-way."""
    code = (f"import sys, os, time, signal\n{patch}\nfrom engine.cli import main\n"
            f"raise SystemExit(main(['build', {str(project / 'tiny.yaml')!r}, '--out', {str(project / 'out')!r}, '--quiet']))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # A session of its own: a kill takes the build's render workers with it, as when the power goes (a worker whose
    # parent alone is killed exits by itself: tests/test_orphan_workers.py).
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)


def kill_build(process: subprocess.Popen[str]) -> None:
    """SIGKILL to the build and every process it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


PAUSE_AFTER_FIRST_PARTNER = """
import engine.api as api
_write = api.write_partner_files
_count = [0]
def write_slowly(*args, **kwargs):
    written = _write(*args, **kwargs)
    _count[0] += 1
    if _count[0] == 1:
        print("STAGED", flush=True)
        time.sleep(float(os.environ.get("PAUSE", "60")))
    return written
api.write_partner_files = write_slowly
"""

KILL_DURING_COMMIT = """
import engine.output_set as output_set
_replace = os.replace
_moved = [0]
def replace_then_die(source, target):
    _replace(source, target)
    _moved[0] += 1
    if _moved[0] == 2:  # two of the six files are in place: the power goes
        os.kill(os.getpid(), signal.SIGKILL)
output_set.os.replace = replace_then_die
"""


def wait_for(process: subprocess.Popen[str], text: str) -> None:
    line = process.stdout.readline()
    assert line.strip() == text, (line, process.stderr.read() if process.poll() is not None else "")


def test_a_build_killed_part_way_leaves_the_previous_set_whole(project):
    before = snapshot(project / "out")
    process = build_process(project, PAUSE_AFTER_FIRST_PARTNER)
    wait_for(process, "STAGED")  # one partner's workbook and CSV written (staged), two to go
    kill_build(process)
    process.wait(timeout=30)

    assert snapshot(project / "out") == before  # not one new file in place
    leftovers = [p.name for p in (project / "out").iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert len(leftovers) == 1  # the killed build's staging folder, which the next build removes:
    assert main(["build", str(project / "tiny.yaml"), "--out", str(project / "out"), "--quiet"]) == 0
    assert not [p for p in (project / "out").iterdir() if p.name.startswith((STAGING_PREFIX, COMMIT_PREFIX))]
    assert snapshot(project / "out") == new_set(project)


def test_a_build_killed_while_moving_files_into_place_is_finished_by_the_next(project):
    expected = new_set(project)
    process = build_process(project, KILL_DURING_COMMIT)
    process.wait(timeout=120)
    kill_build(process)  # the build killed itself; its render workers follow (this only makes sure)
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    assert [p.name[:len(COMMIT_PREFIX)] for p in (project / "out").iterdir() if p.is_dir()] == [COMMIT_PREFIX]

    with OutputSet(project / "out"):  # whoever takes the lock next rolls the decided set forward first
        pass
    assert snapshot(project / "out") == expected


def test_two_concurrent_builds_into_one_folder(project, capsys):
    expected = new_set(project)
    first = build_process(project, PAUSE_AFTER_FIRST_PARTNER.replace('"60"', '"3"'))
    wait_for(first, "STAGED")  # the first build holds the folder

    code = main(["build", str(project / "tiny.yaml"), "--out", str(project / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("error:") == 1 and "another saferbook build is writing to this folder" in err

    assert first.wait(timeout=60) == 0, first.stderr.read()
    assert snapshot(project / "out") == expected  # the first build's whole set, nothing of the refused one


def test_a_disk_filling_between_a_workbook_and_its_csv(project, monkeypatch, capsys):
    before = snapshot(project / "out")
    add = OutputSet.add

    def full_at_the_csv(self, name, data):
        if name.endswith("_data_quality.csv"):
            raise_full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            from engine.output_set import output_error
            raise output_error(self.out_dir / name, raise_full)
        return add(self, name, data)

    monkeypatch.setattr(OutputSet, "add", full_at_the_csv)
    code = main(["build", str(project / "tiny.yaml"), "--out", str(project / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("error:") == 1 and "Alpha_E07000001_2022-10_data_quality.csv" in err
    assert "the disk is full" in err
    assert snapshot(project / "out") == before  # the new Alpha workbook is not beside the old CSV


def test_the_disk_filling_at_the_write_itself(project, monkeypatch, capsys):
    """ENOSPC raised by the file system call (not by our code): still one line, nothing replaced."""
    before = snapshot(project / "out")
    real_fsync = os.fsync
    calls = [0]

    def fsync_full(descriptor):
        calls[0] += 1
        if calls[0] == 2:  # the first partner's CSV
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(descriptor)

    monkeypatch.setattr("engine.output_set.os.fsync", fsync_full)
    code = main(["build", str(project / "tiny.yaml"), "--out", str(project / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("error:") == 1 and "_data_quality.csv: cannot write: the disk is full" in err
    assert snapshot(project / "out") == before
