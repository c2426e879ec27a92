"""The numeric backend agrees with the exact code; gradients and Hessians with differences."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relu_minima.errors import InexactNumberError, InvalidArgument, InvalidNumberError, ShapeError
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.exact.shallow_relu import ShallowReLU
from relu_minima.exact.smooth_net import SmoothNet
from relu_minima.numeric import backend as numeric

D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Quarter-integers in [-4, 4]: every value and every product/sum below is a double exactly,
# so the float loss has only rounding of sums of < 100 terms; the stated bound is
# |float - exact| <= 1e-12 (1 + |exact|).
quarters = st.integers(-16, 16).map(lambda k: Fraction(k, 4))


@st.composite
def problems(draw, depth=2):
    d = draw(st.integers(1, 2))
    n = draw(st.integers(1, 6))
    X = [[draw(quarters) for _ in range(d)] for _ in range(n)]
    y = [draw(quarters) for _ in range(n)]
    widths = [d] + [draw(st.integers(1, 3)) for _ in range(depth - 1)] + [1]
    weights = [[[draw(quarters) for _ in range(i)] for _ in range(o)]
               for i, o in itertools.pairwise(widths)]
    biases = [[draw(quarters) for _ in range(o)] for o in widths[1:]]
    net = DeepReLU(weights, biases)
    return (net.to_shallow() if depth == 2 else net), Dataset(X, y)


def _bound(exact_value):
    return 1e-12 * (1 + abs(float(exact_value)))


@SETTINGS
@given(problems(depth=2))
def test_shallow_loss_agrees_with_exact_code(problem):
    net, D = problem
    got = numeric.losses(net, numeric.to_vector(net), D)[0]
    assert abs(got - float(net.loss(D))) <= _bound(net.loss(D))
    assert numeric.exact_loss(net, D) == net.loss(D)  # same algorithm, exact context


@SETTINGS
@given(problems(depth=3))
def test_deep_loss_agrees_with_exact_code(problem):
    net, D = problem
    got = numeric.losses(net, numeric.to_vector(net), D)[0]
    assert abs(got - float(net.loss(D))) <= _bound(net.loss(D))
    assert numeric.exact_loss(net, D) == net.loss(D)


def _preactivations(net, D):
    deep = DeepReLU.from_shallow(net) if isinstance(net, ShallowReLU) else net
    return [z for table in deep.preactivations(D)[:-1] for row in table for z in row]


def _fd_gradient(params, theta, D, eps=1e-6, loss="squared"):
    P = len(theta)
    plus = theta + eps * np.eye(P)
    minus = theta - eps * np.eye(P)
    return (numeric.losses(params, plus, D, loss=loss)
            - numeric.losses(params, minus, D, loss=loss)) / (2 * eps)


@SETTINGS
@given(st.one_of(problems(depth=2), problems(depth=3)))
def test_gradient_matches_finite_differences_away_from_kinks(problem):
    net, D = problem
    # away from kinks: every hidden pre-activation at least 1/4 from 0, so a step of 1e-6
    # (times |x| + 1 <= 5, propagated) stays in one linear piece
    assume(all(abs(z) >= Fraction(1, 4) for z in _preactivations(net, D)))
    theta = numeric.to_vector(net)
    g = numeric.gradients(net, theta, D)[0]
    fd = _fd_gradient(net, theta, D)
    assert np.allclose(g, fd, rtol=1e-5, atol=1e-4)


@SETTINGS
@given(problems(depth=2))
def test_gradient_float_equals_exact_context(problem):
    net, D = problem
    g = numeric.gradients(net, numeric.to_vector(net), D)[0]
    ge = numeric.gradients(net, [list(numeric.exact_parameters(net))], D, ctx=numeric.EXACT)[0]
    assert all(abs(a - float(b)) <= _bound(b) * 10 for a, b in zip(g, ge, strict=True))


def test_gradient_at_kink_is_the_off_piece_derivative():
    # Proposition 1's point: unit kinked at x = 3 (z = 0). The "off" piece has active points
    # x = 5, 4 only, where r = 0, so dL/d(w, b, v) = 0 and dL/dc = 2 * sum r = 2 * (3 - 3) = 0.
    net = ShallowReLU([1], [-3], [1], 0)
    assert numeric.gradients(net, numeric.to_vector(net), D1)[0].tolist() == [0, 0, 0, 0]
    # moving b up by t switches x = 3 on: L(t) = 18 + 3 t^2 (r = t at x = 5, 4, 3), the
    # right derivative is 0 too, but the loss is not differentiable along w: check a
    # one-sided quotient in the direction keeping z <= 0 (b down) equals the gradient (0)
    t = 1e-4
    theta = numeric.to_vector(net)
    down = numeric.losses(net, theta - t * np.array([0, 1, 0, 0]), D1)[0]
    assert abs((down - 18) / t) < 1e-2


def test_hessian_at_proposition1_matches_hand_computation():
    # all residuals on the active piece vanish, so H = 2 J^T J with rows
    # (v x, v, relu(z), 1) = (5,1,2,1), (4,1,1,1) and (0,0,0,1) for the three off points
    J = np.array([[5, 1, 2, 1], [4, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1]])
    net = ShallowReLU([1], [-3], [1], 0)
    H = numeric.hessians(net, numeric.to_vector(net), D1)[0]
    assert np.allclose(H, 2 * J.T @ J, atol=1e-12)


@SETTINGS
@given(st.one_of(problems(depth=2), problems(depth=3)))
def test_hessian_matches_differences_of_gradient_away_from_kinks(problem):
    net, D = problem
    assume(all(abs(z) >= Fraction(1, 4) for z in _preactivations(net, D)))
    theta = numeric.to_vector(net)
    P, eps = len(theta), 1e-6
    H = numeric.hessians(net, theta, D)[0]
    fd = (numeric.gradients(net, theta + eps * np.eye(P), D)
          - numeric.gradients(net, theta - eps * np.eye(P), D)) / (2 * eps)
    assert np.allclose(H, (fd + fd.T) / 2, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("loss", ["squared", "logistic"])
def test_smooth_gradient_and_hessian(activation, loss):
    net = SmoothNet([[1, Fraction(1, 2)], [-1, 2]], [0, 1], [2, -1], Fraction(1, 3),
                    activation=activation)
    D = Dataset([[1, 2], [0, -1], [3, 1]], [1, -1, 1])
    theta = numeric.to_vector(net)
    g = numeric.gradients(net, theta, D, loss=loss)[0]
    assert np.allclose(g, _fd_gradient(net, theta, D, loss=loss), rtol=1e-6, atol=1e-7)
    P, eps = len(theta), 1e-5
    H = numeric.hessians(net, theta, D, loss=loss)[0]
    fd = (numeric.gradients(net, theta + eps * np.eye(P), D, loss=loss)
          - numeric.gradients(net, theta - eps * np.eye(P), D, loss=loss)) / (2 * eps)
    assert np.allclose(H, fd, rtol=1e-5, atol=1e-6)


def test_batch_and_chunking_give_the_same_numbers():
    net = ShallowReLU([[1, 2], [-1, 1], [0, 3]], [1, 0, -2], [1, -2, 1], 1)
    D = Dataset([[i, -i + 1] for i in range(20)], list(range(20)))
    rng = np.random.default_rng(1)
    thetas = numeric.to_vector(net) + rng.normal(size=(50, net.m * 4 + 1))
    big = numeric.losses(net, thetas, D)
    small = numeric.losses(net, thetas, D, chunk_bytes=1)
    assert np.array_equal(big, small)
    one_by_one = [numeric.losses(net, t, D)[0] for t in thetas]
    assert np.allclose(big, one_by_one, rtol=1e-14)
    g_big = numeric.gradients(net, thetas, D)
    assert np.array_equal(g_big, numeric.gradients(net, thetas, D, chunk_bytes=1))


def test_flat_layout_and_conversions():
    net = ShallowReLU([[1, 2], [3, 4]], [5, 6], [7, 8], 9)
    assert numeric.to_vector(net).tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    deep = DeepReLU.from_shallow(net)
    assert numeric.to_vector(deep).tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    theta = np.array([0.5, 0.25, 1, 2, 3, 4, 5, 6, 0.1])
    with pytest.raises(InexactNumberError, match=r"theta\[0\]=0.5"):
        numeric.from_vector(theta, net)
    back = numeric.from_vector(theta, net, allow_float=True)
    assert back.W[0] == (Fraction(1, 2), Fraction(1, 4))
    assert back.c == Fraction(0.1)  # the double's exact binary value, not 1/10
    assert numeric.from_vector([1, 2, 3, 4, 5, 6, 7, 8, "9/2"], net).c == Fraction(9, 2)
    assert isinstance(numeric.from_vector(theta, deep, allow_float=True), DeepReLU)
    assert numeric.architecture(net).n_params == 9


def test_bad_input_names_the_argument():
    net = ShallowReLU([1], [-3], [1], 0)
    with pytest.raises(ShapeError, match=r"thetas has shape \(3,\)"):
        numeric.losses(net, [1.0, 2.0, 3.0], D1)
    with pytest.raises(InvalidNumberError, match=r"y\[0\]=2 but the logistic loss"):
        numeric.losses(net, numeric.to_vector(net), D1, loss="logistic")
    with pytest.raises(InvalidArgument, match="loss='hinge'"):
        numeric.losses(net, numeric.to_vector(net), D1, loss="hinge")
    with pytest.raises(InvalidArgument, match="chunk_bytes="):
        numeric.losses(net, numeric.to_vector(net), D1, chunk_bytes=2 << 30)
    with pytest.raises(ShapeError, match="widths"):
        numeric.Architecture((2,), "relu")
    with pytest.raises(ShapeError, match="one output"):
        numeric.Architecture((2, 3, 2), "sigmoid")


def test_logistic_loss_by_hand():
    # f == 0 everywhere (v = 0, c = 0): each point contributes log 2
    net = ShallowReLU([1], [0], [0], 0)
    D = Dataset([1, 2, 3], [1, -1, 1])
    got = numeric.losses(net, numeric.to_vector(net), D, loss="logistic")[0]
    assert abs(got - 3 * np.log(2)) < 1e-14
    # f == 40: log(1 + e^-40) ~ e^-40 for y = +1 and ~ 40 for y = -1 (no overflow)
    net = ShallowReLU([0], [0], [0], 40)
    got = numeric.losses(net, numeric.to_vector(net), D, loss="logistic")[0]
    assert abs(got - (40 + 2 * np.exp(-40))) < 1e-12


# -- the loss-only hot path (relu(z) = (z + |z|)/2 at the last hidden layer) ---------------
U = 2.0 ** -53


def _forward_error_scale(arch, thetas, X):
    """S_i = the float outputs of the network with |theta| and |[X, 1]|: every pre-activation
    is then >= 0, so relu is the identity and S_i is the usual running-error scale
    |W_k| (... |W_1| |x_i| + |b_1| ...) + |b_k| of the forward pass."""
    return numeric._forward(numeric.FLOAT, arch, np.abs(thetas), np.abs(X), keep=True)[0][..., 0]


def _loss_error_bound(arch, thetas, X, y, f_hat):
    """A priori bound on |L_float - L_exact| from |f_hat_i - f_i| <= e_i = gamma_K S_i.

    K counts the rounding steps on the path to one output (every width, bias, the two extra
    products of the hot path); then |r_hat_i - r_i| <= E_i = e_i + u(|r_hat_i| + e_i) and
    |L_hat - L| <= sum E_i (2 |r_hat_i| + E_i) + gamma_{n+1} sum r_hat_i^2.
    """
    K = 2 * (sum(arch.widths) + 2 * arch.depth + 4)
    gamma = lambda k: k * U / (1 - k * U)  # noqa: E731
    e = gamma(K) * _forward_error_scale(arch, thetas, X)
    r = f_hat - y[None, :]
    E = e + U * (np.abs(r) + e)
    return (E * (2 * np.abs(r) + E)).sum(axis=1) + gamma(len(y) + 1) * (r * r).sum(axis=1)


floats = st.floats(-4, 4, allow_nan=False, allow_infinity=False)


@st.composite
def float_points(draw):
    """A ReLU network of depth 2 or 3 with arbitrary double parameters, on quarter-integer
    data, so the exact loss of the very doubles is computable."""
    net, D = draw(st.one_of(problems(depth=2), problems(depth=3)))
    arch = numeric.architecture(net)
    theta = np.array([draw(floats) for _ in range(arch.n_params)])
    return arch, theta, D


@SETTINGS
@given(float_points())
def test_hot_path_and_plain_pass_meet_the_exact_loss_within_the_stated_bound(point):
    arch, theta, D = point
    T = theta[None, :]
    X, y = numeric.as_floats(D.X, "X"), numeric.as_floats(D.y, "y")
    exact = numeric.from_vector(theta, arch, allow_float=True).loss(D)
    fast = numeric._relu_outputs(arch, T, X)[..., 0]  # (B, n, k) with k = 1
    plain = numeric._forward(numeric.FLOAT, arch, T, X, keep=True)[0][..., 0]
    for f in (fast, plain):
        L = ((f - y[None, :]) ** 2).sum(axis=1)
        bound = _loss_error_bound(arch, T, X, y, f)
        assert abs(Fraction(L[0]) - exact) <= Fraction(bound[0]), (f, exact, bound)
    assert numeric.losses(arch, theta, D)[0] == ((fast - y) ** 2).sum()


def test_hot_path_is_exact_where_the_arithmetic_is():
    # integers: every product and sum below is a small integer, so any rounding is a bug
    net = ShallowReLU([[1, -2], [3, 1], [-1, -1]], [0, -4, 2], [2, -1, 3], -5)
    D = Dataset([[i, 3 - 2 * i] for i in range(-4, 5)], [i * i for i in range(-4, 5)])
    assert numeric.losses(net, numeric.to_vector(net), D)[0] == net.loss(D)
    deep = DeepReLU([[[1, -1], [2, 0]], [[1, -3], [-2, 1]], [[1, 1]]], [[0, 1], [-1, 2], [3]])
    assert numeric.losses(deep, numeric.to_vector(deep), D)[0] == deep.loss(D)


def test_hot_path_falls_back_on_overflow():
    # z = 1e308 * (-10) overflows to -inf, where (z + |z|)/2 is nan but relu(z) = 0; the
    # fallback to the plain pass must give the plain pass's finite value
    net = ShallowReLU([[Fraction(10) ** 308]], [0], [Fraction(1, 10) ** 300], 0)
    D = Dataset([[-10], [1]], [0, 0])
    with pytest.warns(RuntimeWarning, match="overflow") as caught:
        got = numeric.losses(net, numeric.to_vector(net), D)[0]
    assert len(caught) == 1  # the plain pass's warning only, not the hot path's as well
    assert np.isfinite(got)
    assert got == pytest.approx(float(net.loss(D)), rel=1e-12)
