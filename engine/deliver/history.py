"""``saferbook history``: the ledger's recent runs and, for each, its workbooks and sends."""
from __future__ import annotations

import collections
from pathlib import Path

from rich.table import Table
from rich.text import Text

from engine.deliver.ledger import Ledger
from engine.deliver.pipeline import load_pipeline
from engine.deliver.summary import report_console
from engine.errors import DeliveryError


def _short_time(stamp: str | None) -> str:
    return (stamp or "").replace("T", " ").removesuffix("+00:00")


def history_tables(pipeline_path: str | Path, runs: int = 10, area: str | None = None) -> list[Table]:
    """The runs table and the sends table of the last ``runs`` runs (optionally one area's)."""
    pipeline_file = load_pipeline(pipeline_path)
    if not pipeline_file.ledger_path.is_file():
        raise DeliveryError(f"no ledger yet at {pipeline_file.ledger_path}: this pipeline has not run")
    with Ledger(pipeline_file.ledger_path) as ledger:
        run_rows = ledger.runs(runs)
        ids = [row["id"] for row in run_rows]
        sends = ledger.sends(ids, area)
        workbooks = ledger.workbooks(ids, area)

    per_run = collections.defaultdict(collections.Counter)
    for send in sends:
        per_run[send["run_id"]][send["status"]] += 1
    built = collections.Counter(w["run_id"] for w in workbooks if w["status"] == "built")
    failed_builds = collections.Counter(w["run_id"] for w in workbooks if w["status"] != "built")

    runs_table = Table(title=f"Runs (latest {len(run_rows)}), ledger {pipeline_file.ledger_path}", title_justify="left")
    for column in ("Run", "Started (UTC)", "Finished", "Mode", "Status", "Built", "Sent", "Failed", "In doubt", "Note"):
        runs_table.add_column(column, overflow="fold")
    for row in run_rows:
        count = per_run[row["id"]]
        mode = row["mode"] + (" --force" if row["forced"] else "") + (f" --only {row['only_areas']}" if row["only_areas"] else "")
        runs_table.add_row(str(row["id"]), _short_time(row["started"]), _short_time(row["finished"]), Text(mode),
                           row["status"], f"{built[row['id']]}" + (f" ({failed_builds[row['id']]} failed)" if failed_builds[row["id"]] else ""),
                           str(count["sent"]), str(count["failed"]), str(count["in_doubt"]), Text(row["note"] or ""))

    sends_table = Table(title="Sends" + (f" for {area}" if area else ""), title_justify="left")
    for column in ("Run", "Time (UTC)", "Area", "Period", "Recipient", "Status", "Attempts", "Workbook sha256", "Server reply"):
        sends_table.add_column(column, overflow="fold")
    for send in sends:
        sends_table.add_row(str(send["run_id"]), _short_time(send["updated"]), Text(send["area"]), send["period"],
                            Text(send["recipient"]), send["status"] + (" (forced)" if send["forced"] else ""),
                            str(send["attempts"]), send["checksum"][:12], Text(send["reply"] or ""))
    return [runs_table, sends_table]


def print_history(pipeline_path: str | Path, runs: int = 10, area: str | None = None) -> None:
    console = report_console()
    for table in history_tables(pipeline_path, runs, area):
        console.print(table)
