"""Saving never destroys what is at the path (issue #15, items 2 and 7).

The old ``save`` replaced device nodes, FIFOs and symbolic links with
regular files, and ``seqpred fit c.txt -o c.txt`` overwrote the training
data; SIGKILL during a save left ``.NAME.*.tmp`` files behind for good.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from seqpred import io
from seqpred.cli import main
from seqpred.exceptions import ModelFileError
from seqpred.models.next_item import MarkovPredictor

TRAIN = [list("abcabcabd"), list("bcabca"), list("cabcab"), list("abdabd")]
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")


@pytest.fixture(scope="module")
def model():
    return MarkovPredictor(order=1).fit(TRAIN)


def _save_in_thread(model, path: Path, **options) -> BaseException | None:
    result: list[BaseException | None] = []

    def run() -> None:
        try:
            io.save(model, path, **options)
            result.append(None)
        except BaseException as exc:
            result.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert result, "io.save blocked"
    return result[0]


@needs_fifo
def test_fifo_is_not_replaced(tmp_path, model):
    fifo = tmp_path / "model.seqpred"
    os.mkfifo(fifo)
    error = _save_in_thread(model, fifo)
    assert isinstance(error, ModelFileError)
    assert "is a named pipe (FIFO), not a regular file" in str(error)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_device_node_is_not_replaced(tmp_path, model):
    node = tmp_path / "null"
    try:  # a private copy of /dev/null: never touch the real one
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("cannot create device nodes here")
    error = _save_in_thread(model, node)
    assert isinstance(error, ModelFileError)
    assert "is a character device, not a regular file" in str(error)
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_directory_is_not_replaced(tmp_path, model):
    with pytest.raises(ModelFileError, match="is a directory, not a regular file"):
        io.save(model, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_symlink_is_followed_and_kept(tmp_path, model):
    real = io.save(MarkovPredictor(order=2).fit(TRAIN), tmp_path / "real.seqpred")
    link = tmp_path / "link.seqpred"
    link.symlink_to(real.name)
    io.save(model, link)
    assert link.is_symlink() and os.readlink(link) == "real.seqpred"
    assert io.load(real).order == 1


def test_dangling_symlink_creates_its_target(tmp_path, model):
    link = tmp_path / "link.seqpred"
    link.symlink_to("made.seqpred")
    io.save(model, link)
    assert link.is_symlink() and io.load(tmp_path / "made.seqpred").order == 1


@needs_fifo
def test_symlink_to_a_fifo_is_refused(tmp_path, model):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.seqpred"
    link.symlink_to(fifo)
    error = _save_in_thread(model, link)
    assert isinstance(error, ModelFileError)
    assert "-> " in str(error) and "named pipe" in str(error)
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_symlink_loop_is_refused(tmp_path, model):
    loop = tmp_path / "loop.seqpred"
    loop.symlink_to(loop.name)
    with pytest.raises(ModelFileError, match="not a regular file"):
        io.save(model, loop)


def test_overwrite_false_keeps_an_existing_file(tmp_path, model):
    path = tmp_path / "m.seqpred"
    path.write_bytes(b"precious")
    with pytest.raises(ModelFileError, match="exists; pass overwrite=True"):
        io.save(model, path, overwrite=False)
    assert path.read_bytes() == b"precious"
    io.save(model, tmp_path / "new.seqpred", overwrite=False)
    assert io.load(tmp_path / "new.seqpred").order == 1


def test_missing_directory_and_unwritable_directory(tmp_path, model):
    with pytest.raises(ModelFileError, match="directory .* does not exist"):
        io.save(model, tmp_path / "nope" / "m.seqpred")
    plain = tmp_path / "plain"
    plain.write_text("x")
    with pytest.raises(ModelFileError, match="is a regular file, not a directory"):
        io.save(model, plain / "m.seqpred")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc")
def test_proc_says_the_real_reason(model):
    with pytest.raises(ModelFileError) as info:
        io.save(model, "/proc/x.seqpred")
    assert "does not exist" not in str(info.value)
    assert "cannot create a file in '/proc'" in str(info.value)


def test_check_save_path_writes_nothing(tmp_path):
    target = tmp_path / "m.seqpred"
    assert io.check_save_path(target) == target.resolve()
    assert list(tmp_path.iterdir()) == []


# -- temporary files ------------------------------------------------------------------


def _age(path: Path, seconds: float = 60) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_leftover_temporary_files_are_removed_by_the_next_save(tmp_path, model):
    target = tmp_path / "m.seqpred"
    stale = tmp_path / ".m.seqpred.ab12cd_3.tmp"
    fresh = tmp_path / ".m.seqpred.zz12cd_3.tmp"
    other = tmp_path / ".m.seqpred.backup.tmp"  # not a name save makes
    for path in (stale, fresh, other):
        path.write_bytes(b"half a model")
    _age(stale)
    _age(other)
    io.save(model, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, fresh.name, other.name]
    )


@pytest.mark.skipif(importlib.util.find_spec("fcntl") is None, reason="no flock")
def test_temporary_file_of_a_running_save_is_kept(tmp_path, model):
    import fcntl

    busy = tmp_path / ".m.seqpred.ab12cd_3.tmp"
    busy.write_bytes(b"being written")
    _age(busy)
    with open(busy, "rb+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        io.save(model, tmp_path / "m.seqpred")
        assert busy.exists()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL")
def test_sigkill_during_save_leaves_a_file_the_next_save_removes(tmp_path, model):
    target = tmp_path / "m.seqpred"
    io.save(model, target)
    before = target.read_bytes()
    script = (
        "import sys, time\n"
        "from seqpred import io\n"
        "from seqpred.models.next_item import MarkovPredictor\n"
        "def stall(handle, members):\n"
        "    handle.write(b'half a model'); handle.flush()\n"
        "    print('writing', flush=True); time.sleep(60)\n"
        "try:\n"
        "    from seqpred.io import _files\n"
        "    _files.write_zip = stall\n"
        "except ImportError:  # the loader before #15\n"
        "    io._write_zip = stall\n"
        "io.save(MarkovPredictor().fit([list('ab')]), sys.argv[1])\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and target.read_bytes() == before  # the old file is intact
    _age(left[0])
    io.save(model, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_concurrent_saves_to_one_path_all_succeed(tmp_path, model):
    target = tmp_path / "m.seqpred"
    errors: list[BaseException] = []

    def work() -> None:
        for _ in range(15):
            try:
                io.save(model, target)
            except BaseException as exc:
                errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert io.load(target).order == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


# -- the command line -----------------------------------------------------------------


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("a b c\na b d\nb c d\n")
    return path


def test_cli_refuses_to_overwrite_its_input(capsys, data_file, tmp_path):
    before = data_file.read_bytes()
    code, _, err = run(capsys, "fit", data_file, "-o", data_file)
    assert code == 2 and "is the input file" in err
    code, _, err = run(capsys, "fit", data_file, "-o", data_file, "--force")
    assert code == 2 and "is the input file" in err
    link = tmp_path / "link.txt"
    link.symlink_to(data_file)
    code, _, err = run(capsys, "fit", data_file, "-o", link, "--force")
    assert code == 2 and "is the input file" in err
    assert data_file.read_bytes() == before


def test_cli_refuses_stdout(capsys, data_file):
    code, _, err = run(capsys, "fit", data_file, "-o", "-")
    assert code == 2
    assert "a model file is binary and cannot be written to stdout" in err


def test_cli_needs_force_to_replace_a_file(capsys, data_file, tmp_path):
    model = tmp_path / "m.seqpred"
    model.write_bytes(b"keep me")
    code, _, err = run(capsys, "fit", data_file, "-o", model)
    assert code == 2 and "exists; pass --force to replace it" in err
    assert model.read_bytes() == b"keep me"
    assert "reading" not in err  # refused before any work
    code, _, _ = run(capsys, "fit", data_file, "-o", model, "--force")
    assert code == 0 and io.load(model).is_fitted


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc")
def test_cli_proc_output_says_the_real_reason(capsys, data_file):
    code, _, err = run(capsys, "fit", data_file, "-o", "/proc/x")
    assert code == 2
    assert "does not exist" not in err
    assert "cannot create a file in '/proc'" in err


def test_cli_output_directory_problems_fail_before_fitting(capsys, data_file, tmp_path):
    code, _, err = run(capsys, "fit", data_file, "-o", tmp_path / "no" / "m.seqpred")
    assert code == 2 and "does not exist" in err and "reading" not in err
    code, _, err = run(capsys, "fit", data_file, "-o", tmp_path)
    assert code == 2 and "is a directory" in err


@needs_fifo
def test_cli_fifo_output_is_refused(capsys, data_file, tmp_path):
    fifo = tmp_path / "out.seqpred"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "fit", data_file, "-o", fifo, "--force")
    assert code == 2 and "named pipe" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
