'''Theorem 1 (i), as printed:

    "Let theta = ((W_n), (b_n)) be any point in the parameter space satisfying
    W_n h_n(x_i) < -b_n (coordinate-wise) for all i-s. Then i) theta is a local minimum of
    the error surface."

Erratum. (Read with h_(n-1), for a hidden layer n.) A blind spot outputs one constant C on
the data on a whole neighbourhood, and the output bias moves C freely, so
    theta is a local minimum  <=>  C = mean of the targets.
Counterexample below: C = 0, mean 1, and the output bias lowers the loss. Corrected statement
(certified by verify_deep_local_minimum for every strict blind spot): a blind spot is a
(non-strict) local minimum iff C = ybar; every blind spot lies in a codimension-0 region of
blind spots whose minima (C = ybar) all have loss sum_i (y_i - ybar)^2.
'''

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima import verify_local_minimum
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.paper.dead_layers.check_theorem1 import check_thm1_i
from relu_minima.paper.registry import Context, Status
from relu_minima.verify.deep.rules import verify_deep_local_minimum

D = Dataset([0, 1], [0, 2])


def test_counterexample():
    theta = DeepReLU([[[1]], [[1]]], [[-5], [0]])  # relu(x - 5) = 0 on both points
    cert = verify_deep_local_minimum(theta, D)
    assert cert.loss == 4 and cert.is_local_minimum is False and cert.case == "blind spot"
    cert.check()
    # by hand: L(b_2 = t) = t^2 + (t - 2)^2 = 4 - 4t + 2t^2 < 4 for 0 < t < 2
    w = cert.witness(Fraction(1, 2))
    assert w.loss(D) == Fraction(1, 4) + Fraction(9, 4) and w.distance(theta) == Fraction(1, 2)


def test_corrected_statement_holds_at_the_mean():
    theta = DeepReLU([[[1]], [[1]]], [[-5], [1]])
    cert = verify_deep_local_minimum(theta, D)
    assert cert.is_local_minimum is True and cert.loss == 2
    assert "not a local minimum" not in str(cert)


@settings(max_examples=30, deadline=None)
@given(st.integers(-3, 3), st.integers(-4, 4), st.integers(1, 4))
def test_depth_two_agrees_with_the_shallow_criterion(w, c, h):
    # an independent decision procedure (relu_minima.verify.shallow.criterion) on the same points
    theta = DeepReLU([[[w]] * h, [[1] * h]], [[-abs(w) - 1] * h, [c]])
    mine = verify_deep_local_minimum(theta, D)
    theirs = verify_local_minimum(theta.to_shallow(), D)
    assert mine.is_local_minimum == theirs.is_local_minimum == (c == 1)


def test_registered_status(tmp_path):
    assert check_thm1_i(Context(tmp_path, quick=True)).status is Status.ERRATUM
