"""Global optima of the paper's regression examples (Section 3.1.3) and the gaps of named points.

The paper calls its points "better" or "local"; a certified local minimum is *bad* only once
something lower is known. :func:`global_optima` computes the exact global minimum L* of D1
(m = 1, 2), D2 (m = 1, 2) and D3 (m = 1..4) with :func:`relu_minima.verify.globalmin.search.
global_minimum`; :func:`named_point_gaps` puts each point the paper names (and the corrected
Proposition 2 points of docs/errata.md) beside L*: its loss, the gap L - L*, whether it is a
certified local minimum (:func:`relu_minima.verify.dispatch.verify_local_minimum`) and whether
it is thereby a proven bad local minimum (a local minimum with L > L*, decided by
:class:`relu_minima.verify.globalmin.search.GlobalComparison` from the two re-checked certificates).
Both are cached: the proofs, the check-paper check and the docs share one computation.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache

from ...exact.datasets import Dataset
from ...exact.shallow_relu import ShallowReLU
from ...verify.dispatch import verify_local_minimum
from ...verify.globalmin.search import GlobalComparison, GlobalMinimumCertificate, global_minimum
from . import examples as ex

__all__ = ["NAMED_POINTS", "NamedGap", "global_optima", "named_point_gaps"]

DATASETS: dict[str, Dataset] = {"D1": ex.D1, "D2": ex.D2, "D3": ex.D3}
WIDTHS: dict[str, tuple[int, ...]] = {"D1": (1, 2), "D2": (1, 2), "D3": (1, 2, 3, 4)}

PROP2_GLOBAL_CORRECTED = ex.PROP2_GLOBAL_CORRECTED
PROP2_LOCAL_CORRECTED = ex.PROP2_LOCAL_CORRECTED

NAMED_POINTS: tuple[tuple[str, str, ShallowReLU], ...] = (
    ("Proposition 1 point (w, b, v, c) = (1, -3, 1, 0)", "D1", ex.PROP1_POINT),
    ("Appendix B.4 comparison point (-7, -4, 1, 0)", "D1", ex.PROP1_COMPARISON),
    ("Proposition 2 'global' point, as printed", "D2", ex.PROP2_GLOBAL_PRINTED),
    ("Proposition 2 'local' point, as printed", "D2", ex.PROP2_LOCAL_PRINTED),
    ("Proposition 2 'global' point, w_2 = +1 (corrected)", "D2", PROP2_GLOBAL_CORRECTED),
    ("Proposition 2 'local' point, w_2 = +1 (corrected)", "D2", PROP2_LOCAL_CORRECTED),
    ("Proposition 3 'better' local minimum", "D3", ex.PROP3_BETTER),
    ("Proposition 3 'worse' local minimum", "D3", ex.PROP3_WORSE),
)


@dataclass(frozen=True)
class NamedGap:
    """One named point beside the global optimum of its dataset and width."""

    name: str
    dataset: str
    hidden: int
    loss: Fraction
    optimum: Fraction
    gap: Fraction
    local_minimum: bool  # certified by verify_local_minimum (exactly decided either way)
    proven_bad: bool  # a certified local minimum with loss > L*: a bad local minimum, proven
    comparison: GlobalComparison

    @property
    def verdict(self) -> str:
        if self.proven_bad:
            return f"bad local minimum, proven: global optimum L* = {self.optimum} < L"
        if self.local_minimum:
            return "global minimum, proven: L = L*"
        return "not a local minimum"


@cache
def global_optima() -> dict[tuple[str, int], GlobalMinimumCertificate]:
    """{(dataset name, m): certificate of the exact global minimum} for the paper's examples."""
    out = {(name, m): global_minimum(DATASETS[name], hidden=m)
           for name, widths in WIDTHS.items() for m in widths}
    for cert in out.values():
        cert.check()
    return out


@cache
def named_point_gaps() -> tuple[NamedGap, ...]:
    """For each named point: its loss, L*, the gap, and whether it is a proven bad minimum."""
    optima = global_optima()
    out = []
    for name, data, point in NAMED_POINTS:
        optimum = optima[data, point.m]
        local = verify_local_minimum(point, DATASETS[data])
        local.check()
        cmp = GlobalComparison(local, optimum)
        out.append(NamedGap(name, data, point.m, cmp.loss, cmp.value, cmp.gap,
                            local.is_local_minimum is True, cmp.proven_bad, cmp))
    return tuple(out)
