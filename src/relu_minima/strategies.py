"""Hypothesis strategies for exact problems: ``import relu_minima.strategies as rms``.

A stable top-level name for :mod:`relu_minima.testing.strategies`, where they live.
"""

from .testing.strategies import *  # noqa: F403
from .testing.strategies import __all__  # noqa: F401
