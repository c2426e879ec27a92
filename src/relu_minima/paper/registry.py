"""The registry of the paper's claims that ``relu-minima check-paper`` runs.

Every claim of the paper is listed once in :mod:`relu_minima.paper.outline` with the paper's
own wording; a ``check_*`` module of one of the section packages (:data:`SECTIONS`: the
paper's parts, and :mod:`relu_minima.paper.references` for the reference material) that checks
one decorates its check with :func:`implements`. A claim without a check is reported as "not
yet covered".

Statuses are computed, never written in: a check tests every fact it relies on with
``require(condition, message, error=ClaimCheckError)`` and chooses its status with
:func:`judge` (or :func:`judge_figure`, :func:`judge_evidence`) from what it established.
:func:`run_check` runs a check and turns any exception (a fact that did not hold, or a bug)
into the status *failed* with the message, so a broken check can never report *verified*.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..errors import ClaimCheckError, InvalidArgument, MissingDependency, require
from . import outline  # noqa: F401  (declares every claim before any check registers)
from .claims import _CLAIMS, Claim

__all__ = [
    "STATUS_MEANINGS", "Claim", "ClaimCheckError", "ClaimResult", "Context", "Status",
    "all_claims", "claim_keys", "implements", "import_errors", "judge", "judge_depends",
    "judge_evidence", "judge_figure", "judge_readings", "prefetches", "require_fact",
    "run_check", "start_prefetch",
]


class Status(StrEnum):
    """What the library established about a printed claim (defined in :data:`STATUS_MEANINGS`,
    which the report prints as its header)."""

    VERIFIED = "verified"
    PROOF_ERRATUM = "proof erratum"
    ERRATUM = "erratum"
    UNDECIDED = "undecided"
    NOT_COVERED = "not yet covered"
    EVIDENCE_FOR = "evidence for"
    EVIDENCE_AGAINST = "evidence against"
    FAILED = "failed"


# One vocabulary, used the same way by every check, the report's header, its JSON and
# docs/errata.md (a test keeps the three in step).
STATUS_MEANINGS: dict[Status, str] = {
    Status.VERIFIED: "true exactly as printed, established exactly (certificates, exact "
                     "arithmetic, or bounds certified to a stated precision).",
    Status.PROOF_ERRATUM: "the statement holds (certified); the printed proof, construction or "
                          "bound is wrong (counterexample given) and a correct one is certified "
                          "(both given in the details).",
    Status.ERRATUM: "false as printed, with an exact counterexample, and the nearest true "
                    "statement certified (both given in the details). A typo is an erratum "
                    "whose text starts with 'Typo': a printed formula, index or reference that "
                    "is wrong where the intended one is evident from its context (both are "
                    "computed: the printed one refuted, the intended one certified).",
    Status.UNDECIDED: "the library neither proves nor refutes the printed statement; the "
                      "details say why and what was established instead.",
    Status.NOT_COVERED: "listed, not checked in this release; the reason says what the check "
                        "would need.",
    Status.EVIDENCE_FOR: "an empirical claim (experiments, simulations) that the library's own "
                         "runs support; evidence, not proof.",
    Status.EVIDENCE_AGAINST: "an empirical claim that the library's own runs contradict; "
                             "evidence, not proof.",
    Status.FAILED: "the check did not complete: a fact it relies on did not hold, or it "
                   "crashed (the message says which). A bug of this library or of its "
                   "environment; check-paper then exits with status 1.",
}


def require_fact(condition: object, message: str) -> None:
    """``require(condition, message, error=ClaimCheckError)``: the form every check uses."""
    require(condition, message, error=ClaimCheckError)


def judge(*, proved: bool = False, counterexample: bool = False, corrected: bool = False,
          proof_refuted: bool = False, proof_corrected: bool = False, claim: str) -> Status:
    """The status of a mathematical claim from what its check established.

    ``proved``: the statement as printed was established true (every fact computed).
    ``counterexample``: an exact counterexample to the printed statement was established.
    ``corrected``: the nearest true statement was certified.
    ``proof_refuted``: a counterexample to the printed proof, construction or bound (a step the
    paper gives for the statement) was established.
    ``proof_corrected``: a correct proof, construction or bound was certified in its place.

    *verified* needs ``proved`` (and no counterexample, and no refuted proof step);
    *proof erratum* needs ``proved``, ``proof_refuted`` and ``proof_corrected``: the statement
    holds, only the way the paper shows it is wrong; *erratum* needs ``counterexample`` and
    ``corrected`` (and not ``proved``; a refuted proof step may accompany it, the false
    statement being the finding). Anything else -- nothing established, a statement both
    proved and refuted, a counterexample without a certified correction, a refuted proof step
    without a certified replacement, or a replacement with nothing refuted -- has no status in
    the vocabulary: the check failed (raises :class:`ClaimCheckError`, which :func:`run_check`
    reports). Failing to find a counterexample never makes a claim verified, and failing to
    prove it never makes it an erratum.
    """
    flags = {"proved": proved, "counterexample": counterexample, "corrected": corrected,
             "proof_refuted": proof_refuted, "proof_corrected": proof_corrected}
    for name, value in flags.items():
        require_fact(value is True or value is False,
                     f"{claim}: {name}={value!r} must be a bool computed by the check")
    require_fact(not (proved and counterexample),
                 f"{claim}: the printed statement was both proved and refuted")
    require_fact(proof_refuted or not proof_corrected,
                 f"{claim}: a corrected proof was certified but no printed step was refuted")
    require_fact(proof_corrected or not proof_refuted,
                 f"{claim}: a printed proof step was refuted but no correct one was certified")
    if proved:
        return Status.PROOF_ERRATUM if proof_refuted else Status.VERIFIED
    require_fact(counterexample, f"{claim}: the check established neither the printed "
                 "statement nor a counterexample to it")
    require_fact(corrected, f"{claim}: the printed statement was refuted but no corrected "
                 "statement was certified")
    return Status.ERRATUM


def judge_figure(recomputed: bool, *, claim: str) -> Status:
    """The status of a figure of the paper. What a figure claims is its image, and the
    reference text has no figure images (only captions), so a figure can be neither verified
    nor found wrong as printed: it is *undecided*, provided its recomputation and every exact
    fact drawn in it held (otherwise the check failed). The statements a figure illustrates
    are judged in their own claims."""
    require_fact(recomputed is True, f"{claim}: the recomputed figure's facts did not hold")
    return Status.UNDECIDED


def judge_depends(*, true_case: bool, false_case: bool, paper_fixes_case: bool,
                  claim: str) -> Status:
    """The status of a statement whose truth depends on something the paper leaves open (an
    initialisation it does not state): *undecided*, provided the check established it true in
    one case and false in another, and the paper does not fix the case (else the check must
    use :func:`judge`)."""
    for name, value in (("true_case", true_case), ("false_case", false_case),
                        ("paper_fixes_case", paper_fixes_case)):
        require_fact(value is True or value is False,
                     f"{claim}: {name}={value!r} must be a bool computed by the check")
    require_fact(true_case and false_case, f"{claim}: the statement was not established both "
                 "true in one case and false in another")
    require_fact(not paper_fixes_case, f"{claim}: the paper fixes the case; judge it")
    return Status.UNDECIDED


def judge_evidence(supports: bool | None) -> Status:
    """The status of an empirical claim from the library's own runs (None: inconclusive)."""
    if supports is None:
        return Status.UNDECIDED
    return Status.EVIDENCE_FOR if supports else Status.EVIDENCE_AGAINST


