"""One hidden layer, exactly: is theta a local minimum of Equation (1)?

Decides every point of a one-hidden-layer ReLU network with one output (any
parameterisation) completely, in exact rational arithmetic (docs/method.md); with several
outputs, every point but those whose second order is degenerate:

* :mod:`.criterion` the decision and its certificate: the residual conditions, and for each
  unit the sign of its kink form; a descent direction when one fails;
* :mod:`.kink_forms` the sign of one kink form (rays, lines, the convex case, Lemma C);
* :mod:`.zonotope` the mixed-sign kink forms as a zonotope containment (Lemma D), with
  :mod:`.zonotope_lp` its float proposals, each disposed of exactly;
* :mod:`.proof_text` the proof a person reads;
* several outputs (docs/method.md, Theorem 3): :mod:`.vector_forms` the vector kink form and
  the cone constant (Lemma F), :mod:`.several` the unit evidence and conditions,
  :mod:`.several_descent` the first-order descents, :mod:`.second_order` the second-order test
  (Lemma G), :mod:`.several_decision` the decision and its re-verification,
  :mod:`.several_proof` the proof text.
"""
