"""Session-wide fixtures.

The demo spec reads SYNTHETIC partner extracts that are generated, never committed: a clean
clone has none. Every test session makes sure they are there and current (the same call as
``saferbook demo``; regenerated only when the manifest's fingerprint is stale, under a lock).

``demo_build``, ``demo_command`` and ``dashboard_build`` are the demo's outputs made once for the whole
run: the tests run on two worker processes (pytest-xdist), and the files that only read them would
otherwise each build the demo (several seconds of CPU each) on whichever worker they land.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

# Two xdist workers share two cores: BLAS threads of their own only compete with the other worker (a rank test's
# SVD took ~1.5 s on a 216 x 336 matrix). Set before numpy loads here, and inherited by the workers and every
# command a test runs; a value already set stands.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import filelock  # noqa: E402
import pytest  # noqa: E402

from engine.cli import DEMO_DATA  # noqa: E402
from engine.ingest.disk_cache import OFF_VARIABLE  # noqa: E402
from engine.synthetic import MANIFEST_NAME, ensure_generated  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEMO_SPEC = REPO / "specs" / "community_safety.yaml"
DASHBOARD_SPEC = REPO / "specs" / "dashboard.yaml"
DEMO_HASH_SEED = "4242"  # demo_command's PYTHONHASHSEED


def pytest_configure(config: pytest.Config) -> None:
    """A test run never reads or writes the user's cache (map pictures, kept reads, Reports and workbooks): it gets
    one of its own, which its xdist workers and every command a test runs inherit, removed when the run ends."""
    if "PYTEST_XDIST_WORKER" in os.environ:  # a worker: the controller's cache is already in the environment
        return
    folder = tempfile.mkdtemp(prefix="saferbook-test-cache-")
    os.environ["XDG_CACHE_HOME"] = os.environ["LOCALAPPDATA"] = folder
    config.stash[_RUN_CACHE] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_RUN_CACHE, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_RUN_CACHE = pytest.StashKey[str]()


@pytest.fixture(scope="session", autouse=True)
def demo_partner_data() -> Path:
    ensure_generated(DEMO_DATA)
    return DEMO_DATA


def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """``make(folder)`` run by the first worker to ask, under a lock in the run's temporary folder (which the
    xdist workers share); every worker gets ``folder``. Callers must not change what is in it."""
    run = tmp_path_factory.getbasetemp()
    if run.name.startswith("popen-gw"):  # an xdist worker's folder: its parent is the run's
        run = run.parent
    folder, done = run / name, run / f"{name}.done"
    with filelock.FileLock(str(run / f"{name}.lock")):
        if not done.exists():
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, demo_partner_data: Path) -> Path:
    """The folder holding ``engine.api.build`` of the demo spec (every partner area, SOURCE_DATE_EPOCH unset)."""
    from engine.api import build

    def make(out: Path) -> None:
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("SOURCE_DATE_EPOCH", raising=False)  # the produced date is the build day
            build(DEMO_SPEC, out)

    return once_per_run(tmp_path_factory, "demo-build", make)


@pytest.fixture(scope="session")
def dashboard_build(tmp_path_factory: pytest.TempPathFactory, demo_partner_data: Path) -> Path:
    """The dashboard workbook: ``engine.api.build`` of specs/dashboard.yaml (SOURCE_DATE_EPOCH unset), made once for
    the files that read it; its data-quality CSV is beside it."""
    from engine.api import build

    def make(out: Path) -> None:
        with pytest.MonkeyPatch.context() as mp:
            mp.delenv("SOURCE_DATE_EPOCH", raising=False)  # the produced date is the build day
            build(DASHBOARD_SPEC, out)

    (path,) = once_per_run(tmp_path_factory, "dashboard-build", make).glob("*.xlsx")
    return path


PROTECTED_NOTES_SPEC = REPO / "tests" / "specs" / "protected_notes.yaml"


@pytest.fixture(scope="session")
def protected_build(tmp_path_factory: pytest.TempPathFactory, demo_partner_data: Path) -> Path:
    """Melton's workbook from tests/specs/protected_notes.yaml built with ``suppress=True`` (a second or two): the
    smallest protected build that writes every note a protected workbook carries; made once for the run."""
    from engine.api import build

    def make(out: Path) -> None:
        build(PROTECTED_NOTES_SPEC, out, areas=["Melton"], suppress=True)

    (path,) = once_per_run(tmp_path_factory, "protected-build", make).glob("*.xlsx")
    return path


def _office_books(demo_build: Path, dashboard_build: Path, areas: tuple[str, ...]) -> list[Path]:
    """The ``areas``' workbooks from the demo build, then the dashboard."""
    return [*(next(demo_build.glob(f"{area.replace(' ', '_')}_E*.xlsx")) for area in areas), dashboard_build]


