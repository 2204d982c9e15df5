"""Argument helpers of the command line: ``k=v`` options and query tokens."""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from typing import Any

import typer

__all__ = ["parse_key_values", "query_symbols"]


def parse_key_values(pairs: Sequence[str] | None, option: str) -> dict[str, Any]:
    """Parse ``k=v`` strings; values are JSON when they parse, else strings.

    Examples
    --------
    >>> parse_key_values(["order=2", "fallback=null", "name=home"], "--param")
    {'order': 2, 'fallback': None, 'name': 'home'}
    """
    parsed: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise typer.BadParameter(
                f"expected key=value, got {pair!r}; for example {option} order=2",
                param_hint=f"'{option}'",
            )
        try:
            parsed[key] = json.loads(raw)
        except ValueError:
            parsed[key] = raw
    return parsed


def query_symbols(tokens: Sequence[Hashable], symbols: Sequence[Hashable]) -> list[Any]:
    """Map input tokens to the vocabulary's symbol type.

    A token that is not a known symbol but reads as an int becomes that int
    when the vocabulary holds ints (SPMF files give int items).

    Examples
    --------
    >>> query_symbols(["1", "7", "x"], [1, 2, 7])
    [1, 7, 'x']
    >>> query_symbols(["1", "b"], ["1", "b"])
    ['1', 'b']
    """
    known = set(symbols)
    holds_ints = any(isinstance(s, int) and not isinstance(s, bool) for s in symbols)
    out: list[Any] = []
    for token in tokens:
        if holds_ints and token not in known and isinstance(token, str):
            try:
                out.append(int(token))
                continue
            except ValueError:
                pass
        out.append(token)
    return out
