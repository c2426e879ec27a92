"""Searching the neighbourhood of a parameter point for a lower loss: evidence, not proof.

:func:`search_neighbourhood` throws many perturbations at a ReLU network's squared loss
(Equations (1) and (2)) with the numeric backend (:mod:`relu_minima.numeric`), vectorised over
candidates:

* random points of the max-norm ball, at several scales (uniform and sparse);
* *kink flips*: for every (unit, data point) whose pre-activation is exactly 0 (the places where
  the loss is not differentiable, where the paper's minima of Section 3.1.3 sit), moves of that
  unit's weights along +-(input of the layer, 1), which switch the unit on or off at that point;
* short projected descent runs started from the point and from the best candidates.

The best few candidates (by float loss) are turned into exact parameters (the exact binary
values of the floats, moved back into the ball exactly if rounding pushed them out) and their
loss is recomputed exactly. So a reported *decrease* is exact; but finding none is only
evidence. Use :func:`relu_minima.verify_local_minimum` for a certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import InvalidNumberError, ShapeError
from ..exact.datasets import Dataset, require_dataset
from ..exact.deep_relu import DeepReLU
from ..exact.numbers import brief, exact, short
from ..exact.shallow_relu import ShallowReLU
from . import backend
from .threads import one_thread

__all__ = ["NeighbourhoodSearch", "kink_pairs", "search_neighbourhood"]


@dataclass(frozen=True)
class NeighbourhoodSearch:
    """The outcome of :func:`search_neighbourhood` (evidence, never a certificate).

    ``best`` is the candidate with the lowest *exact* loss among those re-evaluated exactly;
    ``decrease = base_loss - best_loss`` (exact; positive means a lower loss was found within
    ``radius``); ``tried`` counts every parameter point whose loss was evaluated.
    """

    params: Any
    radius: Fraction
    base_loss: Fraction
    best: Any
    best_loss: Fraction
    decrease: Fraction
    distance: Fraction
    best_kind: str
    tried: int
    tried_by_kind: tuple[tuple[str, int], ...]
    kink_count: int
    seed: int | None

    @property
    def found_descent(self) -> bool:
        """True iff a point within ``radius`` has strictly lower exact loss."""
        return self.decrease > 0

    def __str__(self) -> str:
        kinds = ", ".join(f"{k}: {n}" for k, n in self.tried_by_kind)
        head = (
            f"Neighbourhood search -- EVIDENCE, NOT A CERTIFICATE.\n"
            f"  tried {self.tried} perturbations within max-norm radius {self.radius} "
            f"({kinds}; seed {self.seed}; {self.kink_count} kink pairs at the point)\n"
            f"  loss at the point (exact): {short(self.base_loss)}\n"
            f"  best perturbation (exact loss): {short(self.best_loss)} at distance "
            f"{short(self.distance)}, found by {self.best_kind}\n"
        )
        if self.found_descent:
            tail = (
                f"  LOWER LOSS FOUND: decrease {short(self.decrease)}, "
                "checked exactly. So the point is not a minimum over this ball (it may still be "
                "a local minimum over a smaller one). Perturbed parameters:\n"
                f"    {self.best}"
            )
        else:
            tail = (
                f"  no lower loss found (best change {short(-self.decrease)}). This is evidence "
                "only: a search can miss a descent direction. For a proof use "
                "relu_minima.verify_local_minimum."
            )
        return head + tail


def kink_pairs(params: ShallowReLU | DeepReLU, dataset: Dataset
               ) -> tuple[tuple[int, int, int], ...]:
    """Exact (layer, unit, point) triples whose pre-activation is exactly 0 (hidden layers)."""
    deep = _as_deep(params)
    pre = deep.preactivations(dataset)
    return tuple(
        (n, j, i)
        for n, table in enumerate(pre[:-1])
        for i, row in enumerate(table)
        for j, z in enumerate(row)
        if z == 0
    )


def _as_deep(params: Any) -> DeepReLU:
    if isinstance(params, ShallowReLU):
        return DeepReLU.from_shallow(params)
    if isinstance(params, DeepReLU):
        return params
    raise ShapeError(f"params={brief(params)} must be a ShallowReLU or a DeepReLU.")


def _kink_directions(deep: DeepReLU, dataset: Dataset,
                     pairs: tuple[tuple[int, int, int], ...]) -> np.ndarray:
    """Per kink pair and sign, the move of the unit's (weights, bias) along +-(input, 1)."""
    arch = backend.architecture(deep)
    slices = arch.layer_slices()
    hidden = deep.hidden_activations(dataset)
    dirs = []
    for n, j, i in pairs:
        start, out, width, _ = slices[n]
        inp = dataset.X[i] if n == 0 else hidden[n - 1][i]
        vec = np.array([float(t) for t in inp] + [1.0])
        vec /= np.max(np.abs(vec))
        d = np.zeros(arch.n_params)
        d[start + j * width:start + (j + 1) * width] = vec[:-1]
        d[start + out * width + j] = vec[-1]
        dirs.extend([d, -d])
    return np.array(dirs).reshape(-1, arch.n_params)


