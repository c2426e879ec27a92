"""Check of Section 3.1's title claim, "Examples of bad local minima": every local minimum that
Propositions 1-3 name is bad, i.e. certified a local minimum with loss above the global minimum
of its problem.

The global minima come from :func:`relu_minima.paper.regression.global_optima.global_optima`
(the exact search of docs/global.md, cached: computed once per process and shared with the
proofs), and every named point is put beside them by
:func:`~relu_minima.paper.regression.global_optima.named_point_gaps`. The check re-derives every
fact it reports from the two certificates (the global one re-checked, the local one from
``verify_local_minimum``), so a wrong table cannot pass; the status comes from :func:`judge`.
"""

from __future__ import annotations

from ...verify.globalmin.search import GlobalMinimumCertificate
from ..registry import ClaimResult, Context, implements, judge, require_fact
from .global_optima import DATASETS, NamedGap, global_optima, named_point_gaps

__all__ = ["check_bad_minima"]

# The points the paper calls local minima (Propositions 1-3), and the same list with the
# Proposition 2 erratum applied (w_2 = +1, docs/errata.md).
PRINTED_LOCAL = ("Proposition 1 point (w, b, v, c) = (1, -3, 1, 0)",
                 "Proposition 2 'local' point, as printed",
                 "Proposition 3 'better' local minimum", "Proposition 3 'worse' local minimum")
CORRECTED_LOCAL = ("Proposition 1 point (w, b, v, c) = (1, -3, 1, 0)",
                   "Proposition 2 'local' point, w_2 = +1 (corrected)",
                   "Proposition 3 'better' local minimum", "Proposition 3 'worse' local minimum")
_SHORT = dict(zip(PRINTED_LOCAL, ("Proposition 1", "Proposition 2 'local'",
                                   "Proposition 3 'better'", "Proposition 3 'worse'"),
                  strict=True))
_SHORT[CORRECTED_LOCAL[1]] = "Proposition 2 'local' (corrected)"


def _checked(optima: dict[tuple[str, int], GlobalMinimumCertificate],
             gaps: tuple[NamedGap, ...]) -> dict[str, NamedGap]:
    """Every reported fact re-derived from the certificates (ClaimCheckError otherwise)."""
    for (name, m), cert in optima.items():
        require_fact(cert.check() and cert.hidden == m and cert.dataset == DATASETS[name],
                     f"the global-minimum certificate of {name}, m = {m} does not check")
        require_fact(cert.point.loss(DATASETS[name]) == cert.value,
                     f"the point of {name}, m = {m} does not attain L* = {cert.value}")
    out = {}
    for g in gaps:
        cmp = g.comparison
        cert = optima[g.dataset, g.hidden]
        local = cmp.local
        require_fact(cmp.optimum is cert and g.optimum == cert.value,
                     f"{g.name}: L* = {g.optimum} is not the certified {cert.value}")
        require_fact(local.dataset == DATASETS[g.dataset] and local.loss == g.loss
                     == local.params.loss(DATASETS[g.dataset]),
                     f"{g.name}: L = {g.loss} is not the point's loss")
        require_fact(g.gap == g.loss - g.optimum >= 0,
                     f"{g.name}: gap {g.gap} is not L - L* >= 0 (a point below L*)")
        require_fact(g.local_minimum == (local.is_local_minimum is True) and local.check(),
                     f"{g.name}: the local verdict is not the certified one")
        require_fact(g.proven_bad == (g.local_minimum and g.loss > g.optimum),
                     f"{g.name}: 'proven bad' is not (certified minimum and L > L*)")
        out[g.name] = g
    return out


@implements("bad-minima")
def check_bad_minima(ctx: Context) -> ClaimResult:
    optima = global_optima()
    gaps = _checked(optima, named_point_gaps())
    require_fact(set(PRINTED_LOCAL) | set(CORRECTED_LOCAL) <= set(gaps),
                 "a named local minimum is missing from the table")
    printed_bad = all(gaps[n].proven_bad for n in PRINTED_LOCAL)
    not_minima = [n for n in PRINTED_LOCAL if not gaps[n].local_minimum]
    corrected = all(gaps[n].proven_bad for n in CORRECTED_LOCAL)
    status = judge(proved=printed_bad, counterexample=bool(not_minima), corrected=corrected,
                   claim="bad-minima")

    rows = ["| data | m | L* (global minimum) | attained at (w, b, v, c) | activation patterns "
            "(solved / pruned) |", "| --- | --- | --- | --- | --- |"]
    for (name, m), cert in optima.items():
        p = cert.point
        point = (f"w = {_nums(w[0] for w in p.W)}, b = {_nums(p.b)}, v = {_nums(p.v)}, "
                 f"c = {p.c}")
        rows.append(f"| {name} | {m} | {cert.value} | {point} | {cert.patterns_total} "
                    f"({cert.patterns_examined} / {cert.patterns_pruned}) |")
    rows += ["", "| named point | data | m | L | L* | gap L - L* | verdict |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for g in gaps.values():
        rows.append(f"| {g.name} | {g.dataset} | {g.hidden} | {g.loss} | {g.optimum} | "
                    f"{g.gap} | {g.comparison.line if g.local_minimum else g.verdict} |")
    bad = [n for n in gaps if gaps[n].proven_bad]
    global_named = [n for n in gaps if gaps[n].local_minimum and gaps[n].gap == 0]
    d3 = {m: optima["D3", m].value for m in (2, 3)}
    better = gaps["Proposition 3 'better' local minimum"]
    rows += ["", f"Proven bad local minima: {'; '.join(bad)}.",
             f"Global minima among the named points: {'; '.join(global_named) or 'none'}.",
             f"Proposition 3's 'better' minimum (m = 3, L = {better.loss}) does no better than "
             f"the global minimum with m = 2 units (L* = {d3[2]}); with m = 3, L* = {d3[3]}."]
    def said(names) -> str:
        return ", ".join(f"{_SHORT[n]} (L = {gaps[n].loss} > L* = {gaps[n].optimum})"
                         for n in names)

    if printed_bad:
        summary = f"Every named local minimum is bad, proven: {said(PRINTED_LOCAL)}."
    else:
        kept = [n for n in PRINTED_LOCAL if n not in not_minima]
        fixed = [n for n in CORRECTED_LOCAL if n not in PRINTED_LOCAL]
        summary = (f"As printed, {', '.join(_SHORT[n] for n in not_minima)} is not a local "
                   f"minimum; bad local minima, proven: {said(kept)}; with w_2 = +1 "
                   f"(docs/errata.md) also {said(fixed)}.")
    data = {"optima": {f"{n} m={m}": str(c.value) for (n, m), c in optima.items()},
            "named": {g.name: {"loss": str(g.loss), "optimum": str(g.optimum),
                               "gap": str(g.gap), "local_minimum": g.local_minimum,
                               "proven_bad": g.proven_bad} for g in gaps.values()}}
    return ClaimResult(status, summary, "\n".join(rows), data=data)


def _nums(values) -> str:
    return "(" + ", ".join(str(t) for t in values) + ")"
