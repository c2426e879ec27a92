"""relu_minima: exact verification of local minima of small ReLU networks.

The reference check of Świrszcz, Czarnecki & Pascanu, *Local minima in training of deep
networks*: ``verify_local_minimum(params, dataset)`` returns a certificate that reads as a
proof, or a witness point with strictly lower loss; ``relu-minima check-paper`` lists every
claim of the paper and checks each (a claim without a check would be "not yet covered").

The public names below are imported on first use (PEP 562 ``__getattr__``): ``import
relu_minima`` loads no sympy, numpy, scipy or matplotlib, so that the pytest plugin (loaded in
every pytest run of an environment where the package is installed) and the command line start
quickly. ``from relu_minima import X`` and ``relu_minima.X`` behave exactly as eager imports.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing itself is not imported: it costs ~20 ms at start-up

__version__ = "0.1.0"

# public name -> module (relative to this package) that defines it; __all__ is its keys
_EXPORTS: dict[str, str] = {
    "Certificate": ".verify.certificate",
    "CertificateError": ".errors",
    "Dataset": ".exact.datasets",
    "DeepCertificate": ".verify.deep.rules",
    "DeepReLU": ".exact.deep_relu",
    "DimensionMismatch": ".errors",
    "GlobalMinimumCertificate": ".verify.globalmin.search",
    "GlobalSearchTooLarge": ".verify.globalmin.search",
    "InexactNumberError": ".errors",
    "InvalidArgument": ".errors",
    "InvalidNumberError": ".errors",
    "InvalidType": ".errors",
    "LocalMinimumCertificate": ".verify.shallow.criterion",
    "MissingDependency": ".errors",
    "NeighbourhoodSearch": ".numeric.fuzz",
    "ReluMinimaError": ".errors",
    "RestrictedCertificate": ".verify.deep.restricted",
    "ShallowReLU": ".exact.shallow_relu",
    "ShapeError": ".errors",
    "SmoothCertificate": ".verify.smooth.box_certificate",
    "SmoothNet": ".exact.smooth_net",
    "SnapReport": ".train.snap_report",
    "Verdict": ".verify.certificate",
    "assert_local_minimum": ".testing.assertions",
    "assert_no_descent_found": ".testing.assertions",
    "assert_not_local_minimum": ".testing.assertions",
    "from_arrays": ".train.state_dict",
    "from_state_dict": ".train.state_dict",
    "global_minimum": ".verify.globalmin.search",
    "is_decent": ".exact.datasets",
    "one_hot": ".exact.datasets",
    "prove_bad": ".verify.globalmin.search",
    "search_neighbourhood": ".numeric.fuzz",
    "snap": ".train.snap",
    "verify_deep_local_minimum": ".verify.deep.rules",
    "verify_local_minimum": ".verify.dispatch",
}

__all__ = sorted(_EXPORTS)

# pieces of a certificate, once top-level names: still importable, with a warning
_MOVED = {"Descent": ".verify.shallow.units", "UnitReport": ".verify.shallow.units"}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None and name in _MOVED:
        import warnings

        warnings.warn(f"relu_minima.{name} is a piece of a certificate, no longer a top-level "
                      f"name; import it from relu_minima{_MOVED[name]}.", DeprecationWarning,
                      stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name], __name__), name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # static type checkers and IDEs see the eager imports
    from typing import Any

    from .errors import (
        CertificateError,
        DimensionMismatch,
        InexactNumberError,
        InvalidArgument,
        InvalidNumberError,
        InvalidType,
        MissingDependency,
        ReluMinimaError,
        ShapeError,
    )
    from .exact.datasets import Dataset, is_decent, one_hot
    from .exact.deep_relu import DeepReLU
    from .exact.shallow_relu import ShallowReLU
    from .exact.smooth_net import SmoothNet
    from .numeric.fuzz import NeighbourhoodSearch, search_neighbourhood
    from .testing.assertions import (
        assert_local_minimum,
        assert_no_descent_found,
        assert_not_local_minimum,
    )
    from .train.snap import snap
    from .train.snap_report import SnapReport
    from .train.state_dict import from_arrays, from_state_dict
    from .verify.certificate import Certificate, Verdict
    from .verify.deep.restricted import RestrictedCertificate
    from .verify.deep.rules import DeepCertificate, verify_deep_local_minimum
    from .verify.dispatch import verify_local_minimum
    from .verify.globalmin.search import (
        GlobalMinimumCertificate,
        GlobalSearchTooLarge,
        global_minimum,
        prove_bad,
    )
    from .verify.shallow.criterion import LocalMinimumCertificate
    from .verify.smooth.box_certificate import SmoothCertificate
