"""Layer 2, decisions: the certificate type (:mod:`.certificate`, with its witness,
:mod:`.witness`), the one-hidden-layer, deep, smooth and global decisions, proof texts.

May import only :mod:`relu_minima.errors` and :mod:`relu_minima.exact`.
"""
