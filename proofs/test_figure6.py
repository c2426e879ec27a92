"""Figure 6 and its sentence (Section 3.2), checked at 50 digits with mpmath.

Printed: "if one uses initialization given by LeCun et al. (1998) or Glorot & Bengio (2010)
then we need mu = 0.24 even if we have 10,000 hidden units in each of 100 hidden layers, while
using fixed standard deviation to 0.01 fails even with mu = 0.07." Caption: "at least 99%
probability ... 2 - h - ... - h - 1 classification network. By LeCun'98 initialization we mean
taking weights from N(mu, 1/h) and by Xavier'10 from N(mu, 2/(h_in + h_out))."

Verdict: erratum, each half read literally. Half 1: at h = 10,000 the LeCun standard
deviation is 1/100, exactly the fixed one: 99% needs mu >= 0.070324 in both cases (100 hidden
layers), 0.071624 for Xavier; mu = 0.24 suffices there but is not what is needed. Half 2:
mu = 0.07 gives 98.74% < 99% with fixed std 0.01, so "fails even with 0.07" (learning fails
at the figure's 99%) is false by a hair; it holds up to h = 8,906.
"""

import mpmath

from relu_minima.paper.dead_layers import bounds
from relu_minima.paper.dead_layers.check_bounds import fig6_sentence_table

H, LAYERS = 10_000, 100
E = 2 * H + 99 * H * H + H  # counted by hand: 2x10^4, 99 hidden-hidden layers, 10^4 outputs


def test_fixed_std_at_007_is_just_below_99_percent():
    with mpmath.workdps(50):
        direct = mpmath.ncdf(mpmath.mpf(7)) ** E  # Phi(0.07 / 0.01)^E, another method
        assert mpmath.mpf("0.9874") < direct < mpmath.mpf("0.9875") < mpmath.mpf("0.99")
        lib = bounds.prop4_probability("0.07", "fixed", 2, H, LAYERS, dps=50)
        assert abs(lib - direct) < mpmath.mpf(10) ** -40


def test_lecun_at_h_10000_is_the_fixed_001_case():
    lecun = bounds.required_mean("0.99", "lecun", 2, H, LAYERS, digits=9)
    fixed = bounds.required_mean("0.99", "fixed", 2, H, LAYERS, digits=9)
    assert lecun.upper == fixed.upper
    with mpmath.workdps(50):  # closed form sigma * Phi^-1(0.99^(1/E))
        y = mpmath.mpf("0.99") ** (mpmath.mpf(1) / E)
        closed = mpmath.sqrt(2) * mpmath.erfinv(2 * y - 1) / 100
    assert abs(closed - lecun.upper) < mpmath.mpf(10) ** -8
    assert mpmath.mpf("0.0703") < closed < mpmath.mpf("0.0704")  # not 0.24


def _independent(scheme: str, hidden: int, mu: mpmath.mpf) -> mpmath.mpf:
    """P(every weight > 0) from the caption's definitions, written out here (not the
    library's): a 2-h-...-h-1 net with ``hidden`` hidden layers, h = H, weights N(mu, s^2)."""
    h = mpmath.mpf(H)
    layers = [(2, h, 1), (h, h, hidden - 1), (h, 1, 1)]  # (fan_in, fan_out, how many)
    log_p = mpmath.mpf(0)
    for fan_in, fan_out, many in layers:
        var = {"LeCun, variance 1/h (caption)": 1 / h,
               "LeCun, variance 1/fan_in": 1 / mpmath.mpf(fan_in),
               "Xavier, 2/(fan_in+fan_out) per layer": 2 / (mpmath.mpf(fan_in) + fan_out),
               "fixed std 0.01": mpmath.mpf("0.0001")}[scheme]
        log_p += many * fan_in * fan_out * mpmath.log(mpmath.ncdf(mu / mpmath.sqrt(var)))
    return mpmath.exp(log_p)


def _independent_mu_min(scheme: str, hidden: int) -> mpmath.mpf:
    """The smallest mu with P >= 0.99: plain bisection on [0, 10] (P increases with mu)."""
    lo, hi = mpmath.mpf(0), mpmath.mpf(10)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _independent(scheme, hidden, mid) >= mpmath.mpf("0.99") else (mid,
                                                                                             hi)
    return hi


def test_every_reading_of_the_sentence():
    """The table of readings against values computed here from the caption's definitions."""
    rows = fig6_sentence_table()
    assert len(rows) == 8
    hidden = {"100 hidden layers (exact count d*h + 99*h^2 + h)": 100,
              "printed exponent with k = 100 (d*h + 98*h^2 + h)": 99}
    target = mpmath.mpf("0.99")
    with mpmath.workdps(40):
        for r in rows:
            k = hidden[r["layers"]]
            p24 = _independent(r["scheme"], k, mpmath.mpf("0.24"))
            p07 = _independent(r["scheme"], k, mpmath.mpf("0.07"))
            assert mpmath.almosteq(mpmath.mpf(r["P(mu=0.24)"]), p24, rel_eps=1e-8), r
            assert mpmath.almosteq(mpmath.mpf(r["P(mu=0.07)"]), p07, rel_eps=1e-8), r
            mu = _independent_mu_min(r["scheme"], k)
            assert abs(mpmath.mpf(r["mu_min"]) - mu) < mpmath.mpf(10) ** -6, (r, mu)
            # every flag of the row recomputed from the independent values
            assert r["0.24 suffices"] == str(p24 >= target)
            assert r["0.07 suffices"] == str(p07 >= target)
            assert r["mu_min rounds to 0.24"] == str(abs(mu - mpmath.mpf("0.24")) < 0.005)
            assert r["mu_min rounds to 0.07"] == str(abs(mu - mpmath.mpf("0.07")) < 0.005)
    # the verdicts the report draws from the table
    assert not any(r["mu_min rounds to 0.24"] == "True" for r in rows)
    assert not any(r["0.07 suffices"] == "True" for r in rows)
    for r in rows:  # 0.24 suffices under the 1/h, Xavier and fixed readings, not 1/fan_in
        assert (r["0.24 suffices"] == "True") == ("1/fan_in" not in r["scheme"])


def test_half2_holds_at_99_percent_exactly_up_to_h_8906():
    from relu_minima.paper.dead_layers.check_bounds import largest_width_for
    assert largest_width_for("0.07", "fixed", LAYERS) == 8906
    target = mpmath.mpf("0.99")
    assert bounds.prop4_probability("0.07", "fixed", 2, 8906, LAYERS) >= target
    assert bounds.prop4_probability("0.07", "fixed", 2, 8907, LAYERS) < target
