"""Section 3.2 and Appendix B: dead layers, blind spots and initialisation bounds.

Lemmas 1-2, Corollary 1, Theorem 1 and Definition 1 (:mod:`.theorem1`); Propositions 4 and 5,
their bounds, simulations and Figure 6 (:mod:`.bounds`, :mod:`.simulation`, :mod:`.prop4`,
:mod:`.figure6`, :mod:`.width_search`, :mod:`.outlier_data`); the checks
(:mod:`.check_theorem1`, :mod:`.check_bounds`, :mod:`.check_prop4`, :mod:`.check_basins`).
"""
