"""Checks of Proposition 4, the Figure 6 sentence, Figure 6 and Proposition 5 (Section 3.2,
Appendix B.1, B.2). Exact bounds from :mod:`relu_minima.paper.bounds`; simulations are evidence."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import sympy

from .. import bounds
from ..bounds import Law
from ..figure6 import draw_figure6
from ..outlier_data import outlier_dataset
from ..registry import ClaimResult, Context, Status, implements
from ..simulation import dead_layer_probability, estimate_all_positive, train_outlier_networks

_P = Fraction(99, 100)
# (hidden layers, learning rate) of the two gradient-descent runs of Proposition 4 (3 units
# per hidden layer); the report names the depth of each, since their bullets otherwise match
_TRAININGS = ((1, 0.5), (2, 0.2))


def _layer_text(layers: int) -> str:
    return f"{layers} hidden layer{'s' if layers > 1 else ''} of 3 units"


@implements("prop4")
def check_prop4(ctx: Context) -> ClaimResult:
    ctx.progress("Proposition 4: dataset, exponent, simulation")
    data = outlier_dataset(8, 2)  # _check() re-verifies every property exactly
    K = sympy.Symbol("K", positive=True, integer=True)
    printed = bounds.d * bounds.h + (bounds.k - 2) * bounds.h**2 + bounds.h
    exact_count = bounds.d * bounds.h + (K - 1) * bounds.h**2 + bounds.h
    same_if_k_is_weight_layers = sympy.expand(printed.subs(bounds.k, K + 1) - exact_count) == 0
    off_if_k_is_hidden = sympy.expand(exact_count.subs(K, bounds.k) - printed)
    s_pos = sympy.Symbol("s", positive=True)
    limit_one = sympy.limit(bounds.phi(bounds.mu / s_pos) ** 9, bounds.mu, sympy.oo)
    rng = np.random.default_rng(4)
    quick = ctx.quick
    est = estimate_all_positive(2, 3, 1, "3/2", 1, 4_000 if quick else 200_000, rng)
    trains = []
    for layers, lr in _TRAININGS:
        trains.append(train_outlier_networks(
            data.to_numpy(), data.y, data.outlier, 3, layers, 1.0, 1.0,
            100 if quick else 2_000, 200 if quick else 2_000, rng, learning_rate=lr))
    ok = (same_if_k_is_weight_layers and limit_one == 1 and data.bias_robust
          and all(t.effect_holds for t in trains))
    details = "\n".join([
        f"* Dataset (Appendix B.1), N = {data.n}, d = {data.d}, {data.convention} std: every "
        "property re-verified exactly (signs, mean 0, std 1, full-rank covariance, labels "
        f"separable by feature 0); x*.x_i <= -1 for all i != i* (bias_robust = "
        f"{data.bias_robust}): trained biases cannot wake the N - 1 points.",
        "* Exponent: d*h + (k-2)*h^2 + h equals the exact count d*h + (K-1)*h^2 + h for K "
        f"hidden layers iff k = K + 1 = number of weight layers: {same_if_k_is_weight_layers}. "
        f"Read with k = hidden layers it undercounts by {off_if_k_is_hidden}.",
        f"* lim_(mu->oo) Phi(mu/sigma)^E = {limit_one}: every 1 - eps is reached by a large "
        "enough mean (the proposition needs control of the mean, as the paper says after it; "
        "with mean 0 the construction gives only 2^-E).",
        f"* Evidence, P(all 9 weights > 0) for 2-3-1, N(3/2, 1): {est.interval}; Eq. (3) "
        f"gives {mpmath.nstr(est.formula, 12)} (inside: {est.consistent}).",
        *(f"* Evidence, {_layer_text(layers)}, GD on log loss, {t.steps} steps, "
          f"{t.positive_start}/{t.samples} "
          f"all-positive starts ({t.train_biases and 'biases trained'}): max first-layer "
          f"pre-activation on the N - 1 points {t.max_negative_preactivation:.4g} < 0, output "
          f"spread on them {t.max_output_spread}, min loss {t.min_loss:.12g} >= floor "
          f"{t.loss_floor:.12g}, errors >= {t.min_errors} (forced {t.forced_errors}); other "
          f"starts reach {t.others_min_errors} errors."
          for (layers, _), t in zip(_TRAININGS, trains, strict=True)),
    ])
    return ClaimResult(
        Status.VERIFIED if ok else Status.UNDECIDED,
        ("Verified with the mean chosen large enough: exact dataset (mean 0, std 1, full "
         "rank, separable); Eq. (3) exponent correct with k = number of weight layers; GD "
         "evidence." if ok else "Undecided: a step of the check failed (see details)."),
        details,
        data={"exponent_printed": str(printed), "exponent_exact": str(exact_count),
              "p_all_positive_formula": mpmath.nstr(est.formula, 20),
              "mc": str(est.interval)},
    )


_READINGS = (("100 hidden layers (exact count d*h + 99*h^2 + h)", 100),
             ("printed exponent with k = 100 (d*h + 98*h^2 + h)", 99))
_SCHEMES = (("LeCun, variance 1/h (caption)", "lecun"),
            ("LeCun, variance 1/fan_in", "lecun-fan-in"),
            ("Xavier, 2/(fan_in+fan_out) per layer", "xavier"),
            ("fixed std 0.01", "fixed"))


def fig6_sentence_table(width: int = 10_000) -> list[dict[str, str]]:
    """Every reading of the sentence at h = ``width``, d = 2, p = 0.99 (exact at 40 digits)."""
    rows = []
    for layer_text, hidden in _READINGS:
        for scheme_text, scheme in _SCHEMES:
            req = bounds.required_mean(_P, scheme, 2, width, hidden, digits=8, dps=40)
            p24 = bounds.prop4_probability("0.24", scheme, 2, width, hidden, dps=40)
            p07 = bounds.prop4_probability("0.07", scheme, 2, width, hidden, dps=40)
            rows.append({
                "layers": layer_text, "scheme": scheme_text,
                "mu_min": mpmath.nstr(req.upper, 8),
                "P(mu=0.24)": mpmath.nstr(p24, 10), "P(mu=0.07)": mpmath.nstr(p07, 10),
                "0.24 suffices": str(p24 >= mpmath.mpf(99) / 100),
                "0.07 suffices": str(p07 >= mpmath.mpf(99) / 100),
                "mu_min rounds to 0.24": str(abs(req.upper - mpmath.mpf("0.24")) < 0.005),
                "mu_min rounds to 0.07": str(abs(req.upper - mpmath.mpf("0.07")) < 0.005),
            })
    return rows


def smallest_width_for(mean: str, scheme: str, hidden: int, top: int = 10_000) -> int:
    """Smallest h <= top with P(all weights > 0) >= 0.99 at ``mean`` for every h' in
    [h, top] (checked at every integer, 30 digits)."""
    target = mpmath.mpf(99) / 100
    h = top
    with mpmath.workdps(30):
        while h >= 1 and bounds.prop4_probability(mean, scheme, 2, h, hidden, dps=30) >= target:
            h -= 1
    return h + 1


@implements("fig6-sentence")
def check_fig6_sentence(ctx: Context) -> ClaimResult:
    ctx.progress("Figure 6 sentence: every reading")
    rows = fig6_sentence_table()
    lecun_like = [r for r in rows if r["scheme"].startswith(("LeCun", "Xavier"))]
    fixed = [r for r in rows if r["scheme"].startswith("fixed")]
    any_024_exact = any(r["mu_min rounds to 0.24"] == "True" for r in lecun_like)
    fixed_007 = all(r["0.07 suffices"] == "True" for r in fixed)
    h24 = {scheme: smallest_width_for("0.24", scheme, 100, top=10_000 if not ctx.quick else 800)
           for scheme in ("lecun", "xavier")}
    cols = list(rows[0])
    table = ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
    table += ["| " + " | ".join(r[c] for c in cols) + " |" for r in rows]
    details = "\n".join([
        "d = 2, h = 10,000, p = 0.99 (Figure 6 caption); mpmath at 40 digits.", "", *table, "",
        "* No reading makes 0.24 the required mean at h = 10,000 for LeCun/Xavier "
        f"(rounds to 0.24 under some reading: {any_024_exact}); with variance 1/h, h = 10,000 "
        "gives sigma = 0.01, i.e. exactly the fixed-0.01 case. Under the 1/h and Xavier "
        "readings 0.24 *suffices* (P ~ 1); under 1/fan_in (first layer variance 1/2) it does "
        "not (mu_min ~ 3.46).",
        f"* Required mu for LeCun falls with h; 0.24 suffices (100 hidden layers) exactly for "
        f"h >= {h24['lecun']} (LeCun 1/h) and h >= {h24['xavier']} (Xavier), up to 10,000 "
        + ("(quick mode: searched only down from 800)." if ctx.quick else "(every h checked)."),
        f"* Fixed std 0.01 with mu = 0.07 reaches 0.99 under some reading: {fixed_007}; the "
        "probability is 0.98741 (100 hidden layers), the required mean 0.0703238.",
    ])
    return ClaimResult(
        Status.ERRATUM,
        "Erratum: at h=10,000 and 100 hidden layers, 99% needs mu >= 0.07032 for LeCun (1/h) "
        "and for fixed std 0.01 alike, 0.07162 for Xavier; mu=0.07 gives only 98.74%.",
        details, data={"table": rows, "smallest_h_for_0.24": h24},
    )


@implements("fig6")
def check_fig6(ctx: Context) -> ClaimResult:
    fig = draw_figure6(ctx.output_dir / "figure6.png", quick=ctx.quick, progress=ctx.progress)
    inconsistent = [e for e in fig.estimates if not e.bound_consistent]
    rows = [f"| {e.width} | {e.hidden_layers} | {e.interval} | "
            f"{mpmath.nstr(e.corrected_bound, 6)} | {mpmath.nstr(e.printed_bound, 6)} |"
            for e in fig.estimates]
    details = "\n".join([
        "Recomputed (the printed figure is not in the reference text, so its curves cannot be "
        "compared point by point).", "",
        "| h | hidden layers | Monte Carlo (w, b ~ N(0,1)) | corrected bound | printed |",
        "| --- | --- | --- | --- | --- |", *rows, "",
        f"Corrected bound above the Monte Carlo upper end: {len(inconsistent)} cases.",
    ])
    return ClaimResult(
        Status.UNDECIDED,
        "Recomputed Figure 6 (figure6.png); undecided against the original, whose image is "
        "not in the reference text. See fig6-sentence and prop5 for its numbers.",
        details, figures=("figure6.png",),
        data={"widths": list(fig.widths),
              "required_mu": {k: [repr(v) for v in vs] for k, vs in fig.required.items()}},
    )


@implements("prop5")
def check_prop5(ctx: Context) -> ClaimResult:
    ctx.progress("Proposition 5: printed vs corrected bound")
    half = sympy.Rational(1, 2)
    subs = {bounds.a: half, bounds.c: 1, bounds.h: 2, bounds.k: 2}
    printed = bounds.prop5_printed().subs(subs)
    corrected = bounds.prop5_corrected().subs(subs)
    # exact P(layer 2 dead) on the one-point dataset x = 1, d = 1, h = 2, k = 2, b = 0:
    # layer-1 output u = 0 with prob 1/4 (then dead), else each unit dead w.p. 1/2
    true_prob = sympy.Rational(1, 4) + sympy.Rational(3, 4) * half**2
    limits = {
        "h fixed = 4": bounds.prop5_limit(4, half, half).bound_limit,
        "h = sqrt(log2 k) - 1": bounds.prop5_limit(sympy.sqrt(sympy.log(bounds.k, 2)) - 1,
                                                   half, half).bound_limit,
        "h = h*(k) critical": bounds.prop5_limit(bounds.critical_width(bounds.k, half, half),
                                                 half, half).bound_limit,
        "h = sqrt(log2 k)": bounds.prop5_limit(sympy.sqrt(sympy.log(bounds.k, 2)),
                                               half, half).bound_limit,
    }
    rng = np.random.default_rng(5)
    X = outlier_dataset(8, 2).to_numpy()
    samples = 3_000 if ctx.quick else 100_000
    ests = [dead_layer_probability(X, w, kk, Law.normal(0, 1), bias, samples, rng,
                                   progress=ctx.progress)
            for w, kk in ((2, 2), (3, 4), (4, 10))
            for bias in (Law.point(0), Law.normal(0, 1))]
    mc_rows = [f"| {e.width} | {e.hidden_layers} | {e.bias_law} | {e.interval} | "
               f"{mpmath.nstr(e.corrected_bound, 6)} | {mpmath.nstr(e.printed_bound, 6)} |"
               for e in ests]
    ok = (printed == sympy.Rational(15, 16) and corrected == sympy.Rational(1, 16)
          and true_prob == sympy.Rational(7, 16))
    details = "\n".join([
        "* Printed bound read as 1 - ((1 - cdf_b(0)^h cdf_W(0))^(h^2))^(k-1) (the reviewer's "
        "reading). With w ~ N(0,1), b = 0 (cdf_b(0) = P(b <= 0) = 1), h = 2, k = 2 it gives "
        f"{printed}, while P(b_2 <= 0, W_2 <= 0) = {corrected} exactly, and the true "
        f"probability that layer 2 is dead on the dataset {{x = 1}} is {true_prob} < {printed}.",
        "* Corrected (proved in docs/bounds.md): P(some layer j in 2..k dead on every input) "
        ">= 1 - (1 - P(w<=0)^(h^2) P(b<=0)^h)^(k-1); E[w]=0, Var[w]>0 give P(w<=0)>0 and "
        "E[b]=0 gives P(b<=0)>0, so for fixed h the bound -> 1 as k -> oo (the claim holds).",
        "* Width growing with depth, w,b symmetric (a = c = 1/2): the bound tends to "
        "1 - exp(-lim (k-1) 2^-(h^2+h)); boundary h*(k) = (sqrt(1 + 4 log2(k-1)) - 1)/2 "
        "~ sqrt(log2 k):",
        *(f"  * {name}: limit {value}" for name, value in limits.items()),
        "", "| h | k | bias | Monte Carlo (99% CP) | corrected | printed |",
        "| --- | --- | --- | --- | --- | --- |", *mc_rows, "",
        f"Corrected bound <= MC upper end in all {len(ests)} cases: "
        f"{all(e.bound_consistent for e in ests)}; printed bound above the MC upper end in "
        f"{sum(not e.printed_consistent for e in ests)} cases (evidence).",
    ])
    return ClaimResult(
        Status.ERRATUM if ok else Status.UNDECIDED,
        "Erratum: the printed bound fails (15/16 > true 7/16); corrected bound "
        "1 - (1 - P(w<=0)^(h^2) P(b<=0)^h)^(k-1) proved; -> 1 for fixed width, not if "
        "h grows faster than sqrt(log2 k).",
        details,
        data={"printed_example": str(printed), "corrected_example": str(corrected),
              "true_example": str(true_prob),
              "limits": {n: str(v) for n, v in limits.items()}},
    )
