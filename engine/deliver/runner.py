"""``saferbook run``: build every partner's workbook, then send each to its own recipients, once.

Order of a run: validate the pipeline (bad input: nothing happens) → take the run lock (another
run: nothing happens) → settle what a killed run left in the ledger → prepare the Reports once →
build the workbooks in parallel → for each partner, send its workbook to the recipients that
have not had this exact workbook (same area, period and checksum) → record everything.

Exactly once: a send is recorded ``sending`` before the SMTP DATA command and ``sent`` after the
server's 250. A send found ``sending`` by the next run (the run was killed while the server was
receiving the message) is *in doubt*: it is reported, not resent; ``--force`` resends it once an
operator has checked. This errs towards a missing e-mail, which the morning summary shows,
rather than a duplicate, which cannot be recalled.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Callable, Mapping, Sequence

from engine.deliver.build import Built, build_all, prepare_partners
from engine.deliver.credentials import smtp_secret
from engine.deliver.ledger import Ledger, SendKey
from engine.deliver.lock import run_lock
from engine.deliver.message import as_bytes, compose, message_id, oversize, write_eml
from engine.deliver.pipeline import Partner, PipelineFile, load_pipeline
from engine.deliver.smtp import SmtpSender
from engine.deliver.templates import fill, headline_kpi, template_values
from engine.suggest import did_you_mean

OK_STATES = {"sent", "already sent", "dry run"}


@dataclass(frozen=True)
class RunOptions:
    dry_run: bool = False
    only: Sequence[str] | None = None
    force: bool = False


@dataclass
class PartnerResult:
    """What happened to one partner: its workbook and each recipient's state."""

    area: str
    workbook: str | None = None
    recipients: dict[str, str] = field(default_factory=dict)  # address -> sent | already sent | failed | in doubt | dry run
    detail: str = ""
    build_failed: bool = False

    @property
    def status(self) -> str:
        if self.build_failed:
            return "build failed"
        states = set(self.recipients.values())
        for worst in ("failed", "in doubt"):
            if worst in states:
                return worst
        if "dry run" in states:
            return "dry run"
        return "sent" if "sent" in states else "already sent"

    @property
    def ok(self) -> bool:
        return self.status in OK_STATES


@dataclass
class RunResult:
    run_id: int
    pipeline: Path
    partners: list[PartnerResult]
    warnings: list[str]
    ledger: Path
    outbox: Path | None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.partners)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


class _LedgerHooks:
    """Keeps the ledger one step ahead of the SMTP conversation."""

    def __init__(self, ledger: Ledger, send_ids: dict[str, int]):
        self.ledger = ledger
        self.send_ids = send_ids

    def before_data(self, recipients: Sequence[str], attempt: int) -> None:
        self.ledger.mark([self.send_ids[r] for r in recipients], "sending", attempts=attempt)

    def data_not_sent(self, recipients: Sequence[str], attempt: int, reason: str) -> None:
        self.ledger.mark([self.send_ids[r] for r in recipients], "pending", attempts=attempt, reply=reason)


def _select(pipeline_file: PipelineFile, only: Sequence[str] | None) -> list[Partner]:
    partners = pipeline_file.pipeline.partners
    if not only:
        return list(partners)
    by_name = {p.area.casefold(): p for p in partners}
    unknown = [("--only", f"no partner {name!r} in this pipeline{did_you_mean(name, [p.area for p in partners])}")
               for name in only if name.casefold() not in by_name]
    if unknown:
        raise pipeline_file.problems(unknown)
    return [by_name[name.casefold()] for name in dict.fromkeys(only)]


