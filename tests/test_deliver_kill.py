"""``saferbook run`` as a scheduler starts it (a separate process): killed part-way, or started
twice at once, it never sends the same workbook to the same person twice.
"""
from __future__ import annotations

import collections
import hashlib
import sys
import threading

import pytest

from deliver_support import AREAS, MailServer, saferbook_process, wait_for, write_pipeline
from engine.cli import main
from engine.deliver.runner import run_pipeline


@pytest.fixture
def server():
    mail = MailServer().start()
    yield mail
    mail.stop()


def copies_per_recipient_and_workbook(server: MailServer) -> collections.Counter:
    return collections.Counter((address, name, hashlib.sha256(data).hexdigest())
                               for message in server.handler.received for address in message.rcpt_tos
                               for name, data in message.attachments.items())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killing_a_run_part_way_and_rerunning_sends_nothing_twice(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port)
    server.handler.hold = threading.Event()  # the server takes the first message but does not answer yet
    run = saferbook_process("run", pipeline, cwd=tmp_path)
    wait_for(lambda: server.handler.received or run.poll() is not None)
    assert run.poll() is None, run.communicate()
    run.kill()  # SIGKILL while the server is receiving Blaby's workbook
    run.wait()
    server.handler.hold.set()
    server.handler.hold = None

    rerun = run_pipeline(pipeline)

    states = {p.area: p.status for p in rerun.partners}
    assert states == {"Blaby": "in doubt", "Melton": "sent", "Rutland": "sent"}
    assert rerun.exit_code == 1  # the in-doubt send is reported, not silently resent
    blaby = next(p for p in rerun.partners if p.area == "Blaby")
    assert "saferbook run --force --only \"Blaby\"" in blaby.detail
    assert run_pipeline(pipeline).exit_code == 1  # and again: still nothing resent
    copies = copies_per_recipient_and_workbook(server)
    assert set(copies.values()) == {1}
    assert {address for address, _, _ in copies} == {a for to in AREAS.values() for a in to}


@pytest.mark.skipif(sys.platform == "win32", reason="the slow-server trick holds a thread; fine elsewhere")
def test_a_second_concurrent_run_exits_with_a_clear_message_and_sends_nothing(tmp_path, server, capsys):
    pipeline = write_pipeline(tmp_path, server.port)
    server.handler.hold = threading.Event()
    first = saferbook_process("run", pipeline, "--quiet", cwd=tmp_path)
    wait_for(lambda: server.handler.received or first.poll() is not None)
    assert first.poll() is None, first.communicate()

    code = main(["run", str(pipeline)])

    err = capsys.readouterr().err
    assert code == 1
    assert "another saferbook run is in progress" in err and "this run sent nothing" in err
    server.handler.hold.set()
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    copies = copies_per_recipient_and_workbook(server)
    assert set(copies.values()) == {1} and len(copies) == sum(len(to) for to in AREAS.values())
