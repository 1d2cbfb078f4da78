"""Your rebuild of Andrew Trask, "A Neural Network in 11 lines of Python (Part 1)".

Rebuilds the tutorial's 2-layer network (Part 1, "2 Layer Neural Network") and its 3-layer
XOR network (Part 2, "3 Layer Neural Network").

Replace each `raise NotImplementedError` with your code; `nox -s check` grades it.
"""

import numpy as np


def nonlin(x, deriv=False):
    """The sigmoid of `x`; with `deriv=True`, the slope x*(1-x) for a sigmoid output `x`.

    Tutorial step: line 5-8, "nonlin" (the sigmoid and its derivative from its output).
    """
    raise NotImplementedError("trask.nonlin: not written yet")


def two_layer_update(X, y, syn0):
    """What one training iteration adds to `syn0` (l0.T @ l1_delta). Arguments are not modified.

    X: (N, D) inputs, y: (N, K) targets, syn0: (D, K) weights. Returns a (D, K) array.
    Tutorial step: lines 29-38, forward pass, "error weighted derivative" and update.
    """
    raise NotImplementedError("trask.two_layer_update: not written yet")


def train_two_layer(X, y, iterations=10000, seed=1, syn0=None):
    """Full-batch training of the 2-layer network; returns (syn0, l1).

    X: (N, D), y: (N, K). Without `syn0`: np.random.seed(seed), then
    syn0 = 2*np.random.random((D, K)) - 1; otherwise training starts from a copy of `syn0`.
    Returns the trained syn0 (D, K) and l1 (N, K), the output of the last forward pass
    (the tutorial's "Output After Training").
    """
    raise NotImplementedError("trask.train_two_layer: not written yet")


def three_layer_updates(X, y, syn0, syn1):
    """What one iteration adds to each weight matrix; returns (syn0_update, syn1_update).

    X: (N, D), y: (N, K), syn0: (D, H), syn1: (H, K). Arguments are not modified.
    Tutorial step: Part 2, lines 28-45, backpropagating l2_delta through syn1 to l1_delta.
    """
    raise NotImplementedError("trask.three_layer_updates: not written yet")


def train_three_layer(X, y, hidden=4, iterations=60000, seed=1, report_every=10000,
                      syn0=None, syn1=None):
    """Full-batch training of the 3-layer network; returns (syn0, syn1, errors).

    Without weights: np.random.seed(seed), then syn0 (D, hidden) and syn1 (hidden, K), each
    2*np.random.random(shape) - 1, in that order; otherwise copies of the given weights.
    `errors` lists mean(abs(l2_error)) at every iteration j with j % report_every == 0
    (the tutorial prints these as "Error:...").
    """
    raise NotImplementedError("trask.train_three_layer: not written yet")
