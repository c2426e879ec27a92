"""relu_minima: exact verification of local minima of small ReLU networks.

The reference check of Świrszcz, Czarnecki & Pascanu, *Local minima in training of deep
networks*: ``verify_local_minimum(params, dataset)`` returns a certificate that reads as a
proof, or a witness point with strictly lower loss; ``relu-minima check-paper`` checks every
claim of the paper.
"""

from .certificates import Descent, LocalMinimumCertificate, UnitReport, verify_local_minimum
from .datasets import Dataset
from .errors import (
    DimensionMismatch,
    InexactNumberError,
    InvalidNumberError,
    ReluMinimaError,
    ShapeError,
)
from .networks import ShallowReLU

__all__ = [
    "Dataset",
    "Descent",
    "DimensionMismatch",
    "InexactNumberError",
    "InvalidNumberError",
    "LocalMinimumCertificate",
    "ReluMinimaError",
    "ShallowReLU",
    "ShapeError",
    "UnitReport",
    "verify_local_minimum",
]

__version__ = "0.1.0"
