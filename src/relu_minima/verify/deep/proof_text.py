"""The proof texts of deep certificates, derived from their verified evidence (Equation (2)).

One function per rule of :mod:`relu_minima.verify.deep.rules`, each returning the reason (one
line) and the proof's lines from numbers that ``DeepCertificate.check()`` re-verifies: the
point, the blind spot and its constant output, the residual sum, the classes and their bound,
the descent direction and its loss germ, the record of the move search. Nothing here is
stored in a certificate: printing one derives its text anew (docs/certificates.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ...exact.deep_relu import DeepReLU
from ...exact.params import ParameterSpace

__all__ = ["blind_spot_text", "budget_text", "class_bound_text", "convex_text", "depth2_lines",
           "descent_text", "describe_direction", "describe_params", "output_bias_text",
           "undecided_reason"]

Text = tuple[str, list[str]]  # (reason, proof lines)


def describe_params(p: DeepReLU) -> list[str]:
    """The point, one line per layer."""
    out = []
    for n, (M, b) in enumerate(zip(p.weights, p.biases, strict=True), start=1):
        rows = "; ".join("(" + ", ".join(str(t) for t in r) + ")" for r in M)
        out.append(f"  W_{n} = [{rows}], b_{n} = ({', '.join(str(t) for t in b)})")
    return out


def describe_direction(space: ParameterSpace, u: Sequence[Fraction]) -> str:
    """A flat direction by its nonzero coordinates, e.g. "(W_1[2,1]: -1, b_3[1]: 1/2)", or one
    coordinate moved by +-1 as "W_1[2,1] decreasing"."""
    moved = [f"{name}: {t}" for name, t in zip(space.names, u, strict=True) if t != 0]
    nonzero = [(name, t) for name, t in zip(space.names, u, strict=True) if t != 0]
    if len(nonzero) == 1 and abs(nonzero[0][1]) == 1:
        name, t = nonzero[0]
        return f"{name} {'increasing' if t > 0 else 'decreasing'}"
    rest = "; every other coordinate 0" if len(moved) < len(u) else ""
    return "(" + ", ".join(moved) + rest + ")"


def _vec(v: Sequence[Fraction]) -> str:
    return "(" + ", ".join(str(t) for t in v) + ")"


def _bias_move(S: Sequence[Fraction], loss: Fraction, N: int) -> str:
    """Moving the output bias by t u, u = -S / |S|_inf: L(t) = L + 2 t S . u + N t^2 |u|^2."""
    top = max(abs(t) for t in S)
    if top == 0:  # printed only for evidence that check() refuses
        return "the residual sum is 0, so the output bias does not descend"
    u = [-t / top for t in S]
    su = sum((a * b for a, b in zip(S, u, strict=True)), Fraction(0))
    uu = sum((t * t for t in u), Fraction(0))
    return (f"moving the output bias b_k by t u with u = -S / |S|_inf = {_vec(u)} shifts every "
            f"output by t u, so L(t) = {loss} + ({2 * su}) t + {N * uu} t^2, strictly lower for "
            f"0 < t < {-2 * su / (N * uu)}")


def _blind_spot_vector(n: int, c: tuple[Fraction, ...], ybar: tuple[Fraction, ...],
                       loss: Fraction, S: tuple[Fraction, ...], N: int) -> Text:
    """Rule 1 with k outputs: the constant output is a vector C."""
    lines = [
        f"Blind spot: every unit of hidden layer n = {n} has a strictly negative "
        "pre-activation at every data point (checked exactly). Strict inequalities persist "
        "on a neighbourhood U of theta, so on U h_n(x_i) = 0 for all i and the output "
        "M(x_i) equals one vector C(theta') (a function of layers n+1..k only) for all i.",
        f"At theta, C = {_vec(c)}. On U, L(theta') = sum_i |C(theta') - y_i|^2 "
        f"= N |C - ybar|^2 + sum_i |y_i - ybar|^2 with ybar = {_vec(ybar)}.",
    ]
    if c == ybar:
        lines.append(f"Since C = ybar, L(theta) = sum_i |y_i - ybar|^2 = {loss} <= L(theta') "
                     "on U: theta is a local minimum (not strict).")
        return (f"strict blind spot in hidden layer {n}, and its constant output {_vec(c)} "
                "equals the mean of the targets", lines)
    lines.append(f"Since C != ybar, S = sum_i r_i = N (C - ybar) = {_vec(S)}; "
                 + _bias_move(S, loss, N) + " (layers 1..k-1 untouched, so layer n stays "
                 "dead): theta is NOT a local minimum.")
    return (f"strict blind spot in hidden layer {n}, but its constant output {_vec(c)} differs "
            f"from the mean {_vec(ybar)} of the targets: the output bias decreases the loss",
            lines)


def blind_spot_text(n: int, c: Any, ybar: Any, loss: Fraction, S: Any, N: int) -> Text:
    """Rule 1 at a strict blind spot in hidden layer n with constant output c (Theorem 1 (i),
    corrected): a minimum iff c = ybar, else the output bias descends (S = sum of residuals).
    With several outputs c, ybar and S are vectors."""
    if isinstance(S, tuple):
        return _blind_spot_vector(n, c, ybar, loss, S, N)
    lines = [
        f"Blind spot: every unit of hidden layer n = {n} has a strictly negative "
        "pre-activation at every data point (checked exactly). Strict inequalities persist "
        "on a neighbourhood U of theta, so on U h_n(x_i) = 0 for all i and the output "
        "M(x_i) equals one number C(theta') (a function of layers n+1..k only) for all i.",
        f"At theta, C = {c}. On U, L(theta') = sum_i (C(theta') - y_i)^2 "
        f"= N (C - ybar)^2 + sum_i (y_i - ybar)^2 with ybar = {ybar}.",
    ]
    if c == ybar:
        lines.append(f"Since C = ybar, L(theta) = sum_i (y_i - ybar)^2 = {loss} <= L(theta') "
                     "on U: theta is a local minimum (not strict: all of U with C = ybar has the "
                     "same loss).")
        return (f"strict blind spot in hidden layer {n}, and its constant output {c} equals "
                "the mean of the targets", lines)
    lines.append(f"Since C != ybar, moving the output bias b_k by t (layers 1..k-1 untouched, so "
                 f"layer n stays dead) gives L = {loss} + ({2 * S}) t + {N} t^2, strictly lower "
                 f"for t between 0 and {-2 * S / N} (exclusive): theta is NOT a local minimum, "
                 "although Theorem 1 (i) as printed says it is.")
    return (f"strict blind spot in hidden layer {n}, but its constant output {c} differs from "
            f"the mean {ybar} of the targets: the output bias decreases the loss", lines)


def output_bias_text(S: Any, loss: Fraction, N: int) -> Text:
    """Rule 1: sum_i r_i = S != 0, so the output bias descends at first order."""
    if isinstance(S, tuple):  # several outputs
        return (f"the output bias is not optimal (sum of residuals {_vec(S)})",
                [f"sum_i r_i = {_vec(S)} != 0. " + _bias_move(S, loss, N)
                 + ": not a local minimum."])
    return (f"the output bias is not optimal (sum of residuals {S})",
            [f"sum_i r_i = {S} != 0. Moving the output bias b_k by t shifts every output by t, "
             f"so L(t) = {loss} + ({2 * S}) t + {N} t^2 < L for t strictly between 0 and "
             f"{-2 * S / N}: not a local minimum."])


def class_bound_text(classes: Sequence[Sequence[int]], bound: Fraction, layer: int | None
                     ) -> Text:
    """Rule 2: the loss equals the class-mean bound (``layer``: a non-strict blind spot)."""
    lines = ["Class-mean bound: points with equal inputs, and points at which some hidden layer "
             "is strictly negative in every unit, share one output on a neighbourhood U of "
             "theta (strict inequalities persist). Classes (1-based): "
             + "; ".join("{" + ", ".join(str(i + 1) for i in c) + "}" for c in classes) + ".",
             "On U, L >= sum over classes of sum_(i in class) (y_i - class mean)^2 "
             f"= {bound} = L(theta): theta is a local minimum."]
    reason = "the loss equals the class-mean lower bound valid on a neighbourhood"
    if layer is not None:
        reason += (f" (non-strict blind spot in hidden layer {layer}: points with a zero "
                   "pre-activation are fitted exactly)")
    return reason, lines


def depth2_lines(shallow_lines: Sequence[str]) -> list[str]:
    """Rule 3: the one-hidden-layer certificate's own proof, nested."""
    return ["Depth 2: this is the one-hidden-layer network of Equation (1); the complete "
            "criterion of relu_minima.verify.shallow.criterion decides it:", "",
            *shallow_lines]


