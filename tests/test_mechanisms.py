"""The mechanisms of Figures 1 and 2 (issue 17): exact facts as property tests, the bounds by
hand, and the image readers on tiny files written here."""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import InvalidArgument, MissingDependency
from relu_minima.exact.deep_relu import DeepReLU
from relu_minima.paper.experiments.figure1 import (
    BlindSpotLaw,
    blind_spot_bounds,
    certified_mean,
    point_blind_spot_probability,
    point_statistics,
)
from relu_minima.paper.experiments.figure2 import (
    first_layer_equivalence,
    one_layer_region_curve,
    regions_hit,
    regions_hit_numpy,
    scaled_preactivations_agree,
    zero_bias_scaling,
)
from relu_minima.paper.experiments.image_data import (
    builtin_images,
    digits_available,
    load_digits_data,
    read_idx,
    read_mnist,
)

small = st.integers(-3, 3)
taus = st.fractions(min_value=Fraction(1, 10**6), max_value=10).filter(lambda t: t > 0)


@st.composite
def nets_and_data(draw, zero_bias: bool):
    d = draw(st.integers(1, 3))
    widths = [d, *draw(st.lists(st.integers(1, 3), min_size=1, max_size=2)), 1]
    W = [[[draw(small) for _ in range(widths[n])] for _ in range(widths[n + 1])]
         for n in range(len(widths) - 1)]
    b = [[0 if zero_bias else draw(small) for _ in range(widths[n + 1])]
         for n in range(len(widths) - 1)]
    X = draw(st.lists(st.lists(small, min_size=d, max_size=d), min_size=1, max_size=5))
    return DeepReLU(W, b), X


@settings(max_examples=40, deadline=None)
@given(nets_and_data(zero_bias=True), st.lists(taus, min_size=1, max_size=3))
def test_theorem_a_zero_biases_patterns_do_not_depend_on_tau(net_data, ts):
    net, X = net_data
    agree, counts = zero_bias_scaling(net, X, [1, *ts])
    assert agree and len(set(counts)) == 1
    assert all(scaled_preactivations_agree(net, X, t) for t in ts)


def test_with_a_bias_the_pattern_moves():
    net = DeepReLU([[[1]], [[1]]], [[-1], [0]])  # unit active iff x > 1
    assert not scaled_preactivations_agree(net, [[2]], Fraction(1, 4))
    assert zero_bias_scaling(net, [[2], [3]], [1, Fraction(1, 4)]) == (False, [1, 1])
    assert regions_hit(net, [[2], [0]], 1) == 2 and regions_hit(net, [[2], [0]], "1/4") == 1


@settings(max_examples=40, deadline=None)
@given(nets_and_data(zero_bias=False), taus)
def test_scaling_data_is_scaling_the_first_layer(net_data, t):
    net, X = net_data
    assert first_layer_equivalence(net, X, t)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_exact_curve_equals_counting_at_every_tau(data):
    d, h = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))
    W = [[data.draw(small) for _ in range(d)] for _ in range(h)]
    b = [data.draw(small) for _ in range(h)]
    X = data.draw(st.lists(st.lists(small, min_size=d, max_size=d), min_size=1, max_size=6))
    curve = one_layer_region_curve(W, b, X)
    net = DeepReLU([W, [[1] * h]], [b, [0]])
    bps = list(curve.breakpoints)
    probes = [Fraction(1, 10**9), Fraction(7, 3), *bps,
              *((u + v) / 2 for u, v in itertools.pairwise(bps)),
              *([2 * bps[-1]] if bps else [])]
    for t in probes:
        assert curve.count_at(t) == regions_hit(net, X, t)
    if all(bj != 0 for bj in b):  # below the first breakpoint: the origin's region only
        assert curve.counts[0] == 1 == curve.limit_pattern_count


def test_numpy_counts_are_evidence_that_agree_here():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W, b = np.array([[1.0, -1.0], [-1.0, 1.0]]), np.array([0.0, 0.0])
    assert regions_hit_numpy([W], [b], X, [1.0, 1e-5]) == [3, 3]
    # (1, 1) lands on (1, 0)'s pattern once the biases count
    assert regions_hit_numpy([W], [np.array([0.5, -0.5])], X, [1.0, 1e-5]) == [2, 1]


