"""One rule for data at every entry point (issue 25, item 4).

Wherever the library asks for a dataset it takes a ``Dataset`` or a pair ``(X, y)`` of exact
numbers; floats are refused by ``Dataset``'s own rule (the message names ``allow_float=True``
and ``snap``'s rule, and suggests only values equal to the decimal printed); anything else is
an ``InvalidType`` naming the argument and the kind of object. No message prints the data.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from relu_minima import (
    Dataset,
    DeepReLU,
    InexactNumberError,
    InvalidType,
    ReluMinimaError,
    ShallowReLU,
    SmoothNet,
    global_minimum,
    is_decent,
    search_neighbourhood,
    verify_local_minimum,
)
from relu_minima.testing import assertions

# integers whose digits are easy to spot in a message: 7 digits each, 30 points
RNG = np.random.default_rng(25)
X_INT = RNG.integers(1_000_000, 9_999_999, size=(30, 1))
Y_INT = RNG.integers(1_000_000, 9_999_999, size=30)
X_FLOAT = X_INT / 7.0
Y_FLOAT = Y_INT / 7.0
SHALLOW = ShallowReLU([1], [0], [1], 0)
DEEP = DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]])


def _smooth() -> SmoothNet:
    pytest.importorskip("flint")
    return SmoothNet([[1]], [0], [1], 0)


def _smooth_certify(D):
    from relu_minima.verify.smooth.certify import certify_smooth_minimum

    return certify_smooth_minimum(_smooth(), D)


def _smooth_enclosure(D):
    from relu_minima.verify.smooth.certify import smooth_loss_enclosure

    return smooth_loss_enclosure(_smooth(), D)


def _backend(name):
    def call(D):
        from relu_minima.numeric import backend

        theta = backend.to_vector(SHALLOW)
        if name == "objective":
            return backend.NumericObjective(SHALLOW, D).loss(theta)
        if name == "exact_loss":
            return backend.exact_loss(SHALLOW, D)
        return getattr(backend, name)(SHALLOW, theta[None, :], D)
    return call


def _checker(method):
    """A method of the local_minimum_checker fixture."""
    from relu_minima.testing.plugin import LocalMinimumChecker

    return getattr(LocalMinimumChecker(), method)


FEW = {"n_random": 20, "n_kink": 0, "descent_runs": 0}  # the data rule, not the search


def _lenient(assertion):
    """An assertion's verdict, its AssertionError (a verdict too) returned, not raised."""
    def call(D):
        try:
            return assertion(SHALLOW, D)
        except AssertionError as err:
            return str(err).splitlines()[3]  # the ACTUAL line
    return call


def _dump(D):
    from relu_minima.exact.io import dump_problem

    return dump_problem(SHALLOW, D)


def _strategy(D):
    from hypothesis import Phase, find, settings

    from relu_minima import strategies as rms

    once = settings(database=None, max_examples=1, phases=[Phase.generate])  # one draw is enough
    return find(rms.shallow_relu(dataset=D, kink_points=[0]), lambda p: True, settings=once).d


ENTRY_POINTS = {
    "verify_local_minimum shallow": lambda D: verify_local_minimum(SHALLOW, D).status,
    "verify_local_minimum deep": lambda D: verify_local_minimum(DEEP, D).status,
    "verify_local_minimum smooth": lambda D: verify_local_minimum(_smooth(), D).status,
    "certify_smooth_minimum": lambda D: _smooth_certify(D).status,
    "smooth_loss_enclosure": lambda D: str(_smooth_enclosure(D)),
    "assert_local_minimum": _lenient(assertions.assert_local_minimum),
    "assert_not_local_minimum": _lenient(assertions.assert_not_local_minimum),
    "assert_no_descent_found": _lenient(lambda p, D: assertions.assert_no_descent_found(
        p, D, "1/10", **FEW).base_loss),
    "fixture verify": lambda D: _checker("verify")(SHALLOW, D).status,
    "fixture assert_local_minimum": _lenient(_checker("assert_local_minimum")),
    "fixture assert_not_local_minimum": _lenient(_checker("assert_not_local_minimum")),
    "global_minimum": lambda D: global_minimum(D, hidden=1).value,
    "search_neighbourhood": lambda D: search_neighbourhood(SHALLOW, D, "1/10",
                                                           **FEW).base_loss,
    "numeric losses": _backend("losses"),
    "numeric gradients": _backend("gradients"),
    "numeric hessians": _backend("hessians"),
    "numeric exact_loss": _backend("exact_loss"),
    "numeric NumericObjective": _backend("objective"),
    "is_decent": is_decent,
    "dump_problem": _dump,
    "strategies.shallow_relu": _strategy,
}


