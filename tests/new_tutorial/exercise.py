"""Your rebuild of a one-layer softmax classifier, the kit's test of a tutorial of a new
shape (tests/test_new_tutorial.py): no shipped tutorial has its names, helper or curve.
"""

import numpy as np


def softmax(scores):
    """The softmax of each row of scores.

    Inputs:
    - scores: array (N, C).
    Returns an array (N, C): exp(scores) divided by the sum of its row's exp.

    Tutorial step: "softmax".
    """
    raise NotImplementedError("onelayer.softmax: not written yet")


def probabilities(W, b, X):
    """The class probabilities of a one-layer classifier: softmax(X @ W + b).

    Inputs: W (D, C), b (C,), X (N, D).
    Returns an array (N, C).

    Tutorial step: "the classifier".
    """
    raise NotImplementedError("onelayer.probabilities: not written yet")


def train(X, y, classes, epochs=50, rate=0.5):
    """Full-batch gradient descent on the mean cross-entropy, from W = 0 and b = 0.

    Inputs:
    - X (N, D), y (N,): integer labels from 0 to classes - 1.
    - epochs: the number of updates; rate: the step size.
    Each update: P = probabilities(W, b, X); P[range(N), y] -= 1; then
    W -= rate * X.T @ P / N and b -= rate * P.sum(axis=0) / N.
    Returns (W, b, losses): losses holds `epochs` floats, the mean cross-entropy before
    each update.

    Tutorial step: "training".
    """
    raise NotImplementedError("onelayer.train: not written yet")