"""Property tests: mutated model and array files fail only with SeqpredError.

Hypothesis drives :mod:`seqpred.testing.fuzz`'s mutators (bit flips,
truncation, member removals, additions and swaps, crafted manifests,
``.npy`` headers and network settings, forged zip sizes, checksums
recomputed like a careful forger) over small valid files of several model
families. Every load must succeed or raise a
:class:`~seqpred.exceptions.SeqpredError` subclass, within a time limit
and with bounded traced memory. ``benchmarks/fuzz.py`` runs the same
mutators for 10^5 inputs per target.
"""

from __future__ import annotations

import io as stdio
import json
import random
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqpred import io
from seqpred.exceptions import ModelFileError, SeqpredError
from seqpred.testing.fuzz import HOSTILE_VALUES, mutate_bytes, mutate_model

TRAIN = [list("abcabcabd"), list("bcabca"), list("cabcab"), list("abdabd")]
BUDGET = "32M"
MAX_SECONDS = 5.0
MAX_TRACED = 96 << 20  # the budget plus what parsing a small file costs

FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def seeds(workdir) -> list[bytes]:
    """Small valid model files: flat, nested and (with torch) neural."""
    import seqpred

    models = [
        seqpred.create("markov", order=2).fit(TRAIN),
        seqpred.create("cpt").fit(TRAIN),
        seqpred.create("conditional").fit(TRAIN, ["x", "y", "x", "y"]),
    ]
    try:
        import torch  # noqa: F401

        models.append(
            seqpred.create(
                "gru", embedding_dim=4, hidden_size=4, max_epochs=1, device="cpu"
            ).fit(TRAIN)
        )
    except ImportError:
        pass
    return [
        io.save(m, workdir / f"seed{i}.seqpred").read_bytes()
        for i, m in enumerate(models)
    ]


def load_bounded(path: Path) -> None:
    """Load ``path``: a result or a SeqpredError, in bounded time and memory."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        io.load(path, max_bytes=BUDGET)
    except SeqpredError:
        pass
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert seconds < MAX_SECONDS, f"load took {seconds:.1f} s"
    assert peak < MAX_TRACED, f"load traced {peak >> 20} MB"


@FUZZ
@given(rng=st.randoms(use_true_random=False), which=st.integers(0, 99))
def test_mutated_model_files(seeds, workdir, rng, which):
    path = workdir / "mutated.seqpred"
    path.write_bytes(mutate_model(seeds[which % len(seeds)], rng))
    load_bounded(path)


@FUZZ
@given(rng=st.randoms(use_true_random=False), which=st.integers(0, 99))
def test_byte_level_mutations(seeds, workdir, rng, which):
    path = workdir / "bytes.seqpred"
    path.write_bytes(mutate_bytes(seeds[which % len(seeds)], rng))
    load_bounded(path)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(stdio.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = stdio.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(HOSTILE_VALUES),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["t", "key", "items", "value", "x"]), inner, max_size=4
        )
    ),
    max_leaves=12,
)


@FUZZ
@given(
    which=st.integers(0, 99),
    key=st.sampled_from(
        ["params", "state", "fitted", "state_hook", "model", "class", "checksums",
         "extra_files", "nested_files", "format_version", "files"]
    ),
    value=json_values,
)  # fmt: skip
def test_crafted_manifests(seeds, workdir, which, key, value):
    """A careful forger: any JSON under any top-level key, checksums kept valid."""
    members = _members(seeds[which % len(seeds)])
    manifest = json.loads(members["manifest.json"])
    manifest[key] = value
    if key != "checksums":
        members["manifest.json"] = json.dumps(manifest).encode()
    path = workdir / "crafted.seqpred"
    path.write_bytes(_zip(members))
    load_bounded(path)


@FUZZ
@given(
    which=st.integers(0, 99), name=st.text(min_size=1, max_size=20), value=json_values
)
def test_crafted_state_values(seeds, workdir, which, name, value):
    members = _members(seeds[which % len(seeds)])
    manifest = json.loads(members["manifest.json"])
    state = manifest.get("state")
    if isinstance(state, dict) and state:
        target = sorted(state)[len(name) % len(state)]
        state[target if len(name) % 3 else name + "_"] = value
    members["manifest.json"] = json.dumps(manifest).encode()
    path = workdir / "state.seqpred"
    path.write_bytes(_zip(members))
    load_bounded(path)


@FUZZ
@given(
    sizes=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=3),
    which=st.integers(0, 99),
)
def test_huge_declared_sizes(seeds, workdir, sizes, which):
    import struct

    raw = bytearray(seeds[which % len(seeds)])
    spots, at = [], raw.find(b"PK\x01\x02")
    while at >= 0:
        spots.append(at)
        at = raw.find(b"PK\x01\x02", at + 4)
    for i, size in enumerate(sizes):
        struct.pack_into("<L", raw, spots[i % len(spots)] + 24, size)
    path = workdir / "sizes.seqpred"
    path.write_bytes(bytes(raw))
    load_bounded(path)


# -- NumPy files given to fit ----------------------------------------------------------


def _npy(array: np.ndarray) -> bytes:
    buffer = stdio.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


ARRAY_SEEDS = [
    _npy(np.arange(12).reshape(3, 4)),
    _npy(np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]])),
    _npy(np.array([["a", "b"], ["c", "d"]])),
]


@FUZZ
@given(rng=st.randoms(use_true_random=False), which=st.integers(0, 99))
def test_mutated_npy_files(workdir, rng, which):
    path = workdir / "x.npy"
    data = ARRAY_SEEDS[which % len(ARRAY_SEEDS)]
    if rng.random() < 0.5:
        head, _, tail = data.partition(b"}")
        head = head.replace(
            b"(", b"(" + str(rng.choice([10**12, 2**62, 0, 7])).encode() + b", ", 1
        )
        data = head + b"}" + tail
    path.write_bytes(mutate_bytes(data, random.Random(rng.random())))
    from seqpred.data.readers.arrays import load_array

    tracemalloc.start()
    try:
        load_array(path, max_bytes=BUDGET)
    except SeqpredError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < MAX_TRACED


def test_fuzz_contract_catches_a_real_error(workdir):
    """The harness itself: an empty file is a ModelFileError, not a pass."""
    path = workdir / "empty.seqpred"
    path.write_bytes(b"")
    with pytest.raises(ModelFileError):
        io.load(path)
