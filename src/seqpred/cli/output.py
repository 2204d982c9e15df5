"""Output helpers of the command line: plain tables, JSON and CSV on stdout.

Tables are plain text (no colours, no box drawing, no truncation) so that
they read the same in a terminal, a pipe and a log file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any

import numpy as np

__all__ = [
    "OutputFormat",
    "emit",
    "emit_predictions",
    "format_number",
    "format_seconds",
    "format_size",
    "pyplot",
    "render_table",
    "say",
    "step",
]


class OutputFormat(str, Enum):
    """How a command writes its results to stdout."""

    table = "table"
    json = "json"
    csv = "csv"


def format_number(value: Any, digits: int = 4) -> str:
    """Format a value for a table cell: floats rounded, ``None`` as ``-``.

    Examples
    --------
    >>> format_number(0.123456), format_number(12), format_number(None)
    ('0.1235', '12', '-')
    """
    if value is None:
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "nan"
        return f"{float(value):.{digits}f}"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def format_size(n_bytes: int) -> str:
    """Format a byte count for people.

    Examples
    --------
    >>> format_size(512), format_size(20_000), format_size(3_500_000)
    ('512 B', '20.0 kB', '3.5 MB')
    """
    if n_bytes < 1000:
        return f"{n_bytes} B"
    if n_bytes < 1_000_000:
        return f"{n_bytes / 1000:.1f} kB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def format_seconds(seconds: float) -> str:
    """Format a duration: milliseconds below one second.

    Examples
    --------
    >>> format_seconds(0.0042), format_seconds(1.5)
    ('4.2 ms', '1.50 s')
    """
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def render_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Return an aligned plain-text table (numbers right-aligned).

    Examples
    --------
    >>> print(render_table(["page", "score"], [["home", 0.5], ["cart", 0.25]]))
    page   score
    ----  ------
    home  0.5000
    cart  0.2500
    """
    cells = [[format_number(v) for v in row] for row in rows]
    numeric = [
        all(_is_number(row[i]) for row in rows) and bool(rows)
        for i in range(len(header))
    ]
    widths = [
        max([len(header[i])] + [len(row[i]) for row in cells])
        for i in range(len(header))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(header)), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not (
        isinstance(value, (bool, np.bool_))
    )


def _json_ready(value: Any) -> Any:
    """Turn NumPy values into Python ones and NaN into ``None`` (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_ready(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def emit(
    fmt: OutputFormat,
    *,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    data: Any = None,
) -> None:
    """Write results to stdout as a table, CSV (``header`` + ``rows``) or JSON.

    ``data`` is the JSON document; it defaults to one object per row.
    """
    if fmt is OutputFormat.json:
        if data is None:
            data = [dict(zip(header, row)) for row in rows]
        text = json.dumps(_json_ready(data), indent=2, ensure_ascii=False)
    elif fmt is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(
            ["" if v is None else _csv_cell(v) for v in row] for row in rows
        )
        text = buffer.getvalue().rstrip("\n")
    else:
        text = render_table(header, rows)
    sys.stdout.write(text + "\n")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


@contextmanager
def step(message: str) -> Iterator[None]:
    """Report a step on stderr: ``message ...`` then ``done (0.12 s)``."""
    sys.stderr.write(f"{message} ...")
    sys.stderr.flush()
    start = time.perf_counter()
    try:
        yield
    except BaseException:
        sys.stderr.write(" failed\n")
        raise
    sys.stderr.write(f" done ({format_seconds(time.perf_counter() - start)})\n")


def emit_predictions(
    fmt: OutputFormat,
    queries: list[list[Any]],
    best: list[Any],
    ranked: list[list[tuple[Any, float]]],
    ids: list[Any] | None = None,
) -> None:
    """Write one row per query: its prediction and top-k (one row per candidate in CSV).

    A query with no candidates shows ``(no match)`` in the table, ``null`` and
    an empty list in JSON, and empty ``rank,item,score`` cells in CSV.
    ``ids`` (for example the session ids of a table) label the queries: an
    ``id`` column first; in CSV they replace the running ``query_id``.
    """
    if fmt is OutputFormat.csv:
        rows: list[list[Any]] = []
        for i, (q, row) in enumerate(zip(queries, ranked)):
            key = i if ids is None else ids[i]
            rows.extend(
                [key, q, r + 1, item, score] for r, (item, score) in enumerate(row)
            )
            if not row:
                rows.append([key, q, None, None, None])
        first = "query_id" if ids is None else "id"
        emit(fmt, header=[first, "query", "rank", "item", "score"], rows=rows)
        return
    labels = [None] * len(queries) if ids is None else ids
    data = [
        {
            **({} if ids is None else {"id": key}),
            "query": q,
            "prediction": b,
            "top_k": [{"item": item, "score": score} for item, score in row],
        }
        for key, q, b, row in zip(labels, queries, best, ranked)
    ]
    table = [
        [
            *([] if ids is None else [key]),
            q,
            "(no match)" if b is None else b,
            "  ".join(f"{item} ({score:.3f})" for item, score in row) or "(no match)",
        ]
        for key, q, b, row in zip(labels, queries, best, ranked)
    ]
    header = [*([] if ids is None else ["id"]), "query", "prediction", "top-k (score)"]
    emit(fmt, header=header, rows=table, data=data)


def pyplot() -> Any:
    """Return ``matplotlib.pyplot`` on the file-only Agg backend (``--plot``).

    Raises
    ------
    ImportError
        When matplotlib is missing, naming the ``plot`` extra.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "--plot needs matplotlib, which is not installed; install it with "
            "pip install seqpred[plot] (or pip install matplotlib)."
        ) from None
    return plt


def say(text: str = "") -> None:
    """Write one line of prose to stdout (the demo's narration)."""
    sys.stdout.write(text + "\n")
