"""Checks every estimator passes, whatever its task (STYLE.md section 7).

Each check takes an **unfitted** estimator configured with test parameters,
works on clones of it, and raises :class:`AssertionError` on a violation.
"""

from __future__ import annotations

import copy
import inspect
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from seqpred import _registry
from seqpred._params import _accepts
from seqpred.base import TASKS, BaseEstimator, Tags, clone
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import InvalidParameterError, NotFittedError
from seqpred.testing._data import SkipCheck, make_data
from seqpred.testing._support import (
    CHECK_NAMES,
    assert_outputs_equal,
    registered,
    support_for,
)

__all__ = ["COMMON_CHECKS"]

_MUTABLE = (list, dict, set, bytearray, np.ndarray, np.random.Generator, BaseEstimator)
_BAD_VALUES: tuple[Any, ...] = (-1, "bogus", 2.5, -0.5, [-1], object())


def _fitted(estimator: BaseEstimator) -> BaseEstimator:
    """Return a fitted clone of ``estimator`` (on training set A)."""
    twin = clone(estimator)
    data = make_data(twin.get_tags())
    twin.fit(data.train, data.train_labels)  # type: ignore[attr-defined]
    return twin


def _outputs(estimator: BaseEstimator, X: Any) -> dict[str, list[Any]]:
    return support_for(estimator).outputs(estimator, X)


def _queries(estimator: BaseEstimator) -> list[list[str]]:
    return make_data(estimator.get_tags()).queries


# -- construction and parameters --------------------------------------------------


def check_constructor(estimator: BaseEstimator) -> None:
    """Check the constructor stores its arguments unchanged and nothing else."""
    cls = type(estimator)
    signature = inspect.signature(cls.__init__)
    params = [p for p in signature.parameters.values() if p.name != "self"]
    positional = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    assert len(positional) <= 1, (
        f"{cls.__name__}.__init__ takes {positional} positionally; make every "
        "parameter after the first keyword-only (put * after it)"
    )
    for p in params:
        assert p.default is not p.empty, (
            f"{cls.__name__}: parameter {p.name!r} has no default; give every "
            "parameter one so seqpred.create(name) works"
        )
        assert not isinstance(p.default, _MUTABLE), (
            f"{cls.__name__}: parameter {p.name!r} has the mutable default "
            f"{p.default!r}; use None and build the value in fit"
        )
    for given in (estimator.get_params(deep=False), {}):
        fresh = cls(**given)
        stored = vars(fresh)
        expected = set(cls._param_names())
        assert set(stored) == expected, (
            f"{cls.__name__}(**{given!r}) sets attributes {sorted(stored)}; the "
            f"constructor must set exactly its parameters {sorted(expected)}"
        )
        for name, value in given.items():
            assert stored[name] is value, (
                f"{cls.__name__}: parameter {name!r} was stored as "
                f"{stored[name]!r}, not unchanged as {value!r}"
            )


def check_get_set_params(estimator: BaseEstimator) -> None:
    """Check ``get_params``/``set_params`` round-trip and reject unknown names."""
    cls = type(estimator)
    params = estimator.get_params(deep=False)
    assert sorted(params) == cls._param_names(), (
        f"get_params returned {sorted(params)}; expected {cls._param_names()}"
    )
    twin = clone(estimator)
    assert twin.set_params(**params) is twin, "set_params must return self"
    assert twin.get_params(deep=False) == params
    for other in cls._test_params():
        twin.set_params(**other)
        got = twin.get_params(deep=False)
        for name, value in other.items():
            assert got[name] is value, f"set_params({name}=...) was not stored as is"
    try:
        twin.set_params(no_such_parameter_=1)
    except InvalidParameterError:
        pass
    else:
        raise AssertionError("set_params(no_such_parameter_=1) did not raise")


