"""Every claim of the paper, in its order, with its own words (quoted or closely paraphrased).

Claims that nothing checks yet carry the reason, written for the reader of the report: what
the check would need that this release does not have. The report lists them as "not yet
covered" and shows the reason as "Not in this release: <reason>".
"""

from .claims import _declare

_declare("fig1", "Section 3.1.1, Figure 1",
         "Rectified MLPs on MNIST initialised outside a good interval do not reach a good "
         "solution even after 1,000,000 Adam updates; depth does not help.")
_declare("fig2", "Section 3.1.1, Figure 2",
         "Scaling MNIST inputs by tau makes a one-hidden-layer net fail to reach 0 training "
         "error after 1,200,000 updates.")
_declare("table1", "Section 3.1.2, Table 1",
         "'Convergence' rates of 2-h-1 nets (ReLU / sigmoid, Adam / GD) on XOR and the "
         "jellyfish dataset, h = 2..7.",
         "needs the paper's training protocol (steps, learning rate, convergence threshold), "
         "which the paper does not give, run on the XOR and jellyfish data")
_declare("fig3", "Section 3.1.2, Figure 3",
         "On the jellyfish dataset, failed ReLU models are almost linear near the data points.",
         "needs the failed ReLU models, i.e. the paper's training protocol (not given in the "
         "paper) run on the jellyfish data")
_declare("table1-gd4", "Section 3.1.2, on Table 1 (jellyfish)",
         "With 4 hidden units one still only gets 2 out of 3 runs to end with 0 training error "
         "(ReLU, jellyfish, when using GD).")
_declare("table1-adam", "Section 3.1.2, on Table 1 (XOR)",
         "Switching from gradient descent to more aggressive optimizers like Adam does not seem "
         "to help, but rather tends to make it more likely to get stuck in suboptimal solutions.")
_declare("table1-sgd", "Section 3.1.2, on XOR",
         "SGD can solve the task with only 2 hidden units, full batch methods do not always "
         "succeed.")
_declare("prop1", "Proposition 1",
         "For D1 and L of Eq. (1), the point v = 1, b = -3, w = 1, c = 0 is a local minimum of "
         "L which is not a global minimum (Appendix B.4: L(1,-3,1,0) = 18, L(-7,-4,1,0) = 14).")
_declare("remark1", "Remark 1",
         "The point (1, -3, 1, 0) is a minimum but not a strict one: it lies on a "
         "1-dimensional manifold on which L = 18.")
_declare("no-blind-spots", "Section 3.1.3, before Proposition 2",
         "Blind spots are not the only reason for bad behaviour: they can be completely absent "
         "in local optima, at the same time existing in a global solution.")
_declare("prop2", "Proposition 2",
         "For D2, w = (-5, -1), b = (1, -8), v = (1, -1), c = -1 is a global minimum (perfect "
         "fit) and w = (-3, -1), b = (4 + 1/3, -10), v = (1, -1), c = -3 is a local minimum.")
_declare("prop2-blind-spot", "Section 3.1.3, after Proposition 2",
         "The global solution of Proposition 2 has a blind spot: all neurons deactivate at x3, "
         "yet it attains 0 training error.")
_declare("prop3", "Proposition 3",
         "For D3, w = (-1.5, -1.5, 1.5), b = (1, 0, -13 - 1/6), v = (1, 1, -1), c = -1 is a "
         "better local minimum than w = (-2, 1, 1), b = (3 + 2/3, -10, -11), v = (1, -1, -1), "
         "c = -3.")
_declare("prop3-regions", "Section 3.1.3, after Proposition 3",
         "Both Proposition 3 solutions fit each region (x < 6 and x >= 6) optimally; the worse "
         "uses two units on region II, the better two units on region I.")
_declare("bad-minima", "Section 3.1, Examples of bad local minima",
         "The local minima named in Propositions 1-3 are bad: each is a local minimum whose "
         "loss is above the global minimum of its problem.")
_declare("fig4", "Figure 4",
         "The local minima of Propositions 1-3 drawn with the datasets D1-D3.")
_declare("fig5", "Figure 5",
         "Zig-Zag regression: learning is hard when data are concentrated in few linear "
         "regions, even with close to 3000 units.")
_declare("prop4", "Proposition 4",
         "There is a whitened dataset (full-rank covariance, linearly separable) on which, for "
         "any rectifier net with N(mu, sigma^2) weights and zero biases and any eps, with "
         "probability >= 1 - eps gradient training with log loss never reaches 0 error nor "
         "converges (Appendix B.1, Eq. (3)).")
