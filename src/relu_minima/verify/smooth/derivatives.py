"""Loss, gradient and Hessian of a one-hidden-layer sigmoid/tanh network, by hand, twice.

The network (Section 3.1 of the paper; :class:`relu_minima.exact.smooth_net.SmoothNet`) is
f(x) = c + sum_j v_j s(u_j . x~), x~ = (x, 1), u_j = (w_j, b_j), and the loss is
L = sum_i l(f(x_i), y_i) with l = (f - y)^2 ("squared") or log(1 + exp(-y f)) ("logistic",
y = +-1). Write p_ij = u_j . x~_i, S = s(p), S' = s'(p), S'' = s''(p) (N x m arrays) and
l', l'' for the first two derivatives of l in f. Then

* dL/du_j = v_j sum_i l'_i S'_ij x~_i,   dL/dv_j = sum_i l'_i S_ij,   dL/dc = sum_i l'_i;
* Hessian = J^T diag(l'') J + sum_i l'_i (Hessian of f_i), where J (N x P) is the Jacobian of
  the outputs (rows: v_j S'_ij x~_i, S_ij, 1), and the Hessian of f_i has only the blocks
  (u_j, u_j) = v_j S''_ij x~_i x~_i^T and (u_j, v_j) = S'_ij x~_i.

The activations are written through tanh and sech, whose balls are tight (each argument
appears once): sigmoid(t) = 1 / (1 + e^-t), sigmoid' = sech^2(t/2) / 4,
sigmoid'' = -sech^2(t/2) tanh(t/2) / 4; tanh' = sech^2, tanh'' = -2 sech^2 tanh. For the
logistic loss l' = -y sigmoid(-y f) and l'' = sech^2(f/2) / 4 (y^2 = 1).

The same formulas run in float64 with numpy (:meth:`SmoothObjective.float_derivatives`,
evidence for Newton steps and preconditioners) and in arb balls with flint's matrix products
(:meth:`SmoothObjective.ball_derivatives`, the proofs). Flat layout (that of
``SmoothNet.parameters()``): w_1 (d), ..., w_m (d), b_1..b_m, v_1..v_m, c.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from ...errors import InvalidArgument, InvalidNumberError, ShapeError
from ...exact.datasets import Dataset, require_dataset
from ...exact.numbers import brief
from ...exact.smooth_net import SmoothNet
from .intervals import ball, box_balls, flint_module

__all__ = ["LOSSES", "SmoothObjective"]

LOSSES = ("squared", "logistic")


class SmoothObjective:
    """The loss of an m-unit, d-input sigmoid/tanh network on ``dataset`` as a function of theta."""

    def __init__(self, m: int, d: int, activation: str, dataset: Dataset, loss: str) -> None:
        if loss not in LOSSES:
            raise InvalidArgument(f"loss={loss!r} must be 'squared' or 'logistic'.")
        if activation not in ("sigmoid", "tanh"):
            raise InvalidArgument(f"activation={activation!r} must be 'sigmoid' or 'tanh'.")
        dataset = require_dataset(dataset)
        if dataset.d != d:
            raise ShapeError(f"the network has d={d} inputs but the dataset has d={dataset.d}.")
        if loss == "logistic":
            for i, y in enumerate(dataset.y):
                if y not in (1, -1):
                    raise InvalidNumberError(f"y[{i}]={y} but the logistic loss needs targets "
                                             "+1 or -1.")
        self.m, self.d, self.activation, self.dataset, self.loss = m, d, activation, dataset, loss
        self.n = m * (d + 2) + 1
        self.N = dataset.n
        self._X1 = np.array([[float(t) for t in x] + [1.0] for x in dataset.X])
        self._y = np.array([float(t) for t in dataset.y])

    @classmethod
    def of(cls, params: SmoothNet, dataset: Dataset, loss: str = "squared") -> Any:
        """The objective of ``params``' decision: over every coordinate, or over the moving ones
        only (:class:`RestrictedObjective`) when ``params`` has a restricted parameterisation."""
        if not isinstance(params, SmoothNet):
            raise ShapeError(f"params={brief(params)} must be a SmoothNet.")
        full = cls(params.m, params.d, params.activation, dataset, loss)
        if params.space.is_full:
            return full
        return RestrictedObjective(full, params)

    # the coordinates the decision works in (all of them here; see RestrictedObjective)
    base_objective = property(lambda self: self)

    def coords(self, net: SmoothNet) -> tuple[Fraction, ...]:
        return net.parameters()

    def embed_direction(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(u, dtype=float)

    def network(self, theta: Sequence[Fraction]) -> SmoothNet:
        """The exact network with flat parameters ``theta``."""
        m, d = self.m, self.d
        W = [list(theta[j * d:(j + 1) * d]) for j in range(m)]
        return SmoothNet(W, theta[m * d:m * d + m], theta[m * d + m:m * d + 2 * m], theta[-1],
                         activation=self.activation)

    # index of the k-th coordinate of u_j = (w_j, b_j) (k = d is the bias), of v_j, of c
    def u_index(self, j: int, k: int) -> int:
        return j * self.d + k if k < self.d else self.m * self.d + j

    def v_index(self, j: int) -> int:
        return self.m * (self.d + 1) + j

    # -- float64 -----------------------------------------------------------------------------
    def _split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        m, d = self.m, self.d
        U = np.concatenate([theta[:m * d].reshape(m, d), theta[m * d:m * d + m, None]], axis=1)
        return U, theta[m * d + m:m * d + 2 * m], float(theta[-1])

    def _float_activation(self, P: np.ndarray) -> tuple[np.ndarray, ...]:
        half = self.activation == "sigmoid"
        t = P / 2 if half else P
        with np.errstate(over="ignore"):
            sech2 = 1.0 / np.cosh(t) ** 2
        th = np.tanh(t)
        if half:
            return (1 + th) / 2, sech2 / 4, -sech2 * th / 4
        return th, sech2, -2 * sech2 * th

    def _float_loss_terms(self, f: np.ndarray) -> tuple[np.ndarray, ...]:
        y = self._y
        if self.loss == "squared":
            r = f - y
            return r * r, 2 * r, np.full_like(f, 2.0)
        z = -y * f
        with np.errstate(over="ignore"):
            sech2 = 1.0 / np.cosh(f / 2) ** 2
        return np.logaddexp(0.0, z), -y * (1 + np.tanh(z / 2)) / 2, sech2 / 4

    def float_derivatives(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """(L, grad L, Hessian of L) in float64 at the flat vector ``theta``."""
        m, d, X1 = self.m, self.d, self._X1
        U, v, c = self._split(np.asarray(theta, dtype=float))
        S, S1, S2 = self._float_activation(X1 @ U.T)
        f = S @ v + c
        ell, d1, d2 = self._float_loss_terms(f)
        A1 = d1[:, None] * S1                      # l'_i S'_ij
        GU = A1.T @ X1                             # sum_i l'_i S'_ij x~_i  (m x (d+1))
        grad = np.concatenate([(v[:, None] * GU[:, :d]).ravel(), v * GU[:, d], S.T @ d1,
                               [d1.sum()]])
        VS1 = v[None, :] * S1                      # v_j S'_ij
        J = np.concatenate([(VS1[:, :, None] * X1[:, None, :d]).reshape(self.N, m * d), VS1,
                            S, np.ones((self.N, 1))], axis=1)
        H = J.T @ (d2[:, None] * J)
        T = (d1[:, None] * S2).T @ (X1[:, :, None] * X1[:, None, :]).reshape(self.N, -1)
        idx = np.array([[self.u_index(j, k) for k in range(d + 1)] for j in range(m)])
        for j in range(m):
            block = v[j] * T[j].reshape(d + 1, d + 1)
            H[np.ix_(idx[j], idx[j])] += block
            H[idx[j], self.v_index(j)] += GU[j]
            H[self.v_index(j), idx[j]] += GU[j]
        return float(ell.sum()), grad, H

    # -- balls -------------------------------------------------------------------------------
    def _ball_data(self) -> Any:
        flint = flint_module()
        key = flint.ctx.prec
        cache = getattr(self, "_ball_cache", None)
        if cache is None or cache[0] != key:
            X1 = flint.arb_mat([[ball(t) for t in x] + [flint.arb(1)] for x in self.dataset.X])
            Z = flint.arb_mat([[a * b for a in row for b in row]
                               for row in ([ball(t) for t in x] + [flint.arb(1)]
                                           for x in self.dataset.X)])
            cache = (key, X1, Z, [ball(t) for t in self.dataset.y])
            self._ball_cache = cache
        return cache[1:]

    def _ball_activation(self, p: Any) -> tuple[Any, Any, Any]:
        if self.activation == "sigmoid":
            h = p / 2
            sech2 = h.sech() ** 2
            return 1 / (1 + (-p).exp()), sech2 / 4, -sech2 * h.tanh() / 4
        sech2 = p.sech() ** 2
        return p.tanh(), sech2, -2 * sech2 * p.tanh()

    def _ball_loss_terms(self, f: Any, y: Any) -> tuple[Any, Any, Any]:
        if self.loss == "squared":
            r = f - y
            return r * r, 2 * r, 2
        z = -y * f
        return z.exp().log1p(), -y / (1 + (-z).exp()), (f / 2).sech() ** 2 / 4

    def ball_derivatives(self, centre: Sequence[Fraction], radius: Fraction, order: int = 2,
                         moving: Sequence[bool] | None = None) -> tuple[Any, Any, Any]:
        """Enclosures of (L, grad L as P x 1 arb_mat, Hessian as P x P arb_mat or None) over
        the box centre +- radius (max norm), at the current flint precision; coordinates with
        ``moving[k]`` False stay at their centre (a thin box side)."""
        flint = flint_module()
        m, d, N = self.m, self.d, self.N
        if len(centre) != self.n:
            raise ShapeError(f"centre has {len(centre)} entries but the network has {self.n}.")
        X1, Z, ys = self._ball_data()
        th = box_balls(centre, radius)
        if moving is not None:
            th = [t if mv else ball(q) for t, mv, q in zip(th, moving, centre, strict=True)]
        Um = flint.arb_mat([[th[self.u_index(j, k)] for j in range(m)] for k in range(d + 1)])
        v = th[m * (d + 1):m * (d + 2)]
        c = th[-1]
        P = X1 * Um                                     # N x m pre-activations
        S = flint.arb_mat(N, m)
        S1 = flint.arb_mat(N, m)
        S2 = flint.arb_mat(N, m)
        for i in range(N):
            for j in range(m):
                S[i, j], S1[i, j], S2[i, j] = self._ball_activation(P[i, j])
        F = S * flint.arb_mat([[t] for t in v])
        ell, d1, d2 = [], [], []
        for i in range(N):
            a, b, e = self._ball_loss_terms(F[i, 0] + c, ys[i])
            ell.append(a)
            d1.append(b)
            d2.append(e)
        value = sum(ell, flint.arb(0))
        if order == 0:
            return value, None, None
        A1 = flint.arb_mat(N, m)
        for i in range(N):
            for j in range(m):
                A1[i, j] = d1[i] * S1[i, j]
        GU = A1.transpose() * X1                        # m x (d+1)
        Sv = S.transpose() * flint.arb_mat([[t] for t in d1])
        grad = flint.arb_mat(self.n, 1)
        for j in range(m):
            for k in range(d + 1):
                grad[self.u_index(j, k), 0] = v[j] * GU[j, k]
            grad[self.v_index(j), 0] = Sv[j, 0]
        grad[self.n - 1, 0] = sum(d1, flint.arb(0))
        if order == 1:
            return value, grad, None
        J = flint.arb_mat(N, self.n)
        for i in range(N):
            for j in range(m):
                vs1 = v[j] * S1[i, j]
                for k in range(d + 1):
                    J[i, self.u_index(j, k)] = vs1 * X1[i, k]
                J[i, self.v_index(j)] = S[i, j]
            J[i, self.n - 1] = 1
        DJ = flint.arb_mat(N, self.n)
        for i in range(N):
            for a in range(self.n):
                DJ[i, a] = d2[i] * J[i, a]
        H = J.transpose() * DJ
        A2 = flint.arb_mat(N, m)
        for i in range(N):
            for j in range(m):
                A2[i, j] = d1[i] * S2[i, j]
        T = A2.transpose() * Z                          # m x (d+1)^2
        for j in range(m):
            vj = self.v_index(j)
            for k in range(d + 1):
                a = self.u_index(j, k)
                for q in range(d + 1):
                    b = self.u_index(j, q)
                    H[a, b] += v[j] * T[j, k * (d + 1) + q]
                H[a, vj] += GU[j, k]
                H[vj, a] += GU[j, k]
        return value, grad, H

    def ball_loss(self, theta: Sequence[Fraction], radius: Fraction = Fraction(0)) -> Any:
        """An enclosure of L over the box theta +- radius (a thin ball when radius = 0)."""
        return self.ball_derivatives(theta, radius, order=0)[0]


class RestrictedObjective:
    """The loss as a function of the moving coordinates only (docs/method.md): the
    fixed coordinates of ``params.space`` (bias-free layers, frozen names) stay at ``params``'
    values, and every box is thin along them. The Krawczyk and Hessian tests then run on this
    n-variable function unchanged, so a certificate speaks about the restricted problem."""

    def __init__(self, full: SmoothObjective, params: SmoothNet) -> None:
        self.full, self.space = full, params.space
        self.moving = tuple(p for p, mv in enumerate(params.space.moving) if mv)
        self.base = params.parameters()
        self.n = len(self.moving)
        self.m, self.d, self.N = full.m, full.d, full.N
        self.activation, self.dataset, self.loss = full.activation, full.dataset, full.loss

    base_objective = property(lambda self: self.full)

    def coords(self, net: SmoothNet) -> tuple[Fraction, ...]:
        theta = net.parameters()
        return tuple(theta[p] for p in self.moving)

    def embed(self, theta: Sequence[Fraction]) -> tuple[Fraction, ...]:
        out = list(self.base)
        for p, t in zip(self.moving, theta, strict=True):
            out[p] = t
        return tuple(out)

    def embed_direction(self, u: np.ndarray) -> np.ndarray:
        out = np.zeros(self.full.n)
        out[list(self.moving)] = u
        return out

    def network(self, theta: Sequence[Fraction]) -> SmoothNet:
        return self.full.network(self.embed(theta)).with_space(self.space.bias,
                                                               self.space.frozen)

    def float_derivatives(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        full = np.array([float(t) for t in self.base])
        full[list(self.moving)] = theta
        value, g, H = self.full.float_derivatives(full)
        idx = list(self.moving)
        return value, g[idx], H[np.ix_(idx, idx)]

    def ball_derivatives(self, centre: Sequence[Fraction], radius: Fraction, order: int = 2
                         ) -> tuple[Any, Any, Any]:
        if len(centre) != self.n:
            raise ShapeError(f"centre has {len(centre)} entries but {self.n} coordinates move.")
        flint = flint_module()
        value, g, H = self.full.ball_derivatives(self.embed(centre), radius, order,
                                                 moving=self.space.moving)
        idx = self.moving
        grad = None if g is None else flint.arb_mat([[g[p, 0]] for p in idx])
        hess = None if H is None else flint.arb_mat([[H[p, q] for q in idx] for p in idx])
        return value, grad, hess

    def ball_loss(self, theta: Sequence[Fraction], radius: Fraction = Fraction(0)) -> Any:
        return self.ball_derivatives(theta, radius, order=0)[0]