def check_clone(estimator: BaseEstimator) -> None:
    """Check ``clone`` of a fitted estimator is an unfitted, equal twin."""
    fitted = _fitted(estimator)
    twin = clone(fitted)
    assert twin is not fitted and type(twin) is type(fitted)
    assert not twin.is_fitted, "clone returned a fitted estimator"
    learned = [n for n in vars(twin) if n.endswith("_") and not n.startswith("__")]
    assert not learned, f"clone copied fitted attributes {learned}"
    for name, value in fitted.get_params(deep=False).items():
        got = twin.get_params(deep=False)[name]
        assert got is value or isinstance(value, BaseEstimator), (
            f"clone changed parameter {name!r}: {value!r} -> {got!r}"
        )


def check_repr(estimator: BaseEstimator) -> None:
    """Check ``repr`` works before and after fit and names the class."""
    name = type(estimator).__name__
    for obj in (estimator, _fitted(estimator)):
        text = repr(obj)
        assert isinstance(text, str) and text.startswith(f"{name}("), (
            f"repr gave {text!r}; expected it to start with {name}("
        )


def check_test_params(estimator: BaseEstimator) -> None:
    """Check ``_test_params()`` is a non-empty list of valid parameter dicts."""
    cls = type(estimator)
    sets = cls._test_params()
    assert isinstance(sets, list) and sets, (
        "_test_params() must return a non-empty list"
    )
    valid = set(cls._param_names())
    for params in sets:
        assert isinstance(params, dict), f"_test_params() entry {params!r} is no dict"
        unknown = set(params) - valid
        assert not unknown, f"_test_params() names unknown parameters {unknown}"
        cls(**params)._validate_params()


def check_tags(estimator: BaseEstimator) -> None:
    """Check the tags are a valid :class:`Tags` agreeing with the registry."""
    tags = estimator.get_tags()
    assert isinstance(tags, Tags), f"get_tags() returned {type(tags).__name__}"
    assert tags.task in TASKS, (
        f"task {tags.task!r} is not one of {TASKS}: derive the class from its "
        "task's mixin (seqpred.models.<task>.base), which sets the task"
    )
    for field in ("probabilistic", "handles_unknown", "stochastic", "requires_torch"):
        assert isinstance(getattr(tags, field), bool), f"tag {field} is not a bool"
    known = CHECK_NAMES
    for name, reason in tags.skip_checks.items():
        assert name in known, f"skip_checks names unknown check {name!r}"
        assert isinstance(reason, str) and reason.strip(), f"no reason to skip {name}"
    try:
        name = _registry.name_of(type(estimator))
    except InvalidParameterError:
        return
    registered_task = _registry.REGISTRY[name][1]
    assert registered_task == tags.task, (
        f"registry says task {registered_task!r} but tags say {tags.task!r}"
    )
    if tags.stochastic:
        assert "random_state" in type(estimator)._param_names(), (
            "a stochastic estimator needs a random_state parameter"
        )


def check_parameter_table(estimator: BaseEstimator) -> None:
    """Check every parameter has constraints and every constraint a parameter."""
    cls = type(estimator)
    table = set(cls._parameter_constraints)
    names = set(cls._param_names())
    assert table == names, (
        f"_parameter_constraints covers {sorted(table)} but the parameters are "
        f"{sorted(names)}; list each parameter's constraints once"
    )


def check_invalid_params(estimator: BaseEstimator) -> None:
    """Check obviously wrong values (-1, "bogus", ...) are rejected at fit."""
    data = make_data(estimator.get_tags())
    for name, constraints in type(estimator)._parameter_constraints.items():
        for bad in _BAD_VALUES:
            if any(_accepts(c, bad) for c in constraints):
                continue
            twin = clone(estimator).set_params(**{name: bad})
            try:
                twin.fit(data.train, data.train_labels)  # type: ignore[attr-defined]
            except InvalidParameterError as exc:
                assert name in str(exc), f"the error for {name}={bad!r} omits {name}"
            else:
                raise AssertionError(
                    f"fit accepted {name}={bad!r}, which its constraints reject"
                )


# -- documentation --------------------------------------------------------------


