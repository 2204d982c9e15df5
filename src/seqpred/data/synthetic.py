"""Synthetic sequences with known answers, for demos, tests and benchmarks.

Every generator takes ``random_state`` (``None``, an int seed or a
:class:`numpy.random.Generator`) and gives the same output for the same int
seed. Draws are vectorised over sequences; only the final conversion to
Python lists or strings touches items one by one.

=========================== =============================================
generator                   the known answer
=========================== =============================================
:class:`MarkovSource`       exact next-symbol probabilities, the best
                            achievable accuracy and the entropy rate
:func:`arithmetic_sequences` next item = last item + step
:func:`periodic_sequences`  next item = the item one period back
:func:`motif_sequences`     the class is given by a planted motif
:func:`seasonal_series`     sine season + linear trend + Gaussian noise
:func:`addition_pairs`      output = the sum of the two operands
:func:`click_sessions`      a hidden 2nd-order Markov process over pages
:class:`FieldMarkovSource`  events whose next item depends on a per-step
                            category and a static segment: the exact law
                            and the Bayes-optimal accuracy with and
                            without the fields
=========================== =============================================
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from seqpred._params import check_int, check_real, is_int
from seqpred._typing import Array, RandomStateLike
from seqpred.base import check_random_state
from seqpred.data._ragged import offsets_from_lengths, ragged_positions
from seqpred.data._synthetic_fields import FieldMarkovSource
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = [
    "FieldMarkovSource",
    "MarkovSource",
    "addition_pairs",
    "arithmetic_sequences",
    "click_sessions",
    "motif_sequences",
    "periodic_sequences",
    "seasonal_series",
]

IntRange = int | tuple[int, int]

_MAX_CONTEXTS = 1 << 20
_DENSE_CONTEXTS = 512  # up to here the stationary law is solved exactly


class MarkovSource:
    """A random k-order Markov chain over the symbols ``0 .. n_symbols - 1``.

    Each of the ``n_symbols ** order`` contexts (the last ``order`` symbols)
    gets a next-symbol distribution drawn from a symmetric
    Dirichlet(``concentration``); a small concentration makes the rows
    peaked, so the chain is predictable but not deterministic. The exact
    answers (stationary law, best achievable accuracy, entropy rate) are
    available for checking learners against.

    Parameters
    ----------
    n_symbols : int, default=5
        Alphabet size (>= 2).
    order : int, default=2
        Context length k (>= 0; ``0`` gives independent draws).
    concentration : float, default=0.3
        Dirichlet concentration (> 0); smaller is more peaked.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the transition table; :meth:`sample` continues the same
        stream when it gets no seed of its own.

    Attributes
    ----------
    transition_matrix : ndarray of shape (n_symbols ** order, n_symbols)
        Read-only next-symbol probabilities per context.

    Notes
    -----
    Context ``(s_1, ..., s_k)`` (oldest first) has index
    ``sum(s_i * n_symbols ** (k - i))``, so the newest symbol is the last
    base-``n_symbols`` digit. Every transition probability is positive, so
    the chain over contexts is irreducible and aperiodic and has a unique
    stationary law. It is solved exactly for up to 512 contexts and by power
    iteration above that; at most ``2 ** 20`` contexts are allowed.

    Examples
    --------
    >>> source = MarkovSource(n_symbols=3, order=1, random_state=0)
    >>> source.transition_matrix.shape
    (3, 3)
    >>> seqs = source.sample(2, 5, random_state=1)
    >>> [len(s) for s in seqs], all(0 <= x < 3 for s in seqs for x in s)
    ([5, 5], True)
    >>> 1 / 3 <= source.bayes_accuracy() <= 1
    True
    >>> source.next_proba([[0, 2]]).sum(axis=1).round(6).tolist()
    [1.0]
    """

    def __init__(
        self,
        n_symbols: int = 5,
        order: int = 2,
        concentration: float = 0.3,
        random_state: RandomStateLike = None,
    ) -> None:
        check_int("MarkovSource", "n_symbols", n_symbols, low=2, default=5)
        check_int("MarkovSource", "order", order, low=0, default=2)
        check_real(
            "MarkovSource",
            "concentration",
            concentration,
            low=0,
            strict=True,
            default=0.3,
        )
        if n_symbols**order > _MAX_CONTEXTS:
            raise InvalidParameterError(
                f"MarkovSource: n_symbols ** order must be <= {_MAX_CONTEXTS} "
                f"contexts; got {n_symbols}**{order} = {n_symbols**order}. Use a "
                "smaller order or alphabet."
            )
        self.n_symbols = int(n_symbols)
        self.order = int(order)
        self.concentration = float(concentration)
        self.random_state = random_state
        self._rng = check_random_state(random_state)
        alpha = np.full(self.n_symbols, self.concentration)
        table = self._rng.dirichlet(alpha, size=self.n_symbols**self.order)
        table = np.maximum(table, 1e-12)  # keep every transition possible
        table /= table.sum(axis=1, keepdims=True)
        table.flags.writeable = False
        self._table = table
        self._stationary: Array | None = None

    def __repr__(self) -> str:
        return (
            f"MarkovSource(n_symbols={self.n_symbols}, order={self.order}, "
            f"concentration={self.concentration!r})"
        )

    @property
    def n_contexts(self) -> int:
        """Number of contexts, ``n_symbols ** order``."""
        return int(self._table.shape[0])

    @property
    def transition_matrix(self) -> Array:
        """Next-symbol probabilities, shape ``(n_symbols ** order, n_symbols)``."""
        return self._table

    def _next_contexts(self) -> Array:
        """Context reached from each context by each symbol, shape (C, n)."""
        ctx = np.arange(self.n_contexts, dtype=np.int64)[:, None]
        return (ctx * self.n_symbols + np.arange(self.n_symbols)) % self.n_contexts

    def stationary_distribution(self) -> Array:
        """Return the stationary probability of each context, shape ``(C,)``."""
        if self._stationary is None:
            pi = _stationary(self._table, self._next_contexts())
            pi.flags.writeable = False
            self._stationary = pi
        return self._stationary

    def bayes_accuracy(self) -> float:
        """Return the best achievable next-symbol accuracy.

        It is ``sum_c pi(c) max_x P(x | c)``: the accuracy of always
        predicting the most probable next symbol of the true context, under
        the stationary context law ``pi``.
        """
        pi = self.stationary_distribution()
        return float(pi @ self._table.max(axis=1))

    def entropy_rate(self) -> float:
        """Return the entropy rate in bits per symbol.

        It is ``-sum_c pi(c) sum_x P(x | c) log2 P(x | c)``, the lowest
        achievable average log-loss of a next-symbol predictor.
        """
        table = self._table
        per_context = -(table * np.log2(table)).sum(axis=1)
        return float(self.stationary_distribution() @ per_context)

    def next_proba(self, prefixes: Any) -> Array:
        """Return the true next-symbol distribution after each prefix.

        Parameters
        ----------
        prefixes : list of sequences of int
            Symbols in ``0 .. n_symbols - 1``. Only the last ``order``
            symbols matter; a shorter prefix is averaged over the stationary
            law of the contexts it could be the end of.

        Returns
        -------
        ndarray of shape (len(prefixes), n_symbols)
        """
        out = np.empty((len(prefixes), self.n_symbols))
        suffixes = [list(p)[len(p) - min(len(p), self.order) :] for p in prefixes]
        sizes = np.array([len(s) for s in suffixes], dtype=np.int64)
        for m in np.unique(sizes).tolist():
            rows = np.flatnonzero(sizes == m)
            codes = self._encode([suffixes[i] for i in rows.tolist()], m)
            out[rows] = self._suffix_table(m)[codes]
        return out

    def _encode(self, suffixes: list[list[Any]], m: int) -> Array:
        symbols = np.array(suffixes, dtype=np.int64).reshape(len(suffixes), m)
        if symbols.size and (symbols.min() < 0 or symbols.max() >= self.n_symbols):
            bad = symbols[(symbols < 0) | (symbols >= self.n_symbols)][0]
            raise DataError(
                f"MarkovSource.next_proba: symbols must be ints in 0.."
                f"{self.n_symbols - 1}; got {int(bad)!r}. Pass prefixes drawn "
                "from this source."
            )
        powers = self.n_symbols ** np.arange(m - 1, -1, -1, dtype=np.int64)
        return symbols @ powers

    def _suffix_table(self, m: int) -> Array:
        """P(next | last m symbols), shape (n_symbols ** m, n_symbols)."""
        joint = self.stationary_distribution()[:, None] * self._table  # (C, n)
        n = self.n_symbols
        joint = joint.reshape(n ** (self.order - m), n**m, n).sum(axis=0)
        return joint / joint.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def sample(
        self,
        n_sequences: int,
        length: IntRange,
        *,
        random_state: RandomStateLike = None,
    ) -> list[list[int]]:
        """Draw sequences from the chain, stationary from their first symbol.

        Parameters
        ----------
        n_sequences : int
            Number of sequences (>= 0).
        length : int or (int, int)
            Length of every sequence, or an inclusive range drawn per
            sequence.
        random_state : None, int or numpy.random.Generator, default=None
            Seed; ``None`` continues the source's own stream.

        Returns
        -------
        list of list of int
        """
        check_int("MarkovSource.sample", "n_sequences", n_sequences, low=0, default=10)
        low, high = _int_range("MarkovSource.sample", "length", length, low=1)
        rng = self._rng if random_state is None else check_random_state(random_state)
        n, k, n_contexts = self.n_symbols, self.order, self.n_contexts
        out = np.empty((n_sequences, high), dtype=np.int64)  # (N, L)
        ctx = rng.choice(n_contexts, size=n_sequences, p=self.stationary_distribution())
        powers = n ** np.arange(k - 1, -1, -1, dtype=np.int64)
        first = (ctx[:, None] // powers) % n  # (N, k): the context's symbols
        out[:, : min(k, high)] = first[:, :high]
        cdf = np.cumsum(self._table, axis=1)
        for t in range(k, high):  # vectorised over the N sequences
            x = (cdf[ctx] <= rng.random(n_sequences)[:, None]).sum(axis=1)
            out[:, t] = np.minimum(x, n - 1)
            ctx = (ctx * n + out[:, t]) % n_contexts
        lengths = rng.integers(low, high + 1, size=n_sequences)
        return _truncate_rows(out, lengths)


def _stationary(table: Array, next_ctx: Array) -> Array:
    """Stationary law of the context chain given its transitions."""
    n_contexts = len(table)
    pi: Array
    if n_contexts <= _DENSE_CONTEXTS:
        moves = np.zeros((n_contexts, n_contexts))
        np.add.at(moves, (np.arange(n_contexts)[:, None], next_ctx), table)
        system = moves.T - np.eye(n_contexts)
        system[-1] = 1.0  # replace one balance equation by sum(pi) = 1
        rhs = np.zeros(n_contexts)
        rhs[-1] = 1.0
        pi = np.linalg.solve(system, rhs)
    else:
        pi = np.full(n_contexts, 1.0 / n_contexts)
        flat_next = next_ctx.ravel()
        for _ in range(100_000):
            new = np.bincount(
                flat_next, weights=(pi[:, None] * table).ravel(), minlength=n_contexts
            )
            done = np.abs(new - pi).sum() < 1e-13
            pi = new
            if done:
                break
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()  # type: ignore[no-any-return]


def arithmetic_sequences(
    n: int,
    *,
    length: IntRange = (5, 10),
    start: IntRange = (0, 20),
    step: IntRange = (1, 5),
    random_state: RandomStateLike = None,
) -> list[list[int]]:
    """Draw integer arithmetic progressions (next item = last + step).

    Parameters
    ----------
    n : int
        Number of sequences (>= 0).
    length, start, step : int or (int, int), default=(5, 10), (0, 20), (1, 5)
        A fixed value or an inclusive range drawn per sequence.
    random_state : None, int or numpy.random.Generator, default=None
        Seed.

    Returns
    -------
    list of list of int

    Examples
    --------
    >>> arithmetic_sequences(2, length=4, start=1, step=(1, 3), random_state=0)
    [[1, 4, 7, 10], [1, 3, 5, 7]]
    """
    owner = "arithmetic_sequences"
    check_int(owner, "n", n, low=0, default=100)
    len_range = _int_range(owner, "length", length, low=1)
    start_range = _int_range(owner, "start", start, low=None)
    step_range = _int_range(owner, "step", step, low=None)
    rng = check_random_state(random_state)
    lengths = _draw(rng, len_range, n)
    starts = _draw(rng, start_range, n)
    steps = _draw(rng, step_range, n)
    within = ragged_positions(lengths)
    flat = np.repeat(starts, lengths) + np.repeat(steps, lengths) * within
    return _split_flat(flat, offsets_from_lengths(lengths))


def periodic_sequences(
    n: int,
    *,
    period: IntRange = (2, 5),
    length: IntRange = 20,
    n_symbols: int = 10,
    random_state: RandomStateLike = None,
) -> list[list[int]]:
    """Draw sequences that repeat a pattern of distinct symbols.

    Each sequence repeats its own pattern of ``period`` distinct symbols
    from ``0 .. n_symbols - 1``, so once one period has been seen the next
    item is determined (it equals the item one period back).

    Parameters
    ----------
    n : int
        Number of sequences (>= 0).
    period : int or (int, int), default=(2, 5)
        Pattern length, fixed or an inclusive range drawn per sequence;
        at most ``n_symbols``.
    length : int or (int, int), default=20
        Sequence length, fixed or an inclusive range.
    n_symbols : int, default=10
        Alphabet size.
    random_state : None, int or numpy.random.Generator, default=None
        Seed.

    Returns
    -------
    list of list of int

    Examples
    --------
    >>> seq = periodic_sequences(1, period=3, length=7, random_state=0)[0]
    >>> seq[3:] == seq[:4], len(set(seq))
    (True, 3)
    """
    owner = "periodic_sequences"
    check_int(owner, "n", n, low=0, default=100)
    check_int(owner, "n_symbols", n_symbols, low=1, default=10)
    period_range = _int_range(owner, "period", period, low=1)
    if period_range[1] > n_symbols:
        raise InvalidParameterError(
            f"{owner}: period must be <= n_symbols ({n_symbols}) so a pattern's "
            f"symbols are distinct; got period={period!r}. Raise n_symbols or "
            "lower period."
        )
    len_range = _int_range(owner, "length", length, low=1)
    rng = check_random_state(random_state)
    patterns = np.argsort(rng.random((n, n_symbols)), axis=1)  # (N, V) shuffles
    periods = _draw(rng, period_range, n)
    lengths = _draw(rng, len_range, n)
    t = np.arange(len_range[1])
    grid = patterns[np.arange(n)[:, None], t % periods[:, None]]  # (N, L)
    return _truncate_rows(grid, lengths)


def motif_sequences(
    n: int,
    *,
    n_classes: int = 2,
    length: int = 50,
    alphabet: str = "ACGT",
    motif_length: int = 6,
    random_state: RandomStateLike = None,
) -> tuple[list[str], Array]:
    """Draw random strings that each carry the motif of their class.

    Each class gets a distinct random motif; each sequence is uniform random
    background with its class's motif planted at a random position. Classes
    are balanced (sizes differ by at most one) and come in random order.
    Backgrounds that happen to contain another class's motif are redrawn
    (up to 50 times), so the label is recoverable from the string.

    Parameters
    ----------
    n : int
        Number of sequences (>= 0).
    n_classes : int, default=2
        Number of classes (>= 1).
    length : int, default=50
        Length of every string (>= ``motif_length``).
    alphabet : str, default="ACGT"
        Distinct characters to draw from (at least 2).
    motif_length : int, default=6
        Length of each class's motif.
    random_state : None, int or numpy.random.Generator, default=None
        Seed.

    Returns
    -------
    sequences : list of str
    labels : ndarray of int64, shape (n,)
        Class of each sequence, in ``0 .. n_classes - 1``.

    Notes
    -----
    With short motifs (3 or fewer letters in a 4-letter alphabet) almost
    every background contains every motif; the redraws then give up and
    some strings carry several motifs.

    Examples
    --------
    >>> seqs, labels = motif_sequences(4, length=12, random_state=0)
    >>> [len(s) for s in seqs], sorted(labels.tolist())
    ([12, 12, 12, 12], [0, 0, 1, 1])
    """
    owner = "motif_sequences"
    check_int(owner, "n", n, low=0, default=100)
    check_int(owner, "n_classes", n_classes, low=1, default=2)
    check_int(owner, "motif_length", motif_length, low=1, default=6)
    check_int(owner, "length", length, low=motif_length, default=max(50, motif_length))
    letters = _check_alphabet(owner, alphabet)
    if n_classes > len(letters) ** motif_length:
        raise InvalidParameterError(
            f"{owner}: n_classes must be <= len(alphabet) ** motif_length "
            f"({len(letters) ** motif_length}) so motifs differ; got {n_classes}. "
            "Use a longer motif_length."
        )
    rng = check_random_state(random_state)
    motifs = _distinct_motifs(rng, n_classes, motif_length, len(letters))
    labels = rng.permutation(np.arange(n, dtype=np.int64) % n_classes)
    codes = _plant(rng, motifs[labels], length, len(letters))
    strings = _to_strings(codes, letters)
    motif_strings = _to_strings(motifs, letters)
    for _ in range(50):
        bad = _foreign_motif_rows(strings, labels, motif_strings)
        if bad.size == 0:
            break
        redrawn = _to_strings(
            _plant(rng, motifs[labels[bad]], length, len(letters)), letters
        )
        for i, s in zip(bad.tolist(), redrawn):
            strings[i] = s
    return strings, labels


def _check_alphabet(owner: str, alphabet: Any) -> list[str]:
    if (
        not isinstance(alphabet, str)
        or len(set(alphabet)) != len(alphabet)
        or (len(alphabet) < 2)
    ):
        raise InvalidParameterError(
            f"{owner}: alphabet must be a str of at least 2 distinct characters; "
            f"got {alphabet!r}. Use alphabet='ACGT'."
        )
    return list(alphabet)


def _distinct_motifs(
    rng: np.random.Generator, n_classes: int, motif_length: int, n_letters: int
) -> Array:
    for _ in range(1000):
        motifs = rng.integers(n_letters, size=(n_classes, motif_length))
        if len(np.unique(motifs, axis=0)) == n_classes:
            return motifs
    raise DataError(  # pragma: no cover - needs n_classes close to the maximum
        f"motif_sequences: could not draw {n_classes} distinct motifs; use a "
        "longer motif_length."
    )


def _plant(
    rng: np.random.Generator, motifs: Array, length: int, n_letters: int
) -> Array:
    """Random background codes (N, L) with one motif row planted per sequence."""
    n, motif_length = motifs.shape
    codes = rng.integers(n_letters, size=(n, length))
    where = rng.integers(0, length - motif_length + 1, size=n)
    cols = where[:, None] + np.arange(motif_length)  # (N, motif_length)
    codes[np.arange(n)[:, None], cols] = motifs
    return codes


def _to_strings(codes: Array, letters: list[str]) -> list[str]:
    table = np.array(letters, dtype=object)
    return ["".join(row) for row in table[codes].tolist()]


def _foreign_motif_rows(strings: list[str], labels: Array, motifs: list[str]) -> Array:
    own = labels.tolist()
    bad = [
        i
        for i, s in enumerate(strings)
        if any(m in s for c, m in enumerate(motifs) if c != own[i])
    ]
    return np.array(bad, dtype=np.int64)


def seasonal_series(
    n_series: int,
    length: int,
    *,
    period: float = 24,
    trend: float = 0.0,
    noise: float = 0.1,
    random_state: RandomStateLike = None,
) -> list[Array]:
    """Draw real-valued series: a sine season plus a linear trend plus noise.

    Series ``i`` is ``y_t = level_i + amplitude_i * sin(2 pi (t + phase_i) /
    period) + trend * t + noise * e_t`` with ``level ~ U(-1, 1)``,
    ``amplitude ~ U(0.5, 1.5)``, ``phase ~ U(0, period)`` and ``e_t`` standard
    normal, so a seasonal-naive forecast is nearly optimal when ``trend``
    and ``noise`` are small.

    Parameters
    ----------
    n_series : int
        Number of series (>= 0).
    length : int
        Steps per series (>= 1).
    period : float, default=24
        Season length in steps (> 0).
    trend : float, default=0.0
        Slope per step.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise (>= 0).
    random_state : None, int or numpy.random.Generator, default=None
        Seed.

    Returns
    -------
    list of ndarray of float64, each of shape (length,)

    Examples
    --------
    >>> series = seasonal_series(2, 48, period=24, noise=0.0, random_state=0)
    >>> len(series), series[0].shape, bool(np.allclose(series[0][:24], series[0][24:]))
    (2, (48,), True)
    """
    owner = "seasonal_series"
    check_int(owner, "n_series", n_series, low=0, default=10)
    check_int(owner, "length", length, low=1, default=100)
    check_real(owner, "period", period, low=0, strict=True, default=24)
    check_real(owner, "trend", trend, default=0.0)
    check_real(owner, "noise", noise, low=0.0, default=0.1)
    rng = check_random_state(random_state)
    level = rng.uniform(-1.0, 1.0, size=(n_series, 1))
    amplitude = rng.uniform(0.5, 1.5, size=(n_series, 1))
    phase = rng.uniform(0.0, period, size=(n_series, 1))
    t = np.arange(length, dtype=np.float64)
    season = amplitude * np.sin(2 * np.pi * (t + phase) / period)  # (N, L)
    values = (
        level + season + trend * t + noise * rng.standard_normal((n_series, length))
    )
    return list(values)


def addition_pairs(
    n: int, *, digits: int = 3, random_state: RandomStateLike = None
) -> list[tuple[str, str]]:
    """Draw ``("a+b", "sum")`` string pairs, a classic seq2seq task.

    Parameters
    ----------
    n : int
        Number of pairs (>= 0).
    digits : int, default=3
        Operands are uniform in ``0 .. 10 ** digits - 1`` (1 to 18 digits).
    random_state : None, int or numpy.random.Generator, default=None
        Seed.

    Returns
    -------
    list of (str, str)

    Examples
    --------
    >>> pairs = addition_pairs(3, digits=2, random_state=0)
    >>> all(str(sum(map(int, x.split("+")))) == y for x, y in pairs)
    True
    """
    check_int("addition_pairs", "n", n, low=0, default=100)
    check_int("addition_pairs", "digits", digits, low=1, high=18, default=3)
    rng = check_random_state(random_state)
    a, b = rng.integers(0, 10**digits, size=(2, n)).tolist()
    return [(f"{x}+{y}", str(x + y)) for x, y in zip(a, b)]


# -- click sessions -------------------------------------------------------------------

_PAGES = (
    "home", "search", "category", "product", "reviews", "cart", "checkout",
    "login", "payment", "confirmation", "account", "wishlist", "deals", "help",
    "faq", "contact",
)  # fmt: skip
_LINKS = {
    "home": ("search", "category", "deals", "account", "login", "help", "product"),
    "search": ("product", "search", "category", "home"),
    "category": ("product", "category", "search", "deals"),
    "product": ("reviews", "cart", "product", "search", "category", "wishlist"),
    "reviews": ("product", "cart", "wishlist"),
    "cart": ("checkout", "product", "home", "search"),
    "checkout": ("login", "payment", "cart"),
    "login": ("checkout", "account", "home"),
    "payment": ("confirmation", "checkout"),
    "confirmation": ("home", "account"),
    "account": ("home", "wishlist", "help"),
    "wishlist": ("product", "cart"),
    "deals": ("product", "category"),
    "help": ("faq", "contact", "home"),
    "faq": ("help", "contact", "home"),
    "contact": ("help", "home"),
}
_END_PROBABILITY = {"confirmation": 0.7, "help": 0.2, "faq": 0.2, "contact": 0.3}
_ENTRY = {"home": 0.5, "search": 0.2, "product": 0.15, "deals": 0.1, "help": 0.05}
_MIN_SESSION, _MAX_SESSION = 3, 30


@lru_cache(maxsize=1)
def _click_process() -> tuple[Array, Array]:
    """Build the hidden process: entry law (P,), P(next | prev, page) (P+1, P, P+1).

    Row ``prev = P`` is the session start; column ``P`` ends the session.
    Built from a fixed seed, so it is the same for every caller.
    """
    n_pages = len(_PAGES)
    index = {page: i for i, page in enumerate(_PAGES)}
    rng = np.random.default_rng(20240501)
    table = np.zeros((n_pages + 1, n_pages, n_pages + 1))
    for page, links in _LINKS.items():
        cols = [index[link] for link in links]
        stop = _END_PROBABILITY.get(page, 0.08)
        weights = rng.dirichlet(np.full(len(cols), 0.6), size=n_pages + 1)
        table[:, index[page], cols] = (1.0 - stop) * weights
        table[:, index[page], n_pages] = stop
    entry = np.zeros(n_pages)
    entry[[index[p] for p in _ENTRY]] = list(_ENTRY.values())
    return entry, table


def click_sessions(
    n_sessions: int = 2000, *, random_state: RandomStateLike = None
) -> list[list[str]]:
    """Draw web click sessions from a hidden 2nd-order Markov process.

    Sessions run over 16 pages (``"home"``, ``"search"``, ``"product"``,
    ``"cart"``, ``"checkout"``, ``"payment"``, ``"help"``, ...), follow
    plausible links, and last 3 to 30 clicks (about 11 on average). The
    next page depends on the current **and** the previous page, so a
    second-order model beats a first-order one; sessions end most often
    after ``"confirmation"``. Used by ``seqpred demo``.

    Parameters
    ----------
    n_sessions : int, default=2000
        Number of sessions (>= 0).
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the sampling (the hidden process itself is fixed).

    Returns
    -------
    list of list of str

    Examples
    --------
    >>> sessions = click_sessions(3, random_state=0)
    >>> all(3 <= len(s) <= 30 for s in sessions)
    True
    >>> sessions[0][0] in {"home", "search", "product", "deals", "help"}
    True
    """
    check_int("click_sessions", "n_sessions", n_sessions, low=0, default=2000)
    rng = check_random_state(random_state)
    entry, table = _click_process()
    end = len(_PAGES)
    pages = np.empty((n_sessions, _MAX_SESSION), dtype=np.int64)  # (N, L)
    pages[:, 0] = rng.choice(end, size=n_sessions, p=entry)
    prev = np.full(n_sessions, end)
    lengths = np.full(n_sessions, _MAX_SESSION)
    alive = np.ones(n_sessions, dtype=bool)
    for t in range(1, _MAX_SESSION):  # vectorised over the N sessions
        probs = table[prev, pages[:, t - 1]].copy()  # (N, P+1)
        if t < _MIN_SESSION:
            probs[:, end] = 0.0
        cdf = np.cumsum(probs, axis=1)
        u = rng.random(n_sessions)[:, None] * cdf[:, -1:]
        nxt = np.minimum((cdf <= u).sum(axis=1), end)
        stopping = alive & (nxt == end)
        lengths[stopping] = t
        alive &= ~stopping
        prev, pages[:, t] = pages[:, t - 1], np.where(nxt == end, 0, nxt)
    names = np.array(_PAGES, dtype=object)
    return _truncate_rows(names[pages], lengths)


# -- helpers ----------------------------------------------------------------------


def _int_range(owner: str, name: str, spec: Any, *, low: int | None) -> tuple[int, int]:
    """Turn an int or an inclusive ``(low, high)`` pair into a checked pair."""
    pair: Any = (spec, spec) if is_int(spec) else spec
    ok = (
        isinstance(pair, (tuple, list))
        and len(pair) == 2
        and all(is_int(v) for v in pair)
        and pair[0] <= pair[1]
        and (low is None or pair[0] >= low)
    )
    if not ok:
        floor = "" if low is None else f" >= {low}"
        raise InvalidParameterError(
            f"{owner}: {name} must be an int{floor} or an inclusive range "
            f"(low, high) with low <= high; got {spec!r}. Use {name}=(5, 10) or "
            f"{name}=5, for example."
        )
    return int(pair[0]), int(pair[1])


def _draw(rng: np.random.Generator, bounds: tuple[int, int], n: int) -> Array:
    return rng.integers(bounds[0], bounds[1] + 1, size=n, dtype=np.int64)


def _truncate_rows(grid: Array, lengths: Array) -> list[list[Any]]:
    return [row[:n] for row, n in zip(grid.tolist(), lengths.tolist())]


def _split_flat(flat: Array, offsets: Array) -> list[list[int]]:
    items = flat.tolist()
    bounds = offsets.tolist()
    return [items[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
