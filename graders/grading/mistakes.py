"""The classic mistakes a diagnosis names: the sentence for each stable code, and the tables
of evidence (what a mistake does to the ratio analytic / numeric of a gradient, and which wrong
slope of an activation gives which code). graders/grading/diagnose.py applies them."""

import numpy as np

from graders.model.i18n import N_

# A ratio shared by every entry of every gradient: (code, ratio); "N" is the number of samples.
RATIOS = (("sign-flipped", -1.0), ("factor-2", 2.0), ("factor-half", 0.5),
          ("mean-vs-sum", "N"), ("mean-vs-sum", "1/N"))

# Wrong slopes of an activation with input z and output o: (code, what, slope(z, o)).
SIGMOID_SLOPE = lambda z, o: o * (1 - o)  # noqa: E731
TANH_SLOPE = lambda z, o: 1 - o ** 2  # noqa: E731
WRONG_SLOPES = {
    "sigmoid": (
        ("slope-at-wrong-point", N_("x * (1 - x) of its input x"), lambda z, o: z * (1 - z)),
        ("slope-at-wrong-point", N_("f'(f(x)), the slope at its output"),
         lambda z, o: SIGMOID_SLOPE(None, 0.5 * (1 + np.tanh(0.5 * o)))),
        ("wrong-activation-derivative", N_("1, no slope at all"), lambda z, o: np.ones_like(o)),
        ("wrong-activation-derivative", N_("f(x) instead of f(x) * (1 - f(x))"), lambda z, o: o),
        ("wrong-activation-derivative", N_("tanh's 1 - f(x)^2"), lambda z, o: 1 - o ** 2)),
    "tanh": (
        ("wrong-activation-derivative", N_("1, no slope at all"), lambda z, o: np.ones_like(o)),
        ("wrong-activation-derivative", N_("1 - f(x) instead of 1 - f(x)^2"), lambda z, o: 1 - o),
        ("wrong-activation-derivative", N_("the sigmoid's f(x) * (1 - f(x))"),
         lambda z, o: o * (1 - o)),
        ("slope-at-wrong-point", N_("1 - x^2 of its input x"), lambda z, o: 1 - z ** 2),
        ("slope-at-wrong-point", N_("f'(f(x)), the slope at its output"),
         lambda z, o: 1 - np.tanh(o) ** 2)),
}
TRUE_SLOPE = {"sigmoid": SIGMOID_SLOPE, "tanh": TANH_SLOPE}