def _same(a, b):
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_an_exact_pair_is_the_dataset(name):
    call = ENTRY_POINTS[name]
    small = ([0, 1, 2, 4], [1, 0, 3, "1/2"])
    assert _same(call(small), call(Dataset(*small)))


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_floats_are_refused_by_the_one_rule(name):
    with pytest.raises(ReluMinimaError) as err:
        ENTRY_POINTS[name]((X_FLOAT, Y_FLOAT))
    # a strategy reports it as hypothesis's InvalidArgument, as its other arguments
    assert isinstance(err.value, InexactNumberError) or name.startswith("strategies")
    text = str(err.value)
    assert text.startswith("X[0][0]=")  # the position, then what to do
    # the opt-in where it exists: Dataset's (the entry point itself takes no allow_float)
    assert "Dataset(X, y, allow_float=True)" in text and "snap(model, (X, y))" in text
    assert len(text) < 500


@pytest.mark.parametrize("name", ENTRY_POINTS)
@pytest.mark.parametrize("data", [X_INT, np.column_stack([X_INT, Y_INT]), [X_INT, Y_INT],
                                  {"X": X_INT, "y": Y_INT}, (X_INT, Y_INT, Y_INT)],
                         ids=["X alone", "one array", "a list", "a dict", "a triple"])
def test_anything_else_is_named_never_printed(name, data):
    with pytest.raises(ReluMinimaError) as err:
        ENTRY_POINTS[name](data)
    assert isinstance(err.value, InvalidType) or name.startswith("strategies")
    text = str(err.value)
    assert "dataset" in text and "Dataset(X, y" in text
    assert str(X_INT[0, 0]) not in text and str(Y_INT[0]) not in text
    assert len(text) < 400


@pytest.mark.parametrize("make", [
    lambda: (np.arange(2 * 3 * 50).reshape(2, 3, 50), [1, 2]),       # X of three dimensions
    lambda: ([[1], [2]], [list(range(1_000_000, 1_000_050)), [1]]),   # y of ragged rows
    lambda: ([[1], [2]], "1_000_000, 1_000_001, " * 20),               # y a long string
    lambda: ([[1], [2]], [1, "1_000_000/" * 20]),                      # an unreadable number
    lambda: ([[1], [object()]], [1, 2]),
])
def test_a_bad_part_of_the_data_is_named_and_not_printed_in_full(make):
    with pytest.raises(ReluMinimaError) as err:
        verify_local_minimum(SHALLOW, make())
    text = str(err.value)
    assert "1000010" not in text and "1_000_000/1_000_000" not in text, text
    assert len(text) < 300, text
    assert text.startswith(("X[", "y[", "y=", "y ")), text


@pytest.mark.parametrize("params", [np.arange(1000.0), [[1.5] * 500]],
                         ids=["an array", "a list"])
@pytest.mark.parametrize("call", ["smooth", "fuzz", "numeric", "assertion", "strategy"])
def test_a_params_that_is_not_a_network_is_named_not_printed(params, call):
    from hypothesis import find

    from relu_minima import strategies as rms
    from relu_minima.numeric import backend

    D = Dataset([0, 1], [0, 1])
    run = {"smooth": lambda: verify_local_minimum(params, D),
           "fuzz": lambda: search_neighbourhood(params, D, "1/10"),
           "numeric": lambda: backend.losses(params, np.zeros((1, 4)), D),
           "assertion": lambda: assertions.assert_local_minimum(params, D),
           "strategy": lambda: find(rms.perturbations(params, 1), lambda p: True)}[call]
    with pytest.raises(ReluMinimaError) as err:
        run()
    text = str(err.value)
    assert "params" in text and len(text) < 300 and "999" not in text and "1.5, 1.5" not in text


def test_smooth_decisions_take_a_pair_directly():
    """certify_smooth_minimum read a pair's .X deep inside (AttributeError) before the rule."""
    pytest.importorskip("flint")
    from relu_minima.verify.smooth.certify import certify_smooth_minimum

    cert = certify_smooth_minimum(_smooth(), ([0, 1, 2], [0, 1, 0]))
    assert isinstance(cert.dataset, Dataset) and cert.check()


@pytest.mark.parametrize("params", [SHALLOW, DEEP], ids=["shallow", "deep"])
def test_a_networks_own_methods_take_a_dataset_and_say_so(params):
    """net.loss(D) and co. take a Dataset (build one once); a pair is refused by name, as the
    deep and smooth models already did, not with an AttributeError from inside."""
    for method in ("loss", "outputs", "residuals"):
        with pytest.raises(InvalidType, match=r"dataset=<a tuple of length 2> must be a "
                           r"relu_minima\.Dataset"):
            getattr(params, method)(([0, 1], [0, 1]))
    assert params.loss(Dataset([0, 1], [0, 1])) == Fraction(0)


def test_the_fuzz_fixture_applies_the_rule_too(fuzz_neighbourhood):
    minimum = ShallowReLU([1], [-3], [1], 0)  # Proposition 1's point on D1: nothing lower
    D1 = ([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
    assert fuzz_neighbourhood(minimum, D1, "1/10", **FEW).base_loss == 18
    with pytest.raises(InexactNumberError, match=r"Dataset\(X, y, allow_float=True\)"):
        fuzz_neighbourhood(minimum, ([5.5], [2]), "1/10", **FEW)
    with pytest.raises(InvalidType, match="dataset=<a ndarray of shape"):
        fuzz_neighbourhood(minimum, X_INT, "1/10", **FEW)
