"""The door of the service: bearer token and request body limit (ASGI middleware).

With a token configured, every request but ``GET /health`` must carry
``Authorization: Bearer <token>`` (compared in constant time), else 401. A
body over ``max_body_bytes`` gets 413: at once when ``Content-Length`` says
so, else as soon as the bytes read pass the limit (a chunked upload never
gets further). Binding to the loopback is :class:`ServeConfig`'s default.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.exceptions import HTTPException

from seqpred.serve.errors import TooLarge, Unauthorized, error_body

__all__ = ["GuardMiddleware"]

OPEN_PATHS = frozenset({"/health"})
"""Paths served without the token (a load balancer's liveness probe)."""


class GuardMiddleware:
    """Refuse requests without the token or with too large a body.

    Parameters
    ----------
    app : ASGI application
        The application to guard.
    token : str or None
        The bearer token; ``None`` lets every request in.
    max_body_bytes : int
        Largest request body accepted.
    """

    def __init__(self, app: Any, *, token: str | None, max_body_bytes: int) -> None:
        self.app = app
        self.expected = None if token is None else b"Bearer " + token.encode("utf-8")
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve one ASGI connection, refusing what the guard does not let in."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if self.expected is not None and scope["path"] not in OPEN_PATHS:
            given = headers.get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                await _reply(send, Unauthorized(_unauthorized(given)))
                return
        length = headers.get(b"content-length")
        if (
            length is not None
            and length.isdigit()
            and int(length) > self.max_body_bytes
        ):
            await _reply(send, TooLarge(self._too_large(int(length))))
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:  # FastAPI lets HTTPException through
                    raise HTTPException(413, self._too_large(seen))
            return message

        await self.app(scope, limited, send)

    def _too_large(self, size: int) -> str:
        return (
            f"request body of {size} bytes is over the limit of "
            f"{self.max_body_bytes}; send fewer sequences per request, or start "
            "the server with a larger --max-body-bytes."
        )


def _unauthorized(given: bytes) -> str:
    if not given:
        return (
            "this server requires a bearer token: send the header "
            "'Authorization: Bearer <token>' with the value of SEQPRED_TOKEN."
        )
    return "the bearer token is wrong; send the value of SEQPRED_TOKEN."


async def _reply(send: Any, exc: TooLarge | Unauthorized) -> None:
    body = json.dumps(error_body(exc)).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
    ]
    if isinstance(exc, Unauthorized):
        headers.append((b"www-authenticate", b'Bearer realm="seqpred"'))
    else:
        headers.append((b"connection", b"close"))
    await send(
        {"type": "http.response.start", "status": exc.status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": body})
