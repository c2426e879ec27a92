"""Snapping networks that are not one hidden layer (docs/snap.md, "Deep networks").

* Depth 1 (no hidden layer): the loss is a convex quadratic; the snap is its exact least-squares
  minimiser.
* A blind spot (a hidden layer whose every unit is below ``-tol`` times its scale on every
  point, Lemma 2): the layers are rounded to short rationals (checked to stay strictly dead), and
  the output bias is set so that the constant output equals the mean of the targets, which is
  exactly the blind spot's local minimum (corrected Theorem 1 (i)).
* Otherwise (depth >= 3): the hidden layers are rounded to short rationals, kept only if every
  pre-activation keeps its trained strict sign (else their exact binary values are used), and the
  last layer is the exact least-squares fit on the exact hidden activations. The verdict of
  ``verify_deep_local_minimum`` is reported as it is; when it is "undecided" the report adds
  numeric evidence (float64: gradient norm, Hessian spectrum), labelled as evidence.
* One hidden layer with k > 1 outputs: the same two routes (the one-output snap's
  reparameterisation (u_j, beta_j) = v_j (w_j, b_j) is rank one and does not exist for a vector
  v_j), the point returned as a ``ShallowReLU`` and decided by Theorem 3. Only the output layer
  is solved exactly: a point whose hidden layer is not stationary is decided "not a local
  minimum" with its witness, which is true of the snapped point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..exact.datasets import Dataset
from ..exact.deep_relu import DeepReLU
from ..numeric import backend as numeric
from ..verify.deep.rules import verify_deep_local_minimum
from .exact_lsq import least_squares
from .rationals import short_rational
from .state_dict import FloatNet

__all__ = ["DeepSnap", "numeric_evidence", "snap_deep"]

MAX_HESSIAN_PARAMS = 400  # the complex-step Hessian costs P gradient passes and P^2 floats


@dataclass
class DeepSnap:
    params: DeepReLU | None
    certificate: Any | None
    attempts: list[str] = field(default_factory=list)


def _float_preactivations(net: FloatNet, X: np.ndarray) -> list[np.ndarray]:
    out, H = [], X
    for n, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        Z = H @ W.T + b
        out.append(Z)
        H = np.maximum(Z, 0.0) if n < net.depth - 1 else Z
    return out


def _blind_layer(net: FloatNet, X: np.ndarray, tol: float) -> int | None:
    """The first hidden layer (0-based) strictly dead beyond tolerance on every point."""
    H = X
    for n, (W, b) in enumerate(zip(net.weights[:-1], net.biases[:-1], strict=True)):
        Z = H @ W.T + b
        scale = np.outer(np.linalg.norm(np.column_stack([H, np.ones(len(H))]), axis=1),
                         np.linalg.norm(np.column_stack([W, b]), axis=1))
        if np.all(Z < -tol * scale):
            return n
        H = np.maximum(Z, 0.0)
    return None


def _round_layers(net: FloatNet, rel: float, upto: int) -> tuple[list[Any], list[Any]]:
    Ws = [[[short_rational(t, rel) for t in row] for row in W.tolist()] for W in net.weights[:upto]]
    bs = [[short_rational(t, rel) for t in b.tolist()] for b in net.biases[:upto]]
    return Ws, bs


def _binary_layers(net: FloatNet, upto: int) -> tuple[list[Any], list[Any]]:
    return ([[[Fraction(t) for t in row] for row in W.tolist()] for W in net.weights[:upto]],
            [[Fraction(t) for t in b.tolist()] for b in net.biases[:upto]])


def _signs_kept(trial: DeepReLU, dataset: Dataset, float_pre: list[np.ndarray], layers: int
                ) -> bool:
    """Every hidden pre-activation of ``trial`` has the trained point's strict sign."""
    pre = trial.preactivations(dataset)
    for n in range(layers):
        for i, row in enumerate(pre[n]):
            for j, z in enumerate(row):
                f = float_pre[n][i, j]
                if (z > 0) != (f > 0) or (z < 0) != (f < 0):
                    return False
    return True


def _integer_design(rows: list[list[Fraction]]) -> tuple[np.ndarray, int]:
    den = math.lcm(*(t.denominator for r in rows for t in r)) if rows else 1
    return np.array([[int(t * den) for t in r] for r in rows], dtype=object), den


def snap_deep(net: FloatNet, dataset: Dataset, *, tol: float, rel: float,
              max_directions: int = 4000, certify: bool = True) -> DeepSnap:
    """The deep cases of the module docstring; also one hidden layer with k > 1 outputs (a
    ``ShallowReLU`` decided by Theorem 3), where the rank-one reparameterisation of the
    one-output snap does not exist. ``certify=False`` returns the point undecided (the caller
    decides it once it is known to be near the trained point)."""
    X = np.array([[float(t) for t in x] for x in dataset.X])
    k = net.depth
    out = DeepSnap(None, None)
    blind = _blind_layer(net, X, tol) if k >= 2 else None
    float_pre = _float_preactivations(net, X)
    if blind is not None:
        Ws, bs = _blind_spot_layers(net, dataset, rel, blind, out.attempts)
    else:
        Ws, bs = _fitted_layers(net, dataset, rel, float_pre, out.attempts)
    point = DeepReLU(Ws, bs)
    if not certify:
        out.params = point.to_shallow() if k == 2 and net.widths[-1] > 1 else point
        return out
    if k == 2 and net.widths[-1] > 1:  # one hidden layer, k outputs: Theorem 3 decides it
        from ..verify.dispatch import verify_local_minimum

        out.params = point.to_shallow()
        out.certificate = verify_local_minimum(out.params, dataset)
        return out
    out.params = point
    out.certificate = verify_deep_local_minimum(out.params, dataset,
                                                max_directions=max_directions)
    return out