@one_thread()  # many small products: more BLAS threads only wait for cores
def search_neighbourhood(
    params: ShallowReLU | DeepReLU,
    dataset: Dataset,
    radius: Any,
    *,
    n_random: int = 2000,
    n_kink: int = 8,
    descent_runs: int = 16,
    descent_steps: int = 20,
    scales: tuple[float, ...] = (1.0, 1e-1, 1e-2, 1e-3, 1e-4),
    reevaluate: int = 8,
    seed: int | np.random.Generator | None = 0,
) -> NeighbourhoodSearch:
    """Look for a point within max-norm ``radius`` of ``params`` with lower squared loss.

    ``n_random`` random points (spread over ``scales`` x radius), ``n_kink`` random mixes per
    kink direction and scale, ``descent_runs`` projected descent runs of ``descent_steps``
    steps. ``radius`` is a positive exact rational (``"1/100"``; floats are refused as
    everywhere else, since the best point is re-checked exactly against it). Seeded with a
    numpy Generator (``seed``). The result's ``str`` says plainly that it is evidence, never
    a certificate.
    """
    deep = _as_deep(params)
    dataset = require_dataset(dataset)
    r = exact(radius, "radius")
    if r <= 0:
        raise InvalidNumberError(f"radius={radius!r} must be positive.")
    for name, value in (("n_random", n_random), ("n_kink", n_kink),
                        ("descent_runs", descent_runs), ("descent_steps", descent_steps),
                        ("reevaluate", reevaluate)):
        if not isinstance(value, int) or value < 0:
            raise InvalidNumberError(f"{name}={value!r} must be a non-negative integer.")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    seed_label = seed if isinstance(seed, int) else None

    obj = backend.NumericObjective(deep, dataset)
    rf = float(r)
    lo, hi = obj.theta0 - rf, obj.theta0 + rf
    # fixed coordinates (bias-free layers, frozen names) are not parameters: the box is flat there
    fixed = ~np.array(deep.space.moving)
    lo[fixed] = hi[fixed] = obj.theta0[fixed]
    box = _Box(obj, lo, hi, rf, np.asarray(scales, dtype=float), rng)
    pairs = kink_pairs(deep, dataset)
    pools = [*box.random_pool(n_random),
             *box.kink_pool(_kink_directions(deep, dataset, pairs) if pairs else None, n_kink)]
    if descent_runs and descent_steps:
        pools.append(box.descent_pool(pools, descent_runs, descent_steps))
    tried = sum(len(c) for _, c, _ in pools)
    by_kind = tuple((k, len(c)) for k, c, _ in pools)
    if descent_runs and descent_steps:  # each descent step evaluates 7 step lengths
        by_kind = (*by_kind[:-1], ("descent run", descent_runs * descent_steps * 7))
        tried += descent_runs * descent_steps * 7 - len(pools[-1][1])
    base_loss = deep.loss(dataset)
    best = _best_exact(pools, params, deep, dataset, r, base_loss, reevaluate)
    return NeighbourhoodSearch(
        params=params, radius=r, base_loss=base_loss, best=best[0], best_loss=best[1],
        decrease=base_loss - best[1], distance=best[2], best_kind=best[3], tried=tried,
        tried_by_kind=by_kind, kink_count=len(pairs), seed=seed_label,
    )


Pool = tuple[str, np.ndarray, np.ndarray]  # (kind, candidate points, their float losses)


