# An independent rewrite of Denny Britz's network, with a stable log-softmax.
import numpy as np


def _probs(model, X):
    a1 = np.tanh(X @ model["W1"] + model["b1"])
    z = a1 @ model["W2"] + model["b2"]
    z = z - z.max(axis=1, keepdims=True)
    return a1, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def calculate_loss(model, X, y, reg_lambda=0.01):
    _, p = _probs(model, X)
    penalty = reg_lambda / 2 * sum(np.sum(model[k] ** 2) for k in ("W1", "W2"))
    return float((-np.log(p[np.arange(len(y)), y]).sum() + penalty) / len(X))


def predict(model, x):
    return _probs(model, x)[1].argmax(axis=1)


def backprop(model, X, y, reg_lambda=0.01):
    a1, p = _probs(model, X)
    d3 = p.copy()
    d3[np.arange(len(y)), y] -= 1
    d2 = d3 @ model["W2"].T * (1 - a1 ** 2)
    return {"W1": X.T @ d2 + reg_lambda * model["W1"], "b1": d2.sum(axis=0, keepdims=True),
            "W2": a1.T @ d3 + reg_lambda * model["W2"], "b2": d3.sum(axis=0, keepdims=True)}


def build_model(X, y, nn_hdim, num_passes=20000, epsilon=0.01, reg_lambda=0.01, print_loss=False, seed=0):
    np.random.seed(seed)
    n_in, n_out = X.shape[1], int(y.max()) + 1
    model = {"W1": np.random.randn(n_in, nn_hdim) / np.sqrt(n_in), "b1": np.zeros((1, nn_hdim)),
             "W2": np.random.randn(nn_hdim, n_out) / np.sqrt(nn_hdim), "b2": np.zeros((1, n_out))}
    for i in range(num_passes):
        grads = backprop(model, X, y, reg_lambda)
        model = {k: model[k] - epsilon * grads[k] for k in model}
        if print_loss and i % 1000 == 0:
            print("Loss after iteration %i: %f" % (i, calculate_loss(model, X, y, reg_lambda)))
    return model