def judge_readings(readings: dict[str, bool | None], *, claim: str) -> Status:
    """The status of an empirical sentence with several readings, each judged by a frozen
    rule (True: supports, False: contradicts, None: inconclusive): their common verdict, or
    *undecided* (reading-dependent) when they differ. Needs at least two readings."""
    require_fact(len(readings) >= 2, f"{claim}: a reading-dependent claim needs two readings")
    for name, value in readings.items():
        require_fact(value is None or value is True or value is False,
                     f"{claim}: reading {name!r} = {value!r} must be True, False or None")
    verdicts = {judge_evidence(v) for v in readings.values()}
    return verdicts.pop() if len(verdicts) == 1 else Status.UNDECIDED


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of one check: a one-line summary plus the evidence."""

    status: Status
    established: str
    details: str = ""  # Markdown: certificates, numbers, the corrected statement
    figures: tuple[str, ...] = ()  # files written into Context.output_dir
    data: dict[str, Any] = field(default_factory=dict)  # JSON-able, exact numbers as strings


@dataclass(frozen=True)
class Context:
    """What a check may use: where to write figures, and whether to run a quick version."""

    output_dir: Path
    quick: bool = False
    progress: Callable[[str], None] = lambda message: None
    full: bool = False  # the paper's scale for experiments (check-paper --full)
    mnist: Path | None = None  # a user-supplied MNIST (IDX files or .npz): check-paper --mnist
    steps: int | None = None  # the Figure 1, 2, 5 analogues' step budget: check-paper --steps


# The paper's parts, one package each; their ``check_*`` modules register the checks.
SECTIONS = ("regression", "dead_layers", "experiments", "references")

_IMPORT_ERRORS: dict[str, str] = {}  # module name -> traceback, for modules that failed to load


def implements(key: str) -> Callable[[Callable[[Context], ClaimResult]], Callable[..., Any]]:
    """Register ``check`` as the decision procedure for the outline's claim ``key``."""

    def register(check: Callable[[Context], ClaimResult]) -> Callable[[Context], ClaimResult]:
        if key not in _CLAIMS:
            raise InvalidArgument(f"claim key={key!r} is not in relu_minima.paper.outline.")
        if _CLAIMS[key].check is not None and _CLAIMS[key].check is not check:
            raise InvalidArgument(f"claim key={key!r} already has a check.")
        _CLAIMS[key].check = check
        return check

    return register