_declare("fig6-sentence", "Section 3.2, text on Figure 6",
         "With LeCun'98 or Xavier'10 initialisation mu = 0.24 suffices even with 10,000 hidden "
         "units in each of 100 hidden layers, while fixed standard deviation 0.01 fails even "
         "with mu = 0.07.")
_declare("fig6", "Figure 6",
         "Required mu against h for 99% probability (LeCun'98, Xavier'10), and the Proposition 5 "
         "probability against depth.")
_declare("prop5", "Proposition 5",
         "For every dataset and zero-mean weight/bias distributions, the probability that "
         "training yields a constant model tends to 1 as the number of hidden layers grows "
         "(Appendix B.2 bound).")
_declare("large-basin", "Section 3.2, after Proposition 5",
         "For any regression dataset a rectifier model has at least one local minimum with a "
         "large basin of attraction: a blind spot that corresponds to a region in parameter "
         "space of the same dimensionality (codimension 0).")
_declare("lemma1", "Lemma 1",
         "If x_1 = ... = x_N, the solution of regression (2) outputs the mean of the y_i.")
_declare("lemma2", "Lemma 2",
         "If W_1 x_i < -b_1 for all i, the model has constant output and local optimisation "
         "does not change W_1, b_1.")
_declare("cor1", "Corollary 1",
         "If some layer is inactive on every point, after training the model outputs the mean "
         "of the y_i.")
_declare("thm1-i", "Theorem 1 (i)",
         "Any point with a layer inactive on every data point is a local minimum.")
_declare("thm1-ii", "Theorem 1 (ii)",
         "If the first layer has at least 3 neurons and the dataset is decent, such a point is "
         "not a global minimum (Appendix B.3 construction).")
_declare("yun-sigmoid", "Reference 003 (Yun, Sra, Jadbabaie), sigmoid/tanh counterexample",
         "With inputs (1, 0), (0, 1), (1/2, 1/2), targets 0, 0, 1 and two sigmoid (or tanh) "
         "hidden units with biases, the loss (1/2) sum (f - y)^2 has a local minimum whose output "
         "is the linear least-squares fit (loss 1/3), strictly worse than the global minimum.")

# Reference 003's other two results (issue 26), paraphrased from its abstract and the issue
_declare("yun-leaky", "Reference 003 (Yun, Sra, Jadbabaie), piecewise-linear activations",
         "For h(t) = s+ t (t >= 0), s- t (t < 0) with s+ > 0, s- >= 0, s+ != s- (ReLU: s- = 0), "
         "one hidden layer and squared loss: for almost all datasets on which linear least "
         "squares does not fit perfectly, there are infinitely many local minima that are not "
         "global (a point realising the linear least-squares fit is a local minimum, and a point "
         "of lower loss exists).", after="yun-sigmoid")
_declare("yun-deep-linear", "Reference 003 (Yun, Sra, Jadbabaie), deep linear networks",
         "Critical points of a deep linear network (the multilinear parameterisation) inherit "
         "the structure of the linear least-squares problem: every local minimum is global, "
         "and conditions on the product tell global minima from saddle points.",
         after="yun-leaky")

# Reference 001 reports a conjecture of the paper's earlier version, quoted exactly
_declare("ref001-deadlock", "Reference 001 (reading-group summary), on an earlier version's "
         "Theorem 1",
         "In Theorem 1 they construct what they conjecture to be the smallest dataset (10 points) "
         "such that a 2-2-1 fully connected NN with sigmoid activations is \u201cdeadlocked\u201d "
         "into a local minimum with an accuracy significantly below the optimum (50% that of "
         "another point they explictly show).", after="yun-sigmoid")

# The mechanisms of Figures 1 and 2, placed after their figures
_declare("fig1-blind-spot", "Section 3.1.1, after Figure 1",
         "By changing the initialization of the model (the mean of the normal distribution "
         "used to sample weights) one can force all hidden units to be deactivated for most or "
         "all examples in the training set.", after="fig1")
_declare("fig2-regions", "Section 3.1.1, text on Figure 2",
         "Scaling the inputs by a factor tau concentrates most of the data points in very few "
         "linear regions (given by the initialization of the MLP).", after="fig2")
_declare("fig1-permuted", "Section 3.1.1, on Figure 1 (bottom row)",
         "Destroying the structure (randomly permuted labels) makes the model even more "
         "susceptible to bad initializations: the network requires at least 400 units to "
         "achieve 0 training error.", after="fig1")