def _section(doc: str, title: str) -> list[str] | None:
    """Lines of the numpydoc section ``title`` of ``doc``, or None if absent."""
    lines = inspect.cleandoc(doc).splitlines()
    for i in range(len(lines) - 1):
        if lines[i].strip() == title and set(lines[i + 1].strip()) == {"-"}:
            body = []
            for j in range(i + 2, len(lines)):
                nxt = lines[j + 1].strip() if j + 1 < len(lines) else ""
                if nxt and set(nxt) == {"-"} and lines[j].strip():
                    break
                body.append(lines[j])
            return body
    return None


def _documented_names(body: list[str]) -> list[str]:
    names = []
    for line in body:
        match = re.match(r"^([*\w][\w, *]*?)\s*(:|$)", line)
        if line and not line[0].isspace() and match:
            names += [n.strip().lstrip("*") for n in match.group(1).split(",")]
    return names


def check_parameters_documented(estimator: BaseEstimator) -> None:
    """Check the docstring's Parameters section lists exactly the parameters."""
    cls = type(estimator)
    doc = inspect.getdoc(cls) or ""
    assert doc.strip(), f"{cls.__name__} has no docstring"
    names = set(cls._param_names())
    body = _section(doc, "Parameters")
    if body is None:
        assert not names, f"{cls.__name__}'s docstring has no Parameters section"
        return
    documented = _documented_names(body)
    assert set(documented) == names, (
        f"{cls.__name__}: documented parameters {sorted(documented)} differ from "
        f"the constructor's {sorted(names)}"
    )


def check_docstring_examples(estimator: BaseEstimator) -> None:
    """Check the class docstring has a runnable Examples section."""
    cls = type(estimator)
    body = _section(inspect.getdoc(cls) or "", "Examples")
    assert body and any(line.lstrip().startswith(">>>") for line in body), (
        f"{cls.__name__}'s docstring needs an Examples section with >>> lines"
    )


# -- fitting ----------------------------------------------------------------------


def check_not_fitted(estimator: BaseEstimator) -> None:
    """Check prediction methods raise :class:`NotFittedError` before fit."""
    support = support_for(estimator)
    queries = _queries(estimator)
    for method in support.methods:
        if method == "predict_proba" and not estimator.get_tags().probabilistic:
            continue
        try:
            getattr(clone(estimator), method)(queries)
        except NotFittedError:
            continue
        raise AssertionError(f"{method} before fit did not raise NotFittedError")


def check_fit_returns_self(estimator: BaseEstimator) -> None:
    """Check ``fit`` returns the estimator itself and marks it fitted."""
    twin = clone(estimator)
    data = make_data(twin.get_tags())
    result = twin.fit(data.train, data.train_labels)  # type: ignore[attr-defined]
    assert result is twin, f"fit returned {result!r}, not self"
    assert twin.is_fitted, "is_fitted is False after fit"


def check_fitted_attributes(estimator: BaseEstimator) -> None:
    """Check the attributes fit sets end in ``_`` (or are private)."""
    twin = clone(estimator)
    before = set(vars(twin))
    data = make_data(twin.get_tags())
    twin.fit(data.train, data.train_labels)  # type: ignore[attr-defined]
    added = set(vars(twin)) - before
    public = sorted(n for n in added if not n.startswith("_") and not n.endswith("_"))
    assert not public, f"fit set public attributes {public} that do not end in _"


def _snapshot(value: Any) -> Any:
    if isinstance(value, np.random.Generator):
        return value  # advancing a Generator in fit is expected
    return copy.deepcopy(value)


def check_fit_keeps_params(estimator: BaseEstimator) -> None:
    """Check ``fit`` neither replaces nor mutates the parameters."""
    twin = clone(estimator)
    given = twin.get_params(deep=False)
    copies = {name: _snapshot(value) for name, value in given.items()}
    data = make_data(twin.get_tags())
    twin.fit(data.train, data.train_labels)  # type: ignore[attr-defined]
    after = twin.get_params(deep=False)
    for name, value in given.items():
        assert after[name] is value, (
            f"fit replaced parameter {name!r}: {value!r} -> {after[name]!r}; "
            "store derived values in _-suffixed attributes instead"
        )
        if not isinstance(value, (np.random.Generator, BaseEstimator)):
            assert _equal(copies[name], value), f"fit mutated parameter {name!r}"


