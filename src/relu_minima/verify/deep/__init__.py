"""Deep ReLU networks (Section 3.2, Equation (2)): is theta a local minimum?

* :mod:`.rules` the decision, an ordered list of exact rules (blind spots, Lemma 2, Theorem 1
  (i); whole families; the class-mean bound; depth 2; descent moves), each proving a verdict or
  passing; "undecided" with the reason when none applies;
* :mod:`.certificate` the certificate (kind "deep-relu") and its re-verification;
  :mod:`.proof_text` its reason and proof, derived from the verified evidence;
* :mod:`.blind_spots` blind spots (Lemma 2, Corollary 1) and the class-mean bound;
* :mod:`.moves` exact descent moves (first and second order, sign vectors, revivals) and the
  search, :mod:`.path_moves` the moves along a path to the output;
* :mod:`.families` whole families of points decided with a proof object;
* :mod:`.tails` sign bounds for the tail of a network behind a switched-off layer;
* :mod:`.outputs` the quantities that are numbers for one output and vectors for several;
* :mod:`.restricted` the same question over a restricted parameterisation (bias-free layers,
  frozen parameters), an ordered list of routes too.

:func:`relu_minima.verify.dispatch.verify_deep` sends a point to :mod:`.rules` or
:mod:`.restricted` by its parameterisation. A depth-2 point is a one-hidden-layer point: both
send it to the shallow criterion through one function,
:func:`relu_minima.verify.deep.rules.shallow_criterion`.
"""
