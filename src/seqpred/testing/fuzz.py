"""Mutate valid files into hostile ones, to check readers fail cleanly.

The mutators take valid bytes and a :class:`random.Random` and return new
bytes. :func:`mutate_bytes` works on any file (bit flips, truncation,
insertions, deletions, duplicated spans); :func:`mutate_lines` on text
(lines dropped, repeated, swapped, and tokens that break parsers: huge
integers, ``nan``, NUL, quotes, separators); :func:`mutate_model` knows the
model-file layout and plays a careful forger: it edits a member (the
manifest's JSON, an ``.npy`` header inside ``arrays.npz``, the safetensors
header, a neural network's settings), removes, adds, renames or swaps
members, forges the sizes the zip directory declares, and then usually
recomputes the manifest's SHA-256 sums, so the mutation reaches the checks
behind them.

The contract a reader is fuzzed against: every input gives a result or a
:class:`~seqpred.exceptions.SeqpredError`, never another exception, within
the memory budget and a time limit. ``tests/io/test_io_fuzz.py`` runs these
mutators under hypothesis; ``benchmarks/fuzz.py`` runs 10^5 inputs per target.

Examples
--------
>>> import random
>>> rng = random.Random(0)
>>> data = b"1 -1 2 -1 -2 3 -1 -2"
>>> isinstance(mutate_bytes(data, rng), bytes)
True
>>> mutate_lines(data, rng) != data
True
"""

from __future__ import annotations

import copy
import hashlib
import io as _stdio
import json
import random
import struct
import zipfile
from collections.abc import Callable
from typing import Any

__all__ = [
    "HOSTILE_TOKENS",
    "HOSTILE_VALUES",
    "mutate_bytes",
    "mutate_lines",
    "mutate_model",
]

HOSTILE_TOKENS = [
    b"",
    b"-1",
    b"-2",
    b"0",
    b"nan",
    b"inf",
    b"-inf",
    b"1e999",
    b"99999999999999999999999999",
    b"-9223372036854775809",
    b"18446744073709551616",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b'"',
    b"'",
    b",",
    b";",
    b"\t",
    b"\r",
    b"\\",
    b"@data",
    b">",
    b":",
    b"?",
    b"#",
    b"%",
    b"\xe2\x80\xa8",
    b"a" * 300,
]
"""Tokens that tend to break text parsers."""

HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**31,
    2**63,
    10**12,
    -(10**12),
    10**30,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    "a" * 1000,
    [],
    [None],
    [2**40],
    {},
    {"t": "array", "key": "a0"},
    {"t": "scalar", "key": "a0"},
    {"t": "estimator"},
    {"t": "vocabulary", "value": {"symbols": [[1]]}},
    {"t": "dict", "items": [[[1], 2]]},
    {"t": "set", "items": [[1]]},
    {"t": "bogus"},
]
"""JSON values a forger may put anywhere in a manifest."""

MAX_OUTPUT = 1 << 20
"""Largest mutated input (bytes): repeated edits would otherwise compound."""

_NPY_SHAPES = [
    "(1000000000000,)",
    "(-1,)",
    "(4, 1000000000)",
    "()",
    "(0, 2**70)",
    "(",
    "(1.5,)",
]
_NPY_DTYPES = [
    "'|O'",
    "'<f8'",
    "'>i4'",
    "'|V0'",
    "'<U0'",
    "'|b1'",
    "'<M8[s]'",
    "[('a', '<i4', (10**9,))]",
    "'bogus'",
]


