"""Check of reference 001's report of an earlier version's conjecture (issue 29, claim
``ref001-deadlock``).

Reference 001 (a reading-group summary) says the paper's earlier version constructs "what they
conjecture to be the smallest dataset (10 points) such that a 2-2-1 fully connected NN with
sigmoid activations is 'deadlocked' into a local minimum with an accuracy significantly below
the optimum (50% that of another point they explictly show)". The data are not given.

Setting (declared in :mod:`.deadlock`): labels in {0, 1}, sigmoid hidden units, a linear output,
squared loss (predict 1 iff f > 1/2) or log loss on the output as logit (predict 1 iff f > 0).
A dataset *deadlocks* the network when a certified local minimum's accuracy is at most half that
of an explicit point, both proven by ball arithmetic.

What the check does on every run (fixed data, no search; about a second):

1. re-certifies every stored case (:data:`.deadlock.FOUND` and :data:`.deadlock.NEAREST`):
   ``certify_smooth_minimum`` from the stored start, the accuracy over the certified box and at
   the explicit point, and the certificate's round trip through JSON;
2. Yun, Sra and Jadbabaie's 3-point set (reference 003): its local minimum outputs 1/3 at all
   three points (exact, sympy), so it predicts 0 everywhere and is right on 2 of 3 points; the
   zero-loss point is right on all 3 (balls at its 30-digit neighbour). 2/3 > 1/2 x 3/3: it
   does not meet the accuracy condition (and it is collinear, so no strict certificate exists);
3. the status: *erratum* if a stored case with fewer than 10 points is certified deadlocked
   (the nearest true statement is "a dataset of n points deadlocks it", n the smallest found);
   otherwise *undecided*, with what was searched (``benchmarks/search_ref001_deadlock.py``, the
   record :data:`.deadlock.SEARCH_RECORD`) and the nearest certified cases. Never *verified*:
   not finding a smaller dataset proves nothing about the smallest one.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy

from ..registry import ClaimResult, Context, Status, implements, judge, require_fact
from .check_yun import YUN_DATA, yun_points
from .deadlock import (
    FOUND,
    NEAREST,
    SEARCH_RECORD,
    DeadlockEvidence,
    recertify,
    rigorous_accuracy,
)

__all__ = ["check_ref001_deadlock", "yun_accuracy"]

KEY = "ref001-deadlock"
CONJECTURED_SMALLEST = 10


def yun_accuracy() -> dict[str, Any]:
    """Accuracies on Yun, Sra and Jadbabaie's data (labels 0, 0, 1; squared loss, threshold
    1/2): exact at their local minimum theta* (outputs 1/3), balls at the zero-loss point's
    rational neighbour."""
    labels = [int(t) for t in YUN_DATA.y]
    pts = yun_points("sigmoid")
    outputs_third = all(sympy.simplify(f - sympy.Rational(1, 3)) == 0
                        for f in pts["min_outputs"])
    # f = 1/3 < 1/2 predicts 0: right exactly on the points labelled 0
    at_min = Fraction(sum(1 for t in labels if t == 0), len(labels)) if outputs_third else None
    neighbour = rigorous_accuracy(pts["min_net"], YUN_DATA.X, labels, "squared")
    better = rigorous_accuracy(pts["low_net"], YUN_DATA.X, labels, "squared")
    ratio = None if at_min is None or not better.exact else at_min / better.exact
    return {"outputs_third": outputs_third, "at_minimum": at_min,
            "at_minimum_neighbour": neighbour, "at_better": better, "ratio": ratio,
            "meets": ratio is not None and ratio <= Fraction(1, 2)}


def _case_line(ev: DeadlockEvidence, role: str) -> str:
    c, cert = ev.case, ev.certificate
    inputs = ", ".join(f"({', '.join(str(t) for t in x)})" for x in c.X)
    return (f"* {c.name} ({role}): n = {c.n}, {c.loss} loss, inputs {inputs}, labels "
            f"{list(c.labels)}. Certificate: {cert.verdict.value} (the box of radius "
            f"{cert.radius} around its exact centre, in the data; L(theta*) in {cert.loss}); "
            "accuracy at "
            f"theta* (every point of the box): {ev.at_minimum}. Explicit point "
            f"{c.better}: accuracy {ev.at_better}, loss in {ev.better_loss} "
            f"({'below' if ev.lower_loss else 'not proven below'} L(theta*)). Deadlocked: "
            f"{ev.deadlocked}.")


@implements(KEY)
def check_ref001_deadlock(ctx: Context) -> ClaimResult:
    evidence = []
    for case in (*FOUND, *NEAREST):
        ctx.progress(f"{KEY}: {case.name}")
        ev = recertify(case)
        require_fact(ev.check(), f"{case.name}: the evidence does not re-check")
        evidence.append(ev)
    for ev in evidence[:len(FOUND)]:  # the stored finds must still be what they were stored as
        require_fact(ev.deadlocked and ev.case.n < CONJECTURED_SMALLEST,
                     f"{ev.case.name}: stored as deadlocked with n < 10, but {ev.summary()}")
    yun = yun_accuracy()
    require_fact(yun["outputs_third"], "Yun's local minimum does not output 1/3 everywhere")
    require_fact(yun["at_better"].exact == 1, f"Yun's zero-loss point: {yun['at_better']}")
    smaller = [ev for ev in evidence if ev.deadlocked and ev.case.n < CONJECTURED_SMALLEST]
    refuted = bool(smaller)
    if refuted:
        best = min(smaller, key=lambda ev: ev.case.n)
        status = judge(counterexample=True, corrected=True, claim=KEY)
        losses = sorted({ev.case.loss for ev in smaller if ev.case.n == best.case.n})
        established = (f"10 points is not the smallest: a certified {best.case.n}-point "
                       f"dataset deadlocks a 2-2-1 sigmoid network ({', '.join(losses)} "
                       f"loss): a strict local minimum with accuracy {best.at_minimum} against "
                       f"{best.at_better} at an explicit point"
                       + (" of lower loss" if best.lower_loss else "")
                       + f". The smallest n found is {best.case.n}.")
    else:
        status = Status.UNDECIDED  # nothing smaller was found: that decides nothing
        established = ("Undecided: no dataset with fewer than 10 points was found that "
                       "deadlocks a 2-2-1 sigmoid network (search recorded in the details)"
                       + ("; the nearest certified cases miss the accuracy condition."
                          if evidence else "."))
    details = "\n".join([
        "* Setting (declared; reference 001 gives no data): labels in {0, 1}; f = c + v_1 "
        "s(w_1 . x + b_1) + v_2 s(w_2 . x + b_2), s the sigmoid, linear output; squared loss "
        "(predict 1 iff f > 1/2) or log loss with f as logit (predict 1 iff f > 0); "
        "deadlocked: a certified local minimum (the certificate's box) whose accuracy is at "
        "most half that of an explicit rational point, both counted by ball arithmetic.",
        *(_case_line(ev, "FOUND" if k < len(FOUND) else "NEAREST")
          for k, ev in enumerate(evidence)),
        f"* Yun, Sra and Jadbabaie's data {YUN_DATA.to_json()} (labels 0, 0, 1): their local "
        f"minimum outputs 1/3 at every point (exact), so it predicts 0 everywhere: accuracy "
        f"{yun['at_minimum']} (its 30-digit neighbour: {yun['at_minimum_neighbour']}); the "
        f"zero-loss point: {yun['at_better']}. Ratio {yun['ratio']}: meets the accuracy "
        f"condition (ratio <= 1/2): {yun['meets']}. A bad local minimum (in loss) on 3 "
        "collinear points, non-strict, and not a deadlock in the accuracy sense.",
        f"* Search (benchmarks/search_ref001_deadlock.py; recorded, not re-run): "
        f"{SEARCH_RECORD['summary']}",
    ])
    data = {
        "setting": {"labels": "0/1", "output": "linear", "losses": ["squared", "logistic"],
                    "thresholds": {"squared": "1/2", "logistic": "0"}},
        "cases": [{"case": ev.case.to_json(), "certificate": ev.certificate.to_dict(),
                   "accuracy_at_minimum": str(ev.at_minimum), "accuracy_at_better":
                   str(ev.at_better), "deadlocked": ev.deadlocked} for ev in evidence],
        "smallest_deadlocked_n": min((ev.case.n for ev in smaller), default=None),
        "yun": {"accuracy_at_minimum": str(yun["at_minimum"]),
                "accuracy_at_better": str(yun["at_better"]), "ratio": str(yun["ratio"]),
                "meets": yun["meets"]},
        "search": SEARCH_RECORD,
    }
    return ClaimResult(status, established, details, data=data)