class _Box:
    """The max-norm box of half width ``rf`` around the point, and the candidate pools drawn in
    it (every candidate is clipped to the box)."""

    def __init__(self, obj: backend.NumericObjective, lo: np.ndarray, hi: np.ndarray, rf: float,
                 scales: np.ndarray, rng: np.random.Generator) -> None:
        self.obj, self.lo, self.hi, self.rf, self.scales, self.rng = obj, lo, hi, rf, scales, rng
        self.theta0, self.P = obj.theta0, obj.arch.n_params

    def _pool(self, kind: str, cand: np.ndarray) -> Pool:
        cand = np.clip(cand, self.lo, self.hi)
        return kind, cand, self.obj.loss(cand)

    def random_pool(self, n: int) -> list[Pool]:
        """``n`` random points at random scales; half of them move only ~2 coordinates."""
        if not n:
            return []
        s = self.rng.choice(self.scales, size=(n, 1)) * self.rf
        u = self.rng.uniform(-1.0, 1.0, size=(n, self.P))
        sparse = self.rng.random((n, self.P)) < np.minimum(1.0, 2.0 / self.P)
        u[n // 2:] *= sparse[n // 2:]
        return [self._pool("random direction", self.theta0 + s * u)]

    def kink_pool(self, dirs: np.ndarray | None, n: int) -> list[Pool]:
        """Per kink direction and scale, ``n`` noisy mixes (the first of each the pure flip)."""
        if dirs is None or not n:
            return []
        reps = np.repeat(dirs, len(self.scales) * n, axis=0)
        s = np.tile(np.repeat(self.scales, n), len(dirs))[:, None] * self.rf
        noise = self.rng.uniform(-1.0, 1.0, size=reps.shape)
        noise[::n] = 0.0  # the pure flip, too
        return [self._pool("kink flip", self.theta0 + s * (0.6 * reps + 0.4 * noise))]

    def descent_pool(self, pools: list[Pool], runs: int, steps: int) -> Pool:
        """Projected descent from the point and the best candidates of the other pools."""
        starts = [self.theta0[None]]
        for _, cand, vals in pools:
            starts.append(cand[np.argsort(vals)[: max(1, runs // 2)]])
        start = np.concatenate(starts)[:runs]
        if len(start) < runs:
            extra = runs - len(start)
            start = np.concatenate([start, np.clip(
                self.theta0 + self.rf * 1e-3 * self.rng.uniform(-1, 1, (extra, self.P)),
                self.lo, self.hi)])
        cand, vals = _descend(self.obj, start, self.lo, self.hi, self.rf, steps)
        return "descent run", cand, vals


def _best_exact(pools: list[Pool], params: Any, deep: DeepReLU, dataset: Dataset, r: Fraction,
                base_loss: Fraction, reevaluate: int) -> tuple[Any, Fraction, Fraction, str]:
    """The exactly lowest of the ``reevaluate`` best float candidates of each pool (re-scored
    in exact arithmetic inside the exact ball), or the point itself."""
    theta0 = deep.parameters()
    best = (params, base_loss, Fraction(0), "the point itself")
    seen: set[bytes] = set()
    for kind, cand, vals in pools:
        for k in np.argsort(vals, kind="stable")[:reevaluate]:
            key = cand[k].tobytes()
            if key in seen:
                continue
            seen.add(key)
            point, dist = _exact_point(cand[k], theta0, r, deep)
            loss = point.loss(dataset)
            if loss < best[1]:
                out = point.to_shallow() if isinstance(params, ShallowReLU) else point
                best = (out, loss, dist, kind)
    return best


def _descend(obj: backend.NumericObjective, start: np.ndarray, lo: np.ndarray, hi: np.ndarray,
             rf: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Projected descent, all runs at once; each step tries 6 step lengths and keeps the best."""
    alphas = np.array([0.0, 1.0, 0.25, 1 / 16, 1 / 256, 1 / 4096, 1 / 65536])
    theta = start.copy()
    vals, grads = obj.loss_and_gradient(theta)
    for _ in range(steps):
        norm = np.max(np.abs(grads), axis=1, keepdims=True)
        unit = np.divide(grads, norm, out=np.zeros_like(grads), where=norm > 0)
        trial = theta[:, None, :] - alphas[None, :, None] * rf * unit[:, None, :]
        trial = np.clip(trial, lo, hi).reshape(-1, theta.shape[1])
        tv = obj.loss(trial).reshape(len(theta), len(alphas))
        pick = np.argmin(tv, axis=1)
        theta = trial.reshape(len(theta), len(alphas), -1)[np.arange(len(theta)), pick]
        vals, grads = obj.loss_and_gradient(theta)
    return theta, vals


def _exact_point(theta: np.ndarray, theta0: tuple[Fraction, ...], r: Fraction,
                 like: DeepReLU) -> tuple[DeepReLU, Fraction]:
    """Exact parameters at the float point, pulled back into the exact ball if needed."""
    vals = [Fraction(float(t)) if mv else b
            for t, b, mv in zip(theta, theta0, like.space.moving, strict=True)]
    dist = max(abs(a - b) for a, b in zip(vals, theta0, strict=True))
    if dist > r:
        vals = [b + (a - b) * r / dist for a, b in zip(vals, theta0, strict=True)]
        dist = r
    return like.with_parameters(vals), dist
