"""The HTTP routes of ``seqpred serve`` (a FastAPI application).

========================================  =========================================
route                                     what it does
========================================  =========================================
``GET /health``                           liveness (never needs the token)
``GET /models``                           names, tasks, versions, sizes, sessions
``GET /models/{name}``                    one model
``POST /models/{name}/predict``           predictions for a batch (any task)
``POST /models/{name}/reload``            load the model file again
``GET /models/{name}/sessions``           session counts, memory and learning state
``POST .../sessions/{id}/events``         append events; the session's next items
``GET .../sessions/{id}``                 a live session's events
``DELETE .../sessions/{id}``              end a session (it is learned from)
``GET /metrics``                          Prometheus text: counts, latencies, gauges
``GET /docs``                             OpenAPI documentation
========================================  =========================================

Errors are JSON ``{"error": {"type", "message", "status"}}``: the library's
validation errors keep their message (400 for a bad parameter, 422 for bad
data), 401 without the token, 404 for an unknown model or session, 413 over a
size limit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from seqpred._version import __version__
from seqpred.exceptions import SeqpredError
from seqpred.serve import hot
from seqpred.serve.config import ServeConfig
from seqpred.serve.errors import (
    HTTPError,
    NotFound,
    error_body,
    status_of,
    validation_body,
)
from seqpred.serve.metrics import MetricsMiddleware
from seqpred.serve.schemas import (
    ErrorResponse,
    EventsRequest,
    EventsResponse,
    PredictRequest,
)
from seqpred.serve.security import GuardMiddleware
from seqpred.serve.service import Service

__all__ = ["ServeApp", "create_app"]

logger = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 404, 413, 422)
}
_STATUS_NAMES = {404: "NotFound", 405: "MethodNotAllowed", 413: "TooLarge"}


def create_app(
    models: dict[str, Path] | Service, config: ServeConfig | None = None
) -> ServeApp:
    """Build the application serving ``models``.

    Parameters
    ----------
    models : dict of str to Path, or Service
        Model name -> model file (loaded now; a bad file raises here), or a
        :class:`~seqpred.serve.service.Service` already built.
    config : ServeConfig, default=None
        The settings (``ServeConfig()`` when None).

    Returns
    -------
    ServeApp
        An ASGI application; run it with uvicorn (``seqpred serve`` does).
    """
    config = config or ServeConfig()
    service = models if isinstance(models, Service) else Service(models, config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.start()
        yield
        await service.stop()

    app = FastAPI(
        title="seqpred",
        version=__version__,
        description="Predictions with sequences: next items, live sessions, "
        "classification, forecasts, seq2seq, generation.",
        lifespan=lifespan,
    )
    app.state.service = service
    _add_error_handlers(app)
    _add_routes(app, service)
    return ServeApp(app, service, config)


class ServeApp:
    """The service as one ASGI application: metrics, guard, hot routes, FastAPI.

    The layers run outside FastAPI so that they cost a few microseconds a
    request: :class:`~seqpred.serve.metrics.MetricsMiddleware` times every
    request, :class:`~seqpred.serve.security.GuardMiddleware` checks the
    token and the body size, :class:`~seqpred.serve.hot.HotRoutes` answers
    ``predict`` and session ``events``, and FastAPI the rest (``/docs``
    included).

    Attributes
    ----------
    fastapi : fastapi.FastAPI
        The application behind the layers.
    state : State
        ``fastapi.state``; ``state.service`` is the :class:`Service`.
    """

    def __init__(self, app: FastAPI, service: Service, config: ServeConfig) -> None:
        self.fastapi = app
        self.state = app.state
        guarded = GuardMiddleware(
            hot.HotRoutes(app, service),
            token=config.token,
            max_body_bytes=config.max_body_bytes,
        )
        self._stack = MetricsMiddleware(guarded, service.metrics)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve one ASGI connection (HTTP or lifespan)."""
        await self._stack(scope, receive, send)


def _json(value: Any, status: int = 200) -> Response:
    body = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return Response(body.encode("utf-8"), status, media_type="application/json")


def _add_error_handlers(app: FastAPI) -> None:
    async def library_error(request: Request, exc: Exception) -> Response:
        status = status_of(exc)
        if status >= 500:
            logger.error("unexpected error", exc_info=exc)
        return _json(error_body(exc, status), status)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return _json(validation_body(list(exc.errors())), 422)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        kind = _STATUS_NAMES.get(exc.status_code, "HTTPError")
        body = {
            "error": {"type": kind, "message": exc.detail, "status": exc.status_code}
        }
        return Response(
            json.dumps(body).encode("utf-8"),
            exc.status_code,
            media_type="application/json",
            headers=getattr(exc, "headers", None),
        )

    app.add_exception_handler(HTTPError, library_error)
    app.add_exception_handler(SeqpredError, library_error)
    app.add_exception_handler(Exception, library_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)


def _add_routes(app: FastAPI, service: Service) -> None:
    @app.get("/health", tags=["service"])
    async def health() -> Response:
        """Say the service is up (no token needed)."""
        return _json({"status": "ok", "models": len(service.models)})

    @app.get("/models", tags=["models"])
    async def list_models() -> Response:
        """List the models: names, tasks, versions, sizes and sessions."""
        return _json({"models": [service.describe(n) for n in service.models]})

    @app.get("/models/{name}", tags=["models"], responses=_ERRORS)
    async def get_model(name: str) -> Response:
        """Describe one model."""
        return _json(service.describe(name))

    @app.post("/models/{name}/predict", tags=["models"], responses=_ERRORS)
    async def predict(name: str, body: PredictRequest) -> Response:
        """Predict for a batch of sequences with the model's task."""
        return _json(await hot.predict(service, name, body))

    @app.post("/models/{name}/reload", tags=["models"], responses=_ERRORS)
    async def reload(name: str) -> Response:
        """Load the model file again and serve it."""
        hosted = service.model(name)
        if name in service.online:
            await service.online[name].reload()
        else:
            hosted.load()
        return _json(service.describe(name))

    @app.get("/models/{name}/sessions", tags=["sessions"], responses=_ERRORS)
    async def session_stats(name: str) -> Response:
        """Report the live sessions: counts, memory, bounds and learning."""
        return _json(service.sessions(name).stats())

    @app.post(
        "/models/{name}/sessions/{session_id}/events",
        tags=["sessions"],
        responses=_ERRORS,
        response_model=EventsResponse,
    )
    async def add_events(name: str, session_id: str, body: EventsRequest) -> Response:
        """Append events to a live session; return its most likely next items."""
        return _json(await hot.add_events(service, name, session_id, body))

    @app.get("/models/{name}/sessions/{session_id}", tags=["sessions"])
    async def get_session(name: str, session_id: str) -> Response:
        """Return a live session's events."""
        events = service.sessions(name).sessions.events(session_id)
        if events is None:
            raise NotFound(f"no live session {session_id!r} for model {name!r}.")
        return _json({"session": session_id, "events": events})

    @app.delete("/models/{name}/sessions/{session_id}", tags=["sessions"])
    async def end_session(name: str, session_id: str) -> Response:
        """End a session; a learning model learns from it."""
        online = service.sessions(name)
        if not await online.end(session_id):
            raise NotFound(f"no live session {session_id!r} for model {name!r}.")
        return _json({"session": session_id, "ended": True, "learned": online.learning})

    @app.get("/metrics", tags=["service"])
    async def metrics() -> Response:
        """Return request counts, latency histograms and gauges (Prometheus)."""
        return Response(
            service.metrics.render(),
            media_type="text/plain; version=0.0.4; charset=utf-8",
        )
