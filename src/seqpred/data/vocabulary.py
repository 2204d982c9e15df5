"""Vocabulary: a stable two-way map between symbols and integer ids."""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from seqpred.exceptions import DataError, UnknownSymbolError

__all__ = ["PAD_ID", "RESERVED", "SEP_ID", "UNK_ID", "Vocabulary"]

PAD_ID = 0
UNK_ID = 1
SEP_ID = 2
RESERVED: tuple[str, ...] = ("<pad>", "<unk>", "<sep>")
"""Reserved symbols, in id order: padding, unknown, separator."""

_JSON_SYMBOL = (str, int, float)  # bool is an int


def _savable(symbol: Hashable) -> bool:
    """Whether JSON can hold ``symbol`` and give it back with its type."""
    if isinstance(symbol, float):
        return math.isfinite(symbol)
    return isinstance(symbol, _JSON_SYMBOL)


class _Tag:
    """A type tag that keeps bools and floats apart from equal ints (True == 1)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_BOOL, _FLOAT = _Tag("<bool>"), _Tag("<float>")


def _key(symbol: Hashable) -> Hashable:
    """Return the dictionary key of a symbol: bools and floats tagged with a type.

    Python hashes ``True``, ``1`` and ``1.0`` alike, so a plain dict would
    make them one symbol; tagged keys keep ``True``, ``1``, ``1.0`` and
    ``"1"`` four different symbols.
    """
    if isinstance(symbol, (bool, np.bool_)):
        return (_BOOL, bool(symbol))
    if isinstance(symbol, (float, np.floating)):
        return (_FLOAT, float(symbol))
    return symbol


def _hashable(symbol: Any) -> bool:
    try:
        hash(symbol)
    except TypeError:
        return False
    return True


def _needs_keys(symbols: Iterable[Hashable] | np.ndarray[Any, Any]) -> bool:
    """Whether ``symbols`` holds bools or floats (which need tagged keys)."""
    if isinstance(symbols, np.ndarray) and symbols.dtype != object:
        return symbols.dtype.kind in "bf"
    kinds = set(map(type, symbols))
    return any(issubclass(k, (bool, float, np.bool_, np.floating)) for k in kinds)


class Vocabulary:
    """Map symbols to dense integer ids and back, in first-seen order.

    Ids ``0``, ``1`` and ``2`` are reserved for padding, unknown and separator;
    the user's symbols get ids from ``3`` on, in the order they were added, so
    the same data always gives the same ids. Symbols are typed: ``True``,
    ``1``, ``1.0`` and ``"1"`` are four different symbols (NumPy scalars are
    the same symbols as the Python values they hold).

    Parameters
    ----------
    symbols : iterable of hashable, default=None
        Initial symbols, added in order (duplicates ignored).

    Attributes
    ----------
    symbols : list
        The user's symbols in id order (reserved ones excluded).

    Examples
    --------
    >>> vocab = Vocabulary(["a", "b"])
    >>> vocab.encode(["b", "a", "b"]).tolist()
    [4, 3, 4]
    >>> vocab.decode([3, 4])
    ['a', 'b']
    >>> len(vocab), vocab.n_reserved
    (2, 3)
    >>> Vocabulary([1, True, 1.0, "1"]).symbols
    [1, True, 1.0, '1']
    """

    n_reserved: int = len(RESERVED)

    def __init__(self, symbols: Iterable[Hashable] | None = None) -> None:
        self._index: dict[Hashable, int] = {}
        self._symbols: list[Hashable] = []
        self._frozen = False
        if symbols is not None:
            self.update(symbols)

    # -- building
    def add(self, symbol: Hashable) -> int:
        """Add one symbol if new and return its id."""
        key = _key(symbol)
        found = self._index.get(key)
        if found is not None:
            return found
        if isinstance(symbol, np.generic):  # store plain Python symbols
            symbol = symbol.item()
        if symbol in RESERVED:
            raise DataError(
                f"Vocabulary: {symbol!r} is a reserved symbol; rename it in your data."
            )
        if self._frozen:
            raise DataError(
                f"Vocabulary: cannot add {symbol!r} to a frozen vocabulary; "
                "use vocabulary.copy() to extend a copy."
            )
        new_id = len(self._symbols) + self.n_reserved
        self._index[key] = new_id
        self._symbols.append(symbol)
        return new_id

    def update(self, symbols: Iterable[Hashable]) -> Vocabulary:
        """Add every new symbol of ``symbols`` in order; return ``self``."""
        index = self._index
        if not isinstance(symbols, (list, tuple, np.ndarray)):
            symbols = list(symbols)
        if _needs_keys(symbols):
            for symbol in symbols:
                if _key(symbol) not in index:
                    self.add(symbol)
            return self
        for symbol in symbols:
            if symbol not in index:
                self.add(symbol)
        return self

    def freeze(self) -> Vocabulary:
        """Forbid further additions (fitted models freeze theirs); return self."""
        self._frozen = True
        return self

    def copy(self) -> Vocabulary:
        """Return an unfrozen copy."""
        # the tables are consistent already: copy them rather than re-adding
        # symbol by symbol (300x faster; every model's fit copies a vocabulary)
        twin = Vocabulary()
        twin._index = dict(self._index)
        twin._symbols = list(self._symbols)
        return twin

    # -- lookups
    @property
    def symbols(self) -> list[Hashable]:
        """The user's symbols in id order (a copy)."""
        return list(self._symbols)

    @property
    def size(self) -> int:
        """Number of ids, reserved ones included (the width of an embedding)."""
        return len(self._symbols) + self.n_reserved

    def __len__(self) -> int:
        return len(self._symbols)

    def __contains__(self, symbol: object) -> bool:
        try:
            return _key(symbol) in self._index
        except TypeError:  # unhashable: never a symbol
            return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self._symbols == other._symbols

    def __hash__(self) -> int:  # vocabularies are mutable: identity hash
        return id(self)

    def __repr__(self) -> str:
        head = ", ".join(repr(s) for s in self._symbols[:5])
        more = ", ..." if len(self._symbols) > 5 else ""
        return f"Vocabulary([{head}{more}], size={len(self._symbols)})"

    def index(self, symbol: Hashable) -> int:
        """Return the id of ``symbol``; raise :class:`UnknownSymbolError` if absent."""
        found = self._index.get(_key(symbol))
        if found is None:
            raise UnknownSymbolError(self._unknown_message([symbol]))
        return found

    def encode(
        self,
        symbols: Sequence[Hashable] | np.ndarray[Any, Any],
        *,
        unknown: Literal["error", "unk", "add"] = "error",
    ) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Encode symbols to an ``int64`` id array.

        Parameters
        ----------
        symbols : sequence of hashable or ndarray
            The symbols to encode.
        unknown : {"error", "unk", "add"}, default="error"
            What to do with a symbol not in the vocabulary: raise
            :class:`UnknownSymbolError`, map it to ``UNK_ID``, or add it.

        Returns
        -------
        ndarray of int64
        """
        if isinstance(symbols, np.ndarray) and symbols.dtype.kind in "iu":
            return self._encode_int_array(symbols, unknown)
        try:
            return self._encode(symbols, unknown)
        except TypeError:  # an unhashable symbol, such as a list
            bad = next(s for s in symbols if not _hashable(s))
            raise DataError(
                f"Vocabulary: symbol {bad!r} of type {type(bad).__name__} is not "
                "hashable; each step holds one symbol (a str, int, ...). Flatten "
                "nested steps, or join them into one symbol (a tuple or str)."
            ) from None

    def _encode(
        self,
        symbols: Sequence[Hashable] | np.ndarray[Any, Any],
        unknown: Literal["error", "unk", "add"],
    ) -> np.ndarray[Any, np.dtype[np.int64]]:
        if unknown == "add":
            self.update(symbols)
        get = self._index.get
        keys: Iterable[Hashable] = symbols
        if _needs_keys(symbols):
            keys = [_key(s) for s in symbols]
        if unknown == "unk":
            return np.fromiter(
                (get(s, UNK_ID) for s in keys), dtype=np.int64, count=len(symbols)
            )
        ids = np.fromiter(
            (get(s, -1) for s in keys), dtype=np.int64, count=len(symbols)
        )
        if ids.size and ids.min() < 0:
            bad = np.flatnonzero(ids < 0).tolist()
            missing = list(dict.fromkeys(symbols[i] for i in bad))
            raise UnknownSymbolError(self._unknown_message(missing))
        return ids

    def _encode_int_array(
        self, values: np.ndarray[Any, Any], unknown: str
    ) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Encode integer symbols with one dictionary lookup per distinct value."""
        uniques, inverse = np.unique(values.ravel(), return_inverse=True)
        as_python = uniques.tolist()
        if unknown == "add":
            self.update(as_python)
        fill = UNK_ID if unknown == "unk" else -1
        table = np.array([self._index.get(u, fill) for u in as_python], dtype=np.int64)
        if unknown == "error" and table.size and table.min() < 0:
            missing = [as_python[i] for i in np.flatnonzero(table < 0)[:5]]
            raise UnknownSymbolError(self._unknown_message(missing))
        return table[inverse].reshape(values.shape)

    def decode(self, ids: Iterable[int] | np.ndarray[Any, Any]) -> list[Hashable]:
        """Decode ids back to symbols; reserved ids decode to their names."""
        table = list(RESERVED) + self._symbols
        try:
            return [table[i] for i in np.asarray(ids, dtype=np.int64).tolist()]
        except IndexError:
            bad = [i for i in np.asarray(ids).tolist() if not 0 <= i < len(table)]
            raise DataError(
                f"Vocabulary: ids {bad[:5]} are out of range 0..{len(table) - 1}; "
                "decode ids produced with this same vocabulary."
            ) from None

    def _unknown_message(self, missing: list[Hashable]) -> str:
        shown = ", ".join(repr(s) for s in missing[:5])
        if len(missing) > 5:
            shown += f" and {len(missing) - 5} more"
        return (
            f"Vocabulary: unknown symbol(s) {shown} (vocabulary has "
            f"{len(self._symbols)} symbols); refit on data that contains them, "
            "or pass unknown='unk' to map them to <unk>."
        )

    # -- persistence
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description (symbols: str, int, bool or finite float).

        JSON keeps ``true``, ``1`` and ``1.0`` apart, so typed symbols
        survive a save and load.
        """
        for symbol in self._symbols:
            if not _savable(symbol):
                raise DataError(
                    f"Vocabulary: symbol {symbol!r} of type {type(symbol).__name__} "
                    "cannot be saved; only str, int, bool and finite float symbols "
                    "can. Convert your symbols to strings before fitting."
                )
        return {"reserved": list(RESERVED), "symbols": list(self._symbols)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        """Rebuild a vocabulary written by :meth:`to_dict`."""
        if not isinstance(data, dict) or not isinstance(data.get("symbols"), list):
            raise DataError(
                "Vocabulary: expected a mapping with a 'symbols' list; got "
                f"{type(data).__name__}. Use Vocabulary.to_dict() to write one."
            )
        if list(data.get("reserved", RESERVED)) != list(RESERVED):
            raise DataError(
                f"Vocabulary: reserved symbols {data.get('reserved')!r} differ from "
                f"this version's {list(RESERVED)!r}; the file comes from an "
                "incompatible version."
            )
        return cls(data["symbols"])

    def save(self, path: str | Path) -> None:
        """Write the vocabulary as JSON to ``path``."""
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        """Read a vocabulary written by :meth:`save`."""
        try:
            data = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise DataError(f"Vocabulary: file not found: {path}") from None
        except json.JSONDecodeError as exc:
            raise DataError(
                f"Vocabulary: {path} is not valid JSON ({exc.msg} at line "
                f"{exc.lineno}); was it written by Vocabulary.save?"
            ) from None
        return cls.from_dict(data)