def _equal(a: Any, b: Any) -> bool:
    """Equal values; nested estimators: same type, fitted state and params."""
    if isinstance(a, np.ndarray):
        return bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_equal(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, BaseEstimator):
        return (
            type(a) is type(b)
            and a.is_fitted == b.is_fitted
            and all(
                _equal(value, b.get_params(deep=False)[name])
                for name, value in a.get_params(deep=False).items()
            )
        )
    return bool(a == b)


def check_fit_idempotent(estimator: BaseEstimator) -> None:
    """Check fitting twice on the same data gives the same predictions."""
    twin = _fitted(estimator)
    queries = _queries(estimator)
    first = _outputs(twin, queries)
    data = make_data(twin.get_tags())
    twin.fit(data.train, data.train_labels)  # type: ignore[attr-defined]
    assert_outputs_equal(first, _outputs(twin, queries), "after a second fit")


def check_fit_no_accumulation(estimator: BaseEstimator) -> None:
    """Check fit on A then B predicts like fit on B alone (no accumulation)."""
    data = make_data(estimator.get_tags())
    on_b = clone(estimator)
    on_b.fit(data.train_other, data.train_other_labels)  # type: ignore[attr-defined]
    on_a_then_b = _fitted(estimator)
    on_a_then_b.fit(  # type: ignore[attr-defined]
        data.train_other, data.train_other_labels
    )
    assert_outputs_equal(
        _outputs(on_b, data.queries_other),
        _outputs(on_a_then_b, data.queries_other),
        "fit(A).fit(B) versus fit(B)",
    )


def check_random_state(estimator: BaseEstimator) -> None:
    """Check an int ``random_state`` gives identical refits."""
    if "random_state" not in type(estimator)._param_names():
        raise SkipCheck(f"{type(estimator).__name__} has no random_state parameter")
    first = _fitted(clone(estimator).set_params(random_state=0))
    second = _fitted(clone(estimator).set_params(random_state=0))
    queries = _queries(estimator)
    assert_outputs_equal(
        _outputs(first, queries), _outputs(second, queries), "refit with seed 0"
    )


def check_input_formats(estimator: BaseEstimator) -> None:
    """Check lists of lists, strings, arrays and SequenceSets train alike."""
    data = make_data(estimator.get_tags())
    queries = data.queries
    reference = _outputs(_fitted(estimator), queries)
    numeric = estimator.get_tags().input_kind == "numeric"
    formats = {
        "list of arrays": [np.array(s) for s in data.train],
        "SequenceSet": SequenceSet.from_lists(data.train),
    }
    if not numeric:
        formats["list of strings"] = ["".join(s) for s in data.train]
    for label, X in formats.items():
        twin = clone(estimator)
        twin.fit(X, data.train_labels)  # type: ignore[attr-defined]
        assert_outputs_equal(reference, _outputs(twin, queries), f"fit on {label}")
    twin = _fitted(estimator)
    if numeric:
        as_arrays = [np.array(q) for q in queries]
        assert_outputs_equal(reference, _outputs(twin, as_arrays), "queries as arrays")
        return
    as_strings = ["".join(q) for q in queries]
    assert_outputs_equal(reference, _outputs(twin, as_strings), "queries as strings")


def _sequence_set_state(ss: SequenceSet) -> tuple[Any, ...]:
    vocabulary = ss.vocabulary
    if vocabulary is None:  # numeric
        return ss.values.copy(), ss.offsets.copy(), None, None
    frozen = getattr(vocabulary, "_frozen", None)
    return ss.values.copy(), ss.offsets.copy(), vocabulary.symbols, frozen


