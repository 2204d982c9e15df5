"""A real server on 127.0.0.1 (a free port, a background thread) and model files.

Test modules import the fixtures from here (a ``conftest.py`` in this folder
would clash with the other test folders' under ``--doctest-modules``, as
no test folder is a package).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

import seqpred
from seqpred import io
from seqpred.data.synthetic import click_sessions

__all__ = ["CLICKS", "clicks", "free_port", "model_files", "running", "serving"]

CLICKS = click_sessions(300, random_state=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(models: dict[str, Path], **settings: object) -> Iterator[object]:
    """Serve ``models`` on 127.0.0.1 in a thread; yield an httpx client to it."""
    import httpx
    import uvicorn

    from seqpred.serve import ServeConfig
    from seqpred.serve.app import create_app

    port = free_port()
    config = ServeConfig(port=port, **settings)  # type: ignore[arg-type]
    app = create_app(models, config)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client
    finally:
        server.should_exit = True
        thread.join(20)


@pytest.fixture(scope="session")
def model_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small saved model per task."""
    root = tmp_path_factory.mktemp("models")
    words = ["abcab", "abcabc", "aab", "bba", "bbab", "abab", "cabc", "bbba"]
    labels = ["x", "x", "y", "y", "y", "x", "x", "y"]
    models = {
        "clicks": seqpred.create("markov", order=2).fit(CLICKS),
        "kmer": seqpred.create("kmer").fit(words, labels),
        "naive": seqpred.create("naive").fit([np.arange(10.0), np.arange(5.0)]),
        "reverse": seqpred.create("seq2seq-ppm").fit(["abc", "bca"], ["cba", "acb"]),
        "writer": seqpred.create("conditional").fit(words, labels),
        "cptplus": seqpred.create("cpt+").fit(CLICKS),
    }
    paths = {}
    for name, model in models.items():
        paths[name] = io.save(model, root / f"{name}.seqpred")
    return paths


@pytest.fixture(scope="session")
def serving():
    """The :func:`running` context manager: ``with serving(models, **settings)``."""
    return running


@pytest.fixture(scope="session")
def clicks() -> list[list[str]]:
    """The training sessions of the ``clicks`` and ``cptplus`` models."""
    return CLICKS
