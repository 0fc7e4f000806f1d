"""The run ledger (SQLite, stdlib): every run, every workbook's checksum, every send.

A send is one workbook to one recipient, keyed on (partner code, period, checksum, recipient): the
partner area's code, not its name, is its identity (two areas whose names clean to the same
letters are still two partners; a renamed area is still the same one). Its
status moves ``pending`` → ``sending`` (committed just before the SMTP DATA command) → ``sent``
(after the server's 250 reply) or ``failed``. A row still ``sending`` when the next run starts
belongs to a run that was killed while the server may or may not have taken the message: it
becomes ``in_doubt`` and is never resent automatically (``--force`` resends it). A row still
``pending`` never reached DATA, so nothing was delivered and it is simply sent again.

Only one run writes at a time (see :mod:`engine.deliver.lock`); WAL lets ``saferbook history``
read while a run writes, and ``synchronous=FULL`` makes each status change durable before the
next network step.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from engine.errors import DeliveryError, Problem

SCHEMA_VERSION = 2  # 2: sends.partner and workbooks.partner (the partner area's code)
BUSY_TIMEOUT_SECONDS = 2  # another program holding the ledger: say so at once rather than wait
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id         INTEGER PRIMARY KEY,
    started    TEXT NOT NULL,
    finished   TEXT,
    pipeline   TEXT NOT NULL,
    mode       TEXT NOT NULL,               -- send | dry-run
    forced     INTEGER NOT NULL DEFAULT 0,
    only_areas TEXT,
    status     TEXT NOT NULL,               -- running | ok | failed | interrupted
    host       TEXT,
    pid        INTEGER,
    note       TEXT
);
CREATE TABLE IF NOT EXISTS workbooks (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES runs(id),
    area      TEXT NOT NULL,
    partner   TEXT,                         -- the partner area's code (schema 2)
    period    TEXT NOT NULL,
    path      TEXT,
    checksum  TEXT,                         -- sha256 of the file's bytes
    bytes     INTEGER,
    status    TEXT NOT NULL,                -- built | failed
    error     TEXT,
    built_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sends (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    workbook_id INTEGER REFERENCES workbooks(id),
    area        TEXT NOT NULL,
    partner     TEXT,                       -- the partner area's code (schema 2)
    period      TEXT NOT NULL,
    checksum    TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    message_id  TEXT,
    status      TEXT NOT NULL,              -- pending | sending | sent | failed | in_doubt | dry_run
    attempts    INTEGER NOT NULL DEFAULT 0,
    reply       TEXT,                       -- the server's last reply, or why it failed
    forced      INTEGER NOT NULL DEFAULT 0,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sends_key ON sends (area, period, checksum, recipient);
CREATE INDEX IF NOT EXISTS sends_partner_key ON sends (partner, period, checksum, recipient);
CREATE INDEX IF NOT EXISTS sends_run ON sends (run_id);
CREATE INDEX IF NOT EXISTS workbooks_run ON workbooks (run_id);
"""


REQUIRED_COLUMNS = {
    "runs": {"id", "started", "finished", "pipeline", "mode", "forced", "only_areas", "status", "host", "pid", "note"},
    "workbooks": {"id", "run_id", "area", "partner", "period", "path", "checksum", "bytes", "status", "error", "built_at"},
    "sends": {"id", "run_id", "workbook_id", "area", "partner", "period", "checksum", "recipient", "message_id", "status",
              "attempts", "reply", "forced", "created", "updated"},
}


def _ledger_error(path: Path, error: BaseException) -> DeliveryError:
    """One line for the operator: what is wrong with the ledger file and what to do."""
    text = str(error)
    if "locked" in text or "busy" in text:
        message = (f"the run ledger is locked by another program (waited {BUSY_TIMEOUT_SECONDS} s); close it "
                   "(e.g. a database browser) and run again")
    elif isinstance(error, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text
                                                       or "disk image" in text):
        message = ("the run ledger is damaged or not a ledger (" + text + "); move it away to start a new one, "
                   "or restore it from a backup (it records what was sent)")
    elif isinstance(error, OSError):
        message = f"cannot open the run ledger: {error.strerror or error}"
    else:
        message = f"cannot use the run ledger: {text}"
    return DeliveryError(Problem(message, file=str(path)))


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SendKey:
    """What "the same send" means: this partner's workbook version to this person (``area`` is shown, ``partner``,
    the code, is the key)."""

    area: str
    period: str
    checksum: str
    recipient: str
    partner: str = ""


