"""Shared fixtures: the exact linear-algebra backends, so one suite runs over every backend."""

from __future__ import annotations

import pytest

from relu_minima.exact import linalg as _linalg


@pytest.fixture(params=_linalg.available_backends())
def backend(request):
    """Run the test once per available exact backend ("python", and "flint" if installed)."""
    with _linalg.using_backend(request.param):
        yield request.param


def pytest_collection_modifyitems(config, items):
    """With python-flint installed, a test's run on the pure-Python backend is marked slow: the
    quick loop (pytest -m "not slow") runs each backend test once, on the default backend, and
    the full suite on both (the answers must be equal). Without flint nothing changes."""
    if _linalg.available_backends() == ["python"]:
        return
    for item in items:
        spec = getattr(item, "callspec", None)
        if spec is not None and spec.params.get("backend") == "python":
            item.add_marker(pytest.mark.slow)


# The backend fixture selects a backend for the whole test; it holds no per-example state,
# so hypothesis may reuse it across examples.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "relu_minima", suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
settings.load_profile("relu_minima")
