"""Hostile inputs and faults against ``saferbook run``, with a real SMTP server (aiosmtpd) on loopback.

Each case asserts: exit 2, one ``error:`` line naming the file, no traceback, the earlier outputs
byte-identical, no message sent, and — when the run got as far as the ledger — the run recorded
``failed`` (before, a crash left it ``running`` for ever).
"""
from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from deliver_support import MailServer
from engine.cli import main
from hostile_support import copy_fixture, snapshot, tiny_pipeline
from test_hostile_build import SPEC, giant_range, understated_zip_bomb


@pytest.fixture(scope="module")
def server():
    mail = MailServer().start()
    yield mail
    mail.stop()


@pytest.fixture(scope="module")
def ran_once(tmp_path_factory, server) -> Path:
    """The fixture and a pipeline, run once for real (3 messages): the earlier outputs and ledger."""
    folder = tmp_path_factory.mktemp("ran")
    copy_fixture(folder)
    pipeline = tiny_pipeline(folder, server.port, folder / SPEC)
    assert main(["run", str(pipeline), "--quiet"]) == 0
    return folder


@pytest.fixture
def project(ran_once, tmp_path, server) -> Path:
    shutil.copytree(ran_once, tmp_path / "p")
    folder = tmp_path / "p"
    tiny_pipeline(folder, server.port, folder / SPEC)  # the copy's pipeline points at the copy's spec
    server.handler.received.clear()
    return folder


def run_statuses(project: Path) -> list[str]:
    with sqlite3.connect(project / "out" / "saferbook-ledger.sqlite") as db:
        return [row[0] for row in db.execute("SELECT status FROM runs ORDER BY id")]


def assert_refused(code: int, err: str, names: str, before: dict[str, str], project: Path, server: MailServer) -> None:
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(errors) == 1 and names in errors[0], err
    assert not server.handler.received

    def outputs(files: dict[str, str]) -> dict[str, str]:  # the ledger records the run: the callers compare it
        return {k: v for k, v in files.items() if not k.startswith("saferbook-ledger.sqlite")}

    assert outputs(snapshot(project / "out")) == outputs(before)


@pytest.mark.parametrize("case", [giant_range, understated_zip_bomb], ids=lambda case: case.__name__)
def test_a_hostile_data_file_under_run_fails_the_run_and_sends_nothing(project, server, case, capsys):
    before = snapshot(project / "out")
    names = case(project)
    code = main(["run", str(project / "pipeline.yaml"), "--quiet"])
    assert_refused(code, capsys.readouterr().err, names, before, project, server)
    assert run_statuses(project) == ["ok", "failed"]  # recorded, not left "running"


def _pipeline_text(project: Path, change) -> str:
    path = project / "pipeline.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return "pipeline.yaml"


PIPELINE_CASES = {
    "billion_laughs": lambda text: text + "x: &a [l, l, l, l, l, l, l, l, l, l]\n" + "".join(
        f"x{i}: &a{i} [{', '.join([f'*a{i - 1}' if i > 1 else '*a'] * 10)}]\n" for i in range(1, 8)),
    "self_alias": lambda text: text + "loop: &t [*t]\n",
    "binary_tag": lambda text: text.replace('from: "Community', 'from: !!binary "Q29t', 1),
    "recipient_of_two_partners": lambda text: text.replace("to: [gamma@example.org]", "to: [alpha@example.org]"),
    "password_in_clear_to_another_host": lambda text: text.replace("host: 127.0.0.1", "host: mail.example.org")
    .replace("  security: none\n", "  security: none\n  username: analysis\n"),
}


@pytest.mark.parametrize("case", list(PIPELINE_CASES), ids=str)
def test_a_hostile_pipeline_file_is_one_error_line_and_nothing_happens(project, server, case, capsys):
    before = snapshot(project / "out")
    names = _pipeline_text(project, PIPELINE_CASES[case])
    code = main(["run", str(project / "pipeline.yaml"), "--quiet"])
    assert_refused(code, capsys.readouterr().err, names, before, project, server)
    assert run_statuses(project) == ["ok"]  # refused before a run began


def corrupt(ledger: Path) -> None:
    ledger.write_bytes(b"this is not a database, whatever its name says " * 100)


def truncated(ledger: Path) -> None:
    ledger.write_bytes(ledger.read_bytes()[:1000])


def wrong_schema(ledger: Path) -> None:
    ledger.unlink()
    with sqlite3.connect(ledger) as db:
        db.execute("CREATE TABLE sends (id INTEGER PRIMARY KEY, what TEXT)")


@pytest.mark.parametrize("damage", [corrupt, truncated, wrong_schema], ids=lambda f: f.__name__)
def test_a_damaged_ledger_is_one_error_line_and_nothing_is_sent(project, server, damage, capsys):
    ledger = project / "out" / "saferbook-ledger.sqlite"
    for extra in project.joinpath("out").glob("saferbook-ledger.sqlite-*"):
        extra.unlink()
    damage(ledger)
    before = snapshot(project / "out")
    code = main(["run", str(project / "pipeline.yaml"), "--quiet"])
    err = capsys.readouterr().err
    assert_refused(code, err, "saferbook-ledger.sqlite", before, project, server)
    assert ledger.read_bytes() == (project / "out" / "saferbook-ledger.sqlite").read_bytes()
    assert snapshot(project / "out") == before  # the damaged ledger itself is left as found, for inspection


def test_a_ledger_locked_by_another_program_fails_fast(project, server, capsys):
    before = snapshot(project / "out")
    holder = sqlite3.connect(project / "out" / "saferbook-ledger.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        code = main(["run", str(project / "pipeline.yaml"), "--quiet"])
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert_refused(code, err, "saferbook-ledger.sqlite", before, project, server)
    assert "locked by another program" in err
    assert waited < 15  # it waited about 30 s before, per statement


def test_the_run_ledger_is_keyed_by_partner_code(project, server):
    with sqlite3.connect(project / "out" / "saferbook-ledger.sqlite") as db:
        rows = sorted(db.execute("SELECT area, partner, recipient FROM sends"))
    assert rows == [("Alpha", "E07000001", "alpha@example.org"), ("Beta", "E07000002", "beta@example.org"),
                    ("Gamma", "E07000003", "gamma@example.org")]
