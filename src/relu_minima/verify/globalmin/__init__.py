"""Exact global minima of one-hidden-layer ReLU regression (docs/global.md).

* :mod:`.search` ``global_minimum(D, hidden=m)``: every activation pattern, its exact
  sign-constrained least squares, the certificate; ``prove_bad``;
* :mod:`.line` one input (d = 1): the patterns are intervals of the sorted data;
* :mod:`.arrangement` d >= 2: the cells of the arrangement of the lifted data;
* :mod:`.sign_qp` exact sign-constrained least squares on a Gram matrix.
"""