def run_pipeline(path: str | Path, options: RunOptions = RunOptions(), *, environ: Mapping[str, str] | None = None,
                 echo: Callable[[str], None] = lambda line: None, sleep: Callable[[float], None] = time.sleep) -> RunResult:
    """Run a pipeline file; raise SaferbookError for bad input, RunLocked when another run holds the lock."""
    started = time.perf_counter()
    pipeline_file = load_pipeline(path)
    partners = _select(pipeline_file, options.only)
    smtp = pipeline_file.pipeline.smtp
    password = None if options.dry_run else smtp_secret(smtp, environ)
    with run_lock(pipeline_file.lock_path), Ledger(pipeline_file.ledger_path) as ledger:
        warnings = []
        if smtp.sends_credentials_in_clear and not options.dry_run:
            warnings.append(f"INSECURE: the SMTP {smtp.secret_name} crosses the network unencrypted to {smtp.host} "
                            "(insecure_plaintext_auth_to_trusted_relay: true)")
        doubtful = ledger.recover()
        if doubtful:
            warnings.append(f"an earlier run was stopped while sending: {doubtful} send(s) are now in doubt")
        run_id = ledger.start_run(pipeline_file.path.resolve(), "dry-run" if options.dry_run else "send",
                                  options.force, options.only)
        try:
            run = _Run(pipeline_file, options, ledger, run_id, echo, warnings,
                       SmtpSender(pipeline_file.pipeline.smtp, password, sleep))
            results = run.all(partners)
        except BaseException as error:
            ledger.finish_run(run_id, "interrupted" if isinstance(error, KeyboardInterrupt) else "failed",
                              note=f"{type(error).__name__}: {error}"[:2000])
            raise
        result = RunResult(run_id, pipeline_file.path, results, warnings, pipeline_file.ledger_path,
                           pipeline_file.outbox_dir if options.dry_run else None, time.perf_counter() - started)
        ledger.finish_run(run_id, "ok" if result.ok else "failed",
                          note="; ".join(f"{p.area}: {p.status}" for p in results if not p.ok) or None)
    return result


