"""Shared fixtures: the exact linear-algebra backends, so one suite runs over every backend."""

from __future__ import annotations

import pytest

from relu_minima.exact import linalg as _linalg


@pytest.fixture(params=_linalg.available_backends())
def backend(request):
    """Run the test once per available exact backend ("python", and "flint" if installed)."""
    with _linalg.using_backend(request.param):
        yield request.param


# The backend fixture selects a backend for the whole test; it holds no per-example state,
# so hypothesis may reuse it across examples.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "relu_minima", suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
settings.load_profile("relu_minima")
