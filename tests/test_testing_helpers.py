"""assert_local_minimum & co: pass when true, fail with a readable, complete message."""

from __future__ import annotations

from fractions import Fraction

import pytest

from relu_minima.exact.datasets import Dataset
from relu_minima.exact.shallow_relu import ShallowReLU
from relu_minima.testing.assertions import (
    assert_local_minimum,
    assert_no_descent_found,
    assert_not_local_minimum,
)

D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])
PROP1 = ShallowReLU([1], [-3], [1], 0)
SHIFTED = ShallowReLU([1], [-3], [1], Fraction(1, 2))  # loss 77/4 by hand (18 + 5 / 4)


def test_true_claims_pass_and_return_the_certificate():
    assert assert_local_minimum(PROP1, D1).loss == 18
    assert assert_not_local_minimum(SHIFTED, D1).loss == Fraction(77, 4)


def test_false_local_minimum_claim_shows_loss_piece_and_witness():
    with pytest.raises(AssertionError) as info:
        assert_local_minimum(SHIFTED, D1)
    msg = str(info.value)
    assert msg.startswith("assert_local_minimum: the point is NOT certified a local minimum.")
    assert "Compared:" in msg
    assert "ACTUAL:  not a local minimum" in msg and "DESIRED: local minimum" in msg
    assert "exact loss at params: 77/4" in msg
    assert "failing piece:" in msg and "sum of residuals" in msg
    assert "witness within max-norm radius 1/1000" in msg
    # short by default: the witness printed as sympy prints numbers, no proof, a pointer to it
    assert "ShallowReLU(W=[[1]], b=[-3], v=[1], c=" in msg and "Fraction(" not in msg
    assert "proof:" not in msg and "verbose=True" in msg and len(msg.splitlines()) < 15


def test_full_proof_is_one_option_away_and_err_msg_is_appended():
    with pytest.raises(AssertionError) as info:
        assert_local_minimum(SHIFTED, D1, "my claim from table 2", verbose=True)
    msg = str(info.value)
    assert "proof:" in msg and "VERDICT: NOT A LOCAL MINIMUM" in msg
    assert msg.rstrip().endswith("my claim from table 2")
    with pytest.raises(AssertionError) as info:
        assert_not_local_minimum(PROP1, D1, verbose=True)
    assert "VERDICT: LOCAL MINIMUM" in str(info.value)


def test_false_non_minimum_claim_says_why():
    with pytest.raises(AssertionError) as info:
        assert_not_local_minimum(PROP1, D1)
    msg = str(info.value)
    assert "ACTUAL:  local minimum" in msg and "DESIRED: not a local minimum" in msg
    assert "exact loss at params: 18" in msg and "VERDICT: LOCAL MINIMUM" not in msg
    assert "why it is a minimum:" in msg and "failing piece" not in msg


def test_no_descent_helper():
    res = assert_no_descent_found(PROP1, D1, "1/10", n_random=200)
    assert not res.found_descent
    with pytest.raises(AssertionError) as info:
        assert_no_descent_found(SHIFTED, D1, "1/100", n_random=200)
    msg = str(info.value)
    assert "LOWER exact loss was found" in msg and "DESIRED: no loss below 19.25 (= 77/4)" in msg
    assert "best perturbation (exact parameters):" in msg and "ShallowReLU(" in msg
    assert "Fraction(" not in msg


def test_fuzz_messages_put_a_short_decimal_before_the_exact_value():
    res = assert_no_descent_found(PROP1, D1, "1/10", n_random=50)
    text = str(res)
    assert "loss at the point (exact): 18\n" in text
    with pytest.raises(AssertionError) as info:
        assert_no_descent_found(SHIFTED, D1, "1/100", n_random=200)
    line = next(x for x in str(info.value).splitlines() if "failing piece" in x)
    # "decrease ~0.0123 (= 123.../...)": the decimal comes first, the exact value after it
    decrease = line.split("decrease ", 1)[1]
    assert decrease[0] in "~0123456789" and " (= " in decrease
    assert decrease.index("(= ") < 20


def test_tracebacks_are_hidden_in_pytest():
    import relu_minima.testing.assertions as t

    for fn in (t.assert_local_minimum, t.assert_not_local_minimum, t.assert_no_descent_found):
        assert "__tracebackhide__" in fn.__code__.co_varnames


# -- the fixture takes what docs/testing.md says the helpers take (issue 25, item 5) --------
RELU_AT_D = ShallowReLU([1], [0], [1], 0)  # docs/testing.md: a minimum only with c held fixed
D_BIAS = Dataset([1, 2, -1], [1, 2, 5])


def test_fixture_takes_bias_and_frozen_as_the_helpers_do(local_minimum_checker):
    checker = local_minimum_checker
    cert = checker.assert_local_minimum(RELU_AT_D, D_BIAS, frozen=["b_2[1]"])
    assert cert.is_local_minimum is True
    assert checker.assert_not_local_minimum(RELU_AT_D, D_BIAS).case == "bias"
    with pytest.raises(AssertionError, match="NOT proved a non-minimum"):
        checker.assert_not_local_minimum(RELU_AT_D, D_BIAS, frozen=["b_2[1]"])
    no_c = ShallowReLU([1], [0], [1], None, bias=(True, False))
    assert checker.assert_local_minimum(RELU_AT_D, D_BIAS, bias=(True, False)).params == no_c


def test_fixture_methods_have_the_helpers_signatures(local_minimum_checker):
    """Same parameters, defaults and kinds as the functions docs/testing.md documents, so that
    the two can never drift apart again."""
    import inspect

    from relu_minima import verify_local_minimum
    from relu_minima.testing import assertions

    pairs = [(local_minimum_checker.assert_local_minimum, assertions.assert_local_minimum),
             (local_minimum_checker.assert_not_local_minimum,
              assertions.assert_not_local_minimum),
             (local_minimum_checker.verify, verify_local_minimum)]
    for method, function in pairs:
        assert inspect.signature(method) == inspect.signature(function), function.__name__


def test_fixture_budget_options_reach_the_deep_decision(local_minimum_checker):
    from relu_minima import DeepReLU, InvalidArgument

    deep = DeepReLU([[[1]], [[1]], [[1]]], [[0], [0], [0]])
    with pytest.raises(InvalidArgument, match="max_directions"):
        local_minimum_checker.assert_local_minimum(deep, D1, max_directions=0)


def test_the_fixture_example_of_the_docs_is_the_one_the_suite_runs():
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    block = re.search(r"```python\n(def test_held_output_bias.*?)```",
                      (docs / "testing.md").read_text(encoding="utf-8"), re.S)
    assert block is not None
    assert block.group(1) in (docs / "examples" / "test_own_minimum.py").read_text("utf-8")
