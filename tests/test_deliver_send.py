"""Delivery against a real SMTP server on loopback: each partner gets exactly its own workbook,
once; refusals, drops and timeouts are retried and recorded; reruns send only what is missing.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from deliver_support import AREAS, MailServer, stem, write_pipeline
from engine.cli import main
from engine.deliver.runner import RunOptions, run_pipeline


@pytest.fixture
def server():
    mail = MailServer().start()
    yield mail
    mail.stop()


def sends(folder: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(folder / "out" / "saferbook-ledger.sqlite") as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM sends ORDER BY id").fetchall()


def status_of(result, area: str) -> str:
    return next(p.status for p in result.partners if p.area == area)


def test_each_partner_receives_exactly_its_own_workbook(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port, workers=2)  # builds in parallel processes
    result = run_pipeline(pipeline)

    assert result.exit_code == 0, result.partners
    received = server.handler.received
    assert len(received) == len(AREAS)
    for area, recipients in AREAS.items():
        [message] = [r for r in received if set(r.rcpt_tos) & set(recipients)]
        assert sorted(message.rcpt_tos) == sorted(recipients)  # nobody else's address on this envelope
        workbook = tmp_path / "out" / f"{stem(area)}.xlsx"
        assert message.attachments == {workbook.name: workbook.read_bytes()}  # its own file, byte for byte
        parsed = message.message
        assert parsed["Subject"] == f"Crime and ASB: {area}, Nov 2021 – Oct 2022"
        assert parsed["X-Saferbook-Area"] == area
        body = parsed.get_body(("plain",)).get_content()
        assert f"Dear {area} partnership," in body
        assert "Total recorded crime: " in body and "crimes in Nov 2021 – Oct 2022" in body
        assert f"Attached: {workbook.name}." in body and "{" not in body
    # no workbook reached a recipient of another partner
    for area, recipients in AREAS.items():
        for address in recipients:
            names = {name for r in server.handler.for_recipient(address) for name in r.attachments}
            assert names == {f"{stem(area)}.xlsx"}
    rows = sends(tmp_path)
    assert {(r["area"], r["recipient"], r["status"], r["attempts"]) for r in rows} == {
        (area, address, "sent", 1) for area, recipients in AREAS.items() for address in recipients}
    assert all(r["reply"].startswith("250") for r in rows)


def test_unchanged_workbook_is_not_resent_unless_forced(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port)
    assert run_pipeline(pipeline).exit_code == 0
    first_ids = {r.message["Message-ID"] for r in server.handler.received}

    again = run_pipeline(pipeline)
    assert again.exit_code == 0
    assert {p.status for p in again.partners} == {"already sent"}
    assert len(server.handler.received) == len(AREAS)

    forced = run_pipeline(pipeline, RunOptions(force=True, only=["Rutland"]))
    assert forced.exit_code == 0 and status_of(forced, "Rutland") == "sent"
    assert len(server.handler.received) == len(AREAS) + 1
    resent = server.handler.received[-1]
    assert resent.rcpt_tos == AREAS["Rutland"] and resent.message["Message-ID"] not in first_ids


def test_refused_recipient_is_retried_then_failed_while_others_go_out_and_a_rerun_sends_only_it(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port, retries=2)
    server.handler.defer.add("csp.blaby@example.org")

    result = run_pipeline(pipeline)

    assert result.exit_code == 1
    assert status_of(result, "Blaby") == "failed" and "421" in next(p.detail for p in result.partners if p.area == "Blaby")
    assert status_of(result, "Melton") == status_of(result, "Rutland") == "sent"
    assert server.handler.rcpt_calls.count("csp.blaby@example.org") == 3  # first try and two retries
    [failed] = [r for r in sends(tmp_path) if r["status"] == "failed"]
    assert (failed["area"], failed["attempts"]) == ("Blaby", 3) and failed["reply"].startswith("recipient deferred: 421")
    assert not server.handler.for_recipient("csp.blaby@example.org")

    server.handler.defer.clear()  # the server recovers
    before = len(server.handler.received)
    rerun = run_pipeline(pipeline)

    assert rerun.exit_code == 0
    [new] = server.handler.received[before:]
    assert new.rcpt_tos == ["csp.blaby@example.org"] and list(new.attachments) == ["Blaby_E07000129_2022-10.xlsx"]
    assert {p.area: p.status for p in rerun.partners} == {"Blaby": "sent", "Melton": "already sent", "Rutland": "already sent"}


def test_server_down_then_back_sends_everything_once(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port, retries=1)
    server.stop()  # connection refused

    down = run_pipeline(pipeline)
    assert down.exit_code == 1 and {p.status for p in down.partners} == {"failed"}
    assert all(r["status"] == "failed" and r["attempts"] == 2 and "refused" in r["reply"] for r in sends(tmp_path))

    server.start()
    up = run_pipeline(pipeline)
    assert up.exit_code == 0 and {p.status for p in up.partners} == {"sent"}
    assert sorted(a for r in server.handler.received for a in r.rcpt_tos) == sorted(a for to in AREAS.values() for a in to)


def test_dropped_connection_is_retried_then_failed(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port, retries=2)
    server.handler.drop_at_rcpt.add("csp.rutland@example.org")

    result = run_pipeline(pipeline)

    assert status_of(result, "Rutland") == "failed" and result.exit_code == 1
    assert server.handler.rcpt_calls.count("csp.rutland@example.org") == 3
    assert status_of(result, "Blaby") == status_of(result, "Melton") == "sent"
    [failed] = [r for r in sends(tmp_path) if r["area"] == "Rutland"]
    assert failed["status"] == "failed" and failed["attempts"] == 3


def test_permanent_refusal_is_not_retried(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port, retries=3)
    server.handler.refuse.add("analyst.melton@example.org")

    result = run_pipeline(pipeline)

    melton = next(p for p in result.partners if p.area == "Melton")
    assert melton.recipients == {"csp.melton@example.org": "sent", "analyst.melton@example.org": "failed"}
    assert server.handler.rcpt_calls.count("analyst.melton@example.org") == 1
    assert "550" in melton.detail and result.exit_code == 1


def test_no_reply_after_the_message_arrived_is_in_doubt_and_never_resent_without_force(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port, retries=3)
    server.handler.drop_after_data.add("csp.blaby@example.org")

    result = run_pipeline(pipeline)

    assert status_of(result, "Blaby") == "in doubt" and result.exit_code == 1
    assert len(server.handler.for_recipient("csp.blaby@example.org")) == 1  # not retried
    server.handler.drop_after_data.clear()
    rerun = run_pipeline(pipeline)
    assert status_of(rerun, "Blaby") == "in doubt" and rerun.exit_code == 1
    assert "--force" in next(p.detail for p in rerun.partners if p.area == "Blaby")
    assert len(server.handler.for_recipient("csp.blaby@example.org")) == 1

    forced = run_pipeline(pipeline, RunOptions(force=True, only=["blaby"]))
    assert forced.exit_code == 0 and len(server.handler.for_recipient("csp.blaby@example.org")) == 2


def test_a_build_failure_for_one_area_does_not_stop_the_others(tmp_path, server, monkeypatch):
    import engine.deliver.build as deliver_build

    render = deliver_build.render_one

    def failing_for_melton(spec, spec_dir, report):
        if report.partner_area == "Melton":
            raise MemoryError("rendering Melton ran out of memory")
        return render(spec, spec_dir, report)

    monkeypatch.setattr(deliver_build, "render_one", failing_for_melton)  # workers: 1 renders in this process
    pipeline = write_pipeline(tmp_path, server.port)

    result = run_pipeline(pipeline)

    assert status_of(result, "Melton") == "build failed" and result.exit_code == 1
    assert status_of(result, "Blaby") == status_of(result, "Rutland") == "sent"
    assert not server.handler.for_recipient("csp.melton@example.org")


def test_a_file_that_cannot_be_written_fails_the_whole_set_and_sends_nothing(tmp_path, server, capsys):
    pipeline = write_pipeline(tmp_path, server.port)
    (tmp_path / "out" / "Melton_E07000133_2022-10.xlsx").mkdir(parents=True)  # the workbook cannot be written there

    assert main(["run", str(pipeline)]) == 2

    error = capsys.readouterr().err
    assert error.count("error:") == 1 and "Melton_E07000133_2022-10.xlsx" in error and "Traceback" not in error
    assert not server.handler.received
    assert not (tmp_path / "out" / "Blaby_E07000129_2022-10.xlsx").exists()  # the set is written whole or not at all
    with sqlite3.connect(tmp_path / "out" / "saferbook-ledger.sqlite") as db:
        assert db.execute("SELECT status FROM runs").fetchall() == [("failed",)]


def test_only_sends_the_named_partner(tmp_path, server, capsys):
    pipeline = write_pipeline(tmp_path, server.port)

    assert main(["run", str(pipeline), "--only", "melton", "--quiet"]) == 0

    assert [sorted(r.rcpt_tos) for r in server.handler.received] == [sorted(AREAS["Melton"])]
    captured = capsys.readouterr()
    assert captured.out == ""  # --quiet: a scheduler's log gets only problems


def test_attachments_over_the_limit_are_refused_with_a_clear_message(tmp_path, server):
    pipeline = write_pipeline(tmp_path, server.port, extra="privacy:\n  max_attachment_mb: 0.01\n")

    result = run_pipeline(pipeline)

    assert result.exit_code == 1 and not server.handler.received
    blaby = next(p for p in result.partners if p.area == "Blaby")
    assert blaby.status == "failed"
    assert "Blaby_E07000129_2022-10.xlsx" in blaby.detail and "MB" in blaby.detail and "max_attachment_mb" in blaby.detail


def test_record_level_data_is_attached_only_when_the_pipeline_allows_it(tmp_path, server):
    write_pipeline(tmp_path, server.port, areas={"Rutland": AREAS["Rutland"]})
    run_pipeline(tmp_path / "pipeline.yaml")
    assert list(server.handler.received[-1].attachments) == ["Rutland_E06000017_2022-10.xlsx"]

    allowed = tmp_path / "allowed"
    allowed.mkdir()
    write_pipeline(allowed, server.port, areas={"Rutland": AREAS["Rutland"]}, extra="privacy:\n  attach_record_level: true\n")
    run_pipeline(allowed / "pipeline.yaml")
    attachments = server.handler.received[-1].attachments
    assert list(attachments) == ["Rutland_E06000017_2022-10.xlsx", "Rutland_E06000017_2022-10_data_quality.csv"]
    assert attachments["Rutland_E06000017_2022-10_data_quality.csv"].lstrip("\ufeff").startswith("source,file,sheet,row,column,value,action,reason")


def test_history_shows_runs_and_sends(tmp_path, server, capsys):
    pipeline = write_pipeline(tmp_path, server.port)
    server.handler.defer.add("csp.rutland@example.org")
    assert main(["run", str(pipeline)]) == 1
    out, err = capsys.readouterr()
    assert "Rutland" in out and "failed" in out and "Run 1: 3 partner(s): 2 sent, 1 failed" in out
    assert "failed: Rutland: recipient deferred: 421" in err

    assert main(["history", str(pipeline)]) == 0
    out = capsys.readouterr().out
    assert "csp.rutland@example.org" in out and "421" in out and "sent" in out and "failed" in out
    for area, recipients in AREAS.items():
        assert all(address in out for address in recipients)
