"""The claims of Świrszcz, Czarnecki & Pascanu, *Local minima in training of deep networks*.

Each module of this package checks some of them and registers the check in the outline.
"""

from .registry import (
    STATUS_MEANINGS,
    Claim,
    ClaimResult,
    Context,
    Status,
    all_claims,
    claim_keys,
    implements,
    import_errors,
    run_check,
    start_prefetch,
)

__all__ = [
    "STATUS_MEANINGS", "Claim", "ClaimResult", "Context", "Status", "all_claims", "claim_keys",
    "implements", "import_errors", "run_check", "start_prefetch",
]
