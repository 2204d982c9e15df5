"""Errors of the service and the HTTP status and JSON body of every error.

Library errors keep their type and message (the same text as in Python or on
the command line); only the status is chosen here. Every error body has one
shape::

    {"error": {"type": "UnknownSymbolError", "message": "...", "status": 422}}
"""

from __future__ import annotations

from typing import Any

from seqpred.exceptions import (
    DataError,
    InvalidParameterError,
    ModelFileError,
    NotFittedError,
    SeqpredError,
)

__all__ = [
    "HTTPError",
    "NotFound",
    "TooLarge",
    "Unauthorized",
    "Unavailable",
    "error_body",
    "status_of",
    "validation_body",
]


class HTTPError(Exception):
    """An error of the service itself (not of the library), with its status."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(HTTPError):
    """No such model or session."""

    status = 404


class TooLarge(HTTPError):
    """A request over a size limit (body, batch, items, k)."""

    status = 413


class Unauthorized(HTTPError):
    """A missing or wrong bearer token."""

    status = 401


class Unavailable(HTTPError):
    """The service is starting or stopping and cannot take this request."""

    status = 503


def status_of(exc: BaseException) -> int:
    """Return the HTTP status of an exception raised while serving a request.

    Examples
    --------
    >>> from seqpred.exceptions import UnknownSymbolError
    >>> status_of(UnknownSymbolError("x")), status_of(InvalidParameterError("k"))
    (422, 400)
    """
    if isinstance(exc, HTTPError):
        return exc.status
    if isinstance(exc, InvalidParameterError):
        return 400
    if isinstance(exc, NotFittedError):
        return 409
    if isinstance(exc, (DataError, ModelFileError)):
        return 422
    if isinstance(exc, SeqpredError):
        return 400
    return 500


def error_body(exc: BaseException, status: int | None = None) -> dict[str, Any]:
    """Return the JSON body of an error response.

    Examples
    --------
    >>> error_body(NotFound("no model 'x'"))["error"]["status"]
    404
    """
    status = status_of(exc) if status is None else status
    if status >= 500 and not isinstance(exc, HTTPError):
        message = (
            f"unexpected {type(exc).__name__} (a bug in seqpred serve; the "
            "server log has the traceback)"
        )
        kind = "InternalError"
    else:
        message = str(exc) if not isinstance(exc, HTTPError) else exc.message
        kind = type(exc).__name__
    return {"error": {"type": kind, "message": message, "status": status}}


def validation_body(errors: list[Any]) -> dict[str, Any]:
    """Return the JSON body of a request that does not fit its schema (422).

    Examples
    --------
    >>> body = validation_body([{"loc": ("body", "k"), "msg": "not an int"}])
    >>> body["error"]["message"], body["error"]["status"]
    ('invalid request: body.k: not an int', 422)
    """
    problems = [
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in errors
    ]
    message = "invalid request: " + "; ".join(problems)
    return {
        "error": {"type": "RequestValidationError", "message": message, "status": 422}
    }