_declare("fig2-review", "Reviewer's critique, on Figure 2 (zero biases)",
         "Scaling the input, assuming weight matrices are initialized with zero biases, should "
         "not alter the regions over which each ReLU activates.", after="fig2", source="000")

# Issue 24: the sentences the registry missed, each quoted verbatim from the reference text
# (tests/test_outline_quotes.py compares them with shared/reference/ when it is present)
_declare("fig2-review-time", "Reviewer's critique, on Figure 2 (more time)",
         "A more plausible explanation is that the weaker scaling has not been adequately "
         "compensated by the learning algorithm, and the algorithm would converge if given "
         "more time.", after="fig2-review", source="000")
_declare("fig2-review-eps", "Reviewer's critique, on Figure 2 (Adam's epsilon)",
         "The authors also suggest that Adam should compensate for the scaling factor, but "
         "this depends on implementation details, such as the epsilon parameter used to "
         "prevent division by zero.", after="fig2-review-time", source="000")
_declare("fig1-stuck", "Section 3.1, before Figure 1",
         "We start our examples with experiments showing that bad initialization can lead to "
         "training getting stuck in a local minimum on MNIST dataset.", after="fig1-permuted",
         source="002")
_declare("digits-failures", "Reviewer's critique, on Section 3.1 (minimum or saddle)",
         "Section 3.1 claims to show that training gets stuck in a local minimum, but this "
         "conclusion is based on training with a fixed number of epochs. It is unclear whether "
         "the observed behavior reflects a genuine local minimum or a saddle point.",
         after="fig2-review-eps", source="000")
_declare("typo-table-ref", "Section 3.1.2, reference to Table 1",
         "Switching from gradient descent to more aggressive optimizers like Adam does not seem "
         "to help, but rather tend to make it more likely to get stuck in suboptimal solutions "
         "(Table 3.1.2).", after="table1-sgd", source="002")
_declare("jellyfish-relu", "Section 3.1.2, on the jellyfish",
         "Compared to the XOR problem it seems the jellyfish problem poses even more issues, "
         "especially for ReLU units", after="typo-table-ref", source="002")
_declare("prop3-no-blind-spot", "Section 3.1.3, after Proposition 3 (blind spots)",
         "Note that again the above construction is not relying on the *blind spot* "
         "phenomenon.", after="prop3-regions", source="002")
_declare("typo-b1-sign", "Appendix B.1 (proof of Proposition 4), gradient signs",
         r"Consequently, given the fact that we use log loss, all  $\partial \mathcal{L} / "
         r"\partial v_k > 0$  and  $\partial \mathcal{L} / \partial w_{kl} \geq 0$",
         after="prop4", source="002")
_declare("typo-b2-dead-layer", "Appendix B.2 (proof of Proposition 5), a dead layer",
         r"if the following layer has only negative weights and non-positive biases, then  "
         r"$\mathbf{h}_{j+1} \equiv \mathbf{b}_{j+1}$  (as all the ReLUs are inactive)",
         after="prop5", source="002")
_declare("typo-b2-complement", "Appendix B.2 (proof of Proposition 5), the complement",
         r"P(\exists_{j>1} \mathbf{b}_j \leq 0, \mathbf{W}_j < 0) = 1 - P(\forall_{j>1} "
         r"\mathbf{b}_j > 0, \mathbf{W}_j \geq 0)", after="typo-b2-dead-layer", source="002")
_declare("typo-thm1-index", "Theorem 1, the condition",
         r"Let  $\theta = ((\mathbf{W}_n)_{n=1}^k, (\mathbf{b}_n)_{n=1}^k)$  be any point in the "
         r"parameter space satisfying  $\mathbf{W}_n \mathbf{h}_n(\mathbf{x}_i) < -\mathbf{b}_n$  "
         r"(coordinate-wise) for all  $i$ -s.", after="thm1-ii", source="002")
_declare("b3-from-cor1", "Appendix B.3 (proof of Theorem 1), claim (i)",
         "Claim i) is a direct consequence of Corollary 1.", after="typo-thm1-index",
         source="002")
_declare("hamey-xor", "Reviewer's critique, sigmoid XOR (Hamey)",
         "For example, in the XOR problem with two hidden nodes, it was once thought there "
         "were local minima, but it was later shown that there are none (e.g., L. Hamey, "
         "\"Analysis of the error surface of the XOR network with two hidden nodes,\" 1995).",
         source="000")
_declare("zero-init", "Reviewer's critique, zero initialisation",
         "If the goal is simply to demonstrate that training does not converge for specific "
         "finite problems, much simpler counterexamples could suffice. For instance, "
         "initializing all hidden unit weights to zero would achieve this.", source="000")