def check_inputs_not_mutated(estimator: BaseEstimator) -> None:
    """Check ``fit`` and prediction leave list and SequenceSet inputs intact."""
    data = make_data(estimator.get_tags())
    train, queries = copy.deepcopy(data.train), copy.deepcopy(data.queries)
    twin = clone(estimator)
    twin.fit(train, data.train_labels)  # type: ignore[attr-defined]
    _outputs(twin, queries)
    assert train == data.train, "fit mutated its list input"
    assert queries == data.queries, "prediction mutated its list input"
    train_ss = SequenceSet.from_lists(data.train)
    query_ss = SequenceSet.from_lists(data.queries)
    before = [_sequence_set_state(s) for s in (train_ss, query_ss)]
    twin = clone(estimator)
    twin.fit(train_ss, data.train_labels)  # type: ignore[attr-defined]
    _outputs(twin, query_ss)
    for label, ss, old in zip(("fit", "prediction"), (train_ss, query_ss), before):
        new = _sequence_set_state(ss)
        assert np.array_equal(old[0], new[0]) and np.array_equal(old[1], new[1]), (
            f"{label} mutated the arrays of its SequenceSet input"
        )
        assert old[2:] == new[2:], f"{label} changed its input's vocabulary"


# -- predictions --------------------------------------------------------------------


def check_batch_equals_single(estimator: BaseEstimator) -> None:
    """Check predicting a batch equals predicting each sequence on its own."""
    twin = _fitted(estimator)
    queries = _queries(estimator)
    batch = _outputs(twin, queries)
    for i, query in enumerate(queries):
        assert_outputs_equal(batch, _outputs(twin, [query]), f"query {i} alone", [i])


def check_order_invariant(estimator: BaseEstimator) -> None:
    """Check permuting the queries permutes the outputs."""
    twin = _fitted(estimator)
    queries = _queries(estimator)
    batch = _outputs(twin, queries)
    order = np.random.default_rng(0).permutation(len(queries)).tolist()
    permuted = _outputs(twin, [queries[i] for i in order])
    assert_outputs_equal(batch, permuted, "permuted queries", order)


def check_save_load(estimator: BaseEstimator) -> None:
    """Check ``io.save`` then ``io.load`` gives the same parameters and outputs.

    A ``numpy.random.Generator`` given as ``random_state`` (which model files
    refuse) is replaced by the seed 0 first.
    """
    from seqpred import io

    if isinstance(getattr(estimator, "random_state", None), np.random.Generator):
        estimator = clone(estimator).set_params(random_state=0)
    twin = _fitted(estimator)
    queries = _queries(estimator)
    with registered(type(twin)), tempfile.TemporaryDirectory() as tmp:
        path = io.save(twin, Path(tmp) / "model.seqpred")
        loaded = io.load(path)
    assert type(loaded) is type(twin), f"load gave a {type(loaded).__name__}"
    assert loaded.is_fitted, "the loaded estimator is not fitted"
    want, got = twin.get_params(deep=False), loaded.get_params(deep=False)
    for name, value in want.items():
        assert _equal(got[name], value), (
            f"parameter {name} changed on load: {value!r} -> {got[name]!r}"
        )
    try:
        restored = _outputs(loaded, queries)
    except Exception as exc:
        raise AssertionError(
            f"the loaded estimator cannot predict ({type(exc).__name__}: {exc}); "
            "keep all fitted state in _-suffixed attributes, or add "
            "_get_state/_set_state hooks (see seqpred.io)"
        ) from exc
    assert_outputs_equal(_outputs(twin, queries), restored, "loaded")


COMMON_CHECKS: list[Callable[[BaseEstimator], None]] = [
    check_constructor,
    check_get_set_params,
    check_clone,
    check_repr,
    check_test_params,
    check_tags,
    check_parameter_table,
    check_parameters_documented,
    check_docstring_examples,
    check_not_fitted,
    check_fit_returns_self,
    check_fitted_attributes,
    check_fit_keeps_params,
    check_invalid_params,
    check_fit_idempotent,
    check_fit_no_accumulation,
    check_random_state,
    check_input_formats,
    check_inputs_not_mutated,
    check_batch_equals_single,
    check_order_invariant,
    check_save_load,
]
"""Checks for every estimator, in the order they run."""