@dataclass
class _Run:
    pipeline_file: PipelineFile
    options: RunOptions
    ledger: Ledger
    run_id: int
    echo: Callable[[str], None]
    warnings: list[str]
    sender: SmtpSender

    def all(self, partners: list[Partner]) -> list[PartnerResult]:
        pipeline = self.pipeline_file.pipeline
        prepared = prepare_partners(self.pipeline_file.spec_path, None, pipeline.period_end,
                                    pipeline.privacy.suppress_small_numbers, self.warnings.append, pipeline.workers)
        # a pipeline names a partner by its area's name or its code; the code is its identity from here on
        by_area = {r.partner_code.casefold(): r for r in prepared.reports if r.partner_code}
        by_area.update({r.partner_area.casefold(): r for r in prepared.reports})
        index = {p.area: i for i, p in enumerate(pipeline.partners)}
        problems = [(f"partners[{index[p.area]}].area",
                     f"the spec has no partner area {p.area!r}{did_you_mean(p.area, [r.partner_area for r in prepared.reports])}")
                    for p in partners if p.area.casefold() not in by_area]
        claimed: dict[str, str] = {}
        for p in partners:
            report = by_area.get(p.area.casefold())
            if report is not None and claimed.setdefault(report.partner_code, p.area) != p.area:
                problems.append((f"partners[{index[p.area]}].area",
                                 f"{p.area!r} and {claimed[report.partner_code]!r} are the same partner area "
                                 f"({report.partner_code})"))
        if pipeline.headline and not any(k.indicator_id == pipeline.headline for k in prepared.reports[0].kpis):
            problems.append(("headline", f"the spec has no indicator {pipeline.headline!r}"
                                         f"{did_you_mean(pipeline.headline, [k.indicator_id for k in prepared.reports[0].kpis])}"))
        if problems:
            raise self.pipeline_file.problems(problems)
        selected = dataclasses.replace(prepared, reports=[by_area[p.area.casefold()] for p in partners])
        built = build_all(selected, self.pipeline_file.output_dir, pipeline.workers,
                          pipeline.privacy.attach_record_level, on_done=self._echo_built,
                          pages="html" in pipeline.formats, scheduler=pipeline.scheduler)
        return [self.partner(partner, workbook) for partner, workbook in zip(partners, built)]

    def _echo_built(self, built: Built) -> None:
        self.echo(f"built {built.path.name} ({built.size / 1024:.0f} KB)" if built.path
                  else f"build failed: {built.area}: {built.error}")

    def partner(self, partner: Partner, built: Built) -> PartnerResult:
        report = built.report
        workbook_id = self.ledger.record_workbook(self.run_id, built.area, report.period_end, built.path,
                                                  built.checksum, built.size, built.error, report.partner_code)
        result = PartnerResult(built.area, built.path.name if built.path else None)
        if built.error or built.path is None or built.checksum is None:
            result.build_failed, result.detail = True, built.error or "no workbook"
            return result
        keys = {r: SendKey(built.area, report.period_end, built.checksum, r, report.partner_code) for r in partner.recipients}
        prior = {r: self.ledger.prior_state(key) for r, key in keys.items()}
        for recipient, state in prior.items():
            if state == "sent":
                result.recipients[recipient] = "already sent"
            elif state == "in_doubt":
                result.recipients[recipient] = "in doubt"
                result.detail = ("an earlier run stopped while sending this workbook: check with the recipient, "
                                 f"then resend with: saferbook run --force --only \"{built.area}\"")
        due = [r for r in partner.recipients if self.options.force or prior[r] is None]
        if not due:
            return result
        too_big = oversize(built.attachments, self.pipeline_file.pipeline.privacy.max_attachment_mb)
        if too_big:
            self.ledger.open_sends(self.run_id, workbook_id, [keys[r] for r in due], "", self.options.force, "failed",
                                   reply=too_big)
            return self._all(result, due, "failed", too_big)
        resend = any(prior[r] is not None for r in due)
        msg_id = message_id(self.pipeline_file.pipeline.sender, report.file_stem, built.checksum,
                            self.run_id if resend else None)
        message = self._message(partner, built, msg_id)
        if self.options.dry_run:
            eml = write_eml(self.pipeline_file.outbox_dir, report.file_stem, message)
            self.ledger.open_sends(self.run_id, workbook_id, [keys[r] for r in due], msg_id, self.options.force, "dry_run")
            self.echo(f"wrote {eml}")
            return self._all(result, due, "dry run", f"written to {eml}")
        send_ids = self.ledger.open_sends(self.run_id, workbook_id, [keys[r] for r in due], msg_id, self.options.force)
        outcomes = self.sender.send(self.pipeline_file.pipeline.sender, due, as_bytes(message),
                                    _LedgerHooks(self.ledger, send_ids))
        for recipient, outcome in outcomes.items():
            status = outcome.status.replace("_", " ")
            self.ledger.mark([send_ids[recipient]], outcome.status, attempts=outcome.attempts, reply=outcome.reply)
            result.recipients[recipient] = status
            self.echo(f"{status}: {built.area} → {recipient}: {outcome.reply}")
            if outcome.status != "sent":
                result.detail = outcome.reply
        return result

    def _message(self, partner: Partner, built: Built, msg_id: str) -> EmailMessage:
        """The partner's message: its templates filled from its own Report, its own attachments."""
        pipeline = self.pipeline_file.pipeline
        report = built.report
        assert built.path is not None and built.checksum is not None
        values = template_values(report, built.path.name, headline_kpi(report, pipeline.headline))
        return compose(
            sender=pipeline.sender, to=partner.to, cc=partner.cc, reply_to=pipeline.reply_to,
            subject=fill(partner.subject or pipeline.subject, values), body=fill(partner.body or pipeline.body, values),
            attachments=built.attachments, msg_id=msg_id,
            headers={"X-Saferbook-Area": built.area, "X-Saferbook-Period": report.period_end,
                     "X-Saferbook-Checksum": built.checksum})

    @staticmethod
    def _all(result: PartnerResult, recipients: Sequence[str], state: str, detail: str) -> PartnerResult:
        for recipient in recipients:
            result.recipients[recipient] = state
        result.detail = detail
        return result
