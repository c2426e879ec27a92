"""Claims of the related work in ``shared/reference/`` that the paper's story rests on.

Yun, Sra and Jadbabaie's sigmoid/tanh counterexample (reference 003, :mod:`.check_yun`);
reference 001's report of a conjectured smallest deadlocking dataset (:mod:`.deadlock` its
certified data and points, :mod:`.check_ref001` the claim); the reviewer's remaining points
(:mod:`.check_critique`).
"""
