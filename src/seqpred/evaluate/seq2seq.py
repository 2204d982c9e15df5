"""Sequence-to-sequence evaluation: corpus BLEU and one report of every metric.

:func:`corpus_bleu` uses sacrebleu (``pip install sacrebleu``) when it is
installed and otherwise a small pure-Python implementation of the same
formula (BLEU-4, brevity penalty, sacrebleu's default ``"exp"`` smoothing)
over whitespace tokens. :func:`evaluate_seq2seq` decodes held-out inputs
with a fitted model and reports exact match, token accuracy and BLEU.
"""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from seqpred.evaluate._seq2seq import exact_match, token_accuracy
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = ["corpus_bleu", "evaluate_seq2seq", "has_sacrebleu"]

MAX_ORDER = 4
BACKENDS = ("auto", "sacrebleu", "python")


def has_sacrebleu() -> bool:
    """Return whether the optional sacrebleu package can be imported."""
    return importlib.util.find_spec("sacrebleu") is not None


def _as_text(seq: Any) -> str:
    """Return a string as is, a token sequence joined by single spaces."""
    if isinstance(seq, str):
        return seq
    return " ".join(str(token) for token in seq)


def corpus_bleu(
    pred_seqs: Sequence[Any],
    true_seqs: Sequence[Any],
    *,
    tokenize: str = "none",
    backend: str = "auto",
) -> float:
    """Return corpus BLEU-4 (0 to 100) of predicted sequences against references.

    Parameters
    ----------
    pred_seqs : sequence of str or of token lists
        One predicted output per sample; token lists are joined by spaces.
    true_seqs : sequence of str or of token lists
        One reference per sample.
    tokenize : str, default="none"
        sacrebleu's tokenizer: ``"none"`` splits on whitespace (right for
        token lists); ``"13a"`` is the WMT standard for raw text. The
        pure-Python backend supports ``"none"`` only.
    backend : {"auto", "sacrebleu", "python"}, default="auto"
        ``"auto"`` uses sacrebleu when installed, else the Python fallback.

    Returns
    -------
    float
        BLEU in ``[0, 100]``, as papers report it (not ``[0, 1]``).

    Raises
    ------
    DataError
        Batches of different sizes, or no samples.
    InvalidParameterError
        An unknown backend, ``backend="sacrebleu"`` without sacrebleu, or a
        tokenizer the Python fallback lacks.

    Notes
    -----
    Clipped n-gram matches and n-gram totals (n = 1..4) are summed over the
    corpus; BLEU is the geometric mean of the four precisions times the
    brevity penalty ``exp(1 - r/c)`` when the output length ``c`` is below
    the reference length ``r``. A precision with no match is smoothed to
    ``1 / (2^k total)`` for its k-th such order (NIST, sacrebleu's default).

    References
    ----------
    .. [1] K. Papineni, S. Roukos, T. Ward, W.-J. Zhu, "BLEU: a Method for
       Automatic Evaluation of Machine Translation", ACL 2002.
    .. [2] M. Post, "A Call for Clarity in Reporting BLEU Scores", WMT 2018.

    Examples
    --------
    >>> pred = [["the", "cat", "sat", "on", "the", "mat"]]
    >>> round(corpus_bleu(pred, pred, backend="python"), 2)
    100.0
    >>> round(corpus_bleu(["a cat sat on a mat"], ["the cat sat on the mat"],
    ...                   backend="python"), 2)
    32.47
    """
    who = "corpus_bleu"
    if backend not in BACKENDS:
        raise InvalidParameterError(
            f"{who}: backend must be one of {BACKENDS}; got {backend!r}. Use "
            "backend='auto'."
        )
    if len(pred_seqs) != len(true_seqs) or len(true_seqs) == 0:
        raise DataError(
            f"{who}: expected one prediction per reference and at least one "
            f"sample; got {len(pred_seqs)} predictions and {len(true_seqs)} "
            "references. Align the two lists."
        )
    hypotheses = [_as_text(p) for p in pred_seqs]
    references = [_as_text(t) for t in true_seqs]
    use_sacrebleu = backend == "sacrebleu" or (backend == "auto" and has_sacrebleu())
    if use_sacrebleu:
        if not has_sacrebleu():
            raise InvalidParameterError(
                f"{who}: backend='sacrebleu' needs the sacrebleu package; install "
                "it with 'pip install sacrebleu', or use backend='python'."
            )
        import sacrebleu

        result = sacrebleu.corpus_bleu(hypotheses, [references], tokenize=tokenize)
        return float(result.score)
    if tokenize != "none":
        raise InvalidParameterError(
            f"{who}: the Python fallback splits on whitespace only; got "
            f"tokenize={tokenize!r}. Install sacrebleu ('pip install sacrebleu') "
            "or pass tokenize='none' with pre-tokenized text."
        )
    return _python_bleu(hypotheses, references)


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _python_bleu(hypotheses: list[str], references: list[str]) -> float:
    """Corpus BLEU-4 over whitespace tokens, as sacrebleu computes it."""
    correct = [0] * MAX_ORDER
    total = [0] * MAX_ORDER
    sys_len = ref_len = 0
    for hyp_text, ref_text in zip(hypotheses, references):
        hyp, ref = hyp_text.split(), ref_text.split()
        sys_len += len(hyp)
        ref_len += len(ref)
        for n in range(1, MAX_ORDER + 1):
            hyp_counts, ref_counts = _ngrams(hyp, n), _ngrams(ref, n)
            correct[n - 1] += sum((hyp_counts & ref_counts).values())
            total[n - 1] += max(0, len(hyp) - n + 1)
    if not any(correct):
        return 0.0
    penalty = 1.0
    if sys_len < ref_len:
        penalty = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    log_sum, smooth = 0.0, 1.0
    for n in range(MAX_ORDER):
        if total[n] == 0:  # outputs too short for n-grams: BLEU is 0
            return 0.0
        if correct[n] == 0:
            smooth *= 2
            log_sum += math.log(100.0 / (smooth * total[n]))
        else:
            log_sum += math.log(100.0 * correct[n] / total[n])
    return penalty * math.exp(log_sum / MAX_ORDER)


