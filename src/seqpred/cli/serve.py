"""``seqpred serve``: serve saved models over HTTP (needs ``seqpred[serve]``).

The command parses its options into a :class:`~seqpred.serve.ServeConfig`
and hands over to :func:`seqpred.serve.runner.run`; the server's code lives
in :mod:`seqpred.serve`. ``SEQPRED_TOKEN`` sets the bearer token and
``SEQPRED_MODEL_KEY`` the key model files must be signed with.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from seqpred.cli.model_files import model_key
from seqpred.exceptions import InvalidParameterError

__all__ = ["EPILOG", "serve"]

EPILOG = (
    "Example: seqpred serve clicks.seqpred --state-dir state/ --port 8000; then "
    "curl -X POST localhost:8000/models/clicks/predict -H 'content-type: "
    'application/json\' -d \'{"sequences": [["home", "search"]], "k": 3}\''
)


def serve(
    model_files: Annotated[
        list[str],
        typer.Argument(
            metavar="MODEL_FILE...",
            help="Model files from 'fit'; NAME=PATH names one (default: the stem).",
        ),
    ],
    host: Annotated[
        str, typer.Option("--host", help="Interface to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = 8000,
    state_dir: Annotated[
        Path | None,
        typer.Option(
            "--state-dir",
            help="Learn from ended sessions, with a write-ahead log and snapshots "
            "here (one folder per model). Without it sessions are not learned.",
        ),
    ] = None,
    max_sessions: Annotated[
        int, typer.Option("--max-sessions", min=1, help="Live sessions per model.")
    ] = 100_000,
    max_session_length: Annotated[
        int, typer.Option("--max-session-length", min=1, help="Events per session.")
    ] = 1000,
    session_ttl: Annotated[
        float,
        typer.Option(
            "--session-ttl", min=0, help="Idle seconds before a session ends."
        ),
    ] = 1800.0,
    snapshot_interval: Annotated[
        float, typer.Option("--snapshot-interval", min=0, help="Seconds.")
    ] = 300.0,
    learn_interval: Annotated[
        float,
        typer.Option("--learn-interval", min=0, help="Seconds between partial_fit."),
    ] = 1.0,
    max_body_bytes: Annotated[int, typer.Option("--max-body-bytes", min=1)] = 1_048_576,
    max_batch: Annotated[
        int, typer.Option("--max-batch", min=1, help="Sequences per request.")
    ] = 1024,
    max_items: Annotated[
        int, typer.Option("--max-items", min=1, help="Items per request.")
    ] = 100_000,
    max_k: Annotated[int, typer.Option("--max-k", min=1, help="Largest k.")] = 1000,
    no_fsync: Annotated[
        bool,
        typer.Option(
            "--no-fsync",
            help="Do not flush the log to disk before replying (survives a crash "
            "of the server, not of the machine).",
        ),
    ] = False,
    batch_wait_ms: Annotated[
        float,
        typer.Option("--batch-wait-ms", min=0, help="Micro-batching wait (neural)."),
    ] = 2.0,
) -> None:
    """Serve saved models over HTTP: predictions, live sessions, online learning."""
    from seqpred.serve import ServeConfig, missing_extra

    missing = missing_extra()
    if missing is not None:
        raise InvalidParameterError(missing)
    from seqpred.serve.hosted import model_names
    from seqpred.serve.runner import run

    config = ServeConfig(
        host=host,
        port=port,
        token=os.environ.get("SEQPRED_TOKEN") or None,
        model_key=model_key(),
        max_body_bytes=max_body_bytes,
        max_batch=max_batch,
        max_items=max_items,
        max_k=max_k,
        max_sessions=max_sessions,
        max_session_length=max_session_length,
        session_ttl=session_ttl,
        state_dir=state_dir,
        snapshot_interval=snapshot_interval,
        learn_interval=learn_interval,
        fsync=not no_fsync,
        batch_wait_ms=batch_wait_ms,
    )
    _log_to_stderr()
    run(model_names(model_files), config)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    logger = logging.getLogger("seqpred")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
