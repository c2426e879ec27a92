"""Layer 4, for researchers' test suites: assertions, the pytest plugin, hypothesis strategies.

May import every layer below it except :mod:`relu_minima.paper`.
"""

from .assertions import assert_local_minimum, assert_no_descent_found, assert_not_local_minimum

__all__ = ["assert_local_minimum", "assert_no_descent_found", "assert_not_local_minimum"]
