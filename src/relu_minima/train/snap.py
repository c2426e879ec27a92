"""``snap``: from a trained float network to an exact point with a certificate (docs/snap.md).

Researchers' optimisers stop at float points, which are never exactly stationary; verifying
them as they are (``allow_float=True``) always says "not a minimum", truly and uselessly. The
snap looks for the exact critical point the optimiser was converging to, certifies it with
``verify_local_minimum`` / ``verify_deep_local_minimum``, and reports how far it is from the
trained point, which pairs lie on kinks, and whether a lower explicit point is known.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import DimensionMismatch, InvalidArgument, InvalidNumberError, ShapeError
from ..exact.datasets import Dataset
from ..exact.deep_relu import DeepReLU
from ..exact.params import ParameterSpace
from ..exact.shallow_relu import ShallowReLU
from ..numeric import backend as numeric
from ..verify.globalmin.search import REPORT_MAX_PATTERNS
from .deep_snap import numeric_evidence, snap_deep
from .lower_points import lower_point
from .nearness import Nearness, nearness, suggested_max_distance
from .progress import snap_progress
from .rationals import long_integers
from .restricted_snap import snap_bias_free
from .shallow_snap import kink_pairs, snap_shallow
from .snap_report import (
    MINIMUM,
    NOT_MINIMUM,
    NOT_NEAR,
    UNDECIDED,
    SnapReport,
)
from .state_dict import FloatNet, read_dataset, read_network

__all__ = ["snap"]

_OLD_NAME_UNSET: Any = object()  # global_limit= not passed (its deprecated name)
METHODS = ("auto", "exact", "cell")


def _positive(value: Any, name: str, *, below_one: bool = False) -> float:
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    f = float(value) if ok else math.nan
    if not (math.isfinite(f) and f > 0 and (f < 1 or not below_one)):
        limit = "a number in (0, 1)" if below_one else "a positive finite number"
        raise InvalidNumberError(f"{name}={value!r} must be {limit}, such as "
                                 f"{'1e-6' if below_one else '1e-3'}.")
    return f


def snap(params: Any, dataset: Any, *, tol: float = 1e-6, rational_tol: float = 1e-6,
         budget: int = 8, max_distance: float | None = None, data_rule: str = "decimal",
         known_points: Sequence[Any] = (), max_patterns: int | None = REPORT_MAX_PATTERNS,
         max_directions: int = 4000, activation: str | None = None,
         negative_slope: Any = None, progress: bool | None = None, method: str = "auto",
         global_limit: Any = _OLD_NAME_UNSET) -> SnapReport:
    """Snap trained float parameters to an exact point, certify it, and report.

    ``params``: a torch module (``nn.Sequential`` or any module whose activation layers are
    submodules), ``{"W", "b", "v", "c"}``, a PyTorch-like ``state_dict`` (read with
    ``numpy.asarray``), ``(weights, biases)``, or an exact model; see
    :func:`relu_minima.train.state_dict.read_network`. ``activation`` ("relu", "sigmoid",
    "tanh") is read from a module; give it for a state_dict of a sigmoid/tanh network, whose
    snap is the smooth one (docs/smooth.md: the certified minimum near the trained point, as
    such); "leaky_relu" (a torch ``LeakyReLU`` is read with its slope) takes ``negative_slope``
    (default torch's 0.01; an exact leaky model carries its own), whose snap is
    :mod:`relu_minima.train.leaky_snap`. ``dataset``: a ``Dataset``, or ``(X, y)`` with floats
    converted by ``data_rule`` ("decimal": the shortest decimal giving the same float;
    "binary": its exact binary value).

    ``tol`` (relative) decides which (unit, point) pairs are kink candidates and which output
    weights are negligible; ``rational_tol`` (relative) is how close the short rationals chosen
    for the v_j and for free coordinates stay to the trained values; ``budget`` bounds the exact
    solves; ``max_distance`` is the largest max-norm distance at which an exact point still
    counts as "near" (default: each coordinate within 1/100 of its unit's scale,
    :mod:`relu_minima.train.nearness`); ``known_points`` are exact points of the same shape and
    parameterisation to compare against ("bad local minimum, proven"); ``max_patterns`` caps
    the exact global search (:func:`relu_minima.verify.globalmin.search.global_minimum`'s
    argument of the same name; one hidden layer only) that supplies one more such point, None
    to skip it; ``max_directions`` is the budget of the deep decision
    (:func:`~relu_minima.verify.deep.rules.verify_deep_local_minimum`) for deep networks.
    ``progress``: a progress bar on stderr (default: when stderr is a terminal).
    ``method`` (one hidden layer): "exact" decides an exact critical point; "cell" proves, for a
    trained point inside its activation cell, that the cell's exact minimiser is a local
    minimum without writing it down (:mod:`relu_minima.train.cell_snap`; the verdict is then
    about that minimiser, within the certificate's ``distance_bound`` of the snapped point);
    "auto" (default) takes "cell" on networks with at least
    :data:`~relu_minima.train.cell_snap.CELL_MIN_UNKNOWNS` unknowns, else "exact".
    ``global_limit`` is the deprecated old name of ``max_patterns``.

    >>> from relu_minima.paper.regression.examples import D1
    >>> report = snap({"W": [1.0000002], "b": [-3.0000005], "v": [0.9999998], "c": 1e-7}, D1)
    >>> report.status, report.snapped_loss, report.params == ShallowReLU([1], [-3], [1], 0)
    ('local minimum', Fraction(18, 1), True)
    """
    if global_limit is not _OLD_NAME_UNSET:
        warnings.warn("snap(global_limit=...) is deprecated: the budget is called max_patterns "
                      f"(pass max_patterns={global_limit!r})", DeprecationWarning, stacklevel=2)
        if max_patterns != REPORT_MAX_PATTERNS:
            raise InvalidArgument(f"snap: pass max_patterns={max_patterns!r} only (global_limit= "
                                  "is its deprecated old name)")
        max_patterns = global_limit
    options = {"tol": tol, "rational_tol": rational_tol, "budget": budget,
               "max_distance": max_distance, "data_rule": data_rule,
               "max_patterns": max_patterns, "max_directions": max_directions,
               "activation": activation, "negative_slope": negative_slope, "method": method}
    with long_integers(), snap_progress(progress) as bar:
        return _snap(params, dataset, known_points, options, bar)


def _checked_options(options: dict[str, Any]) -> dict[str, Any]:
    out = dict(options)
    out["tol"] = _positive(options["tol"], "tol", below_one=True)
    out["rational_tol"] = _positive(options["rational_tol"], "rational_tol", below_one=True)
    budget, max_patterns = options["budget"], options["max_patterns"]
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise InvalidNumberError(f"budget={budget!r} must be a positive integer (exact solves).")
    if max_patterns is not None and (isinstance(max_patterns, bool)
                                     or not isinstance(max_patterns, int) or max_patterns < 1):
        raise InvalidNumberError(f"max_patterns={max_patterns!r} must be a positive integer "
                                 "(patterns of the exact global search), or None to skip it.")
    if options["max_distance"] is not None:
        out["max_distance"] = _positive(options["max_distance"], "max_distance")
    if options["method"] not in METHODS:
        raise InvalidArgument(f"method={options['method']!r} is not one of "
                              f"{', '.join(map(repr, METHODS))} (the default 'auto' picks).")
    return out


def _snap(params: Any, dataset: Any, known_points: Sequence[Any], options: dict[str, Any],
          bar: Any) -> SnapReport:
    opts = _checked_options(options)
    frozen = getattr(getattr(params, "space", None), "frozen", ())
    if frozen:  # the snap moves every coordinate it solves for: a frozen one cannot be snapped
        raise InvalidArgument(
            f"params holds frozen parameters {list(frozen)}, but snap solves for every weight "
            "(bias-free layers are kept at 0); snap params.with_space(bias=params.space.bias) "
            "and decide the snapped point with its frozen names, or decide params itself.")
    net = read_network(params, activation=opts["activation"],
                       negative_slope=opts.pop("negative_slope", None))
    data = read_dataset(dataset, opts["data_rule"])
    if net.widths[0] != data.d:
        raise DimensionMismatch(f"params take d={net.widths[0]} inputs (the first layer has "
                                f"{net.widths[0]} columns) but the dataset has d={data.d}.")
    _check_outputs(net, data)
    _check_known(known_points, net.widths, net.bias_flags)
    opts.pop("activation")
    if net.activation != "relu":
        from .smooth_snap import snap_smooth_network

        return snap_smooth_network(net, data, opts, bar)
    if net.negative_slope != 0:  # a leaky or linear network: no unit is ever off
        from .leaky_snap import snap_leaky

        return snap_leaky(net, data, opts, bar)
    return _snap_relu(net, data, known_points, opts, bar)


def _snap_relu(net: FloatNet, data: Dataset, known_points: Sequence[Any],
               opts: dict[str, Any], bar: Any) -> SnapReport:
    """The exact snap of a ReLU network (docs/snap.md, the method)."""
    tol, rel, budget = opts["tol"], opts["rational_tol"], opts["budget"]
    max_distance, max_patterns = opts["max_distance"], opts["max_patterns"]
    max_directions = opts.pop("max_directions")
    method = opts["method"]
    theta = net.theta
    trained_loss = float(numeric.losses(net.arch, theta, data)[0])
    # over the moving parameters only: a bias-free layer's biases are not parameters (item 5)
    moving = np.array(ParameterSpace(net.widths, net.bias_flags).moving)
    grad_norm = float(np.linalg.norm(numeric.gradients(net.arch, theta, data)[0][moving]))
    trained = net.exact_binary()
    common = {"dataset": data, "trained": trained, "trained_loss": trained_loss,
              "gradient_norm": grad_norm, "options": opts}
    bar.stage("exact points")
    route = _candidates(net, data, (tol, rel, budget, max_directions, method), trained,
                        max_distance, bar.step)
    attempts = list(route.attempts)
    chosen = _choose(route.candidates, trained, max_distance, attempts)
    if chosen is None:
        return SnapReport(NOT_NEAR, None, certificate=None, snapped_loss=None, distance=None,
                          kink_pairs=(), attempts=tuple(attempts), **common)
    point, near = chosen
    bar.stage("certifying")
    cert = route.certificate if route.certificate is not None and point is route.params \
        else _decide(point, data, max_directions)
    verdict = cert.is_local_minimum
    status = MINIMUM if verdict is True else NOT_MINIMUM if verdict is False else UNDECIDED
    attempts.append(f"the exact point nearest the trained one (max-norm distance "
                    f"{float(near.distance):.3g}; {near.rule}) is decided: {status}")
    if status != MINIMUM:
        _far_minimum(route.candidates, point, trained, data, attempts)
    evidence = {}
    if status == UNDECIDED or net.depth > 2:
        evidence = numeric_evidence(point, data)
    lower = (None, None, None)
    if status == MINIMUM:
        bar.stage("lower points")
        others = [(q, None) for q, _ in route.candidates if q is not point]
        lower = lower_point(point, cert.loss, data, known_points, others, max_patterns,
                            attempts)
    return SnapReport(status, point, certificate=cert, snapped_loss=cert.loss,
                      distance=near.distance, kink_pairs=kink_pairs(point, data),
                      attempts=tuple(attempts), evidence=evidence, lower_point=lower[0],
                      lower_loss=lower[1], lower_source=lower[2], **common)


@dataclass
class _Route:
    """What a snap route found: exact points (point, how) and, for the deep routes, the
    certificate of its one point."""

    candidates: list[tuple[Any, str]]
    attempts: list[str]
    params: Any = None
    certificate: Any = None


def _candidates(net: FloatNet, data: Dataset, settings: tuple[float, float, int, int, str],
                trained: Any, max_distance: float | None, step: Any) -> _Route:
    tol, rel, budget, max_directions, method = settings

    def very_near(point: Any) -> bool:  # a candidate this near ends the search early
        return nearness(point, trained, max_distance).ratio <= Fraction(1, 100)

    covered = net.depth == 2 and all(net.bias_flags) and net.widths[-1] == 1
    not_cell = [] if method != "cell" or covered else [
        "method='cell' not taken: the cell certificate covers one hidden layer with every bias "
        "and one output"]
    if net.widths[-1] > 1:  # k outputs: hidden layers kept, the output layer solved exactly;
        # decided only once it is near (a far point's exact decision is wasted work)
        res = snap_deep(net, data, tol=tol, rel=rel, certify=False)
        return _Route([(res.params, "k-output snap")], [*not_cell, *res.attempts])
    if not all(net.bias_flags):  # bias-free layers: the question over the moving parameters
        res = snap_bias_free(net, data, tol=tol, rel=rel, budget=budget)
        if res.params is not None:  # deeper: the rounded point, already decided
            return _Route([(res.params, "rounded")], not_cell + res.attempts, res.params,
                          res.certificate)
        return _Route(res.candidates, not_cell + res.attempts)
    if net.depth == 2:
        res = snap_shallow(net, data, tol=tol, rel=rel, budget=budget, enough=very_near,
                           method=method, step=step)
        return _Route(res.candidates, res.attempts, res.params, res.certificate)
    res = snap_deep(net, data, tol=tol, rel=rel, max_directions=max_directions)
    return _Route([(res.params, "deep snap")], not_cell + res.attempts, res.params,
                  res.certificate)


def _choose(candidates: list[tuple[Any, str]], trained: Any, max_distance: float | None,
            attempts: list[str]) -> tuple[Any, Nearness] | None:
    """The candidate nearest the trained point, if it is near (docs/snap.md): the answer is
    about the point the user trained, so a far point never replaces a near one (item 2)."""
    if not candidates:
        attempts.append("not near a stationary point: no candidate gave an exact point in the "
                        "trained activation pattern; no certificate is claimed")
        return None
    scored = [(nearness(p, trained, max_distance), p, how) for p, how in candidates]
    for near, _, how in scored:
        attempts.append(f"{how}: exact point at max-norm distance {float(near.distance):.3g}"
                        f" ({float(near.ratio):.3g} x the allowed distance at {near.worst})")
    near, point, _ = min(scored, key=lambda item: item[0].ratio)
    if not near.near:
        suggestion = suggested_max_distance(near.distance)
        attempts.append(
            f"not near a stationary point: the nearest exact point is "
            f"{float(near.distance):.3g} away (max norm), beyond {near.rule}; pass "
            f"max_distance={suggestion:g} to decide it (it is then the answer, about a point "
            "that far from the one trained); no certificate is claimed")
        return None
    return point, near


def _decide(point: Any, data: Dataset, max_directions: int | None = None) -> Any:
    from ..verify.dispatch import verify_local_minimum

    if isinstance(point, DeepReLU):  # the deep decision's budget (snap's max_directions)
        return verify_local_minimum(point, data, max_directions=max_directions)
    return verify_local_minimum(point, data)


def _far_minimum(candidates: list[tuple[Any, str]], point: Any, trained: Any, data: Dataset,
                 attempts: list[str]) -> None:
    """A certified minimum among the other candidates, reported as such (never as the answer)."""
    for q, _ in candidates:
        if q is point:
            continue
        cert = _decide(q, data)
        if cert.is_local_minimum:
            attempts.append(f"a certified local minimum also exists at max-norm distance "
                            f"{float(_distance(q, trained)):.3g} from the trained point (another "
                            "candidate); it is not the point the run stopped near, and the "
                            "verdict above is not about it")
            return


def _distance(a: Any, b: Any) -> Fraction:
    if isinstance(a, ShallowReLU) and isinstance(b, ShallowReLU):
        return a.distance(b)
    a = a if isinstance(a, DeepReLU) else DeepReLU.from_shallow(a)
    b = b if isinstance(b, DeepReLU) else DeepReLU.from_shallow(b)
    return a.distance(b)


def _check_outputs(net: FloatNet, data: Dataset) -> None:
    """The network's outputs and the targets agree in number; k outputs need every layer's
    bias (the bias-free snap is written for one output)."""
    k = net.widths[-1]
    if k != data.k:
        hint = (f"; for class labels 0..{k - 1} pass one_hot(X, labels, {k}) as the dataset "
                "(relu_minima.one_hot)" if data.k == 1 else "")
        raise DimensionMismatch(f"params have k={k} output(s) (the last layer has {k} rows) but "
                                f"the dataset's targets have k={data.k} entries per point{hint}.")
    if k > 1 and not all(net.bias_flags):
        raise InvalidArgument(f"params have k={k} outputs and bias-free layers "
                              f"{net.bias_flags}: the snap of bias-free networks is for one "
                              "output; decide the exact point (from_state_dict) with "
                              "verify_local_minimum instead.")


def _check_known(known: Sequence[Any], widths: tuple[int, ...], bias: tuple[bool, ...]
                 ) -> None:
    """Every known point is an exact model of the trained network's shape (checked before any
    work, so that a wrong one is refused whatever the verdict)."""
    want = ShallowReLU if len(widths) == 3 else DeepReLU
    for k, q in enumerate(known):
        if not isinstance(q, (ShallowReLU, DeepReLU)) or type(q) is not want \
                or _shape(q) != tuple(widths):
            shape = _shape(q) if isinstance(q, (ShallowReLU, DeepReLU)) else "?"
            raise ShapeError(f"known_points[{k}] is a {type(q).__name__} of shape {shape}, but "
                             f"the trained network is a {want.__name__} of shape {tuple(widths)}; "
                             "give exact points of the same shape.")
        if tuple(q.space.bias) != tuple(bias) or q.space.frozen:
            raise ShapeError(
                f"known_points[{k}] has the parameterisation {q.space.describe()}, but the "
                f"trained network has bias flags {tuple(bias)} and nothing frozen: a lower "
                "point only proves 'bad' when the trained network can reach it; give points "
                f"with bias={list(bias)}.")


def _shape(p: Any) -> tuple[int, ...]:
    return (p.d, p.m, p.k) if isinstance(p, ShallowReLU) else tuple(p.widths)
