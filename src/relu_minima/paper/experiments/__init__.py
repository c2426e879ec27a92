"""Sections 3.1.1-3.1.2, Figure 5 and Appendix A: the experiments, rerun under declared
protocols.

Table 1 and Figure 3 (:mod:`.table1`, :mod:`.table1_report`, :mod:`.check_table1`); the
Figure 1, 2 and 5 analogues (:mod:`.analogues`, :mod:`.image_data`,
:mod:`.check_analogues`) and the mechanisms the paper proposes for them (:mod:`.figure1`,
:mod:`.figure2`, :mod:`.check_mechanisms`).
"""
