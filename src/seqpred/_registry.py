"""The registry: estimator name -> class, read by the API, CLI, benchmarks and tests.

Entries are import strings, so listing names never imports torch. Adding a
model is one line here.
"""

from __future__ import annotations

import importlib
from typing import Any

from seqpred.base import BaseEstimator
from seqpred.exceptions import InvalidParameterError

__all__ = ["REGISTRY", "auto_name", "available", "create", "get_class", "name_of"]

REGISTRY: dict[str, tuple[str, str]] = {
    # name: ("module:Class", task)
    # next item: Markov family
    "markov": (
        "seqpred.models.next_item.markov.markov:MarkovPredictor",
        "next-item",
    ),
    "ppm": ("seqpred.models.next_item.markov.ppm:PPM", "next-item"),
    "akom": ("seqpred.models.next_item.markov.akom:AKOM", "next-item"),
    "dg": ("seqpred.models.next_item.markov.dg:DG", "next-item"),
    "lz78": ("seqpred.models.next_item.markov.lz78:LZ78", "next-item"),
    "tdag": ("seqpred.models.next_item.markov.tdag:TDAG", "next-item"),
    # next item: compact prediction trees
    "cpt": ("seqpred.models.next_item.tree.cpt:CPT", "next-item"),
    "cpt+": ("seqpred.models.next_item.tree.cpt_plus:CPTPlus", "next-item"),
    # next item: ensembles
    "blend": ("seqpred.models.next_item.ensemble.blend:Blend", "next-item"),
    "mixture": (
        "seqpred.models.next_item.ensemble.mixture:OnlineMixture",
        "next-item",
    ),
    # next item: the model chosen by validation (create("auto", task="next-item"))
    "auto-next-item": ("seqpred.models.next_item.auto:AutoNextItem", "next-item"),
    # next item: neural (need torch)
    "gru": ("seqpred.models.next_item.neural.causal:RNNNextItem", "next-item"),
    "transformer": (
        "seqpred.models.next_item.neural.causal:TransformerNextItem",
        "next-item",
    ),
    "neural-lm": (
        "seqpred.models.next_item.neural.language_model:NeuralLanguageModel",
        "next-item",
    ),
    # classification
    "compression": (
        "seqpred.models.classify.compression:CompressionClassifier",
        "classify",
    ),
    "kmer": ("seqpred.models.classify.kmer:KmerClassifier", "classify"),
    "minirocket": (
        "seqpred.models.classify.minirocket:MiniRocketClassifier",
        "classify",
    ),
    "dtw": ("seqpred.models.classify.dtw:DTWClassifier", "classify"),
    "neural-classifier": (
        "seqpred.models.classify.neural:NeuralSequenceClassifier",
        "classify",
    ),
    "auto-classify": ("seqpred.models.classify.auto:AutoClassifier", "classify"),
    # generation
    "conditional": (
        "seqpred.models.generate.conditional:ConditionalModel",
        "generate",
    ),
    # forecasting
    "naive": ("seqpred.models.forecast.baselines:NaiveForecaster", "forecast"),
    "seasonal-naive": ("seqpred.models.forecast.baselines:SeasonalNaive", "forecast"),
    "drift": ("seqpred.models.forecast.baselines:DriftForecaster", "forecast"),
    "mean": ("seqpred.models.forecast.baselines:MeanForecaster", "forecast"),
    "naive2": ("seqpred.models.forecast.naive2:Naive2", "forecast"),
    "ets": ("seqpred.models.forecast.ets:ETS", "forecast"),
    "theta": ("seqpred.models.forecast.theta:Theta", "forecast"),
    "arima": ("seqpred.models.forecast.arima:ARIMA", "forecast"),
    "ar": ("seqpred.models.forecast.linear:AR", "forecast"),
    "dlinear": ("seqpred.models.forecast.linear:DLinear", "forecast"),
    "mlp-forecaster": ("seqpred.models.forecast.mlp:MLPForecaster", "forecast"),
    "encoder-decoder": (
        "seqpred.models.forecast.encoder_decoder:EncoderDecoderForecaster",
        "forecast",
    ),
    "setar": ("seqpred.models.forecast.setar:SETAR", "forecast"),
    "neural-forecaster": (
        "seqpred.models.forecast.neural:NeuralForecaster",
        "forecast",
    ),
    "auto-forecast": ("seqpred.models.forecast.auto:AutoForecaster", "forecast"),
    # sequence to sequence
    "seq2seq-rnn": ("seqpred.models.seq2seq.rnn:Seq2SeqNetwork", "seq2seq"),
    "seq2seq-transformer": (
        "seqpred.models.seq2seq.transformer:TransformerSeq2Seq",
        "seq2seq",
    ),
    "seq2seq-ppm": ("seqpred.models.seq2seq.ppm:PPMSeq2Seq", "seq2seq"),
}


