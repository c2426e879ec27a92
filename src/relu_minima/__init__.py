"""relu_minima: exact verification of local minima of small ReLU networks.

The reference check of Świrszcz, Czarnecki & Pascanu, *Local minima in training of deep
networks*: ``verify_local_minimum(params, dataset)`` returns a certificate that reads as a
proof, or a witness point with strictly lower loss; ``relu-minima check-paper`` lists every
claim of the paper, checks those covered and marks the rest "not yet covered".
"""

from .blind_spots import DeepCertificate, verify_deep_local_minimum
from .certificates import Descent, LocalMinimumCertificate, UnitReport, verify_local_minimum
from .datasets import Dataset
from .decent import is_decent
from .deep import DeepReLU
from .errors import (
    DimensionMismatch,
    InexactNumberError,
    InvalidNumberError,
    ReluMinimaError,
    ShapeError,
)
from .fuzz import NeighbourhoodSearch, search_neighbourhood
from .networks import ShallowReLU
from .smooth import SmoothNet
from .testing import assert_local_minimum, assert_no_descent_found, assert_not_local_minimum

__all__ = [
    "Dataset",
    "DeepCertificate",
    "DeepReLU",
    "Descent",
    "DimensionMismatch",
    "InexactNumberError",
    "InvalidNumberError",
    "LocalMinimumCertificate",
    "NeighbourhoodSearch",
    "ReluMinimaError",
    "ShallowReLU",
    "ShapeError",
    "SmoothNet",
    "UnitReport",
    "assert_local_minimum",
    "assert_no_descent_found",
    "assert_not_local_minimum",
    "is_decent",
    "search_neighbourhood",
    "verify_deep_local_minimum",
    "verify_local_minimum",
]

__version__ = "0.1.0"
