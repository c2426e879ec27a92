"""One hidden layer, exactly: is theta a local minimum of Equation (1)?

Decides every point of a one-hidden-layer ReLU network (any parameterisation) completely, in
exact rational arithmetic (docs/method.md):

* :mod:`.criterion` the decision and its certificate: the residual conditions, and for each
  unit the sign of its kink form; a descent direction when one fails;
* :mod:`.kink_forms` the sign of one kink form (rays, lines, the convex case, Lemma C);
* :mod:`.zonotope` the mixed-sign kink forms as a zonotope containment (Lemma D), with
  :mod:`.zonotope_lp` its float proposals, each disposed of exactly;
* :mod:`.proof_text` the proof a person reads.
"""