def test_point_probability_by_hand():
    # x = (1, 2, 0), w ~ N(-1, 1), b = 0, 3 units: pre ~ N(-3, 5)
    p = point_blind_spot_probability([1, 2, 0], BlindSpotLaw(Fraction(-1), Fraction(1), 3))
    with mpmath.workdps(30):
        assert abs(p - mpmath.ncdf(3 / mpmath.sqrt(5)) ** 3) < mpmath.mpf(10) ** -25
    # the zero input with b = 0: the pre-activation is 0, dead for sure
    assert point_blind_spot_probability([0, 0], BlindSpotLaw(1, 1, 5)) == 1
    # a bias law: x = (1,), w ~ N(0, 1), b ~ N(-1, 1): pre ~ N(-1, 2)
    law = BlindSpotLaw(Fraction(0), Fraction(1), 1, Fraction(-1), Fraction(1))
    with mpmath.workdps(30):
        assert abs(point_blind_spot_probability([1], law)
                   - mpmath.ncdf(1 / mpmath.sqrt(2))) < mpmath.mpf(10) ** -25


def test_bounds_on_collinear_points_are_tight():
    # x2 = 2 x1 and b = 0: dead at x1 iff dead at x2, so P(all) = p^n = the upper bound
    law = BlindSpotLaw(Fraction(-1, 2), Fraction(1), 4)
    b = blind_spot_bounds(point_statistics(np.array([[1, 2], [2, 4]])), law)
    p = point_blind_spot_probability([1, 2], law)
    assert abs(b.upper - p) < mpmath.mpf(10) ** -25
    assert b.lower <= b.upper and abs(b.expected_fraction - p) < mpmath.mpf(10) ** -25


@settings(max_examples=15, deadline=None)
@given(st.lists(st.lists(st.integers(0, 5), min_size=2, max_size=2).filter(any),
                min_size=1, max_size=4), st.integers(-8, 2), st.integers(1, 3))
def test_harris_lower_bound_below_monte_carlo(rows, mean, units):
    """Evidence: the lower bound is below the sampled P(every point dead) (99.9% CP)."""
    from relu_minima.paper.dead_layers.simulation import clopper_pearson

    law = BlindSpotLaw(Fraction(mean, 4), Fraction(1), units)
    b = blind_spot_bounds(point_statistics(np.array(rows)), law)
    rng = np.random.default_rng(0)
    W = rng.normal(mean / 4, 1, size=(20_000, 2, units))
    dead = np.all(np.matmul(np.array(rows, float), W) <= 0, axis=(1, 2))
    ci = clopper_pearson(int(dead.sum()), 20_000, 0.999)
    assert float(b.lower) <= ci.upper and ci.lower <= float(b.upper)


def test_certified_mean_and_refusals():
    data = builtin_images()
    stats = point_statistics(data.X)
    mu = certified_mean(stats, Fraction(1, 4), 100, Fraction(1, 100), data.scale)
    assert mu < 0
    b = blind_spot_bounds(stats, BlindSpotLaw(mu, Fraction(1, 4), 100), data.scale)
    assert b.lower >= mpmath.mpf("0.99")
    # a tenth of that mean is far from enough
    weak = blind_spot_bounds(stats, BlindSpotLaw(mu / 10, Fraction(1, 4), 100), data.scale)
    assert weak.lower < mpmath.mpf("0.5")
    with pytest.raises(InvalidArgument, match="some input is 0"):
        certified_mean(point_statistics(np.array([[0, 0], [1, 2]])), 1, 3, "1/10")
    with pytest.raises(InvalidArgument, match="negative entry"):
        point_statistics(np.array([[1, -1]]))


def _idx(array: np.ndarray, code: int = 0x08) -> bytes:
    head = bytes([0, 0, code, array.ndim]) + np.array(array.shape, dtype=">i4").tobytes()
    return head + array.astype(">u1" if code == 0x08 else ">i4").tobytes()


@pytest.fixture
def tiny_mnist(tmp_path):
    images = np.array([[[0, 255], [3, 4]], [[9, 0], [0, 1]], [[7, 7], [7, 7]]], dtype=np.uint8)
    labels = np.array([1, 0, 7], dtype=np.uint8)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx(images))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx(labels)))
    return tmp_path, images, labels


def test_idx_directory_file_gz_and_npz(tiny_mnist, tmp_path):
    folder, images, labels = tiny_mnist
    data = read_mnist(folder)
    assert data.X.tolist() == images.reshape(3, 4).tolist() and data.y.tolist() == [1, 0, 7]
    assert data.scale == Fraction(1, 255) and data.d == 4 and data.n == 3
    alone = read_mnist(folder / "train-images-idx3-ubyte")
    assert alone.y is None and np.array_equal(alone.X, data.X)
    assert read_idx(folder / "train-labels-idx1-ubyte.gz").tolist() == [1, 0, 7]
    np.savez(tmp_path / "m.npz", x_train=images, y_train=labels)
    assert np.array_equal(read_mnist(tmp_path / "m.npz").X, data.X)