# Background work (issue 30): a check module registers start(ctx) for the claims that need
# the work; run_claims calls it before the first claim when one of them will run, and the
# returned stop() after the last claim (paper/background.py).
_PREFETCHERS: list[tuple[frozenset[str], Callable[[Context], Callable[[], None] | None]]] = []


def prefetches(*keys: str) -> Callable[[Callable[[Context], Any]], Callable[[Context], Any]]:
    """Register ``start(ctx) -> stop | None``: work for the claims ``keys``, started before
    the first claim runs (so that it overlaps the others) when any of them will run."""

    def register(start: Callable[[Context], Any]) -> Callable[[Context], Any]:
        unknown = [k for k in keys if k not in _CLAIMS]
        if unknown:
            raise InvalidArgument(f"claim keys {unknown!r} are not in relu_minima.paper.outline.")
        _PREFETCHERS.append((frozenset(keys), start))
        return start

    return register


def start_prefetch(ctx: Context, keys: Iterable[str]) -> list[Callable[[], None]]:
    """Start the registered background work that the claims ``keys`` need; the stop functions
    to call once every claim has run."""
    wanted = set(keys)
    stops = []
    for needed_by, start in _PREFETCHERS:
        if needed_by & wanted:
            stop = start(ctx)
            if stop is not None:
                stops.append(stop)
    return stops


def all_claims() -> list[Claim]:
    """Every claim of the paper in the paper's order, after importing every check module
    (the ``check_*`` modules of each section package, :data:`SECTIONS`)."""
    for section in SECTIONS:
        package = importlib.import_module(f"{__package__}.{section}")
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("check_"):
                name = f"{section}.{info.name}"
                try:
                    importlib.import_module(f"{__package__}.{name}")
                except Exception:  # one broken check module must not hide the others
                    _IMPORT_ERRORS[name] = traceback.format_exc()
    return _in_order()


def claim_keys() -> dict[str, str]:
    """Every claim key, in the paper's order, with its section.

    Reads only the outline, so that ``relu-minima --help`` and argument checks need not import
    (and run the module-level set-up of) every check module.
    """
    return {c.key: c.section for c in _in_order()}


def _in_order() -> list[Claim]:
    return sorted(_CLAIMS.values(), key=lambda c: c.order)


def run_check(claim: Claim, ctx: Context) -> tuple[ClaimResult, str]:
    """Run ``claim``'s check; return its result and, if it failed, the traceback.

    A claim without a check is *not yet covered*. A check that cannot run because an optional
    dependency or a user's data file is absent (:class:`MissingDependency`) is *undecided*,
    and says what to install or pass. Any other exception -- a :class:`ClaimCheckError`
    (a fact the check relies on did not hold) or anything else (a bug) -- and a return value
    that is not a :class:`ClaimResult` give the status *failed* with the message: nothing a
    broken check does can make it report another status.
    """
    if claim.check is None:
        return ClaimResult(Status.NOT_COVERED,
                           f"Not in this release: {claim.why_not_covered}"), ""
    try:
        result = claim.check(ctx)
        if not isinstance(result, ClaimResult) or not isinstance(result.status, Status):
            raise ClaimCheckError(f"check of {claim.key} returned {result!r:.80}, not a "
                                  "ClaimResult with a Status")
        return result, ""
    except MissingDependency as exc:  # established nothing, and says what it needs
        return ClaimResult(Status.UNDECIDED, f"Not run here: {exc}",
                           data={"missing": str(exc)}), ""
    except Exception as exc:  # every failure is reported as such, never raised past here
        kind = "a fact did not hold" if isinstance(exc, ClaimCheckError) else "the check crashed"
        message = f"{type(exc).__name__}: {exc}"
        return (ClaimResult(Status.FAILED, f"Failed ({kind}): {message}"),
                traceback.format_exc())


def import_errors() -> dict[str, str]:
    """Check modules that failed to import (the report counts each as a crashed check)."""
    return dict(_IMPORT_ERRORS)
