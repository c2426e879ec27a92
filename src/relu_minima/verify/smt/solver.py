"""Running a certificate's SMT-LIB script through z3 or cvc5, with a time limit per check.

:func:`recheck` writes the script (:func:`~.sentence.sentence_of`) and feeds it to the solver
(:mod:`.engines`) through the solver's own SMT-LIB parser: the preamble (definitions) once,
then each check's block, which ends in its ``(check-sat)``. So the solver reads the text a
reader can save and run with ``z3 FILE.smt2``, with three differences that change how the
solver searches, never what is asserted: the time limit is set as the solver's option, z3 may
run a block again with other search settings (:mod:`.worker`), and z3's Python context, which
keeps definitions global on its own and refuses to be told so, skips the
``:global-declarations`` line. Each answer is compared with the expected one:

* every check answered as expected: **confirmed** (the solver proves the claim);
* a check answered the other way, where that refutes the certificate: **refuted**, with the
  solver's model (a lower point, a wrong loss) when it gives one;
* otherwise **no verdict**: the solver gave up (``unknown``: time limit, incompleteness), or a
  lower point within a radius the certificate does not claim. Giving up is never a verdict.

The solvers are optional (``pip install "relu-minima[smt]"`` installs z3; cvc5 is
``pip install cvc5``); neither is imported before a re-check asks for it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from .engines import SOLVERS, Session, SolverStopped
from .sentence import Check, Sentence, sentence_of

__all__ = ["SOLVERS", "CheckResult", "Recheck", "recheck", "run_script"]

CONFIRMED, REFUTED, NO_VERDICT = "confirmed", "refuted", "no verdict"


@dataclass(frozen=True)
class CheckResult:
    """The solver's answer to one check: "sat", "unsat", "unknown" or "error", the seconds it
    took, and (on an answer that is not the expected one) the model's values or the reason."""

    check: Check
    answer: str
    seconds: float
    detail: str = ""

    @property
    def line(self) -> str:
        return (f"{self.check.name}: {self.check.asserts} -> {self.answer} (expected "
                f"{self.check.expected}), {self.seconds:.2f} s"
                + (f"; {self.detail}" if self.detail else ""))


@dataclass(frozen=True)
class Recheck:
    """A solver's re-check of one certificate: ``status`` is "confirmed", "refuted" or
    "no verdict"; ``message`` says why; ``exit_code`` 0, 1 or 3 (``relu-minima recheck``)."""

    sentence: Sentence
    solver: str
    version: str
    results: tuple[CheckResult, ...]
    status: str
    message: str
    seconds: float = field(default=0.0)

    @property
    def exit_code(self) -> int:
        return {CONFIRMED: 0, REFUTED: 1, NO_VERDICT: 3}[self.status]

    def __str__(self) -> str:
        s = self.sentence
        lines = [f"SMT re-check of a {s.kind} certificate ('{s.verdict}') by {self.solver} "
                 f"{self.version}",
                 f"CLAIM: {s.claim}.",
                 *([f"radius: {s.radius_note}."] if s.radius is not None else []),
                 *(f"  check {k}, {r.line}" for k, r in enumerate(self.results, start=1)),
                 f"{self.status.upper()}: {self.message}"]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "solver": self.solver,
                "version": self.version, "kind": self.sentence.kind,
                "verdict": self.sentence.verdict, "claim": self.sentence.claim,
                "radius": None if self.sentence.radius is None else str(self.sentence.radius),
                "checks": [{"name": r.check.name, "asserts": r.check.asserts,
                            "expected": r.check.expected, "answer": r.answer,
                            "seconds": r.seconds, "detail": r.detail} for r in self.results]}


def _answer(output: str) -> tuple[str, str]:
    """The check-sat answer in a chunk's output, and any other text (errors)."""
    words = re.findall(r"^\s*(sat|unsat|unknown)\s*$", output, re.MULTILINE)
    errors = re.findall(r"\(error[^\n]*", output)
    if errors or len(words) != 1:
        return "error", "; ".join(errors) or f"unexpected solver output {output.strip()!r}"
    return words[0], ""


def run_script(sentence: Sentence, solver: str = "z3", time_limit: float = 60.0
               ) -> list[CheckResult]:
    """Run ``sentence.text`` through ``solver`` (at most ``time_limit`` seconds per check); one
    :class:`CheckResult` per check run, in order, stopping after an answer that refutes or a
    solver that had to be stopped."""
    return _run(Session(solver, time_limit), sentence)


def _run(engine: Session, sentence: Sentence) -> list[CheckResult]:
    results = []
    start = time.perf_counter()
    try:
        preamble = engine.run(sentence.preamble)
    except SolverStopped as err:
        preamble = f'(error "{err}")'
    if "(error" in preamble:  # a script the solver does not read: nothing is decided
        return [CheckResult(sentence.checks[0], "error", time.perf_counter() - start,
                            " ".join(preamble.split()))]
    for check, block in zip(sentence.checks, sentence.blocks, strict=True):
        start = time.perf_counter()
        try:
            answer, detail = _answer(engine.check(block))
            if answer == "unknown":
                detail = "the solver gave up: " + _reason(engine)
            elif answer in ("sat", "unsat") and answer != check.expected:
                detail = check.otherwise + _values(engine, check, answer)
        except SolverStopped as err:
            results.append(CheckResult(check, "unknown", time.perf_counter() - start,
                                       f"the solver was stopped: {err} (its own time limit "
                                       "did not stop it); later checks not run"))
            break
        results.append(CheckResult(check, answer, time.perf_counter() - start, detail))
        if answer in ("sat", "unsat") and answer != check.expected and check.refutes:
            break
    return results


def _reason(engine: Session) -> str:
    out = engine.run("(get-info :reason-unknown)")
    m = re.search(r":reason-unknown\s+\"?([^\")]*)", out)
    return m.group(1).strip() if m else "unknown"


def _values(engine: Session, check: Check, answer: str) -> str:
    if answer != "sat" or not check.show:
        return ""
    out = " ".join(engine.run(f"(get-value ({' '.join(check.show)}))").split())
    return f" (model: {out})" if out.startswith("((") else ""


def recheck(cert: Any, solver: str = "z3", *, time_limit: float = 60.0, radius: Any = None,
            existential: bool = False) -> Recheck:
    """Re-check ``cert``'s claim with an SMT solver (module docstring); ``time_limit`` is in
    seconds per check, ``radius`` and ``existential`` as in :func:`~.sentence.sentence_of`."""
    sentence = sentence_of(cert, radius, existential=existential)
    engine = Session(solver, time_limit)
    start = time.perf_counter()
    results = _run(engine, sentence)
    status, message = _verdict(sentence, results)
    return Recheck(sentence, solver, engine.version, tuple(results), status, message,
                   time.perf_counter() - start)


def _verdict(sentence: Sentence, results: list[CheckResult]) -> tuple[str, str]:
    for k, r in enumerate(results, start=1):
        if r.answer in ("sat", "unsat") and r.answer != r.check.expected and r.check.refutes:
            return REFUTED, f"check {k} ({r.check.name}) answered {r.answer}: {r.detail}"
    if len(results) == len(sentence.checks) and all(r.answer == r.check.expected
                                                    for r in results):
        return CONFIRMED, "every check answered as expected: the solver proves the claim"
    why = [f"check {k} ({r.check.name}) {r.answer}: {r.detail}"
           for k, r in enumerate(results, start=1) if r.answer != r.check.expected]
    return NO_VERDICT, "; ".join(why) + " (not a verdict either way)"
