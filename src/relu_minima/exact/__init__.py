"""Layer 1, the exact core: numbers, linear algebra, the parameter space, datasets and models.

Everything here is exact rational arithmetic (``fractions.Fraction``), converted at the edges
(:mod:`.numbers`). May import only :mod:`relu_minima.errors`.
"""
