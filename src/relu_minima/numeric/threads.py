"""One BLAS/OpenMP thread for small-matrix numpy work: the library's one place for it.

The networks trained here are small (at most a few hundred units, a few thousand points), so
a product is microseconds of work; a multi-threaded BLAS only adds synchronisation, and on a
shared machine its threads wait for cores that other processes hold. Measured on a loaded
2-core machine: the Figure 1 analogue took 398 s with the default threads against 31 s with
one, and process-pool workers each running a two-thread BLAS made 2-D products 30-1000x
slower (docs/experiments.md, "Threads").

- :func:`one_thread` is a context manager: inside it, every BLAS and OpenMP pool the process
  has loaded (numpy's and scipy's OpenBLAS, MKL, libgomp) runs one thread; on exit the previous
  limits come back. The trainer, the Proposition 4 training and the dead-layer simulations
  run inside it.
- :func:`limit_process` does the same for good: the initializer of process-pool workers.

Both use threadpoolctl (a dependency); without it they fall back to OpenBLAS's own setter
(found in /proc/self/maps), and do nothing elsewhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["limit_process", "one_thread"]

_BLAS_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                 "openblas_set_num_threads64_", "openblas_set_num_threads")


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one BLAS/OpenMP thread (restored afterwards)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; keep working without it
        yield
        return
    with threadpool_limits(limits=1):
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
