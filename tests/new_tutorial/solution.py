"""Reference solution: a one-layer softmax classifier, the kit's test of a tutorial of a new
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
    exp = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    return exp / np.sum(exp, axis=1, keepdims=True)


def probabilities(W, b, X):
    """The class probabilities of a one-layer classifier: softmax(X @ W + b).

    Inputs: W (D, C), b (C,), X (N, D).
    Returns an array (N, C).

    Tutorial step: "the classifier".
    """
    return softmax(X @ W + b)


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
    N, D = X.shape
    W, b, losses = np.zeros((D, classes)), np.zeros(classes), []
    for _ in range(epochs):
        P = probabilities(W, b, X)
        losses.append(float(-np.mean(np.log(P[np.arange(N), y]))))
        P[np.arange(N), y] -= 1
        W = W - rate * X.T @ P / N
        b = b - rate * P.sum(axis=0) / N
    return W, b, losses
