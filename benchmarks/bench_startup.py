"""Benchmark: start-up cost of ``import relu_minima`` and of the pytest plugin (issue 11).

Both are measured beside a baseline in the same run, alternating the two so that a busy
machine slows both alike. Each figure is a median of the CPU time (user + system) of the
child process, which a shared machine disturbs less than wall time (printed too):

- ``import relu_minima`` in a fresh interpreter vs a bare ``python -c pass``
  (target: under 0.2 s more);
- a one-test pytest run with the plugin (loaded through the ``pytest11`` entry point, as in
  every pytest run of an environment where the package is installed) vs the same run with
  ``-p no:relu_minima`` (target: under 0.1 s more). hypothesis's own plugin, which takes
  seconds to import, is disabled in both runs (``-p no:hypothesispytest``) so that its noise
  does not hide ours; a second pair of runs keeps it, as a user's environment would.

Run:  python benchmarks/bench_startup.py [repeats]
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(cmd: list[str], cwd: str | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def paired(a: list[str], b: list[str], repeats: int, cwd: str | None = None
           ) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (CPU, wall) of a and of b, run alternately ``repeats`` times after a warm-up."""
    run(a, cwd)
    run(b, cwd)
    ra, rb = [], []
    for _ in range(repeats):
        ra.append(run(a, cwd))
        rb.append(run(b, cwd))

    def med(rs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs)

    return med(ra), med(rb)


def report(label: str, base_label: str, t: tuple[float, float], base: tuple[float, float],
           target: float | None) -> None:
    extra = t[0] - base[0]
    verdict = "" if target is None else (
        f"; target < {target * 1000:.0f} ms: {'OK' if extra < target else 'OVER TARGET'}")
    print(f"{label}: {t[0]:.3f} s CPU ({t[1]:.3f} s wall); {base_label}: {base[0]:.3f} s CPU "
          f"({base[1]:.3f} s wall); difference {extra * 1000:.0f} ms CPU "
          f"({(t[1] - base[1]) * 1000:.0f} ms wall), ratio {t[0] / base[0]:.2f}{verdict}")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    py = sys.executable
    t, base = paired([py, "-c", "import relu_minima"], [py, "-c", "pass"], repeats)
    report("import relu_minima", "python -c pass", t, base, 0.2)

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "test_one.py").write_text("def test_one():\n    assert True\n")
        Path(tmp, "pytest.ini").write_text("[pytest]\n")  # no project config is picked up
        common = [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_one.py"]
        lean = [*common, "-p", "no:hypothesispytest"]
        t, base = paired(lean, [*lean, "-p", "no:relu_minima"], repeats, cwd=tmp)
        report("one-test pytest run with the plugin", "with -p no:relu_minima", t, base, 0.1)
        t, base = paired(common, [*common, "-p", "no:relu_minima"], max(3, repeats // 2),
                         cwd=tmp)
        report("  the same with hypothesis's plugin loaded too", "with -p no:relu_minima",
               t, base, None)
    print(f"(median of {repeats} alternating runs each, after one warm-up; {py})")


if __name__ == "__main__":
    main()
