"""What a failed training run is stuck at (Section 3.1.2: Table 1's failures, Figure 3).

A run "fails" when it ends with training error > 0. :func:`classify_relu` snaps a failed
one-hidden-layer ReLU run to an exact point (:func:`relu_minima.train.snap`, used only through
its public function; any error it raises is caught and reported) and turns the snap's verdict
into a class; :func:`classify_smooth` does the same for sigmoid/tanh runs with the interval
certificates of :func:`relu_minima.verify.smooth.certify.certify_smooth_minimum`, after testing the
run's trace for a drift to infinity. Each class says whether it was decided exactly
(``RunClass.exact``): a certificate that ``check()`` re-verifies) or only numerically.

Classes (:data:`CLASSES`); the first four are exact (a certificate ``check()`` re-verifies,
and for "stuck at a kink" the exact facts of :mod:`relu_minima.train.stuck`), the next three
are read off the run's recorded trace (numerical observations, said so), the last is a reason:

- "bad local minimum (proven)": a certified local minimum, and an explicit exact point of the
  same shape with strictly lower loss (for ReLU nets: exact zero-loss interpolants of the data,
  :func:`interpolant`, so the exact global optimum 0 of the architecture is lower; for sigmoid
  nets: another run's point, its loss rigorously enclosed);
- "local minimum (no lower point known)": certified, but no lower point at hand;
- "stuck at a kink (proven)": the exact point the run approaches is certified not a local
  minimum, its gradient is exactly 0, and every lower point the certificate gives moves only
  units that are inactive or on a kink at every data point, whose parameters gradient training
  never moves (:func:`relu_minima.train.stuck.stuck_at_kink`, with the training rule);
- "not a minimum (witness)": certified not a local minimum, with lower points within any
  radius that gradient training could reach;
- "drifting to infinity": the run did not stop (no exact stationary point near it) and along
  its trace the parameter norm keeps growing without levelling off while the loss keeps
  falling (:func:`drifting`);
- "still moving": the run did not stop (float gradient norm >= 1e-6, or the loss fell by more
  than 0.1% over the last quarter of the run) and does not drift;
- "diverged": the run overflowed (loss not finite);
- "undecided": none of the above could be established; the detail says why (for instance, a
  run that has stopped where no certificate decides).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ..exact.datasets import Dataset
from ..exact.shallow_relu import ShallowReLU

__all__ = ["CLASSES", "EXACT_CLASSES", "RunClass", "classify_relu", "classify_smooth",
           "drifting", "interpolant", "motion_class", "region_groups", "regions",
           "still_moving"]

BAD_MIN = "bad local minimum (proven)"
MIN = "local minimum (no lower point known)"
STUCK = "stuck at a kink (proven)"
NOT_MIN = "not a minimum (witness)"
DRIFT = "drifting to infinity"
MOVING = "still moving"
DIVERGED = "diverged"
UNDECIDED = "undecided"
CLASSES = (BAD_MIN, MIN, STUCK, NOT_MIN, DRIFT, MOVING, DIVERGED, UNDECIDED)
EXACT_CLASSES = (BAD_MIN, MIN, STUCK, NOT_MIN)
GRAD_TOL = 1e-6
FLAT_LOSS = 1e-3  # relative fall of the loss over the last quarter: still moving above


@dataclass(frozen=True)
class RunClass:
    """The class of one failed run, how it was decided, and the exact point (if any)."""

    kind: str
    detail: str
    exact: bool
    point: Any | None = None  # the exact (snapped or certified) point
    data: dict[str, Any] = field(default_factory=dict)


def exact_params(W: np.ndarray, b: np.ndarray, v: np.ndarray, c: float) -> ShallowReLU:
    """A trained float 2-layer ReLU net as an exact model (the doubles' binary values)."""
    return ShallowReLU([[Fraction(float(t)) for t in row] for row in W],
                       [Fraction(float(t)) for t in b], [Fraction(float(t)) for t in v],
                       Fraction(float(c)))


def region_groups(net: Any, X: Sequence[Sequence[Fraction]]) -> tuple[list[int], int]:
    """How the points fall into the linear regions of the function: the number of points in
    each region holding some (largest first), and the number of points on a kink.

    A point's pattern is the sign (+, 0, -) of w_j . x + b_j over the units with v_j != 0
    (units with v_j = 0 do not change the function); a pattern with a 0 lies on a boundary
    between regions and counts as its own cell.
    """
    live = [j for j in range(len(net.v)) if net.v[j] != 0]
    groups: dict[tuple[int, ...], int] = {}
    on_kink = 0
    for x in X:
        pat = []
        for j in live:
            z = sum((w * t for w, t in zip(net.W[j], x, strict=True)), net.b[j])
            pat.append((z > 0) - (z < 0))
        on_kink += 0 in pat
        groups[tuple(pat)] = groups.get(tuple(pat), 0) + 1
    return sorted(groups.values(), reverse=True), on_kink


def regions(net: Any, X: Sequence[Sequence[Fraction]]) -> tuple[int, int]:
    """(number of distinct linear regions of the function containing the points, number of
    points on a kink), from exact activation patterns (see :func:`region_groups`)."""
    sizes, on_kink = region_groups(net, X)
    return len(sizes), on_kink


def interpolant(name: str, h: int) -> ShallowReLU | None:
    """An exact 2-h-1 ReLU net with zero squared loss on the Table 1 dataset ``name`` (targets
    0/1), the h - 2 extra units dead (w = 0, b = -1, v = 0); None for unknown data.

    XOR: relu(x1 - x2) + relu(x2 - x1). Jellyfish: relu(2 x1 - 2 x2 - 1) is 1 at [1, 0] and
    <= 0 at the other three points; relu(23 - 35 x1 - 25 x2) is 1 at [0.2, 0.6] and < 0 at
    the other three (all four points are vertices of their convex hull).
    """
    units = {"xor": ([[1, -1], [-1, 1]], [0, 0]),
             "jellyfish": ([[2, -2], [-35, -25]], [-1, 23])}.get(name)
    if units is None or h < 2:
        return None
    W, b = units
    dead = h - 2
    return ShallowReLU(W + [[0, 0]] * dead, b + [-1] * dead, [1, 1] + [0] * dead, 0)


def _quarters(n: int) -> tuple[int, int]:
    """The trace indices at half and three quarters of the run (the trace is evenly spaced)."""
    return max(n // 2 - 1, 0), max((3 * n) // 4 - 1, 0)


def drifting(trace_loss: np.ndarray, trace_norm: np.ndarray) -> bool:
    """The trace of one run shows a drift to infinity: the parameter norm grew by more than 10%
    over the second half of the run and keeps growing at a steady or slowing pace (its growth
    over the last quarter between half and all of its growth over the third quarter: a run
    converging to a finite point shows a growth that dies out, a logarithmic drift keeps ~70%
    of it), while the loss heads to its infimum along the run: it keeps falling, ever more
    slowly (the last quarter's fall positive and at most the third quarter's). A run whose
    loss falls faster and faster is leaving a plateau, not drifting: it is still moving.
    Numerical, from the recorded trace (docs/experiments.md)."""
    half, q3 = _quarters(len(trace_norm))
    a, m, b = trace_norm[half], trace_norm[q3], trace_norm[-1]
    la, lm, lb = trace_loss[half], trace_loss[q3], trace_loss[-1]
    return bool(np.isfinite(b) and b > 1.1 * a and 0.5 * (m - a) <= b - m <= m - a
                and 0 < lm - lb <= la - lm)


def still_moving(gradient_norm: float, trace_loss: np.ndarray) -> bool:
    """The run has not stopped: float gradient norm >= 1e-6, or the loss fell by more than
    0.1% (relative) over the last quarter of the run."""
    _, q3 = _quarters(len(trace_loss))
    before, end = float(trace_loss[q3]), float(trace_loss[-1])
    return bool(gradient_norm >= GRAD_TOL or before - end > FLAT_LOSS * abs(before))


def motion_class(final_loss: float, gradient_norm: float, trace_loss: np.ndarray,
                 trace_norm: np.ndarray, why: str) -> RunClass:
    """What the trace says of a run with no exact class: diverged, drifting to infinity,
    still moving, or (a run that has stopped) undecided; ``why`` says why no certificate
    decided it."""
    data = {"final_loss": float(final_loss), "gradient_norm": float(gradient_norm),
            "norm_half": float(trace_norm[len(trace_norm) // 2 - 1]),
            "norm_end": float(trace_norm[-1])}
    if not np.isfinite(final_loss):
        return RunClass(DIVERGED, f"the loss overflowed; {why}", False, data=data)
    if drifting(trace_loss, trace_norm):
        return RunClass(DRIFT, f"norm {data['norm_half']:.3g} -> {data['norm_end']:.3g} over "
                        f"the second half, not levelling off, while the loss fell to "
                        f"{final_loss:.3g}; {why}", False, data=data)
    if still_moving(gradient_norm, trace_loss):
        _, q3 = _quarters(len(trace_loss))
        return RunClass(MOVING, f"float gradient norm {gradient_norm:.2g}, loss "
                        f"{float(trace_loss[q3]):.4g} -> {final_loss:.4g} over the last "
                        f"quarter of the run; {why}", False, data=data)
    return RunClass(UNDECIDED, f"the run has stopped (float gradient norm {gradient_norm:.2g}, "
                    f"loss flat over the last quarter) but {why}", False, data=data)


def _default_snap() -> Callable[..., Any]:
    from .snap import snap  # imported here: the trainer must not depend on the snap modules

    return snap


def classify_relu(W: np.ndarray, b: np.ndarray, v: np.ndarray, c: float, dataset: Dataset, *,
                  final_loss: float, gradient_norm: float, trace_loss: np.ndarray,
                  trace_norm: np.ndarray, known_points: Sequence[Any] = (),
                  snap_fn: Callable[..., Any] | None = None) -> RunClass:
    """Classify a failed 2-h-1 ReLU run trained with the squared loss on ``dataset``
    (exact inputs and targets) by snapping it. Diverged runs, and runs the snap finds no exact
    stationary point for, are classified by their trace (:func:`motion_class`); if the snap
    cannot be imported or raises, the detail says so."""
    trace = (final_loss, gradient_norm, trace_loss, trace_norm)
    if not np.isfinite(final_loss) or not all(np.all(np.isfinite(a)) for a in (W, b, v)):
        return motion_class(*trace, "no exact point to snap to")
    try:
        snap = snap_fn or _default_snap()
    except Exception as exc:  # the snap modules are optional here: say so, go on numerically
        return motion_class(*trace, f"the snap is unavailable ({type(exc).__name__}: {exc})")
    options: dict[str, Any] = {"known_points": known_points}
    if known_points and "max_patterns" in inspect.signature(snap).parameters:
        # the known exact interpolants have loss 0: no global search is needed for a lower point
        options["max_patterns"] = 1
    try:
        report = snap({"W": W, "b": b, "v": v, "c": float(c)}, dataset, **options)
    except Exception as exc:  # a snap error is a fact about this run: record it, go on
        return RunClass(UNDECIDED, f"the snap raised {type(exc).__name__}: {exc}", False,
                        data={"final_loss": float(final_loss)})
    data = {"final_loss": float(final_loss), "snap_status": report.status,
            "gradient_norm": float(gradient_norm)}
    if report.params is not None:
        data["snapped_loss"] = str(report.snapped_loss)
        data["distance"] = float(report.distance)
        data["kink_pairs"] = len(report.kink_pairs)
    status = report.status
    if status == "local minimum":
        if report.bad_local_minimum:
            return RunClass(BAD_MIN, f"certified local minimum, exact loss "
                            f"{report.snapped_loss}; {report.lower_source} has exact loss "
                            f"{report.lower_loss}", True, report.params,
                            {**data, "lower_loss": str(report.lower_loss)})
        return RunClass(MIN, f"certified local minimum, exact loss {report.snapped_loss}", True,
                        report.params, data)
    if status == "not a local minimum":
        return _not_minimum(report, data)
    if status == "not near a stationary point":
        return motion_class(*trace, "the snap found no exact stationary point near it")
    return RunClass(UNDECIDED, f"snap status {status!r}", False, report.params, data)


def _not_minimum(report: Any, data: dict[str, Any]) -> RunClass:
    """A snapped point certified not a minimum: stuck at a kink when the exact facts of
    :mod:`relu_minima.train.stuck` hold, else not a minimum (witness)."""
    from .stuck import stuck_at_kink

    point = report.params
    cert = report.certificate
    # the lower points at two radii (the certificate's default 1/1000, and 10^-6)
    witnesses = ([cert.witness(), cert.witness(Fraction(1, 10**6))] if cert is not None
                 else [None])
    proof = None
    if isinstance(point, ShallowReLU) and isinstance(report.trained, ShallowReLU) and all(
            isinstance(w, ShallowReLU) for w in witnesses):
        proofs = [stuck_at_kink(point, w, report.trained, report.dataset) for w in witnesses]
        proof = proofs[0] if all(p is not None for p in proofs) else None
    if proof is not None:
        return RunClass(STUCK, proof.text(), True, point,
                        {**data, "inert_units": list(proof.units)})
    return RunClass(NOT_MIN, "the exact point the run approaches is certified not a local "
                    "minimum; the certificate gives lower points within any radius", True,
                    point, data)


def classify_smooth(W: np.ndarray, b: np.ndarray, v: np.ndarray, c: float, dataset: Dataset,
                    *, activation: str, loss: str, final_loss: float, gradient_norm: float,
                    trace_loss: np.ndarray, trace_norm: np.ndarray, better: Any | None = None,
                    certify: bool = True) -> RunClass:
    """Classify a failed one-hidden-layer sigmoid/tanh run: diverged or drifting (from its
    trace), else by interval arithmetic (``certify``; with ``better``, an explicit point to
    prove the minimum bad), else by its trace with the reason."""
    trace = (final_loss, gradient_norm, trace_loss, trace_norm)
    if not np.isfinite(final_loss) or drifting(trace_loss, trace_norm):
        return motion_class(*trace, "loss and weight norm along the run")
    if not certify:
        return motion_class(*trace, "not certified at this scale")
    try:
        from ..exact.smooth_net import SmoothNet
        from ..verify.certificate import Verdict
        from ..verify.smooth.certify import certify_smooth_minimum, prove_bad_minimum

        fr = Fraction
        net = SmoothNet([[fr(float(t)) for t in row] for row in W], [fr(float(t)) for t in b],
                        [fr(float(t)) for t in v], fr(float(c)), activation=activation)
        if better is not None:
            bad = prove_bad_minimum(net, dataset, better, loss=loss)
            cert = bad.certificate
            proven = bool(bad.proven)
        else:
            cert = certify_smooth_minimum(net, dataset, loss=loss)
            proven = False
    except Exception as exc:  # certificates unavailable or refused: the trace decides
        return motion_class(*trace, f"the interval certificate failed ({type(exc).__name__}: "
                            f"{exc})")
    data = {"final_loss": float(final_loss), "gradient_norm": float(gradient_norm)}
    if cert.verdict is Verdict.MINIMUM:
        if proven:
            return RunClass(BAD_MIN, f"strict local minimum certified (loss {cert.loss}); "
                            "another run's point has a proven lower loss", True, cert.params,
                            data)
        return RunClass(MIN, f"strict local minimum certified (loss {cert.loss})", True,
                        cert.params, data)
    if cert.verdict is Verdict.NOT_MINIMUM:
        return RunClass(NOT_MIN, "a critical point with certified negative curvature (witness "
                        "in the certificate)", True, cert.params, data)
    short = " ".join(str(cert.reason).split())[:240]
    return motion_class(*trace, f"the interval certificate is undecided: {short}")
