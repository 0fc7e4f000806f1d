"""Hostile inputs and environment faults against ``saferbook build`` on the tiny fixture spec.

Each case starts from a folder holding an earlier good build, breaks one thing (a data file, the
spec, the output folder) and asserts what an operator must be able to rely on: exit status 2,
exactly one ``error:`` line and it names the file, no traceback, and the earlier outputs
byte-identical (nothing partial, nothing replaced).
"""
from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable

import pytest
import xlsxwriter

from engine.cli import main
from hostile_support import copy_fixture, snapshot

HERE = Path(__file__).resolve().parent
SPEC = "tiny.yaml"


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """The fixture copied and built once; each case copies this folder."""
    folder = tmp_path_factory.mktemp("good")
    copy_fixture(folder)
    assert main(["build", str(folder / SPEC), "--out", str(folder / "out"), "--quiet"]) == 0
    return folder


@pytest.fixture
def project(built_once, tmp_path) -> Path:
    shutil.copytree(built_once, tmp_path / "p")
    return tmp_path / "p"


def use_source(project: Path, name: str, kind: str = "table", extra: str = "") -> None:
    """Point the incidents source of the spec at ``name`` (relative to the spec)."""
    spec = project / SPEC
    text = spec.read_text(encoding="utf-8").replace("    type: csv\n    path: incidents.csv\n",
                                                    f"    type: {kind}\n    path: {name}\n{extra}", 1)
    spec.write_text(text, encoding="utf-8")


def incidents_xlsx(path: Path, far_cell: str | None = None) -> Path:
    """The fixture's incidents as a workbook (sheet 'Incidents'), optionally with one stray cell far away."""
    lines = (HERE / "fixture" / "incidents.csv").read_text(encoding="utf-8").splitlines()
    workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("Incidents")
    for r, line in enumerate(lines):
        for c, value in enumerate(line.split(",")):
            sheet.write_string(r, c, value)
    if far_cell:
        sheet.write_string(far_cell, "x")
    workbook.close()
    return path


def rezip(path: Path, change: Callable[[str, bytes], bytes]) -> None:
    """Rewrite every member of a zip through ``change(name, data)``."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info.filename, change(info.filename, data))


# --- the cases: each breaks one thing and returns the file the error must name ------------------------

def giant_range(p: Path) -> str:
    """40 KB on disk, cells at A1 and XFD1048576: calamine would allocate about 512 GB."""
    incidents_xlsx(p / "incidents.xlsx", far_cell="XFD1048576")
    use_source(p, "incidents.xlsx", "excel", "    sheet: Incidents\n")
    assert (p / "incidents.xlsx").stat().st_size < 40_000
    return "incidents.xlsx"


def giant_range_without_dimension(p: Path) -> str:
    """The same, with the sheet's <dimension> element removed: the cell references give it away."""
    incidents_xlsx(p / "incidents.xlsx", far_cell="XFD1048576")
    rezip(p / "incidents.xlsx", lambda name, data: re_sub(rb"<dimension[^>]*/>", b"", data)
          if name.endswith("sheet1.xml") else data)
    use_source(p, "incidents.xlsx", "excel", "    sheet: Incidents\n")
    return "incidents.xlsx"


def re_sub(pattern: bytes, replacement: bytes, data: bytes) -> bytes:
    import re
    return re.sub(pattern, replacement, data)


def lying_dimension(p: Path) -> str:
    """A sheet that declares A1:XFD1048576 as its dimension."""
    incidents_xlsx(p / "incidents.xlsx")
    rezip(p / "incidents.xlsx", lambda name, data: re_sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>',
                                                         data) if name.endswith("sheet1.xml") else data)
    use_source(p, "incidents.xlsx", "excel", "    sheet: Incidents\n")
    return "incidents.xlsx"


