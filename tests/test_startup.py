"""Start-up: ``import relu_minima`` and the pytest plugin load nothing heavy; ``__all__`` holds.

Timings are in benchmarks/bench_startup.py; here only the structure that makes start-up fast
(which modules a fresh interpreter has loaded), so these tests cannot be flaky.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import relu_minima

PUBLIC = {
    "Certificate", "CertificateError", "InvalidArgument", "Verdict",
    "Dataset", "DeepCertificate", "DeepReLU", "DimensionMismatch",
    "InexactNumberError", "InvalidNumberError", "LocalMinimumCertificate", "NeighbourhoodSearch",
    "ReluMinimaError", "ShallowReLU", "ShapeError", "SmoothNet",
    "InvalidType", "MissingDependency", "RestrictedCertificate", "SmoothCertificate", "SnapReport",
    "assert_local_minimum", "assert_no_descent_found", "assert_not_local_minimum", "is_decent",
    "one_hot", "search_neighbourhood", "verify_deep_local_minimum", "verify_local_minimum",
    "GlobalMinimumCertificate", "GlobalSearchTooLarge", "global_minimum", "prove_bad",
    "snap", "from_arrays", "from_state_dict",
}
HEAVY = ("sympy", "numpy", "scipy", "matplotlib", "mpmath", "flint", "hypothesis")


def _loaded_after(statement: str) -> set[str]:
    """Top-level modules (and relu_minima submodules) a fresh interpreter has after statement."""
    code = f"{statement}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def test_all_is_the_public_api_and_every_name_resolves():
    assert set(relu_minima.__all__) == PUBLIC
    assert len(relu_minima.__all__) == len(PUBLIC)
    for name in PUBLIC:
        value = getattr(relu_minima, name)
        assert getattr(value, "__name__", name) == name
    namespace: dict[str, object] = {}
    exec("from relu_minima import *", namespace)
    assert PUBLIC <= set(namespace)
    assert PUBLIC <= set(dir(relu_minima)) and "__version__" in dir(relu_minima)


def test_pieces_of_a_certificate_are_no_longer_top_level_names():
    from relu_minima.verify.shallow.units import Descent, UnitReport

    assert "UnitReport" not in relu_minima.__all__ and "Descent" not in relu_minima.__all__
    with pytest.warns(DeprecationWarning, match="relu_minima.verify.shallow.units"):
        assert relu_minima.UnitReport is UnitReport
    with pytest.warns(DeprecationWarning):
        assert relu_minima.Descent is Descent


def test_lazy_names_are_the_defining_modules_objects():
    from relu_minima.exact.shallow_relu import ShallowReLU
    from relu_minima.verify.dispatch import verify_local_minimum

    assert relu_minima.ShallowReLU is ShallowReLU
    assert relu_minima.verify_local_minimum is verify_local_minimum


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nosuch'"):
        _ = relu_minima.nosuch
    with pytest.raises(ImportError):
        exec("from relu_minima import nosuch", {})


@pytest.mark.parametrize("statement", ["import relu_minima",
                                       "import relu_minima.testing.plugin",
                                       "import relu_minima.testing"])
def test_start_up_imports_nothing_heavy(statement):
    loaded = _loaded_after(statement)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    ours = {m for m in loaded if m.startswith("relu_minima.")}
    assert ours <= {"relu_minima.testing", "relu_minima.testing.plugin"}, sorted(ours)


def test_a_public_name_loads_its_module_on_first_use():
    loaded = _loaded_after("import relu_minima\nrelu_minima.ShallowReLU")
    assert "relu_minima.exact.shallow_relu" in loaded
    assert "sympy" not in loaded and "matplotlib" not in loaded


def test_small_one_hidden_layer_problems_import_no_lp_solver():
    # issue 30: a small kink set is decided by the integer rays of Lemma A, so deciding it
    # loads neither scipy nor numpy (nor sympy, nor the deep decision). The first point is a
    # minimum with mixed kink weights (Jensen: -4 at the centre, +1 at its 4 neighbours), which
    # went to the zonotope LPs of Lemma D before
    loaded = _loaded_after(
        "from relu_minima import Dataset, ShallowReLU, verify_local_minimum\n"
        "D = Dataset([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]], [4, -1, -1, -1, -1])\n"
        "cert = verify_local_minimum(ShallowReLU([[0, 0]], [0], [1], 0), D)\n"
        "assert cert.is_local_minimum and cert.units[0].decision.rays\n"
        "verify_local_minimum(ShallowReLU([1], [0], [1], 0), Dataset([0, 1, -1], [-1, 1, 1]))")
    assert not loaded & {"scipy", "numpy", "sympy", "matplotlib"}, sorted(
        loaded & {"scipy", "numpy", "sympy", "matplotlib"})
    assert not {m for m in loaded if m.startswith("relu_minima.verify.deep.")}
    # nor the several-output decision (k = 1 here) nor Lemma C/D's modules (kink_convex,
    # zonotope*): about 40 ms of imports that a small one-output problem never uses
    lazy = {m for m in loaded if m.rsplit(".", 1)[-1].startswith(
        ("several", "second_order", "vector_forms", "zonotope", "kink_convex"))}
    assert not lazy, sorted(lazy)
