"""``seqpred serve``: predictions over HTTP, live sessions and online learning.

A FastAPI application on uvicorn (the optional extra ``seqpred[serve]``)
serves saved models: one route family per model, for every task, plus live
sessions for next-item models whose ended sessions feed ``partial_fit``
through a write-ahead log and atomic snapshots (nothing acknowledged is
lost, ``kill -9`` included). See ``docs/serve.md``.

>>> from seqpred.serve import ServeConfig
>>> ServeConfig().host
'127.0.0.1'

The application itself needs the extra::

    from seqpred.serve.app import create_app
    app = create_app({"clicks": "clicks.seqpred"}, ServeConfig())
"""

from __future__ import annotations

from seqpred.serve.config import ServeConfig

__all__ = ["ServeConfig", "missing_extra"]


def missing_extra() -> str | None:
    """Return why the server cannot run here (a missing package), or None."""
    import importlib.util

    missing = [m for m in ("fastapi", "uvicorn") if importlib.util.find_spec(m) is None]
    if not missing:
        return None
    return (
        f"seqpred serve needs {' and '.join(missing)}; install the extra: "
        "pip install 'seqpred[serve]'"
    )
