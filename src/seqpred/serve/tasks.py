"""What ``POST /models/{name}/predict`` does for each task: request in, JSON out.

Each task names the request fields it reads (:data:`FIELDS`); a field of
another task is refused with a message listing the right ones. Inputs go to
the library's public methods unchanged, so validation and error messages are
the library's. Every handler is ``handler(model, request) -> dict``, called
on the event loop for small requests and on a worker thread for large ones;
neural models go through :class:`~seqpred.serve.batching.MicroBatcher`
instead (:func:`batch_key` and :func:`run_batch`).

========== ==================================================================
task       response
========== ==================================================================
next-item  ``predictions``: per sequence ``{"items": [...], "scores": [...]}``
classify   ``labels``; with ``probabilities``: ``classes`` and one row each
forecast   ``forecasts``: per series ``mean``, ``lower``, ``upper`` (h steps)
seq2seq    ``outputs``: one output sequence per input
generate   ``samples``: ``n`` sequences
anomaly    ``scores`` (higher = odder) and ``anomalous`` flags
========== ==================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from seqpred.exceptions import InvalidParameterError
from seqpred.serve.errors import TooLarge

__all__ = [
    "FIELDS",
    "HANDLERS",
    "PER_SEQUENCE",
    "batch_key",
    "check_request",
    "join_rows",
    "json_value",
    "run_batch",
]

FIELDS: dict[str, tuple[str, ...]] = {
    "next-item": ("sequences", "k"),
    "classify": ("sequences", "probabilities"),
    "forecast": ("sequences", "horizon", "coverage"),
    "seq2seq": ("sequences", "beam_width", "max_length"),
    "generate": (
        "n",
        "prefix",
        "label",
        "max_length",
        "temperature",
        "top_k",
        "top_p",
        "random_state",
    ),
    "anomaly": ("sequences",),
}
"""The request fields each task reads."""


def check_request(task: str, request: dict[str, Any], limits: Any) -> None:
    """Refuse fields of other tasks and requests over the size limits.

    Parameters
    ----------
    task : str
        The model's task.
    request : dict
        The fields the client set.
    limits : ServeConfig
        ``max_batch``, ``max_items`` and ``max_k``.
    """
    allowed = FIELDS[task]
    wrong = sorted(set(request) - set(allowed))
    if wrong:
        raise InvalidParameterError(
            f"a {task} model does not read {wrong}; its request fields are "
            f"{list(allowed)}."
        )
    if task != "generate" and "sequences" not in request:
        raise InvalidParameterError(
            f"a {task} request needs 'sequences': a list of sequences, e.g. "
            '{"sequences": [["home", "search"]]}.'
        )
    sequences = request.get("sequences")
    if isinstance(sequences, list):
        if len(sequences) > limits.max_batch:
            raise TooLarge(
                f"{len(sequences)} sequences in one request; the limit is "
                f"{limits.max_batch} (--max-batch). Split the request."
            )
        items = sum(len(s) if isinstance(s, (list, str)) else 1 for s in sequences)
        if items > limits.max_items:
            raise TooLarge(
                f"{items} items in one request; the limit is {limits.max_items} "
                "(--max-items). Split the request."
            )
    for name, limit, flag in (
        ("k", limits.max_k, "--max-k"),
        ("n", limits.max_batch, "--max-batch"),
        ("max_length", limits.max_items, "--max-items"),
        ("horizon", limits.max_items, "--max-items"),
    ):
        value = request.get(name)
        if isinstance(value, int) and value > limit:
            raise TooLarge(f"{name}={value} is over the limit {limit} ({flag}).")


def json_value(value: Any) -> Any:
    """Return ``value`` with NumPy scalars and arrays made plain JSON values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


# -- the handlers ------------------------------------------------------------------


