"""Request and response bodies (pydantic): what ``/docs`` shows and requests obey.

Request models refuse unknown fields. Sequences are lists of JSON values
checked by the library itself (its messages are the errors a client sees).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ErrorResponse",
    "EventsRequest",
    "EventsResponse",
    "PredictRequest",
    "TopK",
]


class PredictRequest(BaseModel):
    """Inputs of ``POST /models/{name}/predict``; the fields of the model's task.

    next-item: ``sequences``, ``k``; classify: ``sequences``,
    ``probabilities``; forecast: ``sequences`` (histories), ``horizon``,
    ``coverage``; seq2seq: ``sequences``, ``beam_width``, ``max_length``;
    generate: ``n``, ``prefix``, ``label``, ``max_length``, ``temperature``,
    ``top_k``, ``top_p``, ``random_state``; anomaly: ``sequences``.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"sequences": [["home", "search", "product"]], "k": 3}]
        },
    )

    sequences: Any = Field(
        None, description="A batch: a list of sequences (lists of items or strings)."
    )
    k: int | None = Field(None, description="next-item: candidates per sequence (5).")
    probabilities: bool | None = Field(
        None, description="classify: also return class probabilities (true)."
    )
    horizon: int | None = Field(None, description="forecast: steps ahead.")
    coverage: float | None = Field(
        None, description="forecast: central interval coverage in (0, 1) (0.8)."
    )
    beam_width: int | None = Field(None, description="seq2seq: beam width (1).")
    max_length: int | None = Field(
        None, description="seq2seq / generate: longest output."
    )
    n: int | None = Field(None, description="generate: number of samples (1).")
    prefix: Any = Field(None, description="generate: items to continue.")
    label: Any = Field(None, description="generate: condition on this label.")
    temperature: float | None = Field(None, description="generate: temperature (1).")
    top_k: int | None = Field(None, description="generate: sample from the k best.")
    top_p: float | None = Field(None, description="generate: nucleus sampling mass.")
    random_state: int | None = Field(None, description="generate: seed.")


class EventsRequest(BaseModel):
    """Events to append to a live session, and how many next items to return."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"events": ["home"], "k": 3}]}
    )

    events: list[Any] = Field(
        default_factory=list, description="Items, oldest first (may be empty)."
    )
    k: int = Field(5, description="Candidates to return.")


class TopK(BaseModel):
    """Next items, most likely first, with their scores."""

    items: list[Any]
    scores: list[float]


class EventsResponse(BaseModel):
    """The session after the events, and its next items."""

    session: str
    length: int = Field(description="Events the session holds now.")
    items: list[Any]
    scores: list[float]


class ErrorResponse(BaseModel):
    """Every error: ``{"error": {"type", "message", "status"}}``."""

    error: dict[str, Any]
