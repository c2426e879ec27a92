"""Section 3.1.3 (and the title of Section 3.1): local minima of rectifier regression.

The datasets D1-D3 and the points of Propositions 1-3 (:mod:`.examples`), their exact global
optima (:mod:`.global_optima`), the nearest true statements (:mod:`.repairs`); the checks of
Propositions 1-3, Remark 1 and the blind-spot remarks (:mod:`.check_propositions`), of
Figure 4 (:mod:`.check_figure4`) and of "examples of bad local minima"
(:mod:`.check_bad_minima`).
"""