def descent_text(space: ParameterSpace, direction: Sequence[Fraction],
                 germ: Sequence[Fraction], loss: Fraction) -> Text:
    """Rule 5: the loss polynomial along the stored direction has a negative lowest change."""
    diff = [t - (loss if i == 0 else 0) for i, t in enumerate(germ)]
    order = next(i for i, t in enumerate(diff) if t)
    u = describe_direction(space, direction)
    return (f"the loss decreases at order {order} along {u}",
            [f"Along theta + eps u with u = {u}, the outputs are polynomials in eps for small "
             "eps > 0 (each ReLU keeps the sign of its argument's lowest nonzero coefficient), "
             "so the loss is the polynomial "
             + " + ".join(f"({t}) eps^{i}" for i, t in enumerate(germ) if t)
             + f". Its lowest-order change is ({diff[order]}) eps^{order} < 0: not a local "
             "minimum."])


def convex_text() -> Text:
    """Depth 1: a convex quadratic with zero gradient."""
    return ("depth 1: convex loss with zero gradient",
            ["Depth 1: M(x) = W_1 x + b_1 is linear in the parameters, so L is a convex "
             "quadratic; every coordinate directional derivative is 0 (checked exactly), so the "
             "gradient vanishes and theta is a global minimum."])


def undecided_reason(loss: Fraction, bound: Fraction, found: Any, outputs: int = 1,
                     depth: int = 3) -> str:
    """What was tried, which budget ran out, and which option to raise (``found``: the
    certificate's ``SearchRecord`` of the move search, re-verified by ``check()``; None in a
    version-1 certificate). With several outputs it also says which rules are written for one
    output only."""
    why = (f"sum of residuals is 0, the loss {loss} exceeds the class-mean bound {bound}, no "
           "family rule applies (all-zero, zero layer, affine or monotone tail, blind spot, "
           "depth 2)")
    if outputs > 1:
        why += (" (with several outputs the affine and monotone tail families, written for one "
                "output, are not tried" + ("; at depth 2 the one-hidden-layer criterion leaves "
                                           "the point undecided (a critical unit, docs/method.md "
                                           "Theorem 3)" if depth == 2 else "") + ")")
    if found is None:
        return why + ", and no exact move lowered the loss (the record of the move search is " \
            "not stored in this version-1 certificate)"
    tried = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in found.counts)
    why += (f", and none of the {found.tried} exact moves tried ({tried or 'none'}; in the order "
            "coordinates, unit revivals, path moves, kink sign vectors, random kink moves, sign "
            "vectors on 2-4 coordinates) lowers the loss at any order")
    if found.out_of is not None:
        why += "; " + budget_text(found.out_of)
    else:
        why += ("; every move was tried, so a larger budget would not help: the point needs "
                "reasoning beyond these moves (it may well be a local minimum)")
    return why


def budget_text(out_of: str) -> str:
    """Which budget stopped a move search (``out_of``, as recorded: "max_directions=4000") and
    how to raise it."""
    name, _, value = out_of.partition("=")
    flag = "--" + name.replace("_", "-")
    now = _number(value)
    return (f"the search stopped when its budget {out_of} ran out: raise {name} (e.g. "
            f"verify_local_minimum(params, dataset, {name}={10 * now}), "
            f"assert_local_minimum(..., {name}=...), or {flag} on the command line) to try "
            "more moves")


def _number(text: str) -> int | float:
    """A budget as recorded (``max_directions=4000``, ``time_limit=0.5``)."""
    try:
        return int(text)
    except ValueError:
        return float(text)
