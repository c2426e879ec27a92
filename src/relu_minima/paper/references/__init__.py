"""Claims of the related work in ``shared/reference/`` that the paper's story rests on.

Yun, Sra and Jadbabaie's sigmoid/tanh counterexample (reference 003, :mod:`.check_yun`).
"""