def _office_run(tmp_path_factory: pytest.TempPathFactory, name: str, convert_to: str, books: list[Path],
                recalculate: bool = False) -> dict[str, Any]:
    """``soffice --convert-to`` of ``books`` in one LibreOffice run (it starts in seconds) made once for the run:
    ``out`` (the folder converted into), ``returncode``, ``stdout``, ``stderr``. ``recalculate``: a profile that
    recalculates every formula on load, and test_libreoffice's probe workbook (it reads 2 only if recalculated)
    converted first."""
    from test_libreoffice import RECALC_ALWAYS, _probe_workbook, require_tool, run_soffice

    soffice = require_tool("soffice", "libreoffice")

    def make(folder: Path) -> None:
        profile = folder / "lo_profile"
        (profile / "user").mkdir(parents=True)
        inputs = books
        if recalculate:
            (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
            _probe_workbook(folder / "probe.xlsx")
            inputs = [folder / "probe.xlsx", *books]
        result = run_soffice(soffice, profile, convert_to, folder / "out", *inputs)
        (folder / "run.json").write_text(json.dumps({"returncode": result.returncode, "stdout": result.stdout,
                                                     "stderr": result.stderr}), encoding="utf-8")

    folder = once_per_run(tmp_path_factory, name, make)
    return {"out": folder / "out", **json.loads((folder / "run.json").read_text(encoding="utf-8"))}


@pytest.fixture(scope="session")
def office_pdfs(tmp_path_factory: pytest.TempPathFactory, demo_build: Path, dashboard_build: Path,
                protected_build: Path) -> dict[str, Any]:
    """The workbooks the LibreOffice tests print (Rutland's: test_libreoffice.py; North West Leicestershire's and
    the protected build's: test_print_pages.py; the dashboard: both, and test_dashboard_render.py) printed to PDF by
    one LibreOffice run (``_office_run``): each PDF is ``out / <workbook stem>.pdf``."""
    books = _office_books(demo_build, dashboard_build, ("Rutland", "North West Leicestershire")) + [protected_build]
    return _office_run(tmp_path_factory, "office-pdfs", "pdf", books)


@pytest.fixture(scope="session")
def office_csvs(tmp_path_factory: pytest.TempPathFactory, demo_build: Path, dashboard_build: Path) -> dict[str, Any]:
    """Every sheet of Rutland's workbook (test_libreoffice.py) and of the dashboard (test_dashboard_render.py) as
    LibreOffice shows it after recalculating every formula on load, in one run (``_office_run``):
    ``out / <workbook stem>-<sheet>.csv``; the probe's sheet is ``out / probe-Probe.csv``."""
    from test_libreoffice import CSV_ALL_SHEETS

    books = _office_books(demo_build, dashboard_build, ("Rutland",))
    return _office_run(tmp_path_factory, "office-csvs", CSV_ALL_SHEETS, books, recalculate=True)


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory, demo_partner_data: Path) -> Path:
    """The add-in tests' demo project one month longer: its spec (``addin_support.make_project``), made once for
    the run; tests must not change it."""
    from addin_support import make_project

    return once_per_run(tmp_path_factory, "addin-project", make_project) / "specs" / "community_safety.yaml"


