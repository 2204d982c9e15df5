"""Check a saved network (settings and weights) before building it.

A neural model file holds the network's settings (``module_config_``) and
its weights (``weights.safetensors``). Building the network from hostile
settings could ask torch for hundreds of gigabytes (``vocab_size=5e10``)
or hours (``n_layers=10**9``), so :func:`check_network` runs first:

1. the safetensors header is read by hand (its length, JSON depth, dtypes,
   shapes and offsets, which must tile the data exactly), so a truncated or
   garbled member gets its own message;
2. each setting must be a plain value; settings named like a parameter of
   the estimator must pass that parameter's constraints; layer counts may
   not exceed the number of saved tensors;
3. the network is built on torch's ``meta`` device (shapes only, no memory)
   and its tensors must match the saved ones name for name, shape for shape;
4. the bytes the real network and the loaded tensors need are charged to
   the loader's memory budget.

Only then is the network built for real and the weights loaded into it.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import torch
from torch import nn

from seqpred._params import check_parameter
from seqpred.data._untrusted import loads_json
from seqpred.data.budget import Budget, active_budget, resolve_max_bytes
from seqpred.exceptions import InvalidParameterError, ModelFileError, ModelTooLargeError

__all__ = ["Tensors", "check_network", "read_header"]

MAX_HEADER = 16 << 20
"""Largest safetensors header read (bytes)."""

MAX_TENSORS = 1 << 16
"""Most tensors a saved network may hold."""

DTYPE_SIZES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
}
"""Bytes per element of each safetensors dtype code."""

_TORCH_CODES = {
    torch.bool: "BOOL",
    torch.uint8: "U8",
    torch.int8: "I8",
    torch.int16: "I16",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int32: "I32",
    torch.float32: "F32",
    torch.int64: "I64",
    torch.float64: "F64",
}

Tensors = dict[str, tuple[str, tuple[int, ...]]]
"""Tensor name -> (safetensors dtype code, shape)."""

_RESAVE = "Save the fitted model again with seqpred.io.save."


def _fail(owner: str, problem: str) -> ModelFileError:
    return ModelFileError(f"{owner}: {problem}. {_RESAVE}")


def read_header(data: bytes, owner: str, member: str) -> Tensors:
    """Return the tensors a safetensors ``data`` declares, after checking it all."""
    if len(data) < 8:
        raise _fail(owner, f"{member} is truncated ({len(data)} bytes)")
    size = int.from_bytes(data[:8], "little")
    if size > min(MAX_HEADER, len(data) - 8):
        raise _fail(
            owner,
            f"{member} is truncated or not a safetensors file (its header claims "
            f"{size} bytes; the member holds {len(data) - 8} after the length)",
        )
    header = loads_json(
        data[8 : 8 + size], f"{member}'s header", lambda m: _fail(owner, m)
    )
    if not isinstance(header, dict):
        raise _fail(owner, f"{member}'s header is not a mapping of tensors")
    header.pop("__metadata__", None)
    if len(header) > MAX_TENSORS:
        raise _fail(owner, f"{member} declares {len(header)} tensors")
    tensors, spans = {}, []
    for name, entry in header.items():
        dtype, shape, span = _entry(entry, owner, f"{member} tensor {name!r}")
        tensors[name] = (dtype, shape)
        spans.append(span)
    _check_tiling(sorted(spans), len(data) - 8 - size, owner, member)
    return tensors


def _entry(
    entry: Any, owner: str, where: str
) -> tuple[str, tuple[int, ...], tuple[int, int]]:
    if not isinstance(entry, dict):
        raise _fail(owner, f"{where} is not described by a mapping")
    dtype, shape, offsets = (
        entry.get("dtype"),
        entry.get("shape"),
        entry.get("data_offsets"),
    )
    if dtype not in DTYPE_SIZES:
        raise _fail(owner, f"{where} has the unknown dtype {dtype!r}")
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise _fail(owner, f"{where} has an invalid shape {shape!r}")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(type(n) is int and n >= 0 for n in offsets)
        or offsets[1] < offsets[0]
    ):
        raise _fail(owner, f"{where} has invalid data offsets {offsets!r}")
    nbytes = math.prod(shape) * DTYPE_SIZES[dtype]
    if offsets[1] - offsets[0] != nbytes:
        raise _fail(
            owner,
            f"{where} declares shape {tuple(shape)} of {dtype} ({nbytes} bytes) but "
            f"spans {offsets[1] - offsets[0]} bytes",
        )
    return dtype, tuple(shape), (offsets[0], offsets[1])


def _check_tiling(
    spans: list[tuple[int, int]], total: int, owner: str, member: str
) -> None:
    """Check the tensors' byte ranges follow each other and fill the data exactly."""
    end = 0
    for start, stop in spans:
        if start != end:
            raise _fail(owner, f"{member} has overlapping or gapped tensor data")
        end = stop
    if end != total:
        state = "is truncated" if end > total else "has trailing bytes"
        raise _fail(
            owner,
            f"{member} {state}: its tensors need {end} bytes of data, it holds {total}",
        )


