import numpy as np
import pytest

import seqpred
from seqpred._params import Interval, Options
from seqpred.base import BaseEstimator, Tags, check_is_fitted, check_random_state, clone
from seqpred.exceptions import InvalidParameterError, NotFittedError


class Toy(BaseEstimator):
    """Toy estimator.

    Parameters
    ----------
    alpha : float, default=1.0
    mode : str, default="a"
    inner : BaseEstimator or None, default=None
    """

    _parameter_constraints = {
        "alpha": [Interval(float, 0, None, closed="neither")],
        "mode": [Options({"a", "b"})],
        "inner": [None, BaseEstimator],
    }

    def __init__(self, alpha=1.0, *, mode="a", inner=None):
        self.alpha = alpha
        self.mode = mode
        self.inner = inner


def test_params_round_trip_and_nesting():
    toy = Toy(alpha=2.0, inner=Toy(mode="b"))
    params = toy.get_params()
    assert params["alpha"] == 2.0 and params["inner__mode"] == "b"
    toy.set_params(inner__alpha=3.0, mode="b")
    assert toy.inner.alpha == 3.0 and toy.mode == "b"
    with pytest.raises(InvalidParameterError, match="unknown parameter 'beta'"):
        toy.set_params(beta=1)


def test_clone_is_unfitted_and_deep():
    toy = Toy(inner=Toy(alpha=5.0))
    toy._mark_fitted()
    twin = clone(toy)
    assert not twin.is_fitted and twin.inner is not toy.inner
    assert twin.inner.alpha == 5.0


def test_validation_message_has_who_what_and_fix():
    with pytest.raises(InvalidParameterError) as info:
        Toy(alpha=-1.0)._validate_params()
    message = str(info.value)
    assert message.startswith("Toy: alpha must be a float > 0")
    assert "got -1.0" in message and "alpha=1.0" in message
    with pytest.raises(ValueError):  # also a ValueError
        Toy(mode="c")._validate_params()


def test_repr_shows_non_defaults_only():
    assert repr(Toy()) == "Toy()"
    assert repr(Toy(mode="b")) == "Toy(mode='b')"


def test_not_fitted_error_is_attribute_and_value_error():
    with pytest.raises(AttributeError):
        check_is_fitted(Toy())
    with pytest.raises(NotFittedError, match="Call fit"):
        check_is_fitted(Toy())


def test_random_state_handling():
    gen = np.random.default_rng(1)
    assert check_random_state(gen) is gen
    assert check_random_state(3).integers(1000) == check_random_state(3).integers(1000)
    with pytest.raises(InvalidParameterError):
        check_random_state("seed")
    with pytest.raises(InvalidParameterError):
        check_random_state(True)


def test_tags_are_validated():
    with pytest.raises(ValueError, match="task"):
        Tags(task="dance")


def test_interval_and_options_render():
    assert str(Interval(int, 1, None)) == "an int >= 1"
    assert str(Options({"b", "a"})) == "one of 'a', 'b'"
    assert not Interval(int, 0, 1).accepts(True)


def test_registry_create_and_available():
    assert seqpred.available()["markov"] == "next-item"
    assert seqpred.available("classify") == {} or all(
        t == "classify" for t in seqpred.available("classify").values()
    )
    with pytest.raises(InvalidParameterError, match="unknown model 'nope'"):
        seqpred.create("nope")
    with pytest.raises(InvalidParameterError, match="Valid parameters"):
        seqpred.create("markov", bogus=1)
