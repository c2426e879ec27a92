"""docs/*.md run as doctests (pyproject's --doctest-glob); pytorch.md needs torch, so the
global glob skips it and tests/test_pytorch_docs.py runs it when torch is installed."""

collect_ignore = ["pytorch.md"]
