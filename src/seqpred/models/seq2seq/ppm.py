"""A decoder-only seq2seq baseline: PPM over ``input ⟂ output ⟂``, decoded by beam."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags, check_is_fitted
from seqpred.data._ragged import offsets_from_lengths
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set, check_pairs
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.next_item.markov.ppm import PPM
from seqpred.models.seq2seq.base import Seq2SeqMixin

__all__ = ["PPMSeq2Seq"]

_START = "<input-start>"
_SEPARATOR = "<input-end>"
_END = "<output-end>"


class PPMSeq2Seq(Seq2SeqMixin):
    """Map inputs to outputs with one PPM model over ``input ⟂ output ⟂``.

    Each training pair becomes one sequence: the input symbols, a separator,
    the output symbols and an end mark. A :class:`~seqpred.models.next_item.markov.PPM`
    learns ``P(next | up to max_order previous symbols)`` over these
    sequences. To answer an input, the model continues ``input ⟂`` one
    symbol at a time, choosing among the output symbols and the end mark
    (their probabilities renormalised), greedily or with a beam search,
    until the end mark.

    Parameters
    ----------
    max_order : int, default=8
        Longest context of the PPM, in symbols (the start mark and the
        separator included: ``max_order = len(input) + 2`` sees the whole
        input when writing the first output symbol).
    escape : {"A", "B", "C", "D"}, default="D"
        PPM escape method (see :class:`~seqpred.models.next_item.markov.PPM`).
    exclusion : bool, default=False
        PPM exclusion (see :class:`~seqpred.models.next_item.markov.PPM`).

    Attributes
    ----------
    vocabulary_ : Vocabulary
        Input and output symbols (one shared vocabulary).
    output_ids_ : ndarray of int
        Ids of the symbols that occur in training outputs.
    string_output_ : bool
        Whether the training outputs were strings (then predictions are too).
    max_output_length_ : int
        Longest training output.
    n_sequences_ : int
        Number of training pairs.
    ppm_ : PPM
        The fitted PPM; its ids equal ``vocabulary_``'s, then the separator
        and the end mark.

    Notes
    -----
    A baseline, not a learner of algorithms: the PPM only recalls contexts
    of up to ``max_order`` symbols, so it reproduces outputs determined by
    the last few input symbols and the output so far (copying, reversing
    short inputs, SCAN's simple commands), and fails where the answer
    depends on symbols further back. Decoding costs one PPM query per
    hypothesis and step. Beam search ranks finished outputs by their total
    log-probability (end mark included), without length normalisation;
    ``beam_width=1`` is greedy decoding.

    References
    ----------
    .. [1] J. Cleary, I. Witten, "Data Compression Using Adaptive Coding and
       Partial String Matching", IEEE Trans. Communications 32(4), 1984.

    Examples
    --------
    >>> from seqpred.models.seq2seq import PPMSeq2Seq
    >>> X = ["ab", "ba", "abc", "cab", "bca"]
    >>> model = PPMSeq2Seq(max_order=8).fit(X, [x[::-1] for x in X])
    >>> model.predict(["cab", "ab"])
    ['bac', 'ba']
    >>> model.predict(["abc"], beam_width=3)
    ['cba']
    """

    vocabulary_: Vocabulary
    output_ids_: Array
    string_output_: bool
    max_output_length_: int
    ppm_: PPM
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "max_order": [Interval(int, 1, None)],
        "escape": [Options({"A", "B", "C", "D"})],
        "exclusion": [bool],
    }
    _tags: ClassVar[Tags] = Tags()

    def __init__(
        self, max_order: int = 8, *, escape: str = "D", exclusion: bool = False
    ) -> None:
        self.max_order = max_order
        self.escape = escape
        self.exclusion = exclusion

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"max_order": 4}, {"max_order": 2, "escape": "C", "exclusion": True}]

    def fit(self, X: Any, y: Any) -> PPMSeq2Seq:
        """Learn the PPM over ``input ⟂ output ⟂`` of every pair; return ``self``.

        Parameters
        ----------
        X : list of strings or list of lists
            Input sequences.
        y : list of strings or list of lists
            One output sequence per input (may be empty).

        Returns
        -------
        self
        """
        self._validate_params()
        owner = type(self).__name__
        check_pairs(X, y, owner)
        self._reset()
        source = as_sequence_set(X, kind="discrete", unknown="add", owner=owner)
        vocabulary = (source.vocabulary or Vocabulary()).copy()
        target = as_sequence_set(
            y, vocabulary=vocabulary, kind="discrete", unknown="add", owner=owner
        )
        self.vocabulary_ = vocabulary.freeze()
        self.output_ids_ = np.unique(target.values).astype(np.int64)
        self.string_output_ = all(isinstance(t, str) for t in y)
        self.max_output_length_ = int(np.diff(target.offsets).max(initial=0))
        self.n_sequences_ = len(target)
        size = self.vocabulary_.size
        joined = _join(source, target, size)
        ppm_vocabulary = Vocabulary([*range(Vocabulary.n_reserved, size)])
        ppm_vocabulary.update([_SEPARATOR, _END, _START])
        ppm = PPM(self.max_order, escape=self.escape, exclusion=self.exclusion)
        ppm.fit(SequenceSet(joined[0], joined[1], vocabulary=ppm_vocabulary))
        self.ppm_ = ppm
        self._mark_fitted()
        return self

    # -- encoding
    def _inputs(self, X: Any, method: str) -> SequenceSet:
        check_is_fitted(self, method)
        return as_sequence_set(
            X,
            vocabulary=self.vocabulary_,
            kind="discrete",
            unknown="unk",
            owner=type(self).__name__,
            allow_empty_input=True,
        )

    def _candidates(self) -> Array:
        """PPM ids a decoder may emit: the output symbols, then the end mark."""
        return np.append(self.output_ids_, self.vocabulary_.size + 1)

    def _step_log_proba(self, contexts: SequenceSet) -> Array:
        """``(N, C)`` log-probabilities of the candidates after each context."""
        proba = self.ppm_.predict_proba(contexts)  # (N, V - reserved)
        picked = proba[:, self._candidates() - Vocabulary.n_reserved]  # (N, C)
        total = picked.sum(axis=1, keepdims=True)
        # No mass on any candidate (possible with exclusion): all equally likely.
        picked = np.where(total > 0, picked / np.where(total > 0, total, 1.0), 1.0)
        picked /= picked.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore"):
            return np.log(picked)

    def _contexts(
        self, source: SequenceSet, rows: Array, prefixes: list[Any]
    ) -> SequenceSet:
        """``input[rows[i]] ⟂ prefixes[i]``, cut to the last ``max_order`` symbols."""
        parts = []
        size = self.vocabulary_.size
        begin, separator = np.array([size + 2]), np.array([size])
        for row, prefix in zip(rows.tolist(), prefixes):
            start, stop = source.offsets[row], source.offsets[row + 1]
            seq = np.concatenate([begin, source.values[start:stop], separator, prefix])
            parts.append(seq[-self.max_order :])
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        values = np.concatenate(parts).astype(np.int64)
        return SequenceSet(
            values, offsets_from_lengths(lengths), vocabulary=self.ppm_.vocabulary_
        )

    # -- prediction
    def predict(
        self, X: Any, beam_width: int = 1, max_length: int | None = None
    ) -> list[Any]:
        """Return the predicted output of each input (strings if trained on strings).

        Parameters
        ----------
        X : list of strings or list of lists
            Input sequences.
        beam_width : int, default=1
            Hypotheses kept per input (1: greedy decoding).
        max_length : int or None, default=None
            Longest output; None: twice the longest training output, plus 2.
        """
        source = self._inputs(X, "predict")
        if isinstance(beam_width, bool) or not isinstance(beam_width, int):
            beam_width = -1
        if beam_width < 1:
            raise InvalidParameterError(
                f"{type(self).__name__}.predict: beam_width must be an int >= 1; "
                "use beam_width=1 for greedy decoding."
            )
        limit = 2 * self.max_output_length_ + 2 if max_length is None else max_length
        return [self._decode(ids) for ids in self._beam(source, beam_width, limit)]

    def _beam(self, source: SequenceSet, width: int, limit: int) -> list[Array]:
        """Best candidate id sequence of each input (end mark excluded)."""
        candidates = self._candidates()
        end = len(candidates) - 1
        empty = np.empty(0, dtype=np.int64)
        # per input: list of (score, ids, finished)
        beams: list[list[tuple[float, Array, bool]]] = [
            [(0.0, empty, False)] for _ in range(len(source))
        ]
        for _ in range(limit + 1):
            open_ = [
                (i, b)
                for i, beam in enumerate(beams)
                for b, hyp in enumerate(beam)
                if not hyp[2]
            ]
            if not open_:
                break
            rows = np.array([i for i, _ in open_], dtype=np.int64)
            prefixes = [beams[i][b][1] for i, b in open_]
            logp = self._step_log_proba(self._contexts(source, rows, prefixes))
            grown: list[list[tuple[float, Array, bool]]] = [
                [h for h in beam if h[2]] for beam in beams
            ]
            for (i, b), row in zip(open_, logp):
                score, ids, _ = beams[i][b]
                for c in np.argsort(-row, kind="stable")[:width].tolist():
                    if row[c] == -np.inf:
                        break
                    new = ids if c == end else np.append(ids, candidates[c])
                    done = c == end or len(new) >= limit
                    grown[i].append((score + float(row[c]), new, done))
            beams = [
                sorted(beam, key=lambda h: -h[0])[:width] if beam else old
                for beam, old in zip(grown, beams)
            ]
        return [max(beam, key=lambda h: h[0])[1][:limit] for beam in beams]

    def _decode(self, ids: Array) -> Any:
        symbols = self.vocabulary_.decode(ids)
        if self.string_output_:
            return "".join(str(s) for s in symbols)
        return symbols

    def log_proba(self, X: Any, y: Any) -> Array:
        """Return ``log P(y_i | X_i)`` of each given output (end mark included).

        Probabilities are the decoder's: over the output symbols and the end
        mark, renormalised. An output symbol never seen in training outputs
        has probability 0 (log -inf).
        """
        source = self._inputs(X, "log_proba")
        target = as_sequence_set(
            y,
            vocabulary=self.vocabulary_,
            kind="discrete",
            unknown="unk",
            allow_empty_input=True,
        )
        if len(target) != len(source):
            raise DataError(
                f"{type(self).__name__}.log_proba: expected one output per input; "
                f"got {len(target)} for {len(source)}."
            )
        candidates = self._candidates()
        column = np.full(self.vocabulary_.size + 2, -1, dtype=np.int64)
        column[candidates] = np.arange(len(candidates))
        rows, prefixes, wanted = [], [], []
        for i in range(len(target)):
            out = target.values[target.offsets[i] : target.offsets[i + 1]]
            for t in range(len(out) + 1):
                rows.append(i)
                prefixes.append(out[:t])
                wanted.append(column[out[t]] if t < len(out) else len(candidates) - 1)
        result = np.zeros(len(target))
        if not rows:
            return result
        index = np.array(rows, dtype=np.int64)
        logp = self._step_log_proba(self._contexts(source, index, prefixes))
        wanted_arr = np.array(wanted, dtype=np.int64)
        picked = np.where(
            wanted_arr >= 0, logp[np.arange(len(index)), wanted_arr], -np.inf
        )
        np.add.at(result, index, picked)
        return result


def _join(source: SequenceSet, target: SequenceSet, size: int) -> tuple[Array, Array]:
    """Return ``(values, offsets)`` of ``start input ⟂ output end`` for every pair.

    With a vocabulary of ``size`` ids, the separator ``⟂`` is id ``size``,
    the end mark ``size + 1`` and the start mark ``size + 2``.
    """
    n = len(source)
    in_len, out_len = np.diff(source.offsets), np.diff(target.offsets)
    offsets = offsets_from_lengths(in_len + out_len + 3)
    begin = offsets[:-1]
    values = np.empty(int(offsets[-1]), dtype=np.int64)
    values[begin] = size + 2
    seq = np.repeat(np.arange(n), in_len)
    values[begin[seq] + 1 + source.positions] = source.values
    values[begin + 1 + in_len] = size
    seq = np.repeat(np.arange(n), out_len)
    values[begin[seq] + in_len[seq] + 2 + target.positions] = target.values
    values[offsets[1:] - 1] = size + 1
    return values, offsets
