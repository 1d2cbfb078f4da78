"""Reference solution: Andrew Trask, "A Neural Network in 11 lines of Python (Part 1)".

Rebuilds the tutorial's 2-layer network (Part 1, "2 Layer Neural Network") and its 3-layer
XOR network (Part 2, "3 Layer Neural Network"), written as the tutorial writes them.
"""

import numpy as np


def nonlin(x, deriv=False):
    """The sigmoid of `x`; with `deriv=True`, the slope x*(1-x) for a sigmoid output `x`.

    Tutorial step: line 5-8, "nonlin" (the sigmoid and its derivative from its output).
    """
    if deriv:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


def two_layer_update(X, y, syn0):
    """What one training iteration adds to `syn0` (l0.T @ l1_delta). Arguments are not modified.

    X: (N, D) inputs, y: (N, K) targets, syn0: (D, K) weights. Returns a (D, K) array.
    Tutorial step: lines 29-38, forward pass, "error weighted derivative" and update.
    """
    l0 = X
    l1 = nonlin(np.dot(l0, syn0))
    l1_error = y - l1
    l1_delta = l1_error * nonlin(l1, True)
    return np.dot(l0.T, l1_delta)


def train_two_layer(X, y, iterations=10000, seed=1, syn0=None):
    """Full-batch training of the 2-layer network; returns (syn0, l1).

    X: (N, D), y: (N, K). Without `syn0`: np.random.seed(seed), then
    syn0 = 2*np.random.random((D, K)) - 1; otherwise training starts from a copy of `syn0`.
    Returns the trained syn0 (D, K) and l1 (N, K), the output of the last forward pass
    (the tutorial's "Output After Training").
    """
    if syn0 is None:
        np.random.seed(seed)
        syn0 = 2 * np.random.random((X.shape[1], y.shape[1])) - 1
    else:
        syn0 = np.array(syn0, dtype=float)
    for _ in range(iterations):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l1_error = y - l1
        l1_delta = l1_error * nonlin(l1, True)
        syn0 += np.dot(l0.T, l1_delta)
    return syn0, l1


def three_layer_updates(X, y, syn0, syn1):
    """What one iteration adds to each weight matrix; returns (syn0_update, syn1_update).

    X: (N, D), y: (N, K), syn0: (D, H), syn1: (H, K). Arguments are not modified.
    Tutorial step: Part 2, lines 28-45, backpropagating l2_delta through syn1 to l1_delta.
    """
    l0 = X
    l1 = nonlin(np.dot(l0, syn0))
    l2 = nonlin(np.dot(l1, syn1))
    l2_error = y - l2
    l2_delta = l2_error * nonlin(l2, deriv=True)
    l1_error = l2_delta.dot(syn1.T)
    l1_delta = l1_error * nonlin(l1, deriv=True)
    return l0.T.dot(l1_delta), l1.T.dot(l2_delta)


def train_three_layer(X, y, hidden=4, iterations=60000, seed=1, report_every=10000,
                      syn0=None, syn1=None):
    """Full-batch training of the 3-layer network; returns (syn0, syn1, errors).

    Without weights: np.random.seed(seed), then syn0 (D, hidden) and syn1 (hidden, K), each
    2*np.random.random(shape) - 1, in that order; otherwise copies of the given weights.
    `errors` lists mean(abs(l2_error)) at every iteration j with j % report_every == 0
    (the tutorial prints these as "Error:...").
    """
    if syn0 is None or syn1 is None:
        np.random.seed(seed)
        syn0 = 2 * np.random.random((X.shape[1], hidden)) - 1
        syn1 = 2 * np.random.random((hidden, y.shape[1])) - 1
    else:
        syn0 = np.array(syn0, dtype=float)
        syn1 = np.array(syn1, dtype=float)
    errors = []
    for j in range(iterations):
        l0 = X
        l1 = nonlin(np.dot(l0, syn0))
        l2 = nonlin(np.dot(l1, syn1))
        l2_error = y - l2
        if j % report_every == 0:
            errors.append(np.mean(np.abs(l2_error)))
        l2_delta = l2_error * nonlin(l2, deriv=True)
        l1_error = l2_delta.dot(syn1.T)
        l1_delta = l1_error * nonlin(l1, deriv=True)
        syn1 += l1.T.dot(l2_delta)
        syn0 += l0.T.dot(l1_delta)
    return syn0, syn1, errors