def check_network(
    estimator: Any, network_class: type[nn.Module], config: Any, saved: Tensors
) -> None:
    """Check ``config`` builds a network whose tensors are exactly ``saved``.

    Raises :class:`ModelFileError` naming the first problem, or
    :class:`ModelTooLargeError` when the network would pass the budget.
    """
    owner = type(estimator).__name__
    _check_settings(estimator, config, len(saved))
    expected, extra_bytes = _meta_tensors(network_class, config, owner)
    if expected != saved:
        raise _fail(owner, _difference(expected, saved))
    weights = sum(math.prod(s) * DTYPE_SIZES[d] for d, s in saved.values())
    budget = active_budget() or Budget(
        resolve_max_bytes(None), f"{owner}: loading", ModelTooLargeError
    )
    # the network's own tensors and buffers, plus the loaded copy of the weights
    budget.charge(2 * weights + extra_bytes, f"the {owner} network")


def _check_settings(estimator: Any, config: Any, n_tensors: int) -> None:
    owner = type(estimator).__name__
    if not isinstance(config, dict) or not all(isinstance(k, str) for k in config):
        raise _fail(owner, "module_config_ is not a mapping of setting names")
    constraints = getattr(estimator, "_parameter_constraints", {})
    for name, value in config.items():
        if not _plain(value):
            raise _fail(
                owner,
                f"module_config_[{name!r}] is a {type(value).__name__}; expected "
                "a number, string, bool, None or a list of these",
            )
        if name in constraints:
            try:
                check_parameter(
                    f"{owner} module_config_",
                    name,
                    value,
                    constraints[name],
                    fix=_RESAVE,
                )
            except InvalidParameterError as exc:
                raise ModelFileError(str(exc)) from None
        if name.endswith("layers") and type(value) is int and value > n_tensors:
            raise _fail(
                owner,
                f"module_config_[{name!r}] = {value} layers, but the weights hold "
                f"only {n_tensors} tensors",
            )


def _plain(value: Any) -> bool:
    if value is None or type(value) in (bool, int, float, str):
        return True
    return isinstance(value, list) and all(
        v is None or type(v) in (bool, int, float, str) for v in value
    )


def _meta_tensors(
    network_class: type[nn.Module], config: dict[str, Any], owner: str
) -> tuple[Tensors, int]:
    """Build the network on the meta device; return its tensors and buffer bytes."""
    try:
        with torch.device("meta"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # hostile settings may make torch warn
            module = network_class(**config)
    except Exception as exc:  # hostile settings: any constructor error
        reason = str(exc).strip() or type(exc).__name__
        raise _fail(
            owner, f"module_config_ does not describe a valid network ({reason})"
        ) from None
    state = module.state_dict()
    tensors = {
        name: (_TORCH_CODES.get(t.dtype, str(t.dtype)), tuple(t.shape))
        for name, t in state.items()
    }
    unsaved = sum(
        b.numel() * b.element_size()
        for name, b in module.named_buffers()
        if name not in state
    )
    return tensors, int(unsaved)


def _difference(expected: Tensors, saved: Tensors) -> str:
    missing = sorted(set(expected) - set(saved))
    if missing:
        return (
            f"the weights lack the tensor(s) {missing[:5]} that module_config_ implies"
        )
    unexpected = sorted(set(saved) - set(expected))
    if unexpected:
        return f"the weights hold tensor(s) {unexpected[:5]} that module_config_ lacks"
    name = next(n for n in sorted(expected) if expected[n] != saved[n])
    return (
        f"tensor {name!r} is {saved[name][1]} of {saved[name][0]} in the weights but "
        f"module_config_ implies {expected[name][1]} of {expected[name][0]}"
    )
