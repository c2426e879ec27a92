"""Sigmoid and tanh networks: rigorous certificates by ball arithmetic (docs/smooth.md).

* :mod:`.certify` the decision: exact refusals, then the Krawczyk test (one critical point in a
  box) and a positive definite Hessian over the box;
* :mod:`.newton` the search half (evidence only): Newton's method, diagnoses;
* :mod:`.flatness` exact flat directions of the data (a proof, re-derived by ``check()``);
* :mod:`.derivatives` loss, gradient and Hessian written out by hand, twice;
* :mod:`.intervals` arb ball arithmetic (python-flint), enclosures and Krawczyk;
* :mod:`.box_certificate` the certificate (kind "smooth") and its re-verification;
  :mod:`.proof_text` its proof, derived from the evidence, bounds rounded outward.

Nothing here is imported by ``import relu_minima``: python-flint is optional.
"""