SENTENCES = {
    "sign-flipped": N_("%(what)s: every value has the wrong sign (ratio -1): the error is taken "
                       "the wrong way round; use (target - output) where the tutorial does, or "
                       "negate the result."),
    "factor-2": N_("%(what)s: every value is 2 times too large: remove the extra factor 2."),
    "factor-half": N_("%(what)s: every value is half what it should be: the factor 2 (of the "
                      "squared error's derivative, or of the update) is missing."),
    "mean-vs-sum": N_("%(what)s: every value is off by a factor %(ratio)s, the number of "
                      "samples N: sum over the samples where the tutorial sums, and average "
                      "where it averages."),
    "missing-regularisation": N_("%(what)s: %(parameters)s lack the regularisation term: add "
                                 "it as the tutorial does (reg_lambda / 2 * |W|^2 to the loss, "
                                 "reg_lambda * W to each weight's gradient)."),
    "missing-bias-gradient": N_("%(what)s: the gradient of %(parameters)s is zero: compute the "
                                "bias gradient (the deltas, summed over the samples)."),
    "slope": N_("%(what)s: the gradient is %(layers)s: the %(activation)s's slope is taken as "
                "%(mistake)s. Take f(x) * (1 - f(x)) for the sigmoid (1 - f(x)^2 for tanh), "
                "where x is what went into the activation and f(x) what came out."),
    "transposed": N_("%(what)s has the shape of its transpose: transpose the matrix (or swap "
                     "the factors of the product that makes it)."),
    "one-update-late": N_("%(what)s: the output is taken after the last update: return the "
                          "output of the forward pass before it, as the tutorial's loop does."),
    "seed-ignored": N_("%(what)s: the result is the same whatever seed numpy is given: draw the "
                       "weights with np.random after np.random.seed(seed), with the seed "
                       "given, never a fixed seed or a generator of your own."),
    "seed-at-import": N_("%(what)s: the result does not follow the seed it is given, but it "
                         "does change with numpy's random state before the call: the seed is "
                         "set once (at import) instead of in the function. Call "
                         "np.random.seed(seed) inside the function, with the seed given, "
                         "before drawing the weights."),
    "stale-weights": N_("%(what)s: the hidden layer's delta is computed with the output "
                        "weights already updated: compute every delta from the weights of the "
                        "forward pass first, then update the weights."),
    "shape-broadcast": N_("%(what)s has shape %(got)s where %(wanted)s was expected: a vector "
                          "of shape (N,) met one of shape (N, 1) and numpy broadcast them into "
                          "an (N, N) matrix. Keep predictions and targets the same shape "
                          "(reshape one, or ravel both)."),
    "state-shared": N_("%(what)s: %(quantity)s carries values over from an earlier network or "
                       "epoch: a list or total kept at class or module level, or never reset, "
                       "is shared. Create it in __init__ (self.name = []) or in the function, "
                       "and reset it where the tutorial does."),
    "abs-missing": N_("%(what)s: %(quantity)s has negative values, so the error is recorded "
                      "with its sign: record the mean of the absolute error, "
                      "np.mean(np.abs(error)), as the tutorial does."),
    "wrong-axis": N_("%(what)s: %(parameters)s has shape %(got)s: it is summed over the wrong "
                     "axis (over the units instead of the samples). Sum over axis 0, with "
                     "keepdims=True, as the tutorial does."),
    "label-indexing": N_("%(what)s: 1 is subtracted from every row's probability of every "
                         "class that occurs in y: delta3[:, y] -= 1 picks whole columns. Use "
                         "delta3[range(N), y] -= 1, one entry per row."),
    "learning-rate-twice": N_("%(what)s: one step changes the weights by %(rate)s times the "
                              "gradient, the learning rate squared (%(given)s^2): the learning "
                              "rate is applied twice; multiply by it once."),
    "learning-rate-ignored": N_("%(what)s: one step changes the weights by %(rate)s times the "
                                "gradient whatever learning rate is given (%(given)s here): "
                                "step by the learning rate argument, not a fixed number."),
    "probabilities-not-classes": N_("%(what)s returns the class probabilities, not the "
                                    "classes: return np.argmax(probs, axis=1), the class of "
                                    "the highest probability."),
    "starting-weights": N_("%(what)s: %(quantity)s, taken before any update, is already "
                           "off, so the starting weights differ from the tutorial's: start "
                           "from %(draw)s, in that order and with those shapes."),
    "forward-mismatch": N_("%(what)s: every gradient is %(ratio)s times the true one, so the "
                           "prediction used inside backprop is not feedforward(x)'s (it acts "
                           "as %(used)s instead of %(true)s): compute it with the same forward "
                           "pass as feedforward."),
}
# Other sentences for some codes, where the same mistake shows in another place.
SENTENCES.update({
    "forward-term": N_("%(what)s: the gradients are exactly those of a forward pass without "
                       "%(term)s, so the forward pass inside backprop is not the one that "
                       "predicts: compute it the same way, with %(term)s."),
    "learning-rate-in-gradient": N_("%(what)s: every gradient is %(rate)s times the true one, "
                                    "the learning rate: the gradient is already scaled by the "
                                    "learning rate, which the update applies again. Return the "
                                    "plain gradient."),
    "wrong-axis-argmax": N_("%(what)s takes the argmax over the samples (axis 0), one index "
                            "per class: take it over the classes, np.argmax(probs, axis=1)."),
    "wrong-axis-softmax": N_("%(what)s normalises the softmax over the samples (axis 0): "
                             "divide by the sum over the classes, np.sum(exp_scores, axis=1, "
                             "keepdims=True)."),
    "slope-helper": N_("%(what)s computes the slope at the wrong point: it gives %(mistake)s. "
                       "The contract's slope is %(right)s."),
    "missing-bias-update": N_("%(what)s: one step changes the weights as it should but leaves "
                              "%(parameters)s unchanged: update the biases too."),
    "label-indexing-rows": N_("%(what)s: 1 is subtracted from whole rows picked by the labels: "
                              "delta3[y] -= 1 indexes samples by class. Use "
                              "delta3[range(N), y] -= 1, one entry per row."),
    "label-indexing-loss": N_("%(what)s: the loss takes probs[:, y], an (N, N) table of every "
                              "sample's probability of every label: take probs[range(N), y], "
                              "each sample's probability of its own label."),
    "argument-ignored": N_("%(what)s ignores its %(argument)s argument: with %(argument)s="
                           "%(given)s it gave what %(argument)s=%(default)s, the default, gives. "
                           "Use the argument where the tutorial has its constant, not a fixed "
                           "number or a global."),
    "one-update-late-record": N_("%(what)s: %(quantity)s is recorded from a forward pass after "
                                 "the update: record the error of the forward pass before it, "
                                 "as the tutorial's loop does."),
})

# Codes whose evidence shows a generality case's requirement unmet: a shape, a seed or a
# learning rate not honoured. Any other failure of such a case is in the numbers, and its
# requirement is named after the message, as context.
UNMET = {"transposed", "shape-broadcast", "wrong-axis", "probabilities-not-classes",
         "seed-ignored", "seed-at-import", "learning-rate-twice", "learning-rate-ignored",
         "argument-ignored"}
LAYERS = {"all": N_("wrong at every layer"), "hidden": N_("right at the output and wrong at the "
                                                        "hidden layer"),
          "output": N_("wrong at the output layer")}

# Slopes a helper may give at the wrong point: (where its argument is, what it gives, slope).
HELPER_SLOPES = {
    "output": (N_("f(x) * (1 - f(x)) of x, though x is already the sigmoid's output"),
               N_("x * (1 - x), x being the sigmoid's output"),
               lambda x: SIGMOID_SLOPE(None, 0.5 * (1 + np.tanh(0.5 * x)))),
    "input": (N_("x * (1 - x) of its input x"), N_("f(x) * (1 - f(x)) of the input x"),
              lambda x: x * (1 - x)),
}
