"""The checks of the paper's claims, one module per part of the paper; each registers with
:func:`relu_minima.paper.registry.implements`. ``all_claims()`` imports every module here."""