def auto_name(task: str | None) -> str:
    """Return the registry name of ``task``'s auto model (``"auto-<task>"``).

    Examples
    --------
    >>> auto_name("next-item")
    'auto-next-item'
    """
    served = sorted(t for n, (_, t) in REGISTRY.items() if n == f"auto-{t}")
    if task not in served:
        raise InvalidParameterError(
            f"model 'auto' needs a task with an auto model, one of {served}; got "
            f"task={task!r}. Use seqpred.create('auto', task='next-item') (or "
            "--task on the command line)."
        )
    return f"auto-{task}"


def get_class(name: str) -> type[BaseEstimator]:
    """Return the estimator class registered under ``name``."""
    if isinstance(name, str) and name.lower() == "auto":
        name = auto_name(None)  # raises: "auto" needs a task
    try:
        target, _ = REGISTRY[name.lower()]
    except (KeyError, AttributeError):
        raise InvalidParameterError(
            f"unknown model {name!r}; available models: {sorted(REGISTRY)}. "
            "See seqpred.available()."
        ) from None
    module_name, _, class_name = target.partition(":")
    cls: type[BaseEstimator] = getattr(importlib.import_module(module_name), class_name)
    return cls


def name_of(cls: type[Any]) -> str:
    """Return the registry name of an estimator class."""
    target = f"{cls.__module__}:{cls.__qualname__}"
    for name, (entry, _) in REGISTRY.items():
        if entry == target:
            return name
    raise InvalidParameterError(
        f"{cls.__qualname__} is not a registered seqpred estimator; only registered "
        "estimators can be saved by name."
    )


def create(name: str, **params: Any) -> BaseEstimator:
    """Build a registered estimator by name.

    Parameters
    ----------
    name : str
        A registry name, see :func:`available`; ``"auto"`` with
        ``task=...`` builds that task's auto model (``"auto-<task>"``),
        which chooses a model by validation inside ``fit``.
    **params
        Constructor parameters of that estimator (and ``task`` for
        ``"auto"``).

    Examples
    --------
    >>> import seqpred
    >>> seqpred.create("markov", order=2)
    MarkovPredictor(order=2)
    >>> seqpred.create("auto", task="next-item", max_time=10.0)
    AutoNextItem(max_time=10.0)
    """
    if isinstance(name, str) and name.lower() == "auto":
        name = auto_name(params.pop("task", None))
    cls = get_class(name)
    try:
        return cls(**params)
    except TypeError as exc:
        valid = cls._param_names()
        raise InvalidParameterError(
            f"{cls.__name__}: {exc}. Valid parameters are {valid}."
        ) from None


def available(task: str | None = None) -> dict[str, str]:
    """Return ``{name: task}`` for every registered estimator (optionally one task).

    Examples
    --------
    >>> import seqpred
    >>> seqpred.available()["markov"]
    'next-item'
    """
    return {
        name: entry_task
        for name, (_, entry_task) in sorted(REGISTRY.items())
        if task is None or entry_task == task
    }
