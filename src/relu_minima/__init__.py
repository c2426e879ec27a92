"""relu_minima: exact verification of local minima of small ReLU networks.

The reference check of Świrszcz, Czarnecki & Pascanu, *Local minima in training of deep
networks*: ``verify_local_minimum(params, dataset)`` returns a certificate that reads as a
proof, or a witness point with strictly lower loss; ``relu-minima check-paper`` lists every
claim of the paper, checks those covered and marks the rest "not yet covered".
"""

from .errors import (
    CertificateError,
    DimensionMismatch,
    InexactNumberError,
    InvalidArgument,
    InvalidNumberError,
    ReluMinimaError,
    ShapeError,
)
from .exact.datasets import Dataset
from .exact.deep import DeepReLU
from .exact.shallow import ShallowReLU
from .exact.smooth import SmoothNet
from .numeric.fuzz import NeighbourhoodSearch, search_neighbourhood
from .paper.theorem1 import is_decent
from .testing.assertions import (
    assert_local_minimum,
    assert_no_descent_found,
    assert_not_local_minimum,
)
from .verify.certificate import Certificate, Verdict
from .verify.deep import DeepCertificate, verify_deep_local_minimum
from .verify.dispatch import verify_local_minimum
from .verify.shallow import Descent, LocalMinimumCertificate, UnitReport

__all__ = [
    "Certificate",
    "CertificateError",
    "Dataset",
    "DeepCertificate",
    "DeepReLU",
    "Descent",
    "DimensionMismatch",
    "InexactNumberError",
    "InvalidArgument",
    "InvalidNumberError",
    "LocalMinimumCertificate",
    "NeighbourhoodSearch",
    "ReluMinimaError",
    "ShallowReLU",
    "ShapeError",
    "SmoothNet",
    "UnitReport",
    "Verdict",
    "assert_local_minimum",
    "assert_no_descent_found",
    "assert_not_local_minimum",
    "is_decent",
    "search_neighbourhood",
    "verify_deep_local_minimum",
    "verify_local_minimum",
]

__version__ = "0.1.0"
