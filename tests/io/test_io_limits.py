"""Loading untrusted model files under a memory budget (issue #15, item 1).

Each test builds a hostile file that broke the old loader (memory blow-up,
MemoryError, RecursionError, a blocked open) and checks the exact error
type and message now, and where it matters that memory stayed small.
"""

from __future__ import annotations

import io as stdio
import os
import socket
import stat
import struct
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from io_fixtures import *  # noqa: F403  (fixtures: a conftest.py here would clash)

from seqpred import io
from seqpred.exceptions import (
    DataError,
    DataTooLargeError,
    MemoryBudgetError,
    ModelFileError,
    ModelTooLargeError,
)

MB = 1 << 20


def load_peak(path: Path, **options) -> tuple[BaseException | None, int]:
    """Load ``path``; return (the error or None, peak traced bytes)."""
    tracemalloc.start()
    try:
        io.load(path, **options)
        error = None
    except Exception as exc:
        error = exc
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return error, peak


def add_member(path: Path, name: str, size: int) -> None:
    """Append a member of ``size`` zero bytes, deflated (a zip bomb in small)."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as out:
            chunk = bytes(MB)
            for _ in range(size // MB):
                out.write(chunk)


def forge_size(path: Path, member: str, size: int) -> None:
    """Rewrite the uncompressed size the central directory declares for ``member``."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02" + bytes(0))
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length].decode() == member:
            struct.pack_into("<L", data, at + 24, size)
            path.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x01\x02", at + 4)
    raise KeyError(member)


# -- zip members ----------------------------------------------------------------------


def test_unlisted_junk_member_is_refused_before_it_is_inflated(markov_file):
    add_member(markov_file, "junk.bin", 64 * MB)
    error, peak = load_peak(markov_file)
    assert isinstance(error, ModelFileError)
    assert "['junk.bin'] that its manifest does not list" in str(error)
    assert peak < 8 * MB, f"the loader held {peak / MB:.0f} MB"


def test_listed_member_larger_than_the_budget_is_refused_unread(markov_file, rewrite):
    def plant(members):
        members["blob.bin"] = bytes(4 * MB)

    def list_it(manifest):
        manifest["checksums"]["blob.bin"] = ""

    rewrite(markov_file, members=plant, manifest=list_it)
    error, peak = load_peak(markov_file, max_bytes="1M")
    assert type(error) is ModelTooLargeError
    assert "member 'blob.bin' needs 4194304 bytes" in str(error)
    assert peak < 2 * MB


def test_forged_member_size_is_checked_against_the_budget(markov_file):
    forge_size(markov_file, "arrays.npz", 3 << 30)  # claims 3 GiB
    with pytest.raises(ModelTooLargeError, match="'arrays.npz' needs 3221225472"):
        io.load(markov_file, max_bytes="1G")
    error, peak = load_peak(markov_file, max_bytes="8G")  # read only what is there
    assert isinstance(error, ModelFileError)
    assert not isinstance(error, MemoryBudgetError)
    assert "but the archive directory declares 3221225472" in str(error)
    assert peak < 4 * MB


def test_member_that_inflates_past_its_declared_size_is_refused(markov_file):
    forge_size(markov_file, "arrays.npz", 64)
    with pytest.raises(ModelFileError, match="(?i)bad crc|corrupt"):
        io.load(markov_file)


def test_too_many_archive_members_are_refused_before_parsing(tmp_path):
    path = tmp_path / "many.seqpred"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for i in range(5000):
            archive.writestr(f"m{i}", b"")
    with pytest.raises(ModelFileError, match="holds 5000 archive members"):
        io.load(path)


def test_budget_from_argument_and_environment(markov_file, monkeypatch):
    assert io.load(markov_file).is_fitted
    with pytest.raises(ModelTooLargeError, match="of the 1024-byte"):
        io.load(markov_file, max_bytes="1K")
    monkeypatch.setenv("SEQPRED_MAX_BYTES", "2K")
    with pytest.raises(ModelTooLargeError, match="of the 2048-byte"):
        io.load(markov_file)
    assert io.load(markov_file, max_bytes=10**8).is_fitted  # the argument wins


