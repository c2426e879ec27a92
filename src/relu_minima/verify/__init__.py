"""Layer 2, decisions: the certificate type, the one-hidden-layer and deep decisions, proof text.

May import only :mod:`relu_minima.errors` and :mod:`relu_minima.exact`.
"""
