"""Adaptive versus frozen evaluation: bits per symbol, clearly labelled.

Two protocols give a bits-per-symbol figure on held-out text, and they are
not the same number:

- **adaptive**: the model learns while it reads, as a compressor does. It
  may first read the training text (``prime``), then it predicts each test
  symbol from everything before it, *test symbols included*, and updates.
  Its figure is the size of a file that ``seqpred compress --prime`` writes.
- **frozen**: the model is fitted on the training text and then fixed; each
  test symbol is scored without learning from the test text (the usual
  language-model validation loss).

Examples
--------
>>> round(adaptive_bits_per_symbol(b"ab" * 200, model="ppm", order=2), 3) < 0.2
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from seqpred.compress.container import build_model
from seqpred.exceptions import DataError

__all__ = ["adaptive_bits_per_symbol", "compare_adaptive_frozen"]

ADAPTIVE = "adaptive (learns while reading)"
FROZEN = "frozen (fitted, then fixed)"


def _as_bytes(data: bytes | str, who: str) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise DataError(
        f"{who}: expected bytes or str; got {type(data).__name__}. Read the file "
        "with open(path, 'rb').read()."
    )


def adaptive_bits_per_symbol(
    data: bytes | str,
    *,
    model: str = "cm",
    order: int | None = None,
    memory: int | None = None,
    prime: bytes | str = b"",
) -> float:
    """Return the mean code length of ``data`` under an adaptive model, in bits.

    The model reads ``prime`` first, then predicts each byte of ``data`` from
    all bytes before it and learns from it: the adaptive protocol. Symbols
    are bytes (a ``str`` is UTF-8 encoded), so for ASCII text this is bits
    per character.

    Parameters
    ----------
    data : bytes or str
        The text to measure.
    model : {"cm", "ppm", "ppm-c", "ppm-d", "ppm-star", "ppm-star-c"}, default="cm"
        The compressor model (see :func:`seqpred.compress.build_model`);
        ``"ppm-star"`` is PPM*, with contexts of unbounded length.
    order, memory : int or None, default=None
        Model parameters (``None``: defaults).
    prime : bytes or str, default=b""
        Text the model reads before ``data`` (e.g. the training text).

    Returns
    -------
    float
        Bits per byte; :func:`seqpred.compress.compress` with the same
        arguments writes ``len(data) * value / 8`` bytes, plus a few.

    Raises
    ------
    DataError
        If ``data`` is empty or not bytes/str.

    Examples
    --------
    >>> adaptive_bits_per_symbol("abababab", model="ppm", order=1) < 8
    True
    """
    raw = _as_bytes(data, "adaptive_bits_per_symbol")
    if not raw:
        raise DataError(
            "adaptive_bits_per_symbol: data is empty; pass at least one byte."
        )
    coder: Any = build_model(model, order=order, memory=memory)
    bits = coder.code_lengths(raw, prime=_as_bytes(prime, "adaptive_bits_per_symbol"))
    return float(np.sum(bits) / len(raw))


def _frozen_bits(estimator: Any, text: str) -> float:
    if hasattr(estimator, "bits_per_symbol"):
        return float(estimator.bits_per_symbol([text]))
    scores = estimator.log_proba([text])
    total = float(sum(np.sum(s) for s in scores))
    return -total / len(text) / float(np.log(2.0))


def compare_adaptive_frozen(
    train: str,
    test: str,
    *,
    frozen: Mapping[str, Any] | None = None,
    adaptive: Sequence[str] = ("cm", "ppm"),
) -> list[dict[str, Any]]:
    """Report bits per character on ``test`` for adaptive and frozen models.

    Adaptive models read ``train`` first and keep learning on ``test``;
    frozen models must already be fitted on ``train`` (as a one-sequence
    list, ``[train]``) and are scored with their ``log_proba`` or
    ``bits_per_symbol`` on ``[test]``. Each row says which protocol it used.

    Parameters
    ----------
    train, test : str
        Training and held-out text.
    frozen : mapping of str to fitted estimator, default=None
        Frozen models by name, e.g. ``{"ppm": PPM(max_order=5).fit([train])}``.
    adaptive : sequence of str, default=("cm", "ppm")
        Compressor models to run adaptively.

    Returns
    -------
    list of dict
        Rows ``{"model", "protocol", "bits_per_symbol"}``, adaptive first.

    Raises
    ------
    DataError
        If ``test`` is empty.

    Examples
    --------
    >>> from seqpred.models.next_item.markov.ppm import PPM
    >>> train, test = "abcab" * 40, "abcab" * 4
    >>> rows = compare_adaptive_frozen(
    ...     train, test, frozen={"ppm": PPM(max_order=2).fit([train])},
    ...     adaptive=["ppm"])
    >>> [(r["model"], r["protocol"].split()[0]) for r in rows]
    [('ppm', 'adaptive'), ('ppm', 'frozen')]
    """
    if not test:
        raise DataError("compare_adaptive_frozen: test is empty; pass some text.")
    rows: list[dict[str, Any]] = []
    for name in adaptive:
        # Bytes and characters coincide only for ASCII: score per character.
        n_bytes = len(test.encode("utf-8"))
        bpb = adaptive_bits_per_symbol(test, model=name, prime=train)
        rows.append(
            {
                "model": name,
                "protocol": ADAPTIVE,
                "bits_per_symbol": bpb * n_bytes / len(test),
            }
        )
    for name, estimator in (frozen or {}).items():
        rows.append(
            {
                "model": name,
                "protocol": FROZEN,
                "bits_per_symbol": _frozen_bits(estimator, test),
            }
        )
    return rows
