"""A second, independent checker: a certificate's claim as a sentence an SMT solver decides.

For ReLU networks the claim of a certificate is a sentence of real arithmetic with
if-then-else (ReLU is ``ite``), which z3 and cvc5 decide:

* "local minimum" with radius r: no theta' with |theta' - theta|_inf <= r (moving coordinates
  only) has L(theta') < L(theta), and L(theta) is the stated loss;
* "not a local minimum": the certificate's witness w lies within r, and every point of the
  segment from theta to w (theta excluded) has L < L(theta), so every neighbourhood of theta
  holds a lower point;
* "global minimum" (``global_minimum``, tiny problems): no theta' anywhere has L(theta') < L*.

The sentence is written from the certificate's ``params``, ``dataset``, ``loss``, verdict and
radius (and witness point) only, never from the rest of its evidence, so an "unsat" from a
solver is a proof that does not rest on this library's reasoning: what one trusts is the
solver and the short translator in :mod:`.network`, whose output is the ``.smt2`` text a
reader can inspect and run (``z3 FILE.smt2``, ``cvc5 FILE.smt2``). Kinds: "shallow-relu",
"deep-relu", "restricted-deep" and "global-minimum"; "smooth" (sigmoid/tanh: exp is
transcendental) is not supported, and an "undecided" certificate states nothing to check.
docs/certificates.md, "An independent check by an SMT solver".
"""

from .engines import SOLVERS
from .sentence import (
    DEFAULT_RADIUS,
    SUPPORTED_KINDS,
    Check,
    NothingToCheck,
    Sentence,
    UnsupportedCertificate,
    certified_radius,
    sentence_of,
)
from .solver import CheckResult, Recheck, recheck, run_script

__all__ = ["DEFAULT_RADIUS", "SOLVERS", "SUPPORTED_KINDS", "Check", "CheckResult",
           "NothingToCheck", "Recheck", "Sentence", "UnsupportedCertificate",
           "certified_radius", "recheck", "run_script", "sentence_of"]
