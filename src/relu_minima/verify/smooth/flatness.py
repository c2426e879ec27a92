"""Exact flat directions of a sigmoid/tanh loss (step 0 of the smooth decision).

Data on an affine hyperplane a . x = beta give every unit the symmetry
(w_j, b_j) -> (w_j + t a, b_j - t beta); fewer distinct inputs than m + 1 give the output layer
(v, c) a kernel. Either way no critical point is a strict minimum: the decision says
"undecided" with this reason, and ``SmoothCertificate.check()`` recomputes it (exact
arithmetic, no search).
"""

from __future__ import annotations

from fractions import Fraction

from ...exact import linalg
from ...exact.datasets import Dataset
from ...exact.smooth_net import SmoothNet

__all__ = ["structural_flatness"]


def structural_flatness(params: SmoothNet, dataset: Dataset
                         ) -> tuple[str, tuple[Fraction, ...], str] | None:
    rows = [[*x, Fraction(1)] for x in dataset.X]
    kernel = linalg.nullspace(rows, dataset.d + 1)
    if kernel:
        vec = linalg.primitive(kernel[0])
        if next(t for t in vec[:-1] if t != 0) < 0:  # the sign with a's first entry positive
            vec = [-t for t in vec]
        a, beta = vec[:-1], -vec[-1]
        return ("affine-data", (*a, beta),
                f"no strict local minimum exists for these data: every input satisfies "
                f"a . x = {beta} with a = ({', '.join(str(t) for t in a)}), so moving any unit "
                f"by (w_j, b_j) -> (w_j + t a, b_j - {beta} t) leaves every output, hence the "
                "loss, unchanged: an exact flat direction at every point (certify on a reduced "
                "parametrisation, or add data off the hyperplane)")
    distinct = len(dataset.groups())
    if distinct < params.m + 1:
        return ("output-layer", (), f"no strict local minimum exists: the data have {distinct} "
                f"distinct inputs but the output layer has m + 1 = {params.m + 1} parameters "
                "(v, c); the outputs depend on them only through the N x (m + 1) matrix "
                "[s(w_j . x_i + b_j), 1], which has a nonzero kernel: an exact flat direction at "
                "every point (use fewer units or more data)")
    return None
