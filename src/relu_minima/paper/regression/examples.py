"""The paper's regression examples (Section 3.1.3, Figure 4), exactly as printed.

Datasets D1, D2, D3 and the parameter points of Propositions 1-3. The points are printed as
(w, b, v, c); "4 + 1/3" is 13/3, "3 + 2/3" is 11/3 and "-13 - 1/6" is -79/6.
"""

from __future__ import annotations

from ...exact.datasets import Dataset
from ...exact.shallow_relu import ShallowReLU

__all__ = [
    "D1", "D2", "D3",
    "PROP1_COMPARISON", "PROP1_POINT",
    "PROP2_GLOBAL_CORRECTED", "PROP2_GLOBAL_PRINTED", "PROP2_LOCAL_CORRECTED",
    "PROP2_LOCAL_PRINTED",
    "PROP3_BETTER", "PROP3_WORSE",
]

D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
D2 = Dataset([-1, 0, 1, 10, 11, 12], [5, 0, -1, -3, -4, -5])
D3 = Dataset([-1, 0, 1, 10, 11, 12], [3, 0, -1, -3, -4, -6])

# Proposition 1: "v = 1, b = -3, w = 1, c = 0"; Appendix B.4 compares with (w,b,v,c) = (-7,-4,1,0).
PROP1_POINT = ShallowReLU(W=[1], b=[-3], v=[1], c=0)
PROP1_COMPARISON = ShallowReLU(W=[-7], b=[-4], v=[1], c=0)

# Proposition 2, as printed.
PROP2_GLOBAL_PRINTED = ShallowReLU(W=[-5, -1], b=[1, -8], v=[1, -1], c=-1)
PROP2_LOCAL_PRINTED = ShallowReLU(W=[-3, -1], b=["13/3", -10], v=[1, -1], c=-3)

# Proposition 3, as printed.
PROP3_BETTER = ShallowReLU(W=["-3/2", "-3/2", "3/2"], b=[1, 0, "-79/6"], v=[1, 1, -1], c=-1)
PROP3_WORSE = ShallowReLU(W=[-2, 1, 1], b=["11/3", -10, -11], v=[1, -1, -1], c=-3)

# Proposition 2 with the sign of w_2 corrected (docs/errata.md, proofs/test_proposition2.py).
PROP2_GLOBAL_CORRECTED = ShallowReLU(W=[-5, 1], b=[1, -8], v=[1, -1], c=-1)
PROP2_LOCAL_CORRECTED = ShallowReLU(W=[-3, 1], b=["13/3", -10], v=[1, -1], c=-3)
