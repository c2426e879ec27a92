"""The solver process of a re-check: ``python worker.py z3`` (or ``cvc5``), run by
:mod:`.engines`.

It imports only the standard library and the solver (not relu_minima: a user's script is never
re-imported, and nothing of this library runs beside the solver). It reads one JSON request
per line on stdin and writes one JSON reply per line on the stdout it started with (the
solver's own prints, if any, go to stderr):

* ``{"op": "open", "limit": seconds}`` starts a fresh solver context with that time limit per
  check (z3 ``:timeout``, cvc5 ``tlimit-per``); reply ``{"ok": version}``;
* ``{"op": "run", "text": ...}`` feeds SMT-LIB text to it through the solver's own parser;
  reply ``{"ok": output}`` (the solver's answers, errors included, as it prints them);
* ``{"op": "check", "text": ...}`` the same for a block that ends in ``(check-sat)`` and may
  be run again: z3 tries it with several search settings within the time limit.

At start it replies ``{"ok": "ready"}``, or ``{"missing": message}`` when the solver is not
installed.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

# z3's nonlinear search (nlsat) is randomised and its running time heavy-tailed: a check that
# one seed needs minutes for, another settles in milliseconds. z3's own QF_NRA strategy tries
# nlsat for 5 s, then other settings; on the sentences here that first try often fails and a
# later one succeeds within a second (measured on random tiny shallow points: 9 of 100 gave up
# at 5 s, and settled in 0.1-1.2 s with seed 11 or z3's SMT core). So a check first gets short
# tries with other settings, then the default strategy with the rest of its time. The settings
# change how z3 searches, never what is asserted. (The default strategy comes first too: most
# checks take it milliseconds.)
_Z3_TRIES = ((0, "check-sat"), (11, "check-sat"), (0, "check-sat-using smt"), (0, "check-sat"))


class _Z3:
    def __init__(self, time_limit: float) -> None:
        import z3

        self.z3 = z3
        self.version = z3.get_version_string()
        self.ctx = z3.Context()
        self.limit = time_limit

    def run(self, text: str) -> str:
        # z3's API context keeps declarations global already and refuses to be told so
        text = text.replace("(set-option :global-declarations true)", "")
        try:
            return self.z3.Z3_eval_smtlib2_string(self.ctx.ref(), text)
        except self.z3.Z3Exception as err:  # the output so far, with the error, is the answer
            return str(err.value.decode() if isinstance(err.value, bytes) else err.value)

    def check(self, text: str) -> str:
        """Run a block ending in ``(check-sat)``: short tries, then the rest of the time limit
        with z3's default strategy (the comment above :data:`_Z3_TRIES`)."""
        short = min(1.0, self.limit / 4)
        out = ""
        for k, (seed, command) in enumerate(_Z3_TRIES):
            seconds = short if k < len(_Z3_TRIES) - 1 else self.limit - short * k
            out = self.run(f"(set-option :timeout {max(1, int(seconds * 1000))})"
                           f"(set-option :nlsat.seed {seed})"
                           + text.replace("(check-sat)", f"({command})"))
            if "unknown" not in out.split():
                return out
        return out


class _Cvc5:
    def __init__(self, time_limit: float) -> None:
        import cvc5

        self.cvc5 = cvc5
        tm = cvc5.TermManager()
        self.solver = cvc5.Solver(tm)
        self.solver.setOption("tlimit-per", str(max(1, int(time_limit * 1000))))
        self.symbols = cvc5.SymbolManager(tm)  # the declarations, shared by every chunk
        version = self.solver.getVersion()
        self.version = version.decode() if isinstance(version, bytes) else str(version)

    def run(self, text: str) -> str:
        # a parser per chunk (cvc5 1.4's incremental string input stops after two appends)
        parser = self.cvc5.InputParser(self.solver, self.symbols)
        parser.setStringInput(self.cvc5.InputLanguage.SMT_LIB_2_6, text, "certificate")
        out = []
        try:
            while True:
                cmd = parser.nextCommand()
                if cmd.isNull():
                    return "".join(out)
                out.append(cmd.invoke(self.solver, self.symbols))
        except RuntimeError as err:  # cvc5 reports parse and solver errors this way
            return "".join(out) + f'(error "{err}")'

    check = run  # cvc5 honours its time limit per check (mostly: engines.py stops it if not)


ENGINES = {"z3": _Z3, "cvc5": _Cvc5}


def serve(solver: str) -> None:
    """The request loop (module docstring); returns at end of input."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not break replies

    def reply(**message: Any) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    if solver not in ENGINES:
        reply(missing=f"unknown solver {solver!r}")
        return
    try:
        __import__(solver)
    except ImportError as err:
        reply(missing=str(err))
        return
    reply(ok="ready")
    engine: Any = None
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "open":
            engine = ENGINES[solver](float(request["limit"]))
            reply(ok=engine.version)
        elif request["op"] in ("run", "check"):
            reply(ok=getattr(engine, request["op"])(request["text"]))


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else "")
