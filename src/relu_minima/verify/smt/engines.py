"""The solvers behind a re-check: z3 or cvc5 in a worker process that is stopped when a check
overruns its time limit.

Each solver gets the time limit as its own option (z3 ``:timeout``, cvc5 ``tlimit-per``) and
normally answers "unknown" in time. It does not always: cvc5 1.4 ran a global-minimum sentence
(D1, two hidden units) for about ten minutes, until stopped, with ``tlimit-per`` at 60 s, and
overran 30 s on Proposition 3's worse point. So the solver
runs in a child process (:mod:`.worker`, started once per solver and reused: starting one costs
about half a second), and a check without an answer ``time_limit`` plus a grace period after
it was sent stops that process; the check is reported as given up, the later ones as not run.
The child is a plain ``python worker.py`` (not multiprocessing), so a user's script is never
re-imported in it.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from ...errors import InvalidArgument, MissingDependency

__all__ = ["SOLVERS", "Session", "SolverStopped"]

SOLVERS = ("z3", "cvc5")
_INSTALL = {"z3": 'pip install "relu-minima[smt]" (or pip install z3-solver)',
            "cvc5": "pip install cvc5"}
_STARTUP_SECONDS = 120.0  # a fresh interpreter importing a solver, on a loaded machine
_WORKER = Path(__file__).with_name("worker.py")


class SolverStopped(Exception):
    """The solver did not answer in time and its worker process was stopped."""


class _Worker:
    def __init__(self, solver: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(_WORKER), solver], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1)
        self.replies: queue.Queue[str | None] = queue.Queue()
        # a reader thread, so that waiting for a reply can time out on every platform
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        reply = self.request(None, _STARTUP_SECONDS)
        if "missing" in reply:
            self.stop()
            raise MissingDependency(f"solver={solver!r} is not installed ({reply['missing']}): "
                                    f"{_INSTALL[solver]}.")

    def _read(self) -> None:
        try:
            for line in self.proc.stdout or ():
                self.replies.put(line)
        except (OSError, ValueError):  # the pipe was closed by stop()
            pass
        self.replies.put(None)  # end of output: the process ended

    def request(self, message: dict[str, Any] | None, timeout: float) -> dict[str, Any]:
        """Send ``message`` (None: only wait) and wait at most ``timeout`` seconds for the reply;
        raise :class:`SolverStopped` (after stopping the worker) when none comes."""
        why = f"no answer within {timeout:.1f} s"
        try:
            if message is not None and self.proc.stdin is not None:
                self.proc.stdin.write(json.dumps(message) + "\n")
                self.proc.stdin.flush()
            line = self.replies.get(timeout=timeout)
        except (OSError, queue.Empty):
            line = None
        if line is None:
            if self.proc.poll() is not None:
                why = f"the solver process ended (exit status {self.proc.returncode})"
            self.stop()
            raise SolverStopped(why)
        return json.loads(line)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        # close both pipes (else each is an unclosed file at exit): stdout once the reader has
        # seen the end of the dead process's output
        self.reader.join(timeout=5.0)
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:  # a broken pipe to a killed process: nothing left to flush
                pass

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None


_WORKERS: dict[str, _Worker] = {}


@atexit.register
def _stop_workers() -> None:
    for worker in _WORKERS.values():
        worker.stop()


class Session:
    """A fresh solver of kind ``solver`` ("z3" or "cvc5") with ``time_limit`` seconds per
    check; ``run(text)`` returns the solver's output for ``text`` or raises
    :class:`SolverStopped`."""

    def __init__(self, solver: str, time_limit: float) -> None:
        if solver not in SOLVERS:
            raise InvalidArgument(f"solver={solver!r} is not one of {', '.join(SOLVERS)}.")
        if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) \
                or not time_limit > 0:
            raise InvalidArgument(f"time_limit={time_limit!r} must be a positive number of "
                                  "seconds per check, e.g. time_limit=60.")
        if importlib.util.find_spec(solver) is None:
            raise MissingDependency(f"solver={solver!r} is not installed: {_INSTALL[solver]}.")
        worker = _WORKERS.get(solver)
        if worker is None or not worker.alive:
            worker = _WORKERS[solver] = _Worker(solver)
        self.worker = worker
        self.time_limit = float(time_limit)
        self.version = str(worker.request({"op": "open", "limit": self.time_limit},
                                          _STARTUP_SECONDS)["ok"])

    def run(self, text: str) -> str:
        """Run SMT-LIB text (definitions, a query after a check) on the session's solver."""
        return self._send("run", text)

    def check(self, text: str) -> str:
        """Run a block ending in ``(check-sat)`` (it may be tried with several settings)."""
        return self._send("check", text)

    def _send(self, op: str, text: str) -> str:
        grace = max(2.0, self.time_limit / 4)  # the solver's own limit should answer first
        return str(self.worker.request({"op": op, "text": text},
                                       self.time_limit + grace)["ok"])