@pytest.fixture(scope="session")
def september(project: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Melton's workbook for the period to September 2022 from ``project``, as ``saferbook build`` writes it (made
    once for the run: ``addin_support.build_september``)."""
    from addin_support import build_september

    out = once_per_run(tmp_path_factory, "addin-september", lambda folder: build_september(project, folder))
    [workbook] = out.glob("*2022-09.xlsx")
    return workbook.read_bytes()


@pytest.fixture(scope="session")
def october_workbook(project: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Melton's workbook for the period to October 2022 from ``project`` (``addin_support.build_bytes``): what a
    refresh of ``september`` to October must show; made once for the run."""
    from addin_support import build_bytes

    def make(folder: Path) -> None:
        folder.mkdir()
        (folder / "october.xlsx").write_bytes(build_bytes(project, "2022-10"))

    return (once_per_run(tmp_path_factory, "addin-october", make) / "october.xlsx").read_bytes()


@pytest.fixture(scope="session")
def protected_months(tmp_path_factory: pytest.TempPathFactory, demo_partner_data: Path) -> Path:
    """The folder of ``addin_support.make_protected_project``: the protected-notes spec, data a month longer, and
    Melton's protected workbooks for 2022-09 and 2022-10 (``addin_support.protected_workbook``); made once for the
    run, not to be changed."""
    from addin_support import make_protected_project

    return once_per_run(tmp_path_factory, "protected-months", make_protected_project)


@pytest.fixture(scope="session")
def demo_command(tmp_path_factory: pytest.TempPathFactory, demo_partner_data: Path) -> dict[str, Any]:
    """``saferbook demo --out <folder> --quiet`` run once, as a user runs it (another process):
    ``out``, ``returncode``, ``stderr``, and the generated extracts' manifest's mtime before and after. Its str-hash
    seed is fixed (``hash_seed``) and it keeps nothing on disk nor takes anything kept, so that its workbooks,
    compared with ``demo_build``'s, are computed by a process with another seed (test_outputs.py)."""
    def make(folder: Path) -> None:
        folder.mkdir()
        manifest = DEMO_DATA / MANIFEST_NAME
        before = manifest.stat().st_mtime_ns
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        env.pop("COLUMNS", None)
        env.pop("SOURCE_DATE_EPOCH", None)  # the produced date is the build day, as demo_build's
        env["PYTHONHASHSEED"] = DEMO_HASH_SEED
        env[OFF_VARIABLE] = "1"  # every file read and every workbook computed: a second computation, never kept bytes
        result = subprocess.run([sys.executable, "-m", "engine.cli", "demo", "--out", str(folder / "out"), "--quiet"],
                                cwd=REPO, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600)
        (folder / "run.json").write_text(json.dumps({
            "returncode": result.returncode, "stderr": result.stderr, "hash_seed": DEMO_HASH_SEED,
            "manifest_before": before,
            "manifest_after": manifest.stat().st_mtime_ns}), encoding="utf-8")

    folder = once_per_run(tmp_path_factory, "demo-command", make)
    return {"out": folder / "out", **json.loads((folder / "run.json").read_text(encoding="utf-8"))}


#: The test files that take longest (one worker's seconds, slowest first: ``benchmarks/bench_suite.py`` lists
#: them). They are handed out first so that the two workers finish together: a long file handed out last runs
#: while the other worker has nothing left to do. The order changes only how long the run takes, never what it
#: tests. (A shared build, such as conftest's demo build, counts for the first file that asks for it.)
SLOWEST_FILES = (
    "test_addin_refresh", "test_suppression_build", "test_outputs", "test_area_groups", "test_ooxml_validation",
    "test_peer_groups", "test_synthetic", "test_workbook_structure", "test_cli", "test_dashboard_render",
    "test_measures", "test_published_tables", "test_addin_machine", "test_partner_level_sources", "test_addin_warm",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slowest files first (:data:`SLOWEST_FILES`), the rest after in their usual order; a file's own tests
    keep theirs."""
    rank = {name: position for position, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))