def evaluate_seq2seq(
    model: Any,
    X: Any,
    y: Sequence[Any],
    *,
    beam_width: int = 1,
    max_length: int | None = None,
    bleu: bool | None = None,
) -> dict[str, float]:
    """Decode ``X`` with a fitted seq2seq model; score the outputs against ``y``.

    Parameters
    ----------
    model : fitted seq2seq estimator
        Anything with ``predict(X, beam_width=...)``.
    X : list of sequences
        Held-out inputs.
    y : list of sequences
        Their reference outputs.
    beam_width : int, default=1
        Hypotheses kept while decoding (1: greedy).
    max_length : int or None, default=None
        Longest output to decode; None: the model's default (twice the
        longest training output, plus 2). Raise it when test outputs may be
        longer, as in SCAN's length split.
    bleu : bool or None, default=None
        Add corpus BLEU; None adds it when sacrebleu is installed.

    Returns
    -------
    dict
        ``exact_match`` and ``token_accuracy`` in ``[0, 1]``, ``bleu`` in
        ``[0, 100]`` when asked, and ``n_pairs``.

    Examples
    --------
    >>> from seqpred.models.seq2seq import PPMSeq2Seq
    >>> X = ["ab", "ba", "abb"]
    >>> model = PPMSeq2Seq(max_order=6).fit(X, [x[::-1] for x in X])
    >>> evaluate_seq2seq(model, ["ba"], ["ab"], bleu=False)
    {'exact_match': 1.0, 'token_accuracy': 1.0, 'n_pairs': 1}
    """
    predictions = model.predict(X, beam_width=beam_width, max_length=max_length)
    truth = [t if isinstance(t, str) else list(t) for t in y]
    report: dict[str, Any] = {
        "exact_match": exact_match(predictions, truth),
        "token_accuracy": token_accuracy(predictions, truth),
    }
    if bleu is None:
        bleu = has_sacrebleu()
    if bleu:  # strings are character sequences: BLEU over characters
        report["bleu"] = corpus_bleu(
            [list(p) if isinstance(p, str) else p for p in predictions],
            [list(t) if isinstance(t, str) else t for t in truth],
        )
    report["n_pairs"] = len(truth)
    return report
