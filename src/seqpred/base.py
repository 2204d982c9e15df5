"""The estimator contract: parameters, cloning, tags, fitted state, seeding.

Every seqpred estimator derives from :class:`BaseEstimator` and one task
mixin. Constructors store their keyword arguments unchanged; ``fit``
validates them against ``_parameter_constraints``, learns, sets the
``_``-suffixed attributes, marks the estimator fitted **last** and returns
``self``.

scikit-learn
------------
Estimators work inside scikit-learn (``clone``, ``cross_val_score``,
``GridSearchCV``, ``Pipeline``) from version 1.5 on, through its duck-typed
protocol: ``get_params``/``set_params``, ``__sklearn_tags__`` (read by
scikit-learn >= 1.6), ``_estimator_type`` (read by 1.5) and
``__sklearn_is_fitted__``. :class:`BaseEstimator` does **not** derive from
``sklearn.base.BaseEstimator``, even when scikit-learn is installed:

- ``import seqpred`` must not import scikit-learn (an optional dependency,
  and seconds of import time); a base class chosen at import time would
  make the class hierarchy, and so ``repr``, parameter checks and saved
  files, depend on what else is installed;
- scikit-learn's base brings its own ``_validate_params``, ``repr``,
  pickling state and metadata-routing methods, which would shadow or
  change this contract and the conformance suite's checks, and they differ
  between scikit-learn versions (1.6 replaced the tag machinery).

``__sklearn_tags__`` imports scikit-learn only when scikit-learn calls it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from seqpred._params import validate_parameter
from seqpred._typing import RandomStateLike
from seqpred.exceptions import InvalidParameterError, NotFittedError

__all__ = [
    "TASKS",
    "BaseEstimator",
    "Tags",
    "check_is_fitted",
    "check_random_state",
    "clone",
]

TASKS = ("next-item", "classify", "generate", "seq2seq", "forecast", "anomaly")
"""The task names; each has one contract, a mixin in ``seqpred.models.<task>.base``."""


@dataclass(frozen=True)
class Tags:
    """What an estimator can do; read by the conformance suite and the CLI.

    Parameters
    ----------
    task : str or None, default=None
        One of :data:`TASKS`. Set by the task mixin the class derives from
        (its ``_task``), never by hand: a class whose tags name another
        task than its mixin's is refused when it is defined.
    input_kind : {"discrete", "numeric"}, default="discrete"
        The kind of sequences ``fit`` accepts.
    probabilistic : bool, default=True
        Whether ``predict_proba`` is available.
    handles_unknown : bool, default=True
        Whether unseen symbols at predict time are tolerated (else they raise
        :class:`~seqpred.exceptions.UnknownSymbolError`).
    stochastic : bool, default=False
        Whether ``fit`` uses randomness (so ``random_state`` matters).
    requires_torch : bool, default=False
        Whether the estimator needs PyTorch.
    supports_partial_fit : bool, default=False
        Whether ``partial_fit`` is implemented.
    skip_checks : dict, default={}
        Conformance checks this estimator skips, each with its reason.
    """

    task: str | None = None
    input_kind: str = "discrete"
    probabilistic: bool = True
    handles_unknown: bool = True
    stochastic: bool = False
    requires_torch: bool = False
    supports_partial_fit: bool = False
    skip_checks: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.task is not None and self.task not in TASKS:
            raise ValueError(f"Tags: task must be one of {TASKS}; got {self.task!r}.")
        if self.input_kind not in ("discrete", "numeric"):
            raise ValueError(
                f"Tags: input_kind must be 'discrete' or 'numeric'; "
                f"got {self.input_kind!r}."
            )


class BaseEstimator:
    """Base class: parameter handling, ``clone``, ``repr``, tags, fitted state.

    Subclasses declare ``_parameter_constraints`` (see :mod:`seqpred._params`),
    ``_tags`` and a ``_test_params`` classmethod with small, fast settings for
    the conformance suite.

    Examples
    --------
    >>> class Toy(BaseEstimator):
    ...     _parameter_constraints = {"alpha": [float]}
    ...     def __init__(self, alpha=1.0):
    ...         self.alpha = alpha
    >>> Toy(alpha=0.5)
    Toy(alpha=0.5)
    >>> Toy().set_params(alpha=2.0).get_params()
    {'alpha': 2.0}
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}
    _tags: ClassVar[Tags] = Tags()
    _task: ClassVar[str | None] = None
    """The task whose contract the class implements; set by the task mixins."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Write the task mixin's task into the class's tags (and refuse a clash)."""
        super().__init_subclass__(**kwargs)
        task = cls._task
        if task is None or cls._tags.task == task:
            return
        if cls._tags.task is not None:
            raise TypeError(
                f"{cls.__name__}: its tags say task={cls._tags.task!r} but it "
                f"implements the {task!r} contract; drop task= from its Tags "
                "(the task mixin sets it)."
            )
        cls._tags = replace(cls._tags, task=task)

    # -- parameters
    @classmethod
    def _param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        signature = inspect.signature(init)
        names = []
        for p in signature.parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(
                    f"{cls.__name__}: estimators must not take *args or **kwargs."
                )
            names.append(p.name)
        return sorted(names)

    @classmethod
    def _param_defaults(cls) -> dict[str, Any]:
        signature = inspect.signature(cls.__init__)
        return {
            p.name: p.default
            for p in signature.parameters.values()
            if p.name != "self" and p.default is not inspect.Parameter.empty
        }

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor parameters (nested ones as ``owner__param``)."""
        params: dict[str, Any] = {}
        for name in self._param_names():
            value = getattr(self, name)
            params[name] = value
            if deep and isinstance(value, BaseEstimator):
                for sub, sub_value in value.get_params(deep=True).items():
                    params[f"{name}__{sub}"] = sub_value
        return params

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set parameters (``owner__param`` reaches nested estimators); return self."""
        valid = self._param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise InvalidParameterError(
                    f"{type(self).__name__}: unknown parameter {name!r}; valid "
                    f"parameters are {valid}."
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            owner = getattr(self, name)
            if not isinstance(owner, BaseEstimator):
                raise InvalidParameterError(
                    f"{type(self).__name__}: {name!r} is not an estimator, so "
                    f"{name}__... parameters cannot be set."
                )
            owner.set_params(**sub_params)
        return self

    def _validate_params(self) -> None:
        """Check every parameter against ``_parameter_constraints``."""
        defaults = self._param_defaults()
        owner = type(self).__name__
        for name, constraints in self._parameter_constraints.items():
            validate_parameter(
                owner, name, getattr(self, name), constraints, defaults.get(name)
            )

    def __repr__(self) -> str:
        defaults = self._param_defaults()
        shown = [
            f"{name}={getattr(self, name)!r}"
            for name in self._param_names()
            if not _same(
                getattr(self, name), defaults.get(name, inspect.Parameter.empty)
            )
        ]
        return f"{type(self).__name__}({', '.join(shown)})"

    # -- tags and fitted state
    @classmethod
    def get_tags(cls) -> Tags:
        """Return the estimator's :class:`Tags`."""
        return cls._tags

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        """Parameter sets the conformance suite tries (small and fast)."""
        return [{}]

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` has completed."""
        return bool(getattr(self, "_fitted", False))

    # -- the scikit-learn protocol (see the module docstring)
    @property
    def _estimator_type(self) -> str | None:
        """scikit-learn's kind of estimator: "classifier" for classifiers, else None.

        scikit-learn 1.5 reads it (``is_classifier``: stratified folds for
        ``cv=5``); later versions read :meth:`__sklearn_tags__`. Next-item
        models are not classifiers there: their targets are the sequences'
        own items, not a ``y``.
        """
        return _SKLEARN_TYPES.get(self.get_tags().task or "")

    def __sklearn_tags__(self) -> Any:
        """Return the ``sklearn.utils.Tags`` that scikit-learn >= 1.6 reads.

        Called by scikit-learn only, so scikit-learn is imported here and
        nowhere else in the package.
        """
        return _sklearn_tags(self)

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has completed (scikit-learn's ``check_is_fitted``)."""
        return self.is_fitted

    def _mark_fitted(self) -> None:
        self._fitted = True

    def _reset(self) -> None:
        """Forget everything learned (called at the start of ``fit``)."""
        for name in list(vars(self)):
            if name.endswith("_") and not name.startswith("__"):
                delattr(self, name)
        self._fitted = False

    def memory_bytes(self) -> int:
        """Approximate bytes held by the fitted NumPy arrays of this estimator."""
        total = 0
        for value in vars(self).values():
            total += _nbytes(value)
        return total


_SKLEARN_TYPES = {"classify": "classifier"}
"""Task -> scikit-learn ``estimator_type``; the other tasks have none there."""

_TARGET_REQUIRED = ("classify", "seq2seq")
"""Tasks whose ``fit`` needs a ``y`` (classifiers also read ``SequenceSet.labels``)."""


def _sklearn_tags(estimator: BaseEstimator) -> Any:
    """Build scikit-learn's tags the way its own ``BaseEstimator`` does, then adjust.

    Inputs are batches of sequences (lists of strings, of lists, of arrays),
    not 2-D arrays, like scikit-learn's text vectorizers.
    """
    from sklearn.utils import ClassifierTags, Tags, TargetTags

    ours = estimator.get_tags()
    tags = Tags(
        estimator_type=_SKLEARN_TYPES.get(ours.task or ""),
        target_tags=TargetTags(required=ours.task in _TARGET_REQUIRED),
        transformer_tags=None,
        regressor_tags=None,
        classifier_tags=ClassifierTags() if ours.task == "classify" else None,
    )
    tags.input_tags.two_d_array = False
    tags.input_tags.string = ours.input_kind == "discrete"
    return tags


def _same(value: Any, default: Any) -> bool:
    """Whether a parameter still has its default value (for ``repr``)."""
    if value is default:
        return True
    if isinstance(value, (np.ndarray, np.random.Generator, BaseEstimator)):
        return False
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError):
        return False


def _nbytes(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    return 0


def check_is_fitted(estimator: BaseEstimator, method: str = "predict") -> None:
    """Raise :class:`NotFittedError` if ``estimator`` has not been fitted."""
    if not estimator.is_fitted:
        name = type(estimator).__name__
        raise NotFittedError(
            f"{name}: this instance is not fitted yet, so {method} cannot run. "
            f"Call fit(sequences) first."
        )


def clone(estimator: BaseEstimator) -> BaseEstimator:
    """Return an unfitted copy with the same parameters (nested ones cloned too).

    Examples
    --------
    >>> from seqpred.models.next_item import MarkovPredictor
    >>> twin = clone(MarkovPredictor(order=2))
    >>> twin.order, twin.is_fitted
    (2, False)
    """
    if not isinstance(estimator, BaseEstimator):
        raise InvalidParameterError(
            f"clone: expected a seqpred estimator; got {type(estimator).__name__}."
        )
    params = {
        name: clone(value) if isinstance(value, BaseEstimator) else value
        for name, value in estimator.get_params(deep=False).items()
    }
    return type(estimator)(**params)


def check_random_state(random_state: RandomStateLike) -> np.random.Generator:
    """Turn ``None``, an int or a Generator into a :class:`numpy.random.Generator`.

    A Generator passed in is used as is (and advanced); an int always gives the
    same stream; ``None`` gives fresh entropy.

    Examples
    --------
    >>> a = check_random_state(0).integers(100, size=3)
    >>> b = check_random_state(0).integers(100, size=3)
    >>> bool((a == b).all())
    True
    """
    if random_state is None or isinstance(random_state, (int, np.integer)):
        if isinstance(random_state, bool) or (
            random_state is not None and random_state < 0
        ):
            raise InvalidParameterError(
                "random_state must be None, an int >= 0 or a numpy Generator; got "
                f"{random_state!r}. Use random_state=0 for reproducible results."
            )
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    raise InvalidParameterError(
        "random_state must be None, an int or a numpy Generator; got "
        f"{random_state!r}. Use random_state=0 for reproducible results."
    )
