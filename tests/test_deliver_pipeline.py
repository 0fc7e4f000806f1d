"""The pipeline file, templates, credentials and ``--dry-run``: bad input is exit 2 with one
located line per problem; partner text is filled in, never evaluated; passwords never in YAML.
"""
from __future__ import annotations

import dataclasses
import email
import re
import sqlite3
import sys
import types
from email.policy import default as default_policy

import pytest
from aiosmtpd.smtp import AuthResult

from deliver_support import AREAS, SPEC, MailServer, stem, write_pipeline
from engine.api import prepare
from engine.cli import main
from engine.deliver.credentials import smtp_password
from engine.deliver.pipeline import Smtp, load_pipeline
from engine.deliver.runner import run_pipeline
from engine.deliver.smtp import dot_stuffed
from engine.deliver.templates import fill, headline_kpi, template_problems, template_values
from engine.errors import DeliveryError, SpecError
from engine.report import SUPPRESSED

ERROR_LINE = re.compile(r"^error: (?P<file>.+?):(?P<line>\d+): (?P<key>[^:\s]+): (?P<message>\S.*)$")


def errors(capsys) -> list[re.Match]:
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    matches = [ERROR_LINE.match(line) for line in lines]
    assert all(matches), lines
    return matches


def test_bad_pipeline_exits_2_with_every_problem_located(tmp_path, capsys):
    path = write_pipeline(tmp_path, 2525)
    text = path.read_text(encoding="utf-8")
    text = text.replace("workers: 1\n", "workers: 1\nouptut: elsewhere\n")
    text = text.replace("{area}, {period}", "{area}, {perod}")
    text = text.replace("  security: none\n", "  security: none\n  password: hunter2\n")
    text = text.replace("csp.rutland@example.org", "rutland at example")
    path.write_text(text, encoding="utf-8")

    assert main(["run", str(path)]) == 2

    found = {m["key"]: (int(m["line"]), m["message"]) for m in errors(capsys)}
    lines = text.splitlines()
    assert "unknown key 'ouptut' (did you mean 'output'?)" in found["ouptut"][1]
    assert lines[found["ouptut"][0] - 1].startswith("ouptut:")
    assert "unknown placeholder {perod} (did you mean 'period'?)" in found["subject"][1]
    assert "passwords never go in the pipeline file" in found["smtp.password"][1]
    assert "hunter2" not in str(found)
    assert "'rutland at example' is not an e-mail address" in found["partners[2].to"][1]
    assert lines[found["partners[2].to"][0] - 1].strip().startswith("to: [rutland at example")


def test_unknown_area_and_headline_are_located_after_the_spec_is_read(tmp_path, capsys):
    path = write_pipeline(tmp_path, 2525, areas={"Blaby": ["a@example.org"], "Rutlnd": ["b@example.org"]})
    path.write_text(path.read_text(encoding="utf-8").replace("headline: total_crime", "headline: total_crimes"),
                    encoding="utf-8")

    assert main(["run", str(path), "--dry-run"]) == 2

    found = {m["key"]: (int(m["line"]), m["message"]) for m in errors(capsys)}
    assert "the spec has no partner area 'Rutlnd' (did you mean 'Rutland'?)" in found["partners[1].area"][1]
    assert "the spec has no indicator 'total_crimes' (did you mean 'total_crime'?)" in found["headline"][1]
    assert not (tmp_path / "out" / "Blaby_E07000129_2022-10.xlsx").exists()  # bad input: nothing built, nothing sent


def test_unknown_only_area_and_missing_file(tmp_path, capsys):
    path = write_pipeline(tmp_path, 2525)
    assert main(["run", str(path), "--only", "Rutlnd"]) == 2
    assert "--only: no partner 'Rutlnd' in this pipeline (did you mean 'Rutland'?)" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2
    assert "pipeline file not found" in capsys.readouterr().err


