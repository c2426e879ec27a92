"""One BLAS/OpenMP thread for small-matrix numpy work: the library's one place for it.

The networks trained here are small (at most a few hundred units, a few thousand points), so
a product is microseconds of work; a multi-threaded BLAS only adds synchronisation, and on a
shared machine its threads wait for cores that other processes hold. Measured on a loaded
2-core machine: the Figure 1 analogue took 398 s with the default threads against 31 s with
one, and process-pool workers each running a two-thread BLAS made 2-D products 30-1000x
slower (docs/experiments.md, "Threads").

- :func:`one_thread` is a context manager (and a decorator): inside it, every BLAS and OpenMP
  pool the process has loaded (numpy's and scipy's OpenBLAS, MKL, libgomp) runs one thread; on
  exit the previous limits come back. Every numpy training loop of the library runs inside it:
  the trainer (``train``, ``train_padded``), the Proposition 4 training, the dead-layer
  simulations and the neighbourhood search's projected descents (numeric/fuzz.py);
  tests/test_threads.py fails if one of them runs with more.
- :func:`limit_process` does the same for good: the initializer of process-pool workers.

Both use threadpoolctl (a dependency); without it they fall back to OpenBLAS's own setter
(found in /proc/self/maps), and do nothing elsewhere. threadpoolctl finds the libraries by
walking every shared object of the process (about 4 ms on a loaded machine, against 0.3 ms to
set and restore the limits), so the controller is kept and found again only when a module was
imported since: a new BLAS arrives only with a new extension module.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["limit_process", "one_thread"]

_CONTROLLER: list[Any] = [None, -1]  # [threadpoolctl.ThreadpoolController, len(sys.modules)]


def _controller() -> Any:
    """threadpoolctl's view of the loaded libraries, found again after new imports."""
    from threadpoolctl import ThreadpoolController

    if _CONTROLLER[0] is None or _CONTROLLER[1] != len(sys.modules):
        _CONTROLLER[0] = ThreadpoolController()
        _CONTROLLER[1] = len(sys.modules)
    return _CONTROLLER[0]

_BLAS_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                 "openblas_set_num_threads64_", "openblas_set_num_threads")


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one BLAS/OpenMP thread (restored afterwards)."""
    try:
        controller = _controller()
    except ImportError:  # pragma: no cover - a dependency; keep working without it
        yield
        return
    with controller.limit(limits=1):
        yield


def limit_process() -> bool:
    """Limit this process's BLAS/OpenMP to one thread for good (True if it could)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return _openblas_setter()
    threadpool_limits(limits=1)
    return True


def _openblas_setter() -> bool:
    """Without threadpoolctl: the OpenBLAS that numpy loaded, through its own setter."""
    import ctypes

    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            libs = {line.split()[-1] for line in maps if "openblas" in line.lower()
                    and ".so" in line}
    except OSError:
        return False
    for path in sorted(libs):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _BLAS_SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter(1)
                return True
    return False