# -- arrays -------------------------------------------------------------------------


def _npy_with_shape(shape: str) -> bytes:
    buffer = stdio.BytesIO()
    np.save(buffer, np.arange(4.0))
    return buffer.getvalue().replace(b"'shape': (4,)", f"'shape': {shape}".encode())


def test_npy_header_claiming_a_huge_shape_is_refused_before_allocating(
    markov_file, rewrite
):
    def plant(members):
        with zipfile.ZipFile(stdio.BytesIO(members["arrays.npz"])) as npz:
            arrays = {name: npz.read(name) for name in npz.namelist()}
        arrays["a0.npy"] = _npy_with_shape("(1000000000000,)")
        buffer = stdio.BytesIO()
        with zipfile.ZipFile(buffer, "w") as npz:
            for name, data in arrays.items():
                npz.writestr(name, data)
        members["arrays.npz"] = buffer.getvalue()

    rewrite(markov_file, members=plant)
    with pytest.raises(ModelFileError) as info:
        io.load(markov_file)
    assert "arrays.npz member 'a0.npy' is truncated: its header declares shape " in str(
        info.value
    )
    assert "(1000000000000,) of dtype float64 (8000000000000 bytes)" in str(info.value)


def test_npy_file_claiming_a_huge_shape_is_a_data_error(tmp_path):
    from seqpred.data.readers.arrays import load_array

    path = tmp_path / "huge.npy"
    path.write_bytes(_npy_with_shape("(1000000000000,)"))
    with pytest.raises(DataError, match=r"declares shape \(1000000000000,\)"):
        load_array(path)


def test_npy_file_larger_than_the_budget_is_refused(tmp_path):
    from seqpred.data.readers.arrays import load_array

    path = tmp_path / "x.npy"
    np.save(path, np.zeros((100, 100)))
    with pytest.raises(DataTooLargeError, match="needs 80000 bytes"):
        load_array(path, max_bytes="64K")
    assert load_array(path, max_bytes="1M").shape == (100, 100)


# -- JSON ---------------------------------------------------------------------------


def test_manifest_nested_200000_deep_is_refused_without_recursion(
    markov_file, members_of, write_zip
):
    members = members_of(markov_file)
    members["manifest.json"] = b"[" * 200_000 + b"]" * 200_000
    write_zip(markov_file, members)
    with pytest.raises(ModelFileError, match="nested 200000 levels deep"):
        io.load(markov_file)


def test_deep_state_inside_a_valid_manifest_is_refused(markov_file, rewrite):
    def deepen(manifest):
        value: list = []
        for _ in range(500):
            value = [value]
        manifest["state"]["n_sequences_"] = value

    rewrite(markov_file, manifest=deepen)
    with pytest.raises(ModelFileError, match="nested 50. levels deep"):
        io.load(markov_file)


def test_integer_too_long_to_parse_is_a_model_file_error(
    markov_file, members_of, write_zip
):
    members = members_of(markov_file)
    text = members["manifest.json"].decode()
    members["manifest.json"] = text.replace(
        '"format_version": 1', '"format_version": ' + "9" * 5000
    ).encode()
    write_zip(markov_file, members)
    with pytest.raises(ModelFileError, match="manifest.json is not valid JSON"):
        io.load(markov_file)


# -- what the path names --------------------------------------------------------------


def _load_in_thread(path: Path) -> BaseException | None:
    """Load in a thread so a blocking open fails the test instead of hanging it."""
    result: list[BaseException | None] = []

    def run() -> None:
        try:
            io.load(path)
            result.append(None)
        except BaseException as exc:
            result.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    start = time.monotonic()
    worker.start()
    worker.join(timeout=10)
    assert result, "io.load blocked on the path"
    assert time.monotonic() - start < 5
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "model.seqpred"
    os.mkfifo(fifo)
    error = _load_in_thread(fifo)
    assert isinstance(error, ModelFileError)
    assert "is a named pipe (FIFO), not a model file" in str(error)


