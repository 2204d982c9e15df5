"""Write a model file atomically without destroying what is at the path.

:func:`write_atomically` resolves the destination (a symbolic link is
followed to the file it names, and the link is kept), refuses anything but
a regular file or a new path in an existing directory, removes temporary
files that a killed save left next to it, writes the archive to a new
temporary file in the same directory, ``fsync``-s it and moves it over the
destination with :func:`os.replace` (or links it in place when
``overwrite=False``, so an existing file is never replaced), then
``fsync``-s the directory.

A writer holds an exclusive ``flock`` on its temporary file until the file
is moved into place; a leftover temporary file whose lock can be taken (its
writer is gone) and that is older than :data:`STALE_SECONDS` is deleted by
the next save to the same path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
import zipfile
from pathlib import Path
from typing import IO

from seqpred.data._untrusted import kind_of
from seqpred.exceptions import ModelFileError
from seqpred.io._format import FIXED_TIME

try:  # POSIX; elsewhere stale temporary files are removed by age alone
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

STALE_SECONDS = 2.0
"""Age after which an unlocked temporary file of a save counts as left over."""

_TEMP_TAIL = re.compile(r"^[a-z0-9_]{8}\.tmp$")  # tempfile.mkstemp's names


def destination(target: Path) -> Path:
    """Return the file a save to ``target`` writes: symbolic links are followed.

    Raises
    ------
    ModelFileError
        If ``target`` is, or a link leads to, anything but a regular file
        or a new path in an existing directory.
    """
    final = Path(os.path.realpath(target))
    shown = str(target) if final == target.absolute() else f"{target} (-> {final})"
    try:
        mode = os.lstat(final).st_mode
    except (FileNotFoundError, NotADirectoryError):  # the directory check says why
        mode = None
    except OSError as exc:
        raise ModelFileError(
            f"io.save: cannot inspect {shown!r} ({exc.strerror}); choose another path."
        ) from None
    if mode is not None and not stat.S_ISREG(mode):
        hint = (
            f" such as {str(target / 'model.seqpred')!r}" if stat.S_ISDIR(mode) else ""
        )
        raise ModelFileError(
            f"io.save: {shown!r} is {kind_of(mode)}, not a regular file; a save "
            f"would replace it. Give a file path{hint}."
        )
    _check_directory(final.parent, shown)
    return final


def _check_directory(directory: Path, shown: str) -> None:
    try:
        mode = os.stat(directory).st_mode
    except FileNotFoundError:
        raise ModelFileError(
            f"io.save: directory {str(directory)!r} does not exist (saving "
            f"{shown!r}); create it first (mkdir -p {str(directory)!r})."
        ) from None
    except OSError as exc:
        raise ModelFileError(
            f"io.save: cannot use directory {str(directory)!r} ({exc.strerror}); "
            "choose a writable directory."
        ) from None
    if not stat.S_ISDIR(mode):
        raise ModelFileError(
            f"io.save: {str(directory)!r} is {kind_of(mode)}, not a directory; "
            "choose a path inside a directory."
        )


def unwritable_reason(directory: Path, exc: OSError) -> str:
    """Say why no file can be created in the existing ``directory``."""
    if exc.errno == errno.EROFS:
        return "it is on a read-only file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return (
            "it does not accept new files (a virtual file system such as /proc "
            "or /sys?)"
        )
    return exc.strerror or str(exc)


def check_destination(target: Path, *, overwrite: bool) -> Path:
    """Check a save to ``target`` can succeed, writing nothing; return its file.

    The directory is probed by creating and deleting a temporary file, the
    only test that is right for read-only mounts, ACLs and virtual file
    systems such as ``/proc``.
    """
    final = destination(target)
    _refuse_existing(final, target, overwrite)
    fd, tmp_name = _temporary(final)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)
    return final


def _refuse_existing(final: Path, target: Path, overwrite: bool) -> None:
    if not overwrite and os.path.lexists(final):
        raise ModelFileError(
            f"io.save: {str(target)!r} exists; pass overwrite=True to replace it."
        )


def _temporary(final: Path) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(
            prefix=f".{final.name}.", suffix=".tmp", dir=final.parent
        )
    except OSError as exc:
        raise ModelFileError(
            f"io.save: cannot create a file in {str(final.parent)!r}: "
            f"{unwritable_reason(final.parent, exc)}. Choose a writable directory."
        ) from None


def write_atomically(
    target: Path, members: dict[str, bytes], *, overwrite: bool = True
) -> Path:
    """Write ``members`` as a zip archive to ``target``; return the file written."""
    final = destination(target)
    _refuse_existing(final, target, overwrite)
    remove_stale_temporaries(final)
    fd, tmp_name = _temporary(final)
    handle = os.fdopen(fd, "wb")
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        write_zip(handle, members)
        handle.flush()
        os.fsync(fd)
        os.fchmod(fd, file_mode(final))
        _move_into_place(tmp_name, final, target, overwrite)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    finally:
        handle.close()  # after the move: the lock guards the temporary file
    _sync_directory(final.parent)
    return final


def _move_into_place(tmp_name: str, final: Path, target: Path, overwrite: bool) -> None:
    if not overwrite:
        try:
            os.link(tmp_name, final)  # fails if anything appeared at the path
        except FileExistsError:
            raise ModelFileError(
                f"io.save: {str(target)!r} exists; pass overwrite=True to replace it."
            ) from None
        except OSError:  # a file system without hard links: check, then rename
            _refuse_existing(final, target, overwrite)
            os.replace(tmp_name, final)
            return
        os.unlink(tmp_name)
        return
    with contextlib.suppress(FileNotFoundError):
        mode = os.lstat(final).st_mode
        if not stat.S_ISREG(mode):  # appeared since destination() looked
            raise ModelFileError(
                f"io.save: {str(target)!r} became {kind_of(mode)} while saving; "
                "nothing was replaced. Give a file path."
            )
    os.replace(tmp_name, final)


def write_zip(handle: IO[bytes], members: dict[str, bytes]) -> None:
    """Write ``members`` as a deflated zip with fixed member times."""
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def file_mode(target: Path) -> int:
    """Keep the mode of a file being replaced; else the usual ``rw-r--r--``."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        return 0o644


def _sync_directory(directory: Path) -> None:
    """Make the rename durable; some platforms cannot open a directory."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_stale_temporaries(final: Path) -> list[Path]:
    """Delete temporary files an interrupted save to ``final`` left; return them.

    Only files named like this module's temporary files for ``final``
    (``.NAME.XXXXXXXX.tmp``), owned by this user, older than
    :data:`STALE_SECONDS` and not locked by a running save are deleted.
    """
    prefix = f".{final.name}."
    removed: list[Path] = []
    try:
        entries = list(os.scandir(final.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix) or not _TEMP_TAIL.match(name[len(prefix) :]):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if (
                stat.S_ISREG(info.st_mode)
                and info.st_uid == _uid(info.st_uid)
                and now - info.st_mtime > STALE_SECONDS
                and _unlocked_unlink(Path(entry.path))
            ):
                removed.append(Path(entry.path))
    return removed


def _uid(default: int) -> int:
    return os.getuid() if hasattr(os, "getuid") else default


def _unlocked_unlink(path: Path) -> bool:
    """Delete ``path`` if no running save holds its lock."""
    if fcntl is None:  # pragma: no cover
        path.unlink()
        return True
    fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        path.unlink()
        return True
    finally:
        os.close(fd)