class Ledger:
    """A connection to the ledger file; use as a context manager."""

    def __init__(self, path: Path):
        """Open (or create) the ledger; raise :class:`DeliveryError` naming the file when it cannot be used."""
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit: each change is durable; a short busy timeout: a ledger held by another program is reported
            self.db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise _ledger_error(path, error) from None
        try:
            self._open()
        except (OSError, sqlite3.Error) as error:
            self.db.close()
            raise _ledger_error(path, error) from None
        except DeliveryError:
            self.db.close()
            raise

    def _open(self) -> None:
        self.db.row_factory = sqlite3.Row
        version = self.db.execute("PRAGMA user_version").fetchone()[0]  # reads: a damaged file fails here, unchanged
        if version > SCHEMA_VERSION:
            raise DeliveryError(Problem(f"written by a newer Saferbook (ledger schema {version}); use that version",
                                        file=str(self.path)))
        self._check_tables()  # before anything is written: a file that is not a ledger is left as found
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        if version == 1:
            for table in ("sends", "workbooks"):
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN partner TEXT")
        self.db.executescript(SCHEMA)
        self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _check_tables(self) -> None:
        """Refuse a database whose tables are not (an earlier version of) the ledger's."""
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = [f"{table}.{column}" for table, columns in REQUIRED_COLUMNS.items() if table in tables
                   for column in sorted(columns - {"partner"} - {row[1] for row in
                                                                 self.db.execute(f"PRAGMA table_info({table})")})]
        if tables and not tables & set(REQUIRED_COLUMNS):
            missing.append("runs")
        if missing:
            raise DeliveryError(Problem(f"not a Saferbook run ledger (no {', '.join(missing[:3])}); point the pipeline's "
                                        "ledger: at another file, or move this one away", file=str(self.path)))

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # --- runs ---------------------------------------------------------------------------------

    def recover(self) -> int:
        """Settle what killed runs left behind (call holding the run lock); return how many sends are now in doubt."""
        stamp = now()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("UPDATE runs SET status='interrupted', finished=? WHERE status='running'", (stamp,))
            self.db.execute("UPDATE sends SET status='failed', updated=?, reply='the run stopped before sending this' "
                            "WHERE status='pending'", (stamp,))
            doubtful = self.db.execute(
                "UPDATE sends SET status='in_doubt', updated=?, reply='the run stopped while the server was receiving "
                "this message: it may have been delivered' WHERE status='sending'", (stamp,)).rowcount
        return doubtful

    def start_run(self, pipeline: Path, mode: str, forced: bool, only: Sequence[str] | None) -> int:
        cursor = self.db.execute(
            "INSERT INTO runs (started, pipeline, mode, forced, only_areas, status, host, pid) "
            "VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
            (now(), str(pipeline), mode, int(forced), ", ".join(only) if only else None, socket.gethostname(), os.getpid()))
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int, status: str, note: str | None = None) -> None:
        self.db.execute("UPDATE runs SET finished=?, status=?, note=? WHERE id=?", (now(), status, note, run_id))

    # --- workbooks ----------------------------------------------------------------------------

    def record_workbook(self, run_id: int, area: str, period: str, path: Path | None, checksum: str | None,
                        size: int | None, error: str | None = None, partner: str = "") -> int:
        cursor = self.db.execute(
            "INSERT INTO workbooks (run_id, area, partner, period, path, checksum, bytes, status, error, built_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, area, partner or None, period, str(path) if path else None, checksum, size,
             "failed" if error else "built", error, now()))
        return int(cursor.lastrowid)

    # --- sends --------------------------------------------------------------------------------

    def prior_state(self, key: SendKey) -> str | None:
        """``sent`` if this workbook already reached this recipient, ``in_doubt`` if it may have, else None."""
        # by the partner's code; rows of a schema-1 ledger have none and match by the area's name
        statuses = {row[0] for row in self.db.execute(
            "SELECT DISTINCT status FROM sends WHERE period=? AND checksum=? AND recipient=? "
            "AND (partner=? OR (partner IS NULL AND area=?))",
            (key.period, key.checksum, key.recipient, key.partner, key.area))}
        if "sent" in statuses:
            return "sent"
        if statuses & {"in_doubt", "sending"}:
            return "in_doubt"
        return None

    def open_sends(self, run_id: int, workbook_id: int, keys: Iterable[SendKey], message_id: str,
                   forced: bool, status: str = "pending", reply: str | None = None) -> dict[str, int]:
        """One row per recipient, in one transaction; return recipient -> row id."""
        stamp = now()
        ids = {}
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for key in keys:
                cursor = self.db.execute(
                    "INSERT INTO sends (run_id, workbook_id, area, partner, period, checksum, recipient, message_id, "
                    "status, reply, forced, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (run_id, workbook_id, key.area, key.partner or None, key.period, key.checksum, key.recipient, message_id, status,
                     reply, int(forced), stamp, stamp))
                ids[key.recipient] = int(cursor.lastrowid)
        return ids

    def mark(self, send_ids: Iterable[int], status: str, attempts: int | None = None, reply: str | None = None) -> None:
        """Set the status (and attempts, reply) of several sends at once, durably."""
        ids = list(send_ids)
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        self.db.execute(
            f"UPDATE sends SET status=?, attempts=COALESCE(?, attempts), reply=COALESCE(?, reply), updated=? "
            f"WHERE id IN ({marks})", (status, attempts, reply, now(), *ids))

    # --- reading (history) --------------------------------------------------------------------

    def runs(self, limit: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()

    def sends(self, run_ids: Sequence[int], area: str | None = None) -> list[sqlite3.Row]:
        return self._rows_of_runs("sends", run_ids, area)

    def workbooks(self, run_ids: Sequence[int], area: str | None = None) -> list[sqlite3.Row]:
        return self._rows_of_runs("workbooks", run_ids, area)

    def _rows_of_runs(self, table: str, run_ids: Sequence[int], area: str | None) -> list[sqlite3.Row]:
        assert table in ("sends", "workbooks")
        marks = ",".join("?" * len(run_ids)) or "NULL"
        query = f"SELECT * FROM {table} WHERE run_id IN ({marks})"
        args: list[object] = list(run_ids)
        if area:
            query += " AND area = ? COLLATE NOCASE"
            args.append(area)
        return self.db.execute(query + " ORDER BY id", args).fetchall()