# -- bytes and lines -------------------------------------------------------------------


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Return ``data`` with one to three random byte-level edits."""
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3))):
        out = _BYTE_EDITS[rng.randrange(len(_BYTE_EDITS))](out, rng)
    return bytes(out[:MAX_OUTPUT])


def _flip(out: bytearray, rng: random.Random) -> bytearray:
    if out:
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return out


def _set(out: bytearray, rng: random.Random) -> bytearray:
    if out:
        out[rng.randrange(len(out))] = rng.choice(
            (0, 0xFF, 0x7F, 0x80, rng.randrange(256))
        )
    return out


def _truncate(out: bytearray, rng: random.Random) -> bytearray:
    return out[: rng.randrange(len(out) + 1)]


def _insert(out: bytearray, rng: random.Random) -> bytearray:
    at = rng.randrange(len(out) + 1)
    chunk = (
        rng.choice(HOSTILE_TOKENS)
        if rng.random() < 0.5
        else rng.randbytes(rng.randint(1, 16))
    )
    return out[:at] + chunk + out[at:]


def _delete(out: bytearray, rng: random.Random) -> bytearray:
    if not out:
        return out
    start = rng.randrange(len(out))
    return out[:start] + out[start + rng.randint(1, 32) :]


def _repeat(out: bytearray, rng: random.Random) -> bytearray:
    if not out:
        return out
    start = rng.randrange(len(out))
    span = out[start : start + rng.randint(1, 64)]
    return out[:start] + span * rng.randint(2, 50) + out[start:]


_BYTE_EDITS: list[Callable[[bytearray, random.Random], bytearray]] = [
    _flip,
    _set,
    _truncate,
    _insert,
    _delete,
    _repeat,
]


def mutate_lines(data: bytes, rng: random.Random) -> bytes:
    """Return text ``data`` with line- or token-level edits (or byte edits)."""
    if rng.random() < 0.3:
        return mutate_bytes(data, rng)
    lines = data.split(b"\n")
    for _ in range(rng.choice((1, 1, 2, 3))):
        i = rng.randrange(len(lines))
        action = rng.randrange(6)
        if action == 0 and len(lines) > 1:
            del lines[i]
        elif action == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif action == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == 3:
            tokens = lines[i].split(b" ")
            tokens[rng.randrange(len(tokens))] = rng.choice(HOSTILE_TOKENS)
            lines[i] = b" ".join(tokens)
        elif action == 4:
            lines[i] = lines[i] * rng.randint(2, 200)
        else:
            lines.insert(i, rng.choice(HOSTILE_TOKENS))
    return b"\n".join(lines)[:MAX_OUTPUT]


# -- model files -------------------------------------------------------------------


def mutate_model(data: bytes, rng: random.Random) -> bytes:
    """Return a hostile variant of the model file ``data`` (see the module doc)."""
    if rng.random() < 0.2:
        return mutate_bytes(data, rng)
    try:
        members = _unzip(data)
    except (zipfile.BadZipFile, ValueError, KeyError, OSError):
        return mutate_bytes(data, rng)
    edit = _MODEL_EDITS[rng.randrange(len(_MODEL_EDITS))]
    edit(members, rng)
    if rng.random() < 0.85:
        _rehash(members)
    out = _zip(members)
    if rng.random() < 0.1:
        out = _forge_size(out, rng)
    return out


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(_stdio.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = _stdio.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _rehash(members: dict[str, bytes]) -> None:
    """Recompute the manifest's checksums, as a careful forger would."""
    try:
        manifest = json.loads(members["manifest.json"])
        sums = manifest["checksums"]
        for name in list(sums):
            if name in members:
                sums[name] = hashlib.sha256(members[name]).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
    except (KeyError, TypeError, ValueError, RecursionError):
        pass


def _forge_size(data: bytes, rng: random.Random) -> bytes:
    """Rewrite the uncompressed size one central directory entry declares."""
    raw = bytearray(data)
    spots = []
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        spots.append(at)
        at = raw.find(b"PK\x01\x02", at + 4)
    if spots:
        size = rng.choice((0, 1, 2**31, 2**32 - 1, rng.randrange(1 << 20)))
        struct.pack_into("<L", raw, rng.choice(spots) + 24, size)
    return bytes(raw)


def _edit_manifest(members: dict[str, bytes], rng: random.Random) -> None:
    try:
        manifest = json.loads(members["manifest.json"])
    except (KeyError, ValueError):
        return
    for _ in range(rng.choice((1, 1, 2))):
        manifest = _edit_node(manifest, rng)
    members["manifest.json"] = json.dumps(manifest).encode()


def _edit_node(root: Any, rng: random.Random) -> Any:
    """Replace, delete or nest one random node of a JSON tree."""
    path = _random_path(root, rng)
    if not path:
        return _hostile(rng)
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    action = rng.randrange(4)
    if action == 0 and isinstance(parent, dict):
        del parent[last]
    elif action == 1:
        value: Any = parent[last]
        for _ in range(rng.choice((2, 50, 150))):
            value = [value]
        parent[last] = value
    else:
        parent[last] = _hostile(rng)
    return root