def test_reader_refusals(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(InvalidArgument, match="bad magic"):
        read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(_idx(np.zeros((2, 2), np.uint8))[:-1])
    with pytest.raises(InvalidArgument, match="data bytes"):
        read_idx(tmp_path / "short")
    with pytest.raises(MissingDependency, match="train-images"):
        read_mnist(tmp_path)
    np.savez(tmp_path / "w.npz", other=np.zeros(3))
    with pytest.raises(InvalidArgument, match="x_train"):
        read_mnist(tmp_path / "w.npz")


def test_builtin_and_digits():
    data = builtin_images()
    assert data.X.min() >= 0 and data.X.max() <= 16 and (data.X.sum(axis=1) > 0).all()
    if not digits_available():
        with pytest.raises(MissingDependency, match="digits"):
            load_digits_data()
        pytest.skip("scikit-learn (the 'digits' extra) is not installed")
    digits = load_digits_data()
    assert (digits.n, digits.d, digits.scale) == (1797, 64, Fraction(1, 16))


@pytest.mark.slow
def test_check_paper_reads_a_user_mnist(tiny_mnist, tmp_path):
    folder, _, _ = tiny_mnist
    out = tmp_path / "report"
    done = subprocess.run([sys.executable, "-m", "relu_minima.cli", "check-paper", "--quick",
                           "--only", "fig1-blind-spot", "--mnist", str(folder), "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    claim = json.loads((out / "report.json").read_text())["claims"][0]
    assert claim["status"] == "verified" and "MNIST from" in claim["details"]
    assert len(claim["data"]["certified_means"]) == 4  # digits (or built-in) and MNIST


def _grads(X, y, W, b, v, c):
    """MSE gradients of f(x) = v . relu(W x + b) + c (one hidden layer), numpy."""
    z = X @ W.T + b
    a = np.maximum(z, 0)
    r = a @ v + c - y
    dz = (r[:, None] * v[None, :]) * (z > 0)
    return {"W": 2 * dz.T @ X, "b": 2 * dz.sum(0), "v": 2 * a.T @ r, "c": 2 * r.sum()}


def _adam(X, y, params, steps, lr, eps, lr_w=None, eps_w=None):
    p = {k: np.array(v, dtype=float) for k, v in params.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    s = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2 = 0.9, 0.999
    for t in range(1, steps + 1):
        g = _grads(X, y, p["W"], p["b"], p["v"], p["c"])
        for k in p:
            m[k] = b1 * m[k] + (1 - b1) * g[k]
            s[k] = b2 * s[k] + (1 - b2) * g[k] ** 2
            mh, sh = m[k] / (1 - b1**t), s[k] / (1 - b2**t)
            rate, e = (lr_w, eps_w) if k == "W" and lr_w is not None else (lr, eps)
            p[k] = p[k] - rate * mh / (np.sqrt(sh) + e)
    return p


@pytest.mark.parametrize("tau", [1e-2, 1e-4])
def test_proposition_d_adam_on_scaled_data_is_adam_with_first_layer_lr_tau_eps_over_tau(tau):
    """Floats (evidence for an exact identity): Adam on tau X from W equals Adam on X from
    tau W with the first layer's step lr tau and epsilon eps / tau."""
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, 1, size=(6, 3)), rng.normal(size=6)
    start = {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=4) * 0.1,
             "v": rng.normal(size=4), "c": 0.0}
    lr, eps = 1e-2, 1e-8
    scaled = _adam(tau * X, y, start, 30, lr, eps)
    moved = _adam(X, y, {**start, "W": tau * start["W"]}, 30, lr, eps, lr * tau, eps / tau)
    assert np.allclose(tau * scaled["W"], moved["W"], rtol=1e-9, atol=1e-12 * tau)
    for k in ("b", "v", "c"):
        assert np.allclose(scaled[k], moved[k], rtol=1e-9, atol=1e-12)
    # and it is not the same as keeping lr and eps for the first layer
    plain = _adam(X, y, {**start, "W": tau * start["W"]}, 30, lr, eps)
    assert not np.allclose(tau * scaled["W"], plain["W"], rtol=1e-6)


def test_checks_without_scikit_learn_use_the_builtin_images(monkeypatch, tmp_path):
    from relu_minima.paper import Context, Status, all_claims, run_check
    from relu_minima.paper.experiments import check_mechanisms as mechanisms

    monkeypatch.setattr(mechanisms, "reference_images", builtin_images)
    claims = {c.key: c for c in all_claims()}
    for key, expected in (("fig1-blind-spot", Status.VERIFIED),
                          ("fig2-regions", Status.UNDECIDED)):
        result, crash = run_check(claims[key], Context(tmp_path, quick=True))
        assert crash == "" and result.status is expected, result.established
        assert "built-in" in result.details