def _blind_spot_layers(net: FloatNet, dataset: Dataset, rel: float, blind: int,
                       attempts: list[str]) -> tuple[list[Any], list[Any]]:
    """Every layer rounded (kept strictly dead at layer ``blind``), the output bias moved so
    that the constant output is the target mean, output by output (the blind spot's local
    minimum, corrected Theorem 1 (i); k outputs: per output)."""
    k = net.depth
    Ws, bs = _round_layers(net, rel, k)
    trial = DeepReLU(Ws, bs)
    if any(z >= 0 for row in trial.preactivations(dataset)[blind] for z in row):
        Ws, bs = _binary_layers(net, k)
        trial = DeepReLU(Ws, bs)
    constant = trial.output_rows(dataset)[0]  # the same on every point: layer `blind` is dead
    mean = dataset.mean_of(range(dataset.n))
    bs[-1] = [c + y - f for c, y, f in zip(bs[-1], mean, constant, strict=True)]
    shown = mean[0] if len(mean) == 1 else "(" + ", ".join(str(t) for t in mean) + ")"
    attempts.append(f"blind spot: hidden layer {blind + 1} is dead on every point; output "
                    f"bias set so that the constant output is the mean {shown}")
    return Ws, bs


def _fitted_layers(net: FloatNet, dataset: Dataset, rel: float, float_pre: list[np.ndarray],
                   attempts: list[str]) -> tuple[list[Any], list[Any]]:
    """The hidden layers rounded (signs kept, else their binary values), the last layer the
    exact least-squares fit on the exact hidden activations, one output row at a time (every
    output sees the same design)."""
    k = net.depth
    Ws, bs = _round_layers(net, rel, k - 1)
    hidden = k - 1
    zero_head = ([[0] * net.widths[-2]] * net.widths[-1], [0] * net.widths[-1])
    if hidden and not _signs_kept(DeepReLU([*Ws, zero_head[0]], [*bs, zero_head[1]]),
                                  dataset, float_pre, hidden):
        Ws, bs = _binary_layers(net, k - 1)
        attempts.append("hidden layers: short rationals changed a pre-activation's "
                        "sign, so their exact binary values are used")
    elif hidden:
        attempts.append(f"hidden layers rounded to short rationals (relative {rel}), "
                        "every pre-activation keeping its sign")
    H = dataset.X if not hidden else DeepReLU(
        [*Ws, zero_head[0]], [*bs, zero_head[1]]).hidden_activations(dataset)[-1]
    design, L = _integer_design([[*h, Fraction(1)] for h in H])
    rows, biases, notes = [], [], set()
    for r in range(net.widths[-1]):
        column = [row[r] for row in dataset.Y]
        Ly = math.lcm(*(t.denominator for t in column))
        Y = np.array([int(t * Ly) for t in column], dtype=object)
        guess = np.append(net.weights[-1][r], net.biases[-1][r])
        sol = least_squares(design, L, Y, Ly, guess, rel)
        rows.append(list(sol.t[:-1]))
        biases.append(sol.t[-1])
        notes.add(f"rank {sol.rank} of {len(sol.t)}; {sol.method}")
    each = " for each of the k outputs" if net.widths[-1] > 1 else ""
    attempts.append(f"last layer: exact least squares on the exact hidden activations{each} "
                    f"({'; '.join(sorted(notes))})")
    return [*Ws, rows], [*bs, biases]


def numeric_evidence(params: Any, dataset: Dataset) -> dict[str, Any]:
    """Float64 gradient norm and Hessian spectrum at an exact point: evidence, not proof."""
    theta = numeric.to_vector(params)
    grad = numeric.gradients(params, theta, dataset)[0]
    space = getattr(params, "space", None)
    if space is not None and not space.is_full:  # the moving parameters only (item 5)
        grad = grad[np.array(space.moving)]
    ev: dict[str, Any] = {
        "label": "numeric evidence (float64, numpy backend; not a proof)",
        "gradient_norm": float(np.linalg.norm(grad)),
    }
    if theta.size <= MAX_HESSIAN_PARAMS:
        eig = np.linalg.eigvalsh(numeric.hessians(params, theta, dataset)[0])
        cut = 1e-9 * max(1.0, float(np.max(np.abs(eig))))
        ev.update({"hessian_min_eigenvalue": float(eig[0]),
                   "hessian_max_eigenvalue": float(eig[-1]),
                   "hessian_negative_eigenvalues": int(np.sum(eig < -cut)),
                   "hessian_zero_eigenvalues": int(np.sum(np.abs(eig) <= cut))})
    else:
        ev["hessian"] = (f"not computed: {theta.size} parameters > {MAX_HESSIAN_PARAMS} "
                         "(it costs one gradient pass per parameter)")
    return ev