def _hostile(rng: random.Random) -> Any:
    return copy.deepcopy(rng.choice(HOSTILE_VALUES))


def _random_path(root: Any, rng: random.Random) -> list[Any]:
    path: list[Any] = []
    node = root
    while isinstance(node, (dict, list)) and node and rng.random() < 0.8:
        step = (
            rng.choice(list(node))
            if isinstance(node, dict)
            else rng.randrange(len(node))
        )
        path.append(step)
        node = node[step]
    return path


def _edit_config(members: dict[str, bytes], rng: random.Random) -> None:
    """Set one setting of a neural model's ``module_config_`` to a hostile value."""
    try:
        manifest = json.loads(members["manifest.json"])
        items = manifest["state"]["module_config_"]["items"]
    except (KeyError, TypeError, ValueError):
        _edit_manifest(members, rng)
        return
    if items:
        pair = rng.choice(items)
        pair[1] = rng.choice([0, -1, 2**31, 10**7, 10**12, 2**62, "x", None, [], 1.5])
    members["manifest.json"] = json.dumps(manifest).encode()


def _edit_npy(members: dict[str, bytes], rng: random.Random) -> None:
    """Change the shape or dtype an ``.npy`` header inside ``arrays.npz`` declares."""
    try:
        arrays = _unzip(members["arrays.npz"])
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        return
    if not arrays:
        return
    name = rng.choice(sorted(arrays))
    head, _, tail = arrays[name].partition(b"}")
    text = head.decode("latin-1")
    if rng.random() < 0.5:
        text = _replace_value(text, "'shape': ", rng.choice(_NPY_SHAPES))
    else:
        text = _replace_value(text, "'descr': ", rng.choice(_NPY_DTYPES))
    arrays[name] = text.encode("latin-1") + b"}" + tail
    buffer = _stdio.BytesIO()
    with zipfile.ZipFile(buffer, "w") as npz:
        for key, value in arrays.items():
            npz.writestr(key, value)
    members["arrays.npz"] = buffer.getvalue()


def _replace_value(header: str, key: str, value: str) -> str:
    start = header.find(key)
    if start < 0:
        return header
    start += len(key)
    end = header.find(", '", start)
    if end < 0:
        end = len(header)
    return header[:start] + value + header[end:]


def _edit_member_bytes(members: dict[str, bytes], rng: random.Random) -> None:
    name = rng.choice(sorted(members))
    members[name] = mutate_bytes(members[name], rng)


def _remove_member(members: dict[str, bytes], rng: random.Random) -> None:
    if members:
        del members[rng.choice(sorted(members))]


def _add_member(members: dict[str, bytes], rng: random.Random) -> None:
    name = rng.choice(
        ["junk.bin", "manifest.sig", "weights.safetensors", "../x", "a" * 200]
    )
    members[name] = rng.choice([b"", b"hmac-sha256:00", bytes(rng.randrange(1 << 16))])


def _swap_members(members: dict[str, bytes], rng: random.Random) -> None:
    if len(members) > 1:
        a, b = rng.sample(sorted(members), 2)
        members[a], members[b] = members[b], members[a]


def _edit_weights_header(members: dict[str, bytes], rng: random.Random) -> None:
    names = [n for n in members if n.endswith(".safetensors")]
    if not names:
        _edit_manifest(members, rng)
        return
    name = rng.choice(names)
    data = members[name]
    size = int.from_bytes(data[:8], "little") if len(data) >= 8 else 0
    try:
        header = json.loads(data[8 : 8 + size])
    except ValueError:
        members[name] = mutate_bytes(data, rng)
        return
    header = _edit_node(header, rng)
    text = json.dumps(header).encode()
    members[name] = len(text).to_bytes(8, "little") + text + data[8 + size :]


_MODEL_EDITS: list[Callable[[dict[str, bytes], random.Random], None]] = [
    _edit_manifest,
    _edit_manifest,
    _edit_manifest,
    _edit_config,
    _edit_npy,
    _edit_npy,
    _edit_member_bytes,
    _remove_member,
    _add_member,
    _swap_members,
    _edit_weights_header,
]
