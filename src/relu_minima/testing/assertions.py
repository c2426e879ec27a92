"""Assertions for researchers' own test suites: is this claimed point a local minimum?

``assert_local_minimum`` and ``assert_not_local_minimum`` decide exactly (with
:func:`relu_minima.verify_local_minimum`) and, on failure, print what was
compared, ACTUAL / DESIRED, the exact loss, the failing piece (or why the point is a
minimum, or why undecided) and the witness; ``verbose=True`` adds the full proof.
``assert_no_descent_found`` only *searches* (:func:`relu_minima.numeric.fuzz.search_neighbourhood`):
passing it is evidence, failing it is a proof (the perturbation's loss is computed exactly).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..exact.datasets import Dataset
from ..exact.numbers import short
from ..verify.certificate import WITNESS_RADIUS, Certificate
from ..verify.witness import find_witness, no_witness_sentence

__all__ = ["assert_local_minimum", "assert_no_descent_found", "assert_not_local_minimum"]

def _verdict(params: Any, dataset: Dataset, **budget: Any) -> Any:
    """The exact verdict; budget options (max_directions, time_limit) pass on when given."""
    from ..verify.dispatch import verify_local_minimum

    return verify_local_minimum(params, dataset,
                                **{k: v for k, v in budget.items() if v is not None})


def _parameterised(params: Any, bias: Any, frozen: Any) -> Any:
    """params with the parameterisation ``bias``/``frozen`` (None: keep params' own)."""
    if bias is None and frozen is None:
        return params
    space = params.space.with_parameterisation(bias=bias, frozen=frozen)
    return params.with_space(bias=space.bias, frozen=space.frozen)


def _header(title: str, claim: str) -> list[str]:
    return [
        title,
        f"Compared: the claim '{claim}' with the exact verdict of",
        "          verify_local_minimum(params, dataset) (rational arithmetic, no tolerance).",
    ]


def _mismatch(title: str, claim: str, cert: Any, desired: str) -> list[str]:
    """Header, then ACTUAL / DESIRED, the exact loss and the failing piece."""
    return [
        *_header(title, claim),
        f"  ACTUAL:  {cert.status}",
        f"  DESIRED: {desired}",
        f"  exact loss at params: {cert.loss}",
        f"  {_REASON_LABEL[cert.is_local_minimum]}: {cert.reason}",
    ]


# what cert.reason is, by verdict: a failing condition, the proof's key step, or the gap
_REASON_LABEL = {False: "failing piece", True: "why it is a minimum", None: "why undecided"}


def _indent(text: str, pad: str = "    ") -> str:
    return "\n".join(pad + line for line in text.splitlines())


_FULL_HINT = "  (pass verbose=True for the full proof)"


def _tail(cert: Any, verbose: bool, err_msg: str) -> list[str]:
    """The full proof (verbose) or a pointer to it, then the caller's own message."""
    lines = ["  proof:", _indent(str(cert))] if verbose else [_FULL_HINT]
    return [*lines, *([f"  {err_msg}"] if err_msg else [])]


def assert_local_minimum(params: Any, dataset: Dataset | tuple[Any, Any],
                         err_msg: str = "", *, verbose: bool = False, bias: Any = None,
                         frozen: Any = None, max_directions: int | None = None,
                         time_limit: float | None = None) -> Certificate:
    """Fail unless ``params`` is exactly certified a local minimum of the squared loss.

    Returns the certificate. An ``undecided`` verdict fails too (with its reason). The failure
    message is short (the verdict, the failing piece and the witness); ``verbose=True`` adds
    the full proof, and ``err_msg`` is appended, as in ``numpy.testing``. ``bias`` and
    ``frozen`` (as in :class:`~relu_minima.ShallowReLU`) ask about the restricted
    parameterisation instead of params' own, e.g. ``frozen=["b_2[1]"]`` for a fixed output bias.
    ``max_directions`` and ``time_limit`` set the deep search's budget
    (:func:`relu_minima.verify.deep.rules.verify_deep_local_minimum`); None keeps the default.
    """
    __tracebackhide__ = True
    cert = _verdict(_parameterised(params, bias, frozen), dataset,
                    max_directions=max_directions, time_limit=time_limit)
    if cert.is_local_minimum is True:
        return cert
    lines = _mismatch("assert_local_minimum: the point is NOT certified a local minimum.",
                      "params is a local minimum", cert, "local minimum")
    if cert.is_local_minimum is False:
        w = find_witness(cert, WITNESS_RADIUS)
        lines += (["  witness " + w.sentence(), _indent(str(w.point))] if w is not None
                  else ["  no witness: " + no_witness_sentence(cert, WITNESS_RADIUS)])
    raise AssertionError("\n".join(lines + _tail(cert, verbose, err_msg)))


def assert_not_local_minimum(params: Any, dataset: Dataset | tuple[Any, Any],
                             err_msg: str = "", *, verbose: bool = False, bias: Any = None,
                             frozen: Any = None, max_directions: int | None = None,
                             time_limit: float | None = None) -> Certificate:
    """Fail unless ``params`` is exactly proved *not* a local minimum; returns the certificate.

    The failure message is short (the verdict and why); ``verbose=True`` adds the proof that
    the point is a minimum (or why it is undecided), and ``err_msg`` is appended. ``bias``,
    ``frozen``, ``max_directions`` and ``time_limit`` as in :func:`assert_local_minimum`.
    """
    __tracebackhide__ = True
    cert = _verdict(_parameterised(params, bias, frozen), dataset,
                    max_directions=max_directions, time_limit=time_limit)
    if cert.is_local_minimum is False:
        return cert
    lines = _mismatch("assert_not_local_minimum: the point is NOT proved a non-minimum.",
                      "params is not a local minimum", cert, "not a local minimum")
    lines.append("  no witness exists: " + ("the proof shows none is lower nearby."
                                            if cert.is_local_minimum
                                            else "the verdict is undecided."))
    raise AssertionError("\n".join(lines + _tail(cert, verbose, err_msg)))


def assert_no_descent_found(params: Any, dataset: Dataset | tuple[Any, Any],
                            radius: Any = Fraction(1, 100),
                            *, bias: Any = None, frozen: Any = None, **search: Any) -> Any:
    """Fuzz the max-norm ball of ``radius`` (numeric backend); fail with the best perturbation.

    Keyword arguments go to :func:`relu_minima.numeric.fuzz.search_neighbourhood` (``seed``,
    ``n_random``, ...). Passing is evidence only; returns the search result. Fixed coordinates
    (``bias``/``frozen`` as in :func:`assert_local_minimum`, or params' own) never move.
    """
    __tracebackhide__ = True
    from ..numeric.fuzz import search_neighbourhood

    result = search_neighbourhood(_parameterised(params, bias, frozen), dataset, radius,
                                  **search)
    if not result.found_descent:
        return result
    lines = [
        "assert_no_descent_found: a perturbation with LOWER exact loss was found.",
        f"Compared: the exact loss at params with the exact loss of {result.tried} numeric "
        f"candidates within max-norm radius {result.radius}.",
        f"  ACTUAL:  best perturbation has loss {short(result.best_loss)}",
        f"  DESIRED: no loss below {short(result.base_loss)}",
        f"  exact loss at params: {short(result.base_loss)}",
        f"  failing piece: decrease {short(result.decrease)} at distance "
        f"{short(result.distance)}, found by {result.best_kind}",
        "  best perturbation (exact parameters):",
        _indent(str(result.best)),
        "  search:",
        _indent(str(result)),
    ]
    raise AssertionError("\n".join(lines))
