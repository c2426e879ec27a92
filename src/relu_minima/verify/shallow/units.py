"""What params and dataset determine before any decision, unit by unit (docs/method.md).

The residuals r, and for each hidden unit j its active points, its kinks (data points with
pre-activation exactly 0) and its kink form g_j (Lemma 2 there); the derivative r . relu(z_j)
in v_j; the reports the proof prints per unit (:class:`UnitReport`) and the descent moves
(:class:`Descent`); the safe radius on which no nonzero pre-activation and no v_j changes sign.
Computed by the decision and again by ``check()``, from params and dataset alone.

With the two-slope activation h(t) = t (t >= 0), s t (t < 0) (``params.negative_slope`` = s;
docs/activations.md) the identity h(z) = s z + (1 - s) relu(z) gives the same kind of form:
p_j = sum_(active) r_i n_i + s sum_(other points) r_i n_i and kink weights (1 - s) R_jH.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ...errors import CertificateError
from ...exact import linalg
from ...exact.datasets import Dataset
from ...exact.linalg import dot
from ...exact.params import ParameterSpace
from ...exact.shallow_relu import ShallowReLU
from .kink_forms import KinkForm, SignDecision

__all__ = ["Descent", "Evidence", "UnitReport", "embed", "moves_c", "moves_v", "safe_radius",
           "unit_evidence", "unit_moving"]

Vec = tuple[Fraction, ...]


@dataclass(frozen=True)
class UnitReport:
    """What the proof says about hidden unit j (0-based ``j``; printed 1-based)."""

    j: int
    v: Fraction
    active: tuple[int, ...]  # data indices with w_j . x_i + b_j > 0
    kink_inputs: tuple[Vec, ...]  # distinct inputs with pre-activation exactly 0
    kink_indices: tuple[tuple[int, ...], ...]  # the data indices at each of them
    decision: SignDecision

    @property
    def form(self) -> KinkForm:
        return self.decision.form

    @property
    def ok(self) -> bool:
        return self.decision.holds


@dataclass(frozen=True)
class Descent:
    """A move along which the loss strictly decreases (a proof that theta is not a minimum).

    kind: "bias" (move c), "unit" (move u_j = (w_j, b_j) along ``direction``, v_j != 0),
    "output" (move v_j away from 0), or "saddle" (v_j = 0: move u_j along ``direction``, then
    v_j; the decrease is of second order, proportional to the product of the two steps).
    """

    kind: str
    unit: int | None
    direction: Vec | None
    rate: Fraction  # the first-order (or mixed second-order) coefficient, < 0
    explanation: str


@dataclass(frozen=True)
class Evidence:
    """What params and dataset determine before any decision: residuals and kink forms."""

    residuals: Vec
    lifted: list[Vec]
    units: list[tuple[tuple[int, ...], dict[Vec, list[int]], KinkForm]]  # active, kinks, form
    rates: Vec  # r . relu(z_j) per unit


def unit_evidence(params: ShallowReLU, dataset: Dataset) -> Evidence:
    """Residuals, and for each unit its active points, kinks and kink form (Lemma 2 of
    docs/method.md): computed from params and dataset alone, by the decision and by check()."""
    table = params.preactivation_table(dataset)  # checks dimensions
    s = params.negative_slope
    outputs = table.relu_combination(params.v, params.c, s)
    residuals = tuple(f - y for f, y in zip(outputs, dataset.y, strict=True))
    lifted = [(*x, Fraction(1)) for x in dataset.X]
    weighted = [tuple(r * t for t in x) for r, x in zip(residuals, lifted, strict=True)]
    n, num = dataset.n, table.num
    actives = [tuple(i for i in range(n) if num[i][j] > 0) for j in range(params.m)]
    ps = linalg.group_sums(weighted, actives)
    if s:  # h(z) = s z + (1 - s) relu(z): every point moves the unit, the off ones with slope s
        total = linalg.group_sums(weighted, [tuple(range(n))])[0]
        ps = [tuple((1 - s) * a + s * t for a, t in zip(pj, total, strict=True)) for pj in ps]
    units = []
    space = params.space
    for j in range(params.m):
        kinks: dict[Vec, list[int]] = {}
        for i in range(n):
            if num[i][j] == 0:
                kinks.setdefault(dataset.X[i], []).append(i)
        form = KinkForm(
            ps[j],
            tuple((*x, Fraction(1)) for x in kinks),
            tuple((1 - s) * linalg.exact_sum(residuals[i] for i in ix) for ix in kinks.values()),
        )
        if not space.is_full:
            form = restricted_form(form, unit_moving(space, j, params.v[j]))
        units.append((actives[j], kinks, form))
    # r . h(z_j) = sum over active i of r_i (w_j . x_i + b_j) + s sum over the others
    # = (w_j, b_j) . ps_j exactly (h(z) = z where z > 0, s z elsewhere, and z = 0 on the kinks):
    # d + 1 products instead of n huge ones
    rates = tuple(dot((*params.W[j], params.b[j]), ps[j]) for j in range(params.m))
    return Evidence(residuals, lifted, units, rates)


def moves_c(space: ParameterSpace) -> bool:
    return space.moving[space.bias_index(2, 1)]


def moves_v(space: ParameterSpace, j: int) -> bool:
    return space.moving[space.weight_index(2, 1, j + 1)]


def unit_moving(space: ParameterSpace, j: int, vj: Fraction) -> tuple[int, ...]:
    """Which of the d + 1 coordinates of u_j = (w_j, b_j) move (0-based, b_j last). None when
    v_j is held at 0: the unit then never changes the output, whatever u_j does."""
    if vj == 0 and not moves_v(space, j):
        return ()
    d = space.d
    pos = [space.weight_index(1, j + 1, k + 1) for k in range(d)] + [space.bias_index(1, j + 1)]
    return tuple(k for k, q in enumerate(pos) if space.moving[q])


def restricted_form(form: KinkForm, keep: tuple[int, ...]) -> KinkForm:
    """g restricted to the moving coordinates: delta = E delta' gives
    g(E delta') = (E^T p) . delta' + sum_H R_H max(0, (E^T n_H) . delta') (docs/method.md,
    Theorem 2)."""
    def proj(vec: Vec) -> Vec:
        return tuple(vec[k] for k in keep)

    return KinkForm(proj(form.p), tuple(proj(n) for n in form.normals), form.weights)


def embed(delta: Vec, keep: tuple[int, ...], dim: int) -> Vec:
    """The change of u_j (dim = d + 1 coordinates) whose moving coordinates are ``delta``."""
    out = [Fraction(0)] * dim
    for k, t in zip(keep, delta, strict=True):
        out[k] = t
    return tuple(out)


def place_unit_step(space: ParameterSpace, entries: list[Fraction], j: int,
                    direction: Vec | None, kind: str) -> Vec:
    """Write unit j's change of (w_j, b_j), scaled to max norm 1, into the flat ``entries`` of a
    descent direction (one output or k); return the scaled change."""
    if direction is None:
        raise CertificateError(f"descent of kind {kind!r} without a direction")
    top = max(abs(t) for t in direction)
    delta = tuple(t / top for t in direction)
    for q in range(len(delta) - 1):
        entries[space.weight_index(1, j + 1, q + 1)] = delta[q]
    entries[space.bias_index(1, j + 1)] = delta[-1]
    return delta


def safe_radius(params: ShallowReLU, table: linalg.AffineTable, lifted: list[Vec],
                bounds: list[Fraction] | None = None) -> Fraction:
    """Half the largest max-norm radius on which no nonzero pre-activation and no v_j changes sign.

    |delta_u . n_i| <= |delta_u|_inf |n_i|_1, so |delta_u|_inf < |z_ij| / |n_i|_1 keeps z_ij's
    sign; |delta_v_j| < |v_j| keeps v_j's sign. Halving makes the bound strict on a closed ball.
    With k outputs, ``bounds`` replaces the |v_j| by the bounds the cone conditions need
    (kappa_j / k, docs/method.md, Theorem 3).
    """
    # each bound is kept as an unreduced pair (numerator, denominator) and compared by
    # cross-multiplication: reducing a thousand fractions of thousands of digits (a gcd each)
    # is what costs; only the minimum is reduced
    best_bound: tuple[int, int] | None = None

    def consider(num: int, den: int) -> None:
        nonlocal best_bound
        if best_bound is None or num * best_bound[1] < best_bound[0] * den:
            best_bound = (num, den)

    for vj in (params.v if bounds is None else bounds):
        if vj != 0:
            consider(abs(vj.numerator), vj.denominator)
    cbits = [cd.bit_length() for cd in table.col_den]
    for row, rd, x in zip(table.num, table.row_den, lifted, strict=True):
        # |a| / cd lies in (2^(e-1), 2^(e+1)) for e = bits(|a|) - bits(cd), so an entry with
        # e >= min e + 2 cannot be the minimum: only the others are compared exactly (the
        # cross-multiplications of numbers with thousands of digits are what costs)
        es = [abs(a).bit_length() - cb for a, cb in zip(row, cbits, strict=True) if a != 0]
        cut = min(es) + 1 if es else 0
        best = None  # min over j of |num| / col_den, compared by cross-multiplication
        for a, cd, cb in zip(row, table.col_den, cbits, strict=True):
            if a != 0 and abs(a).bit_length() - cb <= cut and (
                    best is None or abs(a) * best[1] < best[0] * cd):
                best = (abs(a), cd)
        if best is not None:
            norm1 = sum((abs(t) for t in x), Fraction(0))  # > 0: x ends with the constant 1
            consider(best[0] * norm1.denominator, best[1] * rd * norm1.numerator)
    return Fraction(best_bound[0], 2 * best_bound[1]) if best_bound is not None else Fraction(1)
