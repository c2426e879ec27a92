"""pytest plugin of relu_minima, registered through the ``pytest11`` entry point.

Installing the package is enough: every pytest run gets the fixtures

* ``local_minimum_checker``: an object with ``.assert_local_minimum(params, dataset, ...)``,
  ``.assert_not_local_minimum(params, dataset, ...)`` (exact, see :mod:`relu_minima.testing`)
  and ``.verify(params, dataset, ...)`` (the certificate itself), each taking exactly the
  arguments of the function of that name (``bias=``, ``frozen=``, the budget options);
* ``fuzz_neighbourhood``: a function ``(params, dataset, radius=1/100, **options)`` that
  searches the ball numerically and fails with the best perturbation found;
* ``relu_minima_seed``: the seed given by ``--relu-minima-seed`` (default 0);

and the command-line options ``--relu-minima-seed=N`` and ``--relu-minima-candidates=N``
(random candidates per fuzz, default 2000). The module imports nothing heavy at load time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # annotations only: the plugin imports nothing heavy at load time
    from ..exact.datasets import Dataset
    from ..verify.certificate import Certificate

DEFAULT_CANDIDATES = 2000


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("relu_minima", "relu_minima local-minimum checks")
    group.addoption("--relu-minima-seed", type=int, default=0, metavar="N",
                    help="seed of the numeric neighbourhood search (default 0).")
    group.addoption("--relu-minima-candidates", type=int, default=DEFAULT_CANDIDATES,
                    metavar="N", help="random candidates per neighbourhood search (default "
                    f"{DEFAULT_CANDIDATES}).")


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = config.getoption("--relu-minima-seed")
    candidates = config.getoption("--relu-minima-candidates")
    if seed == 0 and candidates == DEFAULT_CANDIDATES:
        return None
    return f"relu_minima: fuzz seed={seed}, candidates={candidates}"


@dataclass(frozen=True)
class LocalMinimumChecker:
    """Exact assertions (see :mod:`relu_minima.testing`), as a fixture: each method takes exactly
    the arguments of the function of the same name (the budget and parameterisation options
    included)."""

    def verify(self, params: Any, dataset: Dataset | tuple[Any, Any], *,
               max_directions: int | None = None, time_limit: float | None = None,
               loss: str | None = None, radius: Any = None, precision: int | None = None,
               newton_steps: int | None = None) -> Certificate:
        """:func:`relu_minima.verify_local_minimum`."""
        from ..verify.dispatch import verify_local_minimum

        return verify_local_minimum(params, dataset, max_directions=max_directions,
                                    time_limit=time_limit, loss=loss, radius=radius,
                                    precision=precision, newton_steps=newton_steps)

    def assert_local_minimum(self, params: Any, dataset: Dataset | tuple[Any, Any],
                             err_msg: str = "", *, verbose: bool = False, bias: Any = None,
                             frozen: Any = None, max_directions: int | None = None,
                             time_limit: float | None = None) -> Certificate:
        """:func:`relu_minima.testing.assertions.assert_local_minimum`."""
        __tracebackhide__ = True
        from .assertions import assert_local_minimum

        return assert_local_minimum(params, dataset, err_msg, verbose=verbose, bias=bias,
                                    frozen=frozen, max_directions=max_directions,
                                    time_limit=time_limit)

    def assert_not_local_minimum(self, params: Any, dataset: Dataset | tuple[Any, Any],
                                 err_msg: str = "", *, verbose: bool = False,
                                 bias: Any = None, frozen: Any = None,
                                 max_directions: int | None = None,
                                 time_limit: float | None = None) -> Certificate:
        """:func:`relu_minima.testing.assertions.assert_not_local_minimum`."""
        __tracebackhide__ = True
        from .assertions import assert_not_local_minimum

        return assert_not_local_minimum(params, dataset, err_msg, verbose=verbose, bias=bias,
                                        frozen=frozen, max_directions=max_directions,
                                        time_limit=time_limit)


@pytest.fixture
def relu_minima_seed(request: pytest.FixtureRequest) -> int:
    """The seed of numeric searches (``--relu-minima-seed``)."""
    return int(request.config.getoption("--relu-minima-seed"))


@pytest.fixture
def local_minimum_checker() -> LocalMinimumChecker:
    """Exact local-minimum assertions with readable failure messages."""
    return LocalMinimumChecker()


@pytest.fixture
def fuzz_neighbourhood(request: pytest.FixtureRequest, relu_minima_seed: int) -> Any:
    """``fuzz_neighbourhood(params, dataset, radius=1/100, **options)``: fail on any descent.

    Returns the search result (evidence) when nothing lower is found.
    """
    candidates = int(request.config.getoption("--relu-minima-candidates"))

    def fuzz(params: Any, dataset: Any, radius: Any = "1/100", **options: Any) -> Any:
        __tracebackhide__ = True
        from .assertions import assert_no_descent_found

        options.setdefault("seed", relu_minima_seed)
        options.setdefault("n_random", candidates)
        return assert_no_descent_found(params, dataset, radius, **options)

    return fuzz
