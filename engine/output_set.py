"""A build's files as one set: staged together, put in place together, under a lock on the output folder.

A partner's workbook and its data-quality CSV, and the workbooks of every partner built together,
belong together: a reader must never find this month's workbook beside last month's CSV, or three
new workbooks beside six old ones. So a build

1. takes an OS lock on ``<out>/.saferbook-output.lock`` (``filelock``: it vanishes with the process,
   even after ``kill -9``); a second build into the same folder is refused at once;
2. writes every file into a staging folder inside the output folder (same file system, so the
   final moves are renames), each flushed to disk;
3. renames the staging folder to a *commit* folder — the moment the new set is decided — then moves
   each file into place and removes the empty commit folder.

A failure or a kill before step 3 leaves the previous set exactly as it was (the next build deletes
the abandoned staging folder). A kill during step 3, a few renames long, leaves a commit folder that
the next build, or the next attempt to take the lock, finishes before anything else: the folder
then holds the whole new set. Nothing here knows what the files contain.

Every file-system failure (a read-only folder, a full disk, a name that is a folder) becomes one
:class:`OutputError` naming the file, so the CLI prints one line and exits 2.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import filelock

from engine.atomic import UMASK, fsync_directory
from engine.errors import Problem, SaferbookError

LOCK_NAME = ".saferbook-output.lock"
STAGING_PREFIX = ".saferbook-staging-"
COMMIT_PREFIX = ".saferbook-commit-"


class OutputError(SaferbookError):
    """The output folder cannot take the files (permissions, space, another build); nothing was changed."""


def _reason(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "the disk is full (or the file is over a size limit)"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (is the folder read-only?)"
    if error.errno == errno.EISDIR:
        return "a folder of that name is in the way"
    return error.strerror or type(error).__name__


def output_error(path: Path, error: OSError, doing: str = "cannot write") -> OutputError:
    return OutputError(Problem(f"{doing}: {_reason(error)}; the previous files are unchanged", file=str(path)))


def _finish_commit(folder: Path, out_dir: Path) -> None:
    """Move what a commit folder still holds into place (rolls an interrupted commit forward)."""
    for staged in sorted(folder.iterdir()):
        os.replace(staged, out_dir / staged.name)
    fsync_directory(out_dir)
    folder.rmdir()


class OutputSet:
    """Use as ``with OutputSet(out) as files: files.add(name, data) …; files.commit()``.

    Leaving the block without :meth:`commit` (an error, Ctrl-C) discards the staged files.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self._lock: filelock.BaseFileLock | None = None
        self._staging: Path | None = None
        self._names: dict[str, str] = {}  # casefolded name -> name: names that differ only in case collide on Windows/macOS
        self.committed = False

    def __enter__(self) -> "OutputSet":
        out = self.out_dir
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise output_error(out, error, "cannot create the output folder") from None
        if not os.access(out, os.W_OK):
            raise output_error(out, PermissionError(errno.EACCES, "read-only"), "cannot write into the output folder")
        self._lock = filelock.FileLock(str(out / LOCK_NAME), timeout=0)
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise OutputError(Problem("another saferbook build is writing to this folder; this build wrote nothing. "
                                      "Wait for it to finish, or build into another folder with --out",
                                      file=str(out))) from None
        except OSError as error:
            raise output_error(out, error, "cannot write into the output folder") from None
        try:
            self._recover()
            self._staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as error:
            self._release()
            raise output_error(out, error, "cannot write into the output folder") from None
        except BaseException:
            self._release()
            raise
        return self

    def _recover(self) -> None:
        """Finish a commit a killed build began; delete staging folders killed builds abandoned (we hold the lock)."""
        for folder in sorted(self.out_dir.glob(COMMIT_PREFIX + "*")):
            _finish_commit(folder, self.out_dir)
        for folder in self.out_dir.glob(STAGING_PREFIX + "*"):
            shutil.rmtree(folder, ignore_errors=True)

    def add(self, name: str, data: bytes) -> Path:
        """Stage ``data`` as ``name``; return the path it will have once committed."""
        assert self._staging is not None, "use OutputSet in a with block"
        final = self.out_dir / name
        if Path(name).name != name or name.startswith("."):
            raise OutputError(Problem("not a plain file name", file=str(final)))
        other = self._names.get(name.casefold())
        if other is not None:
            also = "" if other == name else f" on Windows and macOS (also {other!r})"
            raise OutputError(Problem(f"two outputs of this build would have this file name{also}; nothing was written",
                                      file=str(final)))
        self._names[name.casefold()] = name
        if final.is_dir():
            raise output_error(final, IsADirectoryError(errno.EISDIR, "is a folder"))
        staged = self._staging / name
        try:
            with staged.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(staged, 0o666 & ~UMASK)
        except OSError as error:
            raise output_error(final, error) from None
        return final

    def commit(self) -> None:
        """Put every staged file in place together (see the module docstring for a kill part-way)."""
        assert self._staging is not None and not self.committed
        fsync_directory(self._staging)
        commit = self.out_dir / (COMMIT_PREFIX + self._staging.name.removeprefix(STAGING_PREFIX))
        try:
            os.rename(self._staging, commit)
        except OSError as error:
            raise output_error(self.out_dir, error) from None
        self._staging = None
        _finish_commit(commit, self.out_dir)
        self.committed = True

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if self._staging is not None:
                shutil.rmtree(self._staging, ignore_errors=True)
                self._staging = None
        finally:
            self._release()
