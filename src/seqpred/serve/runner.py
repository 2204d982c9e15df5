"""Start a server: load the models, recover their state, run uvicorn until stopped.

``SIGINT`` or ``SIGTERM`` stop it cleanly: requests in flight finish, queued
sessions are learned and a last snapshot is written. ``kill -9`` loses
nothing acknowledged either (the write-ahead log is replayed at the next
start), it only makes that start replay more.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from seqpred.serve.config import ServeConfig

__all__ = ["run"]

logger = logging.getLogger("seqpred.serve")


def run(models: dict[str, Path], config: ServeConfig) -> None:
    """Serve ``models`` (name -> file) with ``config`` until interrupted.

    Parameters
    ----------
    models : dict of str to Path
        Model name -> model file.
    config : ServeConfig
        Host, port, token, limits, state directory.
    """
    import uvicorn

    from seqpred.serve.app import create_app
    from seqpred.serve.service import Service

    if not config.is_loopback and config.token is None:
        logger.warning(
            "serving on %s without a token: anyone who can reach this address "
            "can query and change the models; set SEQPRED_TOKEN",
            config.host,
        )
    service = Service(models, config)
    for name, hosted in service.models.items():
        logger.info("model %r: %s from %s", name, hosted.task, hosted.path)
    app = create_app(service, config)
    gc.collect()
    gc.freeze()  # the models and the app live on: keep them out of collections
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=config.host,
            port=config.port,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=10,
            proxy_headers=False,  # clients are not behind a proxy we know of
            server_header=False,
            date_header=False,
        )
    )
    logger.info("serving %d model(s) on http://%s:%d", len(models), *_address(config))
    server.run()


def _address(config: ServeConfig) -> tuple[str, int]:
    host = f"[{config.host}]" if ":" in config.host else config.host
    return host, config.port
