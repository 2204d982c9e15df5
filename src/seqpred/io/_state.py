"""Check restored fitted state against the types its class declares.

A class declares a fitted attribute's type with a class-level annotation
(``vocabulary_: Vocabulary``, ``coef_: Array``, ``order_: int | None``).
When a model file restores that attribute, its value must have that type:
a file whose state says ``vocabulary_ = 5`` then fails at load with a
:class:`~seqpred.exceptions.ModelFileError` instead of an ``AttributeError``
at the first prediction. Annotations are read as text (they are strings
under ``from __future__ import annotations``) and resolved by looking names
up in the class's own module, never by evaluating them; an annotation this
module cannot read (``Any``, a protocol, a type variable) is not checked.

Examples
--------
>>> from seqpred.models.next_item import MarkovPredictor
>>> declared = declared_types(MarkovPredictor)
>>> declared["vocabulary_"]
(<class 'seqpred.data.vocabulary.Vocabulary'>,)
>>> mismatch(MarkovPredictor, "vocabulary_", 5)
'Vocabulary'
>>> mismatch(MarkovPredictor, "item_counts_", np.zeros(3)) is None
True
"""

from __future__ import annotations

import functools
import re
import sys
import types
import typing
from typing import Any

import numpy as np

__all__ = ["declared_types", "mismatch"]

_BUILTIN: dict[str, tuple[type, ...]] = {
    "None": (type(None),),
    "int": (int, np.integer),
    "float": (int, float, np.integer, np.floating),
    "bool": (bool, np.bool_),
    "str": (str, np.str_),
    "list": (list,),
    "List": (list,),
    "dict": (dict,),
    "Dict": (dict,),
    "tuple": (tuple,),
    "Tuple": (tuple,),
    "set": (set,),
    "frozenset": (frozenset,),
    "ndarray": (np.ndarray,),
    "np.ndarray": (np.ndarray,),
    "numpy.ndarray": (np.ndarray,),
    "NDArray": (np.ndarray,),
    "npt.NDArray": (np.ndarray,),
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@functools.lru_cache(maxsize=512)
def declared_types(cls: type) -> dict[str, tuple[type, ...]]:
    """Return ``{fitted attribute: accepted types}`` from ``cls``'s annotations."""
    out: dict[str, tuple[type, ...]] = {}
    for klass in reversed(cls.__mro__):
        namespace = vars(sys.modules.get(klass.__module__, types.ModuleType("_")))
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if not name.endswith("_") or name.startswith("_"):
                continue
            accepted = _resolve(annotation, namespace)
            if accepted is None:
                out.pop(name, None)  # a subclass may loosen the type
            else:
                out[name] = accepted
    return out


def mismatch(cls: type, name: str, value: Any) -> str | None:
    """Return the declared type's text when ``value`` does not fit it, else None."""
    accepted = declared_types(cls).get(name)
    if accepted is None or isinstance(value, accepted):
        return None
    return " | ".join(sorted({_label(t) for t in accepted}))


def _label(kind: type) -> str:
    return "None" if kind is type(None) else kind.__name__


def _resolve(annotation: Any, namespace: dict[str, Any]) -> tuple[type, ...] | None:
    if not isinstance(annotation, str):
        return _from_object(annotation)
    accepted: list[type] = []
    for part in _split_union(annotation.strip().strip("'\"")):
        base = part.split("[", 1)[0].strip()
        if base in _BUILTIN:
            accepted.extend(_BUILTIN[base])
            continue
        if not _NAME.match(base):
            return None
        found = _from_object(_lookup(base, namespace))
        if found is None:
            return None
        accepted.extend(found)
    return tuple(dict.fromkeys(accepted)) or None


def _split_union(text: str) -> list[str]:
    """Split ``a | b[c | d] | None`` at its top-level bars."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "[") - (char == "]")
        if char == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _lookup(dotted: str, namespace: dict[str, Any]) -> Any:
    head, *rest = dotted.split(".")
    value = namespace.get(head)
    for attr in rest:
        value = getattr(value, attr, None)
    return value


def _from_object(obj: Any) -> tuple[type, ...] | None:
    if obj is None:
        return None
    if obj is type(None):
        return (type(None),)
    origin = typing.get_origin(obj)
    if origin in (typing.Union, types.UnionType):
        parts = [_from_object(a) for a in typing.get_args(obj)]
        if any(p is None for p in parts):
            return None
        return tuple(t for p in parts if p for t in p)
    if isinstance(origin, type):
        obj = origin
    if not isinstance(obj, type) or obj in (object, typing.Any):
        return None
    if obj in (int, float, bool, str):
        return _BUILTIN[obj.__name__]
    if getattr(obj, "_is_protocol", False):
        return None
    return (obj,)
