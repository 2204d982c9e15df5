"""The two hot routes, ``predict`` and session ``events``, and their ASGI fast path.

:func:`predict` and :func:`add_events` are the routes' logic, shared by the
FastAPI routes (which document them at ``/docs``) and by :class:`HotRoutes`,
a plain ASGI layer in front of FastAPI that answers these two routes
itself: it parses the body with the same pydantic models and maps errors to
the same JSON, but skips FastAPI's per-request machinery (dependency
solving, exit stacks, response validation), which costs several times the
prediction itself. Every other route goes on to FastAPI.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException

from seqpred.serve.errors import TooLarge, error_body, status_of, validation_body
from seqpred.serve.schemas import EventsRequest, PredictRequest
from seqpred.serve.service import Service
from seqpred.serve.tasks import check_request

__all__ = ["HotRoutes", "add_events", "predict"]

logger = logging.getLogger(__name__)

_PREDICT = re.compile(r"/models/([^/]+)/predict")
_EVENTS = re.compile(r"/models/([^/]+)/sessions/([^/]+)/events")


async def predict(service: Service, name: str, body: PredictRequest) -> dict[str, Any]:
    """Answer ``POST /models/{name}/predict``."""
    hosted = service.model(name)
    request = {field: getattr(body, field) for field in body.model_fields_set}
    check_request(hosted.task, request, service.config)
    out = await hosted.predict(request)
    return {"model": name, "task": hosted.task, **out}


async def add_events(
    service: Service, name: str, session_id: str, body: EventsRequest
) -> dict[str, Any]:
    """Answer ``POST /models/{name}/sessions/{session_id}/events``."""
    online = service.sessions(name)
    limit = service.config.max_k
    if not 1 <= body.k <= limit:
        raise TooLarge(f"k={body.k} must be in 1..{limit} (--max-k).")
    context = await online.add_events(session_id, body.events)
    hosted = online.hosted
    if hosted.batcher is not None:  # a neural model: through its micro-batches
        symbols = [online.sessions.events(session_id) or []]
        out = await hosted.predict({"sequences": symbols, "k": body.k})
        top = out["predictions"][0]
    else:
        ids, scores = hosted.model.predict_top_k_encoded(context, None, body.k)
        n = int((ids[0] >= 0).sum())
        items = hosted.model.vocabulary_.decode(ids[0, :n])
        top = {"items": items, "scores": scores[0, :n].tolist()}
    session = online.sessions.get(session_id)
    length = 0 if session is None else len(session.symbols)
    return {"session": session_id, "length": length, **top}


class _Template:
    """What the metrics read as the route (``scope["route"].path``)."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path


_PREDICT_ROUTE = _Template("/models/{name}/predict")
_EVENTS_ROUTE = _Template("/models/{name}/sessions/{session_id}/events")


class HotRoutes:
    """ASGI layer answering ``predict`` and ``events`` before FastAPI (see above).

    Parameters
    ----------
    app : ASGI application
        FastAPI, for every other request.
    service : Service
        The hosted models and sessions.
    """

    def __init__(self, app: Any, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Answer the two hot routes; hand everything else to FastAPI."""
        if scope["type"] == "http" and scope["method"] == "POST":
            path = scope["path"]
            events = _EVENTS.fullmatch(path)
            found = events or _PREDICT.fullmatch(path)
            if found is not None:
                scope["route"] = _EVENTS_ROUTE if events else _PREDICT_ROUTE
                status, payload = await self._answer(found.groups(), receive)
                await _send_json(send, status, payload)
                return
        await self.app(scope, receive, send)

    async def _answer(self, parts: tuple[str, ...], receive: Any) -> tuple[int, Any]:
        try:
            raw = await _read_body(receive)
            if len(parts) == 2:
                events = EventsRequest.model_validate_json(raw)
                return 200, await add_events(self.service, *parts, events)
            body = PredictRequest.model_validate_json(raw)
            return 200, await predict(self.service, parts[0], body)
        except ValidationError as exc:
            return 422, validation_body(exc.errors())
        except HTTPException as exc:  # the body limit, raised while reading
            kind = "TooLarge" if exc.status_code == 413 else "HTTPError"
            status = exc.status_code
            return status, {
                "error": {"type": kind, "message": exc.detail, "status": status}
            }
        except Exception as exc:
            status = status_of(exc)
            if status >= 500:
                logger.error("unexpected error", exc_info=exc)
            return status, error_body(exc, status)


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send_json(send: Any, status: int, payload: Any) -> None:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
