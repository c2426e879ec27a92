"""Layer 2 (beside verify), floats as evidence: numpy contexts, batch evaluation, fuzzing, views.

Nothing here decides anything; every number is labelled evidence. May import only
:mod:`relu_minima.errors` and :mod:`relu_minima.exact`.
"""