def test_directory_is_refused(tmp_path):
    error = _load_in_thread(tmp_path)
    assert isinstance(error, ModelFileError)
    assert "is a directory, not a model file" in str(error)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_character_device_is_refused():
    error = _load_in_thread(Path("/dev/zero"))
    assert isinstance(error, ModelFileError)
    assert "is a character device, not a model file" in str(error)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no unix sockets")
def test_socket_is_refused(tmp_path):
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        assert stat.S_ISSOCK(path.stat().st_mode)
        error = _load_in_thread(path)
    assert isinstance(error, ModelFileError)
    assert "socket" in str(error)


# -- neural settings ------------------------------------------------------------------


def test_huge_vocabulary_in_module_config_is_refused_before_building(
    gru_file, rewrite, set_config
):
    rewrite(gru_file, manifest=lambda m: set_config(m, "vocab_size", 10**7))
    start = time.monotonic()
    with pytest.raises(ModelFileError) as info:
        io.load(gru_file)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "tensor 'embedding.tables.0.weight' is (" in message
    assert "module_config_ implies (10000000, 4)" in message


def test_layer_count_beyond_the_saved_tensors_is_refused(gru_file, rewrite, set_config):
    rewrite(gru_file, manifest=lambda m: set_config(m, "n_layers", 3000))
    with pytest.raises(ModelFileError, match=r"\['n_layers'\] = 3000 layers, but"):
        io.load(gru_file)


def test_network_setting_outside_the_parameter_constraints(
    gru_file, rewrite, set_config
):
    rewrite(gru_file, manifest=lambda m: set_config(m, "hidden_size", -5))
    with pytest.raises(ModelFileError, match="hidden_size must be an int >= 1; got -5"):
        io.load(gru_file)


def test_network_is_charged_to_the_loader_budget(gru_file, monkeypatch):
    from seqpred.data.budget import Budget
    from seqpred.nn import _weights

    tight = Budget(100, "loading", ModelTooLargeError)
    monkeypatch.setattr(_weights, "active_budget", lambda: tight)
    with pytest.raises(ModelTooLargeError, match="the RNNNextItem network needs"):
        io.load(gru_file)


def test_fit_on_an_npy_claiming_a_huge_shape_is_a_clear_error(tmp_path, capsys):
    from seqpred.cli import main
    from seqpred.data.readers import read_sequences

    path = tmp_path / "huge.npy"
    path.write_bytes(_npy_with_shape("(1000000000000,)"))
    with pytest.raises(DataError, match="declares shape"):
        read_sequences(path)
    code = main(["fit", str(path), "-o", str(tmp_path / "m.seqpred")])
    err = capsys.readouterr().err
    assert code == 1
    assert "declares shape (1000000000000,)" in err and "this is a bug" not in err


def test_npz_input_to_fit_is_read_with_the_same_checks(tmp_path):
    from seqpred.data.readers import read_sequences
    from seqpred.data.readers.arrays import load_array

    path = tmp_path / "x.npz"
    np.savez(path, x=np.array([[1, 2, 3], [4, 5, 6]]))
    assert read_sequences(path).to_lists() == [[1, 2, 3], [4, 5, 6]]
    with pytest.raises(DataTooLargeError):
        load_array(path, max_bytes=8)


def test_text_array_with_invalid_code_points_is_refused(tmp_path):
    from seqpred.data.readers.arrays import load_array

    path = tmp_path / "u.npy"
    np.save(path, np.array([["a", "b"]]))
    data = bytearray(path.read_bytes())
    data[-4:] = (0x110000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="not Unicode code points"):
        load_array(path)