def next_item(model: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Top-k next items with scores for each sequence."""
    k, sequences = request.get("k", 5), request["sequences"]
    encoded = _plain_batch(model, sequences, k)
    if encoded is None:  # the library checks (and explains) everything else
        ids, scores = model.predict_top_k_ids(sequences, k)
    elif len(encoded) == 1:
        ids, scores = model.predict_top_k_encoded(encoded[0], None, k)
    else:
        offsets = np.cumsum([0] + [len(e) for e in encoded])
        values = np.concatenate(encoded) if encoded else np.empty(0, np.int64)
        ids, scores = model.predict_top_k_encoded(values, offsets, k)
    return {"predictions": _top_k_rows(model, ids, scores)}


def _plain_batch(model: Any, sequences: Any, k: Any) -> list[Any] | None:
    """Encode a batch of lists of strings or ints once, or None for the library.

    Such a batch is valid input whatever the model (unknown symbols become
    ``<unk>``, as the library does), so it can skip the library's checks and
    take the one-query path. Anything else (strings as character sequences,
    floats, bools, nested values, a bad ``k``, a model that refuses unknown
    symbols) goes through the public method and its error messages.
    """
    if (
        type(k) is not int
        or k < 1
        or type(sequences) is not list
        or not sequences
        or getattr(model, "on_unknown", "ignore") == "error"
    ):
        return None
    encode = model.vocabulary_.encode
    out = []
    for sequence in sequences:
        if type(sequence) is not list or not all(
            type(item) is str or type(item) is int for item in sequence
        ):
            return None
        out.append(np.asarray(encode(sequence, unknown="unk"), dtype=np.int64))
    return out


def _top_k_rows(model: Any, ids: Any, scores: Any) -> list[dict[str, Any]]:
    rows = []
    decode = model.vocabulary_.decode
    for row_ids, row_scores in zip(ids.tolist(), scores.tolist()):
        n = sum(1 for i in row_ids if i >= 0)
        rows.append({"items": decode(row_ids[:n]), "scores": row_scores[:n]})
    return rows


def classify(model: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Labels, and the probability of every class."""
    sequences = request["sequences"]
    out: dict[str, Any] = {"labels": json_value(model.predict(sequences))}
    if request.get("probabilities", True) and model.get_tags().probabilistic:
        out["classes"] = json_value(model.classes_)
        out["probabilities"] = np.asarray(model.predict_proba(sequences)).tolist()
    return out


def forecast(model: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Point forecasts with a central interval, per series (``h`` steps)."""
    sequences = request["sequences"]
    horizon = request.get("horizon")
    coverage = request.get("coverage", 0.8)
    mean = model.predict(sequences, horizon)  # (N, h, F)
    lower, upper = model.predict_interval(sequences, horizon, coverage)
    squeeze = mean.shape[-1] == 1  # one feature: plain lists of h values
    rows = []
    for m, lo, hi in zip(mean, lower, upper):
        if squeeze:
            m, lo, hi = m[:, 0], lo[:, 0], hi[:, 0]
        rows.append({"mean": m.tolist(), "lower": lo.tolist(), "upper": hi.tolist()})
    return {"coverage": coverage, "forecasts": rows}


def seq2seq(model: Any, request: dict[str, Any]) -> dict[str, Any]:
    """One output sequence per input sequence."""
    outputs = model.predict(
        request["sequences"],
        beam_width=request.get("beam_width", 1),
        max_length=request.get("max_length"),
    )
    return {"outputs": json_value(outputs)}


def generate(model: Any, request: dict[str, Any]) -> dict[str, Any]:
    """``n`` sampled sequences (optionally continuing a prefix)."""
    options = {k: v for k, v in request.items() if k not in ("n", "prefix")}
    samples = model.sample(request.get("n", 1), request.get("prefix"), **options)
    return {"samples": json_value(samples)}


def anomaly(model: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Anomaly scores (higher = odder) and flags over the fitted threshold."""
    scores = np.asarray(model.score_samples(request["sequences"]), dtype=np.float64)
    return {
        "scores": scores.tolist(),
        "anomalous": (scores > model.threshold_).tolist(),
        "threshold": float(model.threshold_),
    }


HANDLERS: dict[str, Callable[[Any, dict[str, Any]], dict[str, Any]]] = {
    "next-item": next_item,
    "classify": classify,
    "forecast": forecast,
    "seq2seq": seq2seq,
    "generate": generate,
    "anomaly": anomaly,
}
"""Task -> its handler."""


# -- micro-batching of neural models -----------------------------------------------

PER_SEQUENCE = frozenset(
    {"predictions", "labels", "probabilities", "forecasts", "outputs", "scores"}
    | {"anomalous"}
)
"""Response fields with one entry per input sequence (the rest are shared)."""
_SCALARS = (bool, int, float, str, type(None))


def batch_key(task: str, request: dict[str, Any]) -> Hashable | None:
    """Return what requests must share to join a batch: the task and options.

    ``None`` (never batched) for generation and for requests without
    sequences or with options that are not plain values.
    """
    sequences = request.get("sequences")
    if task == "generate" or not isinstance(sequences, list) or not sequences:
        return None
    options = [(k, v) for k, v in request.items() if k != "sequences"]
    if not all(isinstance(v, _SCALARS) for _, v in options):
        return None
    return (task, tuple(sorted(options)))


def run_batch(model: Any) -> Callable[[Any, list[Any]], list[Any]]:
    """Return ``run(key, sequences) -> rows`` for the micro-batcher of ``model``.

    A row is ``(fields of one sequence, shared fields)``; :func:`join_rows`
    puts the rows of one request back into its response.
    """

    def run(key: Any, sequences: list[Any]) -> list[Any]:
        task, options = key
        out = HANDLERS[task](model, {**dict(options), "sequences": sequences})
        shared = {k: v for k, v in out.items() if k not in PER_SEQUENCE}
        mine = [k for k in out if k in PER_SEQUENCE]
        return [({k: out[k][i] for k in mine}, shared) for i in range(len(sequences))]

    return run


def join_rows(rows: list[Any]) -> dict[str, Any]:
    """Return the response of one request from its rows (see :func:`run_batch`)."""
    out = dict(rows[0][1])
    for name in rows[0][0]:
        out[name] = [fields[name] for fields, _ in rows]
    return out
