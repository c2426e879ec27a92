"""Work a check starts before the claims run, computed in a forked child process (issue 30).

``check-paper`` runs its claims one after the other. Most of them work in this process; the
Table 1 runs work in a process pool, and the process that asked for them only waits. Started
in the background before the first claim, those runs overlap the other claims' work, so the
command uses the cores that the serial claims leave idle (on 2 cores: the Figure 1, 2 and 5
analogues in this process while the pool trains Table 1; docs/speed.md).

:class:`Background` forks the child at once, while this process runs no other thread (the
claims have not started), so the child inherits no lock held by a thread that does not exist
in it; its own pool forks from it in the same way as from this process. The result travels
back pickled through a pipe; an exception in the child is raised again, with its traceback, by
:meth:`Background.result`. Nothing is computed differently: the child runs the same function
on the same arguments as the claim would have, and its random streams are the seeded ones of
the function. Where ``fork`` is not available (Windows, or a start method other than fork),
:func:`available` is False and the work runs when a claim needs it, as before.
"""

from __future__ import annotations

import multiprocessing as mp
import traceback
from collections.abc import Callable
from typing import Any

from ..errors import ClaimCheckError

__all__ = ["Background", "available"]


def available() -> bool:
    """Whether background work can be forked here."""
    return "fork" in mp.get_all_start_methods()


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        out = ("ok", fn(*args))
    except BaseException as exc:  # handed to the parent, which raises it in the claim
        out = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    try:
        conn.send(out)
    finally:
        conn.close()


class Background:
    """``fn(*args)`` in a forked child process, started now; :meth:`result` waits for it."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        context = mp.get_context("fork")
        self._conn, child_end = context.Pipe(duplex=False)
        self._proc = context.Process(target=_child, args=(child_end, fn, args), daemon=False)
        self._proc.start()
        child_end.close()  # the child holds its end; EOF here means it ended without sending
        self._done = False
        self._value: Any = None

    def result(self) -> Any:
        """The value of ``fn(*args)``; raises :class:`ClaimCheckError` with the child's
        traceback if it raised, or if the child ended without an answer."""
        if not self._done:
            try:
                answer = self._conn.recv()
            except EOFError:
                answer = ("error", f"the background process ended with exit code "
                                   f"{self._proc.exitcode}", "")
            finally:
                self._conn.close()
                self._proc.join()
            self._done = True
            self._value = answer
        if self._value[0] == "ok":
            return self._value[1]
        raise ClaimCheckError(f"background work failed: {self._value[1]}\n{self._value[2]}")

    def stop(self) -> None:
        """Wait for the child and drop its answer (a claim that needed it did not ask): the
        child's own pool ends with it; waiting, not killing, leaves no orphaned worker."""
        if not self._done:
            try:
                self._conn.recv()
            except EOFError:
                pass
            self._conn.close()
            self._proc.join()
            self._done = True
            self._value = ("error", "stopped", "")
