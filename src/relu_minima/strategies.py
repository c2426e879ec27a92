"""hypothesis strategies for exact datasets, ReLU parameter points and their perturbations.

Use them in property tests of claims about local minima::

    from hypothesis import given
    from relu_minima import strategies as rms

    @given(rms.decent_datasets())
    def test_something(D): ...

Every value is exact (``Fraction``); nothing is a float.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # hypothesis is a test dependency, not a runtime one
    raise ImportError(
        "relu_minima.strategies needs hypothesis: pip install 'relu-minima[test]'"
    ) from exc

from .exact.datasets import Dataset
from .exact.deep_relu import DeepReLU
from .exact.shallow_relu import ShallowReLU
from .testing import _strategies
from .testing._strategies import InvalidStrategyArgument, lazy

__all__ = ["InvalidStrategyArgument", "datasets", "decent_datasets", "deep_relu", "is_decent",
           "numbers", "perturbations", "shallow_relu"]

is_decent = _strategies.is_decent

# Arguments that make no sense (min_n=5, max_n=2; a kink point index out of range) raise
# InvalidStrategyArgument, which is hypothesis's InvalidArgument and a relu_minima
# InvalidArgument, when the strategy is first drawn from, as hypothesis's own strategies do;
# the message names the valid range.


def numbers(min_value: Any = -10, max_value: Any = 10,
            max_denominator: int = 1) -> st.SearchStrategy[Fraction]:
    """Exact rationals in [min_value, max_value], denominators <= max_denominator.

    Shrinks toward 0 (then small numerators and denominators).
    """
    return lazy(_strategies.numbers, min_value, max_value, max_denominator)


def datasets(*, min_n: int = 1, max_n: int = 8, min_d: int = 1, max_d: int = 2,
             min_value: Any = -10, max_value: Any = 10, max_denominator: int = 1,
             duplicates: bool = True, outputs: int = 1,
             one_hot: bool = False) -> st.SearchStrategy[Dataset]:
    """Exact datasets: n points in Q^d with targets in Q (``outputs=k``: in Q^k).

    Values are integers (``max_denominator=1``) or fractions; with ``duplicates`` a point may
    repeat an earlier input (with its own target). ``one_hot=True`` draws a class label per
    point and gives it the one-hot target row of ``outputs`` classes. Shrinks toward ``min_n``
    points of dimension ``min_d``, all coordinates and targets 0 (class 0), no repeated inputs
    drawn.
    """
    return lazy(_strategies.datasets, min_n=min_n, max_n=max_n, min_d=min_d, max_d=max_d,
                                min_value=min_value, max_value=max_value,
                                max_denominator=max_denominator, duplicates=duplicates,
                                outputs=outputs, one_hot=one_hot)


def decent_datasets(*, min_n: int = 2, max_n: int = 8, **kwargs: Any
                    ) -> st.SearchStrategy[Dataset]:
    """Datasets that are *decent* (Definition 1, Section 3.2): some input's mean target
    differs from the mean of all targets (vectors, for several outputs). Same options as
    :func:`datasets`.

    Built, not filtered: a drawn dataset with a single distinct input gets its last input
    moved by 1, and a non-decent one gets y_1 raised by 1 (its first entry; for one-hot
    targets, point 1 gets the next class). Shrinks toward two points with inputs 0 and 1
    (d = 1) and targets (1, 0).
    """
    return lazy(_strategies.decent_datasets, min_n=min_n, max_n=max_n, **kwargs)


def shallow_relu(*, d: int | None = None, dataset: Dataset | None = None, min_m: int = 1,
                 max_m: int = 3, min_value: Any = -5, max_value: Any = 5,
                 max_denominator: int = 1, kink_points: Sequence[int] | None = None,
                 kinks: bool = False, zero_output_weights: int = 0, bias: Any = True,
                 frozen: Any = (), outputs: int | None = None
                 ) -> st.SearchStrategy[ShallowReLU]:
    """ShallowReLU points (Equation (1)) with input dimension ``d`` or ``dataset.d``
    (``dataset`` a Dataset or a pair ``(X, y)`` of exact numbers), and ``outputs`` outputs
    (default: the dataset's k, else 1; v is then a k x m matrix).

    ``kink_points=[i_0, i_1, ...]`` puts unit j's kink exactly on data point i_j
    (b_j = -w_j . x_{i_j}, so the pre-activation there is exactly 0); ``kinks=True`` lets every
    other unit draw whether (and on which point) to sit on a kink. The first
    ``zero_output_weights`` units get v_j = 0. Shrinks toward ``min_m`` units (at least the
    units needed), all weights 0, no extra kinks. ``zero_output_weights`` zeroes v_j in every
    output.

    ``bias`` and ``frozen`` set the parameterisation (:class:`ShallowReLU`): a bias-free layer
    gets zero biases; ``frozen`` is a list of names, or ``"random"`` to draw a subset of the
    coordinates to hold fixed (shrinks toward none).
    """
    return lazy(_strategies.shallow_relu, d=d, dataset=dataset, min_m=min_m, max_m=max_m,
                                    min_value=min_value, max_value=max_value,
                                    max_denominator=max_denominator, kink_points=kink_points,
                                    kinks=kinks, zero_output_weights=zero_output_weights,
                                    bias=bias, frozen=frozen, outputs=outputs)


def perturbations(params: Any, radius: Any, *, max_denominator: int = 64,
                  nonzero: bool = False) -> st.SearchStrategy[Any]:
    """Parameter points of the same type within max-norm ``radius`` of ``params``.

    Every coordinate moves by radius * k / max_denominator, |k| <= max_denominator (exact);
    fixed coordinates (``params.space``: bias-free layers, frozen names) never move.
    ``nonzero=True`` excludes the point itself. Shrinks toward ``params`` itself (with
    ``nonzero``, toward a move of radius / max_denominator in one coordinate).
    """
    return lazy(_strategies.perturbations, params, radius, max_denominator=max_denominator,
                nonzero=nonzero)


def deep_relu(*, d: int | None = None, dataset: Dataset | None = None,
              widths: Sequence[int] | None = None, min_hidden_layers: int = 1,
              max_hidden_layers: int = 3, min_width: int = 1, max_width: int = 3,
              min_value: Any = -5, max_value: Any = 5, max_denominator: int = 1,
              outputs: int | None = None) -> st.SearchStrategy[DeepReLU]:
    """DeepReLU points (Equation (2)) with input dimension ``d`` or ``dataset.d`` (``dataset``
    a Dataset or a pair ``(X, y)`` of exact numbers), and ``outputs`` outputs (default: the
    dataset's k, else 1).

    ``widths=(d, h_1, ..., h_(k-1), outputs)`` fixes the architecture; otherwise it is drawn,
    with ``min_hidden_layers`` to ``max_hidden_layers`` hidden layers of ``min_width`` to
    ``max_width`` units. Every parameter is an exact number in [min_value, max_value] with
    denominator <= max_denominator (laid out by ParameterSpace). Shrinks toward
    ``min_hidden_layers`` layers of ``min_width`` units, all parameters 0.
    """
    return lazy(_strategies.deep_relu, d=d, dataset=dataset, widths=widths,
                min_hidden_layers=min_hidden_layers, max_hidden_layers=max_hidden_layers,
                min_width=min_width, max_width=max_width, min_value=min_value,
                max_value=max_value, max_denominator=max_denominator, outputs=outputs)
