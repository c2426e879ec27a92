"""The pytest11 plugin: fixtures and options work in a fresh pytest run (pytester)."""

from __future__ import annotations

# pytester's in-process runs drop the modules first imported inside them; numpy cannot be
# imported twice in one process, and the plugin now imports it only on first use: load it here.
import numpy  # noqa: F401
import pytest

pytest_plugins = ["pytester"]

TEST_FILE = """
from fractions import Fraction
from relu_minima.exact.datasets import Dataset
from relu_minima.exact.shallow_relu import ShallowReLU

D1 = Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3])

def test_minimum(local_minimum_checker):
    local_minimum_checker.assert_local_minimum(ShallowReLU([1], [-3], [1], 0), D1)

def test_fuzz_passes(fuzz_neighbourhood):
    res = fuzz_neighbourhood(ShallowReLU([1], [-3], [1], 0), D1, "1/10")
    assert res.tried > 0

def test_fuzz_fails(fuzz_neighbourhood):
    fuzz_neighbourhood(ShallowReLU([1], [-3], [1], Fraction(1, 2)), D1)

def test_wrong_claim(local_minimum_checker):
    local_minimum_checker.assert_local_minimum(ShallowReLU([1], [-3], [1], Fraction(1, 2)), D1)

def test_seed(relu_minima_seed):
    assert relu_minima_seed == 5
"""


@pytest.mark.slow
def test_fixtures_and_failure_messages(pytester):
    pytester.makepyfile(TEST_FILE)
    result = pytester.runpytest_subprocess("--relu-minima-seed=5", "--relu-minima-candidates=300")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines([
        "relu_minima: fuzz seed=5, candidates=300",
        "*LOWER exact loss was found*",
        "*ACTUAL:  not a local minimum*",
    ])
    # __tracebackhide__: the helpers' own frames are not shown
    assert "def assert_no_descent_found" not in result.stdout.str()


def test_options_are_listed_in_help(pytester):
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*--relu-minima-seed=N*", "*--relu-minima-candidates=N*"])