def understated_zip_bomb(p: Path) -> str:
    """A sheet part padded to inflate to 20 MB whose zip headers declare 1/100 of that."""
    path = incidents_xlsx(p / "incidents.xlsx")
    rezip(path, lambda name, data: data.replace(b"</worksheet>", b" " * 20_000_000 + b"</worksheet>")
          if name.endswith("sheet1.xml") else data)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    declared = (info.file_size // 100).to_bytes(4, "little")
    raw[info.header_offset + 22:info.header_offset + 26] = declared  # local header: uncompressed size
    position = raw.find(b"PK\x01\x02")
    while position >= 0:
        name_length = int.from_bytes(raw[position + 28:position + 30], "little")
        if raw[position + 46:position + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            raw[position + 24:position + 28] = declared  # central directory: uncompressed size
        position = raw.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(raw))
    use_source(p, "incidents.xlsx", "excel", "    sheet: Incidents\n")
    return "incidents.xlsx"


def truncated_xlsx(p: Path) -> str:
    data = incidents_xlsx(p / "incidents.xlsx").read_bytes()
    (p / "incidents.xlsx").write_bytes(data[: len(data) // 2])
    use_source(p, "incidents.xlsx", "excel", "    sheet: Incidents\n")
    return "incidents.xlsx"


def text_named_xlsx(p: Path) -> str:
    shutil.copy(p / "incidents.csv", p / "incidents.xlsx")
    use_source(p, "incidents.xlsx", "excel")
    return "incidents.xlsx"


def password_protected_xlsx(p: Path) -> str:
    (p / "incidents.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    use_source(p, "incidents.xlsx", "excel")
    return "incidents.xlsx"


def web_page_xlsx(p: Path) -> str:
    (p / "incidents.xlsx").write_text("<!DOCTYPE html><html><body>Sign in</body></html>", encoding="utf-8")
    use_source(p, "incidents.xlsx", "excel")
    return "incidents.xlsx"


def empty_xlsx(p: Path) -> str:
    (p / "incidents.xlsx").write_bytes(b"")
    use_source(p, "incidents.xlsx", "excel")
    return "incidents.xlsx"


def workbook_named_csv(p: Path) -> str:
    incidents_xlsx(p / "book.xlsx")
    shutil.move(p / "book.xlsx", p / "incidents2.csv")
    use_source(p, "incidents2.csv", "csv")
    return "incidents2.csv"


def gzip_bomb(p: Path) -> str:
    with gzip.open(p / "incidents.csv.gz", "wb", compresslevel=9) as handle:
        handle.write(b"Incident ID,Date,LSOA,Type\n")
        block = b" " * (1 << 20)
        for _ in range(200):
            handle.write(block)
    use_source(p, "incidents.csv.gz", "csv")
    return "incidents.csv.gz"


def truncated_gzip(p: Path) -> str:
    data = gzip.compress((p / "incidents.csv").read_bytes())
    (p / "incidents.csv.gz").write_bytes(data[: len(data) // 2])
    use_source(p, "incidents.csv.gz", "csv")
    return "incidents.csv.gz"


def missing_file(p: Path) -> str:
    use_source(p, "nowhere.csv", "csv")
    return "nowhere.csv"


def folder_not_file(p: Path) -> str:
    (p / "incidents_folder.csv").mkdir()
    use_source(p, "incidents_folder.csv", "csv")
    return "incidents_folder.csv"


def missing_column(p: Path) -> str:
    text = (p / "incidents.csv").read_text(encoding="utf-8").replace("LSOA", "Area", 1)
    (p / "incidents.csv").write_text(text, encoding="utf-8")
    return "incidents.csv"


def empty_csv(p: Path) -> str:
    (p / "incidents.csv").write_bytes(b"")
    return "incidents.csv"


def every_row_rejected(p: Path) -> str:
    lines = (p / "incidents.csv").read_text(encoding="utf-8").splitlines()
    (p / "incidents.csv").write_text("\n".join([lines[0]] + [line.replace("Primary fire", "Chimney fire")
                                                             .replace("Secondary fire", "Chimney fire")
                                                             for line in lines[1:]]) + "\n", encoding="utf-8")
    return "incidents.csv"


def lookup_not_a_table(p: Path) -> str:
    (p / "districts.csv").write_bytes(os.urandom(3000))
    return "districts.csv"


def source_outside_the_spec_folder(p: Path) -> str:
    use_source(p, "/etc/passwd", "csv")
    return "tiny.yaml"


def source_climbing_out(p: Path) -> str:
    use_source(p, "../../../../../../etc/hostname", "csv")
    return "tiny.yaml"


def spec_text(p: Path, text: str | bytes) -> str:
    spec = p / SPEC
    if isinstance(text, bytes):
        spec.write_bytes(text)
    else:
        spec.write_text(text, encoding="utf-8")
    return SPEC


def billion_laughs(p: Path) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 9)}]" for i in range(1, 9)]
    return spec_text(p, "\n".join(lines) + "\n")


def self_alias(p: Path) -> str:
    return spec_text(p, (p / SPEC).read_text(encoding="utf-8") + "loop: &t [*t]\n")


def binary_tag(p: Path) -> str:
    return spec_text(p, (p / SPEC).read_text(encoding="utf-8").replace("title: Tiny fixture", "title: !!binary aGVsbG8="))


def python_tag(p: Path) -> str:
    return spec_text(p, (p / SPEC).read_text(encoding="utf-8").replace("title: Tiny fixture",
                                                                      "title: !!python/object/apply:os.system [id]"))


def set_tag(p: Path) -> str:
    return spec_text(p, (p / SPEC).read_text(encoding="utf-8").replace("title: Tiny fixture", "title: !!set {a, b}"))


def deep_nesting(p: Path) -> str:
    return spec_text(p, "a: " + "[" * 5000 + "]" * 5000 + "\n")


def not_utf8(p: Path) -> str:
    return spec_text(p, (p / SPEC).read_bytes().replace(b"Tiny fixture", b"Tiny \xe9t\xe9"))


def empty_spec(p: Path) -> str:
    return spec_text(p, "")


def spec_is_a_list(p: Path) -> str:
    return spec_text(p, "- a\n- b\n")


DATA_CASES = [giant_range, giant_range_without_dimension, lying_dimension, understated_zip_bomb, truncated_xlsx,
              text_named_xlsx, password_protected_xlsx, web_page_xlsx, empty_xlsx, workbook_named_csv, gzip_bomb,
              truncated_gzip, missing_file, folder_not_file, missing_column, empty_csv, every_row_rejected,
              lookup_not_a_table, source_outside_the_spec_folder, source_climbing_out]
SPEC_CASES = [billion_laughs, self_alias, binary_tag, python_tag, set_tag, deep_nesting, not_utf8, empty_spec,
              spec_is_a_list]


def assert_refused(code: int, err: str, names: str, before: dict[str, str], out: Path) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert len(errors) == 1, err
    assert names in errors[0], err
    assert snapshot(out) == before  # the earlier outputs, byte for byte; nothing partial beside them


@pytest.mark.parametrize("case", DATA_CASES + SPEC_CASES, ids=lambda case: case.__name__)
def test_a_hostile_input_is_one_error_line_and_changes_nothing(project, case, capsys):
    before = snapshot(project / "out")
    names = case(project)
    capsys.readouterr()

    code = main(["build", str(project / SPEC), "--out", str(project / "out"), "--quiet"])

    assert_refused(code, capsys.readouterr().err, names, before, project / "out")


def test_the_giant_range_does_not_even_start_allocating(project):
    """In a separate process with a 2 GB address-space limit: refused before calamine allocates, not killed by it."""
    giant_range(project)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
    done = subprocess.run([sys.executable, "-c", limit + "from engine.cli import main; raise SystemExit(main())",
                           "build", str(project / SPEC), "--out", str(project / "out2"), "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "over the 50,000,000-cell limit" in done.stderr, done.stderr[-2000:]


# --- environment faults ---------------------------------------------------------------------------

def test_output_folder_is_a_file(project, capsys):
    (project / "out_file").write_text("not a folder", encoding="utf-8")
    code = main(["build", str(project / SPEC), "--out", str(project / "out_file"), "--quiet"])
    assert_refused(code, capsys.readouterr().err, "out_file", {}, project / "nothing")
    assert (project / "out_file").read_text(encoding="utf-8") == "not a folder"


def test_a_workbook_name_taken_by_a_folder(project, capsys):
    before = snapshot(project / "out")
    (project / "out" / "Gamma_E07000003_2022-10.xlsx").unlink()
    (project / "out" / "Gamma_E07000003_2022-10.xlsx").mkdir()
    before = snapshot(project / "out")
    code = main(["build", str(project / SPEC), "--out", str(project / "out"), "--quiet"])
    assert_refused(code, capsys.readouterr().err, "Gamma_E07000003_2022-10.xlsx", before, project / "out")


def test_another_build_holds_the_output_folder(project, capsys):
    import filelock

    before = snapshot(project / "out")
    holder = filelock.FileLock(str(project / "out" / ".saferbook-output.lock"))
    with holder:
        code = main(["build", str(project / SPEC), "--out", str(project / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert_refused(code, err, str(project / "out"), before, project / "out")
    assert "another saferbook build is writing to this folder" in err


def _mount_tmpfs(folder: Path, size: str, read_only: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")


@pytest.fixture
def small_disk(project):
    """The output folder on its own small file system (unmounted afterwards)."""
    mounts: list[Path] = []

    def make(size: str) -> Path:
        folder = project / f"disk{len(mounts)}"
        _mount_tmpfs(folder, size)
        mounts.append(folder)
        return folder

    yield make
    for folder in mounts:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk(project, small_disk, capsys):
    disk = small_disk("64k")  # the earlier set (about 90 KB of workbooks) would not fit, so start from a part of it
    out = disk / "out"
    out.mkdir()
    shutil.copy(project / "out" / "Alpha_E07000001_2022-10.xlsx", out)
    before = snapshot(out)
    code = main(["build", str(project / SPEC), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert_refused(code, err, str(out), before, out)
    assert "the disk is full" in err
    assert [p.name for p in out.iterdir() if p.name.startswith(".saferbook-staging")] == []  # staging cleaned up


def test_a_read_only_output_folder(project, small_disk, capsys):
    disk = small_disk("1m")
    shutil.copytree(project / "out", disk / "out")
    before = snapshot(disk / "out")
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    code = main(["build", str(project / SPEC), "--out", str(disk / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert_refused(code, err, str(disk / "out"), before, disk / "out")
    assert "read-only" in err
