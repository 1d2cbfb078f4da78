"""The contract's helpers, as the kit's stand-ins for a student's failed ones.

Copied into the sandbox beside worker.py (like wire.py) and used there only when the grader
asks, to re-run a caller whose own code may be right (graders/grading/roots.py). Each one is exactly
what the contract's docstring tells a student: a sigmoid, its slope, a mean squared error,
a forward pass. Standard library and numpy only.
"""

import numpy as np


def sigmoid(x):
    """1 / (1 + e^(-x)), written so that it never overflows."""
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def slope_at_input(x):
    """The sigmoid's slope at its input x: f(x) * (1 - f(x))."""
    fx = sigmoid(x)
    return fx * (1 - fx)


def nonlin(x, deriv=False):
    """trask's nonlin: the sigmoid, or with deriv=True the slope x * (1 - x) at an output x."""
    return x * (1 - x) if deriv else sigmoid(x)


def mse_loss(y_true, y_pred):
    """Mean squared error."""
    return float(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2))


def method_sigmoid(self, x, deriv=False):
    """a-i-dan's NeuralNetwork.sigmoid: with deriv=True, x is a sigmoid output."""
    return nonlin(x, deriv)


def feed_forward(self):
    """a-i-dan's NeuralNetwork.feed_forward: sets self.hidden = sigmoid(inputs @ weights)."""
    self.hidden = sigmoid(np.dot(self.inputs, self.weights))


# {module: {contract name: stand-in}}: the only names a grader may ask to stand in.
STAND_INS = {
    "trask": {"nonlin": nonlin},
    "zhou": {"sigmoid": sigmoid, "deriv_sigmoid": slope_at_input, "mse_loss": mse_loss},
    "aidan": {"NeuralNetwork.sigmoid": method_sigmoid,
              "NeuralNetwork.feed_forward": feed_forward},
}
