# An independent rewrite: matrix operators, a shared forward pass, loops over layers.
import numpy as np


def nonlin(x, deriv=False):
    return x * (1.0 - x) if deriv else 0.5 * (1.0 + np.tanh(0.5 * x))


def _forward(X, weights):
    layers = [X]
    for w in weights:
        layers.append(nonlin(layers[-1] @ w))
    return layers


def _updates(X, y, weights):
    layers = _forward(X, weights)
    delta = (y - layers[-1]) * nonlin(layers[-1], True)
    updates = []
    for i in range(len(weights) - 1, -1, -1):
        updates.insert(0, layers[i].T @ delta)
        delta = (delta @ weights[i].T) * nonlin(layers[i], True)
    return updates, layers


def two_layer_update(X, y, syn0):
    return _updates(X, y, [syn0])[0][0]


def train_two_layer(X, y, iterations=10000, seed=1, syn0=None):
    if syn0 is None:
        rng = np.random.RandomState(seed)
        syn0 = 2 * rng.random_sample((X.shape[1], y.shape[1])) - 1
    w = [np.array(syn0, dtype=float)]
    for _ in range(iterations):
        (update,), layers = _updates(X, y, w)
        w[0] = w[0] + update
    return w[0], layers[-1]


def three_layer_updates(X, y, syn0, syn1):
    return tuple(_updates(X, y, [syn0, syn1])[0])


def train_three_layer(X, y, hidden=4, iterations=60000, seed=1, report_every=10000, syn0=None, syn1=None):
    if syn0 is None:
        rng = np.random.RandomState(seed)
        syn0 = 2 * rng.random_sample((X.shape[1], hidden)) - 1
        syn1 = 2 * rng.random_sample((hidden, y.shape[1])) - 1
    w = [np.array(syn0, dtype=float), np.array(syn1, dtype=float)]
    errors = []
    for j in range(iterations):
        updates, layers = _updates(X, y, w)
        if j % report_every == 0:
            errors.append(float(np.abs(y - layers[-1]).mean()))
        w = [wi + ui for wi, ui in zip(w, updates)]
    return w[0], w[1], errors