def test_duplicate_partner_is_an_error(tmp_path):
    path = write_pipeline(tmp_path, 2525, areas={"Blaby": ["a@example.org"]})
    path.write_text(path.read_text(encoding="utf-8") + "  - area: blaby\n    to: [b@example.org]\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"partners\[1\]\.area: partner area 'blaby' is listed twice"):
        load_pipeline(path)


def test_demo_pipeline_is_valid():
    demo = load_pipeline(main.__globals__["REPO_ROOT"] / "pipelines" / "demo.yaml")
    assert demo.spec_path.name == "community_safety.yaml" and len(demo.pipeline.partners) == 9


# --- templates -----------------------------------------------------------------------------------


def test_templates_fill_whitelisted_placeholders_and_never_evaluate():
    values = {"area": "{headline} & {{x}} =1+1", "headline": "H"}
    assert fill("To {area}: {headline} {{literal}}", values) == "To {headline} & {{x}} =1+1: H {literal}"
    assert template_problems("{area} {period} {{ok}}") == []
    assert template_problems("{area.__class__}") and template_problems("{0}") and template_problems("{area!r}")
    assert template_problems("unbalanced { brace") and template_problems("{area:>10}")


# --- credentials ---------------------------------------------------------------------------------


def test_password_comes_from_the_named_environment_variable_or_the_keyring(monkeypatch):
    smtp = Smtp(host="mail.example.org", username="saferbook", password_env="MY_SMTP_PASSWORD",
                keyring_service="saferbook-smtp")
    assert smtp_password(Smtp(host="x"), {}) is None  # no login, no password
    assert smtp_password(smtp, {"MY_SMTP_PASSWORD": "from-env"}) == "from-env"

    fake = types.ModuleType("keyring")
    fake.get_password = lambda service, user: "from-keyring" if (service, user) == ("saferbook-smtp", "saferbook") else None
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert smtp_password(smtp, {}) == "from-keyring"

    fake.get_password = lambda service, user: None
    with pytest.raises(DeliveryError, match=r"no SMTP password for 'saferbook': set \$MY_SMTP_PASSWORD or the OS keyring"):
        smtp_password(smtp, {})


def test_missing_password_is_bad_input_before_anything_is_built(tmp_path, capsys, monkeypatch):
    path = write_pipeline(tmp_path, 2525)
    path.write_text(path.read_text(encoding="utf-8").replace("  security: none\n", "  security: none\n  username: sb\n"),
                    encoding="utf-8")
    monkeypatch.delenv("SAFERBOOK_SMTP_PASSWORD", raising=False)
    assert main(["run", str(path)]) == 2
    assert "no SMTP password for 'sb': set $SAFERBOOK_SMTP_PASSWORD" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback test server only
def test_login_uses_the_password_from_the_environment(tmp_path, monkeypatch):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    mail = MailServer(authenticator=authenticator, auth_require_tls=False, auth_required=True).start()
    try:
        path = write_pipeline(tmp_path, mail.port, areas={"Rutland": AREAS["Rutland"]})
        path.write_text(path.read_text(encoding="utf-8").replace("  security: none\n", "  security: none\n  username: sb\n"),
                        encoding="utf-8")
        monkeypatch.setenv("SAFERBOOK_SMTP_PASSWORD", "s3cret")
        assert main(["run", str(path), "--quiet"]) == 0
        assert logins == [(b"sb", b"s3cret")] and len(mail.handler.received) == 1
    finally:
        mail.stop()


def test_starttls_required_but_not_offered_fails_without_retrying(tmp_path):
    mail = MailServer().start()
    try:
        path = write_pipeline(tmp_path, mail.port, areas={"Rutland": AREAS["Rutland"]}, retries=3)
        path.write_text(path.read_text(encoding="utf-8").replace("security: none", "security: starttls"), encoding="utf-8")
        result = run_pipeline(path)
        [rutland] = result.partners
        assert rutland.status == "failed" and "STARTTLS" in rutland.detail and "after 1 attempt" in rutland.detail
        assert not mail.handler.received
    finally:
        mail.stop()


# --- dry run -------------------------------------------------------------------------------------


def test_dry_run_writes_eml_files_and_sends_nothing(tmp_path, capsys):
    mail = MailServer().start()
    try:
        path = write_pipeline(tmp_path, mail.port)
        assert main(["run", str(path), "--dry-run"]) == 0
        assert not mail.handler.received
        outbox = tmp_path / "out" / "outbox"
        assert sorted(p.name for p in outbox.iterdir()) == [f"{stem(area)}.eml" for area in sorted(AREAS)]
        for area, recipients in AREAS.items():
            message = email.message_from_bytes((outbox / f"{stem(area)}.eml").read_bytes(), policy=default_policy)
            assert message["To"] == ", ".join(recipients)
            [attachment] = message.iter_attachments()
            assert attachment.get_content() == (tmp_path / "out" / f"{stem(area)}.xlsx").read_bytes()
        assert "dry run" in capsys.readouterr().out

        assert main(["run", str(path), "--quiet"]) == 0  # a dry run does not count as sent
        assert len(mail.handler.received) == len(AREAS)
    finally:
        mail.stop()
    with sqlite3.connect(tmp_path / "out" / "saferbook-ledger.sqlite") as db:
        assert db.execute("SELECT mode, status FROM runs ORDER BY id").fetchall() == [("dry-run", "ok"), ("send", "ok")]


def test_dot_stuffing_and_line_ends():
    assert dot_stuffed(b"a\n.b\r\n..c\rd") == b"a\r\n..b\r\n...c\r\nd\r\n.\r\n"


def test_headline_placeholders_never_show_a_suppressed_number():
    [report] = prepare(SPEC, ["Rutland"]).reports
    kpi = headline_kpi(report, "total_crime")
    shown = template_values(report, "Rutland_E06000017_2022-10.xlsx", kpi)
    assert shown["headline_count"] == f"{kpi.current:,}" and shown["headline"].startswith("Total recorded crime: ")
    hidden = dataclasses.replace(kpi, current=None, previous=None, change=None, percent_change=None, band=None)
    values = template_values(report, "Rutland_E06000017_2022-10.xlsx", hidden)
    # The workbook's word for a hidden figure, not a statistical symbol the partner would have to look up.
    assert values["headline_count"] == SUPPRESSED and values["headline_change"] == SUPPRESSED
    assert values["headline_band"] == SUPPRESSED
    assert values["headline"].startswith(f"Total recorded crime: {SUPPRESSED} for ") and str(kpi.current) not in values["headline"]
    assert "[c]" not in "".join(values.values())
    # Only the previous count hidden: the count shows, its change does not.
    partly = dataclasses.replace(kpi, previous=None, change=None, percent_change=None)
    values = template_values(report, "Rutland_E06000017_2022-10.xlsx", partly)
    assert values["headline_count"] == f"{kpi.current:,}" and values["headline_change"] == SUPPRESSED
    assert values["headline_band"] == kpi.band and values["headline"].endswith(f"previous 12 months: {SUPPRESSED}.")
