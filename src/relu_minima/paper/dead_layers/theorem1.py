"""Decent datasets (Definition 1) and the better point of Theorem 1 (ii) (Appendix B.3).

A blind-spot point (a hidden layer inactive on every data point) outputs one constant on the
data, so its loss is at least S = sum_i (y_i - ybar)^2. Theorem 1 (ii) says such a point is not
a global minimum when the dataset is decent and the first layer has at least 3 units; the
proof builds a point theta-hat with L(theta-hat) < S. Three constructions live here:

* :func:`theorem1_point_printed`: theta-hat exactly as printed in Appendix B.3 (kept callable
  where it fails: for k >= 3 the ReLU after layer 2 clips a negative mu or nu, and the
  printed "W_k = I" has the wrong shape unless h_(k-1) = 1; its first row is used).
* :func:`theorem1_point`: the corrected construction (same first layer, a shift B through
  the identity layers, -B in the output bias), valid for every decent dataset, d >= 1, k >= 2.
* :func:`better_point_few_units`: one first-layer unit suffices (the "3" of the theorem is
  not needed): a single ReLU ramp whose correlation with the targets is nonzero.

Every result is a frozen dataclass whose ``check()`` recomputes the losses exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import CertificateError, ClaimCheckError, NotDecentError, ShapeError, require
from ...exact.datasets import Dataset, is_decent, require_dataset
from ...exact.deep_relu import DeepReLU
from ...exact.numbers import exact, mean

__all__ = [
    "NotDecentError",
    "Theorem1Point",
    "better_point_few_units",
    "blind_spot_loss",
    "decent_index",
    "is_decent",
    "separating_vector",
    "theorem1_point",
    "theorem1_point_printed",
]

Vec = tuple[Fraction, ...]


def decent_index(dataset: Dataset) -> int | None:
    """The first r (0-based) with M({y_p : x_p = x_r}) != M({y_p}), or None (Definition 1)."""
    return require_dataset(dataset).decent_index()


def blind_spot_loss(dataset: Dataset) -> Fraction:
    """S = sum_i (y_i - ybar)^2: the least loss of any point with a blind spot (Lemma 1)."""
    ybar = dataset.target_mean
    return sum(((t - ybar) ** 2 for t in dataset.y), Fraction(0))


def separating_vector(differences: Sequence[Vec], margin: Any = 2) -> Vec:
    """v with |v . delta| > margin for every (nonzero) delta, exactly.

    On the moment curve v(t) = (1, t, ..., t^(d-1)), v(t) . delta is a nonzero polynomial of
    degree <= d - 1 in t, so each delta rules out at most d - 1 integers t; the first t in
    0, 1, 2, ... that no delta rules out works, and scaling by (margin + 1) / min |v . delta|
    gives the margin.
    """
    margin = exact(margin, "margin")
    deltas = [tuple(Fraction(t) for t in dl) for dl in differences]
    if not deltas:
        raise ShapeError("differences is empty: nothing to separate.")
    d = len(deltas[0])
    for i, dl in enumerate(deltas):
        if all(t == 0 for t in dl):
            raise ShapeError(f"differences[{i}] is the zero vector; it cannot be separated.")
    for t in range(len(deltas) * max(d - 1, 0) + 1):
        v = tuple(Fraction(t) ** p for p in range(d))
        dots = [sum((a * b for a, b in zip(v, dl, strict=True)), Fraction(0)) for dl in deltas]
        if all(s != 0 for s in dots):
            scale = (abs(margin) + 1) / min(abs(s) for s in dots)
            return tuple(scale * a for a in v)
    raise ClaimCheckError("unreachable: a nonzero polynomial of degree < d has < d roots, so "
                          "some t in the range tried separates; please report this")


@dataclass(frozen=True)
class Theorem1Point:
    """A candidate theta-hat of Theorem 1 (ii) with its exact loss comparison.

    ``loss`` = L(theta-hat); ``blind_spot_loss`` = S = sum_i (y_i - ybar)^2 <= L(theta) for
    every blind-spot theta. ``beats_blind_spot`` is the exact comparison L(theta-hat) < S.
    """

    construction: str  # "printed", "corrected" or "one unit"
    params: DeepReLU
    dataset: Dataset
    r: int | None  # the decent point x_r (0-based), None for the one-unit construction
    v: Vec
    gamma: Fraction  # the bias offset (gamma of B.3, or the ramp's threshold)
    mu: Fraction | None
    nu: Fraction | None
    loss: Fraction
    blind_spot_loss: Fraction
    notes: tuple[str, ...] = ()

    @property
    def beats_blind_spot(self) -> bool:
        return self.loss < self.blind_spot_loss

    def check(self) -> None:
        """Recompute the losses from the raw params and dataset; raise
        :class:`CertificateError` on any mismatch (never a bare assert, which ``python -O``
        strips)."""
        fresh = self.params.loss(self.dataset)
        require(self.loss == fresh, f"{self.construction} point: stored loss={self.loss} but "
                f"the params give {fresh}", error=CertificateError)
        S = blind_spot_loss(self.dataset)
        require(self.blind_spot_loss == S, f"{self.construction} point: stored "
                f"blind_spot_loss={self.blind_spot_loss} but the dataset gives {S}",
                error=CertificateError)
        if self.r is not None:
            xr = self.dataset.X[self.r]
            for i, x in enumerate(self.dataset.X):
                if x != xr:
                    s = sum((a * (p - q) for a, p, q in zip(self.v, x, xr, strict=True)),
                            Fraction(0))
                    require(abs(s) > 2, f"{self.construction} point: |v . (x_{i} - x_r)| = "
                            f"{abs(s)} <= 2 (v must separate x_r by more than 2)",
                            error=CertificateError)
        if self.construction != "printed":
            require(self.beats_blind_spot, f"{self.construction} point: L = {self.loss} does "
                    f"not beat the blind-spot loss {self.blind_spot_loss}",
                    error=CertificateError)

    def to_json(self) -> dict[str, Any]:
        """JSON form with exact numbers as strings."""
        def s(t: Any) -> Any:
            return None if t is None else str(t)

        return {"construction": self.construction, "params": self.params.to_json(),
                "r": self.r, "v": [str(t) for t in self.v], "gamma": str(self.gamma),
                "mu": s(self.mu), "nu": s(self.nu), "loss": str(self.loss),
                "blind_spot_loss": str(self.blind_spot_loss),
                "beats_blind_spot": self.beats_blind_spot, "notes": list(self.notes)}


def _widths(widths: Any, dataset: Dataset, min_first: int) -> tuple[int, ...]:
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise ShapeError(f"widths={widths!r} must be a sequence (d, h_1, ..., h_(k-1), 1).")
    w = list(widths)
    for i, t in enumerate(w):
        if isinstance(t, bool) or not isinstance(t, int) or t < 1:
            raise ShapeError(f"widths[{i}]={t!r} must be a positive integer.")
    if len(w) < 2 or w[-1] != 1:
        raise ShapeError(f"widths={w!r} must be (d, h_1, ..., h_(k-1), 1) ending in 1.")
    if w[0] != dataset.d:
        raise ShapeError(f"widths[0]={w[0]} but the dataset has d={dataset.d} inputs.")
    if len(w) < 3:
        raise ShapeError(
            f"widths={w!r} has no hidden layer (k = 1): a blind spot needs a hidden layer, "
            "and the first layer of a k = 1 model has 1 unit, so Theorem 1 (ii) does not apply.")
    if w[1] < min_first:
        raise ShapeError(f"widths[1]={w[1]}: this construction needs at least {min_first} "
                         "units in the first layer (use better_point_few_units for fewer).")
    return tuple(w)


def _zeros(rows: int, cols: int) -> list[list[Fraction]]:
    return [[Fraction(0)] * cols for _ in range(rows)]


def _bump(dataset: Dataset, w: tuple[int, ...], r: int | None):
    if r is None:
        r = decent_index(dataset)
        if r is None:
            raise NotDecentError(
                "dataset is not decent (every input's targets have the overall mean "
                f"{dataset.target_mean}): Definition 1 fails, Theorem 1 (ii) does not apply.")
    xr = dataset.X[r]
    ybar = dataset.target_mean
    same = [dataset.y[i] for i, x in enumerate(dataset.X) if x == xr]
    other = [dataset.y[i] for i, x in enumerate(dataset.X) if x != xr]
    if mean(same) == ybar:
        raise NotDecentError(f"r={r}: the targets at x_r have the overall mean {ybar}.")
    nu, mu = mean(same), mean(other)
    diffs = sorted({tuple(a - b for a, b in zip(x, xr, strict=True))
                    for x in dataset.X if x != xr})
    v = separating_vector(diffs)
    gamma = sum((a * t for a, t in zip(v, xr, strict=True)), Fraction(0))
    W1 = _zeros(w[1], w[0])
    b1 = [Fraction(0)] * w[1]
    W1[0], W1[1], W1[2] = list(v), [2 * a for a in v], list(v)
    b1[0], b1[1], b1[2] = -gamma + 1, -2 * gamma, -gamma - 1
    row2 = [Fraction(0)] * w[1]
    row2[0], row2[1], row2[2] = nu - mu, mu - nu, nu - mu
    return r, v, gamma, mu, nu, W1, b1, row2


def _result(name, weights, biases, dataset, r, v, gamma, mu, nu, notes=()) -> Theorem1Point:
    params = DeepReLU(weights, biases)
    return Theorem1Point(name, params, dataset, r, v, gamma, mu, nu, params.loss(dataset),
                         blind_spot_loss(dataset), tuple(notes))


def theorem1_point_printed(dataset: Dataset, widths: Any, r: int | None = None) -> Theorem1Point:
    """theta-hat exactly as printed in Appendix B.3 (may fail to beat the blind spot).

    W_1 rows v, 2v, v, 0...; b_1 = (-gamma+1, -2 gamma, -gamma-1, 0...); W_2 first row
    (nu-mu, mu-nu, nu-mu, 0...), other rows 0; b_2 = (mu, 0, ...); W_n = I, b_n = 0 for
    n = 3..k. "I" is read as the (h_n x h_(n-1)) matrix with ones on the diagonal; for
    n = k that is the row (1, 0, ..., 0), the only reading with the required shape.
    """
    w = _widths(widths, dataset, 3)
    k = len(w) - 1
    r, v, gamma, mu, nu, W1, b1, row2 = _bump(dataset, w, r)
    W2 = _zeros(w[2], w[1])
    W2[0] = row2
    b2 = [Fraction(0)] * w[2]
    b2[0] = mu
    weights, biases = [W1, W2], [b1, b2]
    notes = []
    for n in range(3, k + 1):
        Wn = _zeros(w[n], w[n - 1])
        for i in range(min(w[n], w[n - 1])):
            Wn[i][i] = Fraction(1)
        weights.append(Wn)
        biases.append([Fraction(0)] * w[n])
        if w[n] != w[n - 1]:
            notes.append(f"W_{n} = I is impossible with shape ({w[n]}, {w[n - 1]}); "
                         "the rectangular identity is used")
    if k >= 3 and min(mu, nu) < 0:
        notes.append(f"k = {k} >= 3: the ReLU after layer 2 turns mu = {mu}, nu = {nu} into "
                     f"{max(mu, Fraction(0))}, {max(nu, Fraction(0))}")
    return _result("printed", weights, biases, dataset, r, v, gamma, mu, nu, notes)


def theorem1_point(dataset: Dataset, widths: Any, r: int | None = None) -> Theorem1Point:
    """The corrected theta-hat: L(theta-hat) < sum_i (y_i - ybar)^2 for every decent dataset.

    Same first layer as Appendix B.3. For k >= 3 the value s in {mu, nu} is carried through
    the ReLU layers as s + B >= 0 (B = max(0, -mu, -nu)) in one unit per layer, and the output
    bias subtracts B; so M(x_r) = nu and M(x_s) = mu for x_s != x_r, whatever the signs.
    """
    w = _widths(widths, dataset, 3)
    k = len(w) - 1
    r, v, gamma, mu, nu, W1, b1, row2 = _bump(dataset, w, r)
    shift = max(Fraction(0), -mu, -nu) if k >= 3 else Fraction(0)
    weights, biases = [W1], [b1]
    W2 = _zeros(w[2], w[1])
    W2[0] = row2
    b2 = [Fraction(0)] * w[2]
    b2[0] = mu + shift
    weights.append(W2)
    biases.append(b2)
    for n in range(3, k + 1):
        Wn = _zeros(w[n], w[n - 1])
        Wn[0][0] = Fraction(1)
        bn = [Fraction(0)] * w[n]
        if n == k:
            bn[0] = -shift
        weights.append(Wn)
        biases.append(bn)
    return _result("corrected", weights, biases, dataset, r, v, gamma, mu, nu,
                   [f"shift B = {shift} through layers 2..k-1"] if k >= 3 else [])


def better_point_few_units(dataset: Dataset, widths: Any) -> Theorem1Point:
    """A point beating every blind spot using ONE first-layer unit (any h_1 >= 1, k >= 2).

    Take v injective on the distinct inputs, t_i = v . x_i, sorted distinct values
    t_(1) < ... < t_(m). If every tail sum B_j = sum_(t_i >= t_(j)) (y_i - ybar), j >= 2,
    were 0, every input's targets would average ybar (not decent). For j with B_j != 0 the
    ramp phi_i = relu(t_i - theta), theta in (t_(j-1), t_(j)), has covariance
    A_j - theta B_j with the targets, nonzero except at one theta; least squares on (1, phi)
    then lowers the loss by cov^2 / var(phi) > 0.
    """
    w = _widths(widths, dataset, 1)
    k = len(w) - 1
    if decent_index(dataset) is None:
        raise NotDecentError("dataset is not decent: every blind spot with output ybar is a "
                             "global minimum (no function of x does better).")
    ybar = dataset.target_mean
    distinct = list(dataset.groups())
    diffs = sorted({tuple(a - b for a, b in zip(p, q, strict=True))
                    for i, p in enumerate(distinct) for q in distinct[i + 1:]})
    v = separating_vector(diffs)
    t = [sum((a * b for a, b in zip(v, x, strict=True)), Fraction(0)) for x in dataset.X]
    levels = sorted(set(t))
    dev = [yy - ybar for yy in dataset.y]
    phi: list[Fraction] = []
    theta = Fraction(0)
    cov = Fraction(0)
    for j in range(1, len(levels)):
        tail = sum((dv for ti, dv in zip(t, dev, strict=True) if ti >= levels[j]), Fraction(0))
        if tail == 0:
            continue
        for theta in ((levels[j - 1] + levels[j]) / 2, (levels[j - 1] + 3 * levels[j]) / 4):
            phi = [max(ti - theta, Fraction(0)) for ti in t]
            cov = sum((p * dv for p, dv in zip(phi, dev, strict=True)), Fraction(0))
            if cov != 0:
                break
        break
    require(cov != 0, "no ramp with nonzero covariance found: unreachable for a decent dataset "
            "(see the docstring); please report this", error=ClaimCheckError)
    pbar = mean(phi)
    var = sum(((p - pbar) ** 2 for p in phi), Fraction(0))
    a = cov / var
    c = ybar - a * pbar
    W1 = _zeros(w[1], w[0])
    W1[0] = list(v)
    b1 = [Fraction(0)] * w[1]
    b1[0] = -theta
    weights, biases = [W1], [b1]
    for n in range(2, k + 1):
        Wn = _zeros(w[n], w[n - 1])
        bn = [Fraction(0)] * w[n]
        Wn[0][0] = a if n == k else Fraction(1)
        if n == k:
            bn[0] = c
        weights.append(Wn)
        biases.append(bn)
    return _result("one unit", weights, biases, dataset, None, v, theta, None, None,
                   [f"ramp relu(v.x - {theta}); least-squares a = {a}, c = {c}; "
                    f"loss drop cov^2/var = {cov * cov / var}"])
