"""Your rebuild of the five exercises at the end of Denny Britz's "Implementing a Neural
Network from Scratch in Python" (2015): minibatch gradient descent, an annealed learning rate,
other activation functions, three classes, and deeper networks.

A network of any depth is a `model` dict: "W1", "b1", ..., "WL", "bL", layer l mapping
layer_sizes[l-1] units to layer_sizes[l] (W{l} (n_in, n_out), b{l} (1, n_out)). The hidden
layers use one activation, the output a softmax over C classes. X is (N, D), y holds integer
labels (N,) from 0 to C - 1.

Replace each `raise NotImplementedError` with your code; `nox -s check` grades it.
"""

import numpy as np


def activate(z, activation):
    """The activation function applied element-wise.

    Inputs:
    - z: array (N, H) of what goes into the activation.
    - activation: "tanh", "sigmoid", "relu" (max(0, z)) or "leaky_relu" (z for z > 0, else
      0.01 * z).
    Returns an array (N, H).

    Tutorial step: exercise 3, "try other activation functions".
    """
    raise NotImplementedError("britz_exercises.activate: not written yet")


def activation_slope(z, activation):
    """The activation's derivative at its input z, element-wise.

    Inputs:
    - z: array (N, H) of what went into the activation.
    - activation: as in `activate`. The slope of relu and leaky_relu at exactly z = 0 is
      taken as that of z < 0 (0, and 0.01).
    Returns an array (N, H).

    Tutorial step: exercise 3, "the matching change to backpropagation".
    """
    raise NotImplementedError("britz_exercises.activation_slope: not written yet")


def init_model(layer_sizes, seed=0):
    """Starting weights for a network of any depth, as Britz draws them.

    Inputs:
    - layer_sizes: list [D, H1, ..., C] of the units per layer, input to output.
    - seed: np.random.seed(seed) is called first.
    Returns a model dict: for l = 1 .. L, in that order, W{l} = np.random.randn(n_in, n_out)
    / np.sqrt(n_in) and b{l} = np.zeros((1, n_out)).

    Tutorial step: "Implementation", build_model's initialisation; exercise 5.
    """
    raise NotImplementedError("britz_exercises.init_model: not written yet")


def forward(model, X, activation="tanh"):
    """The softmax probabilities of each class.

    Inputs:
    - model: dict W1, b1, ..., WL, bL (see the module's docstring).
    - X: array (N, D).
    - activation: of every hidden layer (see `activate`).
    Returns probs, an array (N, C) whose rows sum to 1.

    Tutorial step: "Implementation", forward propagation; exercises 4 and 5.
    """
    raise NotImplementedError("britz_exercises.forward: not written yet")


def calculate_loss(model, X, y, reg_lambda=0.01, activation="tanh"):
    """Britz's loss: mean cross-entropy plus the L2 penalty, both divided by N.

    Inputs:
    - model, X, activation: as in `forward`; y: integer labels (N,).
    - reg_lambda: the penalty is reg_lambda / 2 times the sum of every W{l} squared.
    Returns a float: (sum of -log probs[i, y[i]] + penalty) / N.

    Tutorial step: "Implementation", calculate_loss; exercises 4 and 5.
    """
    raise NotImplementedError("britz_exercises.calculate_loss: not written yet")


def predict(model, X, activation="tanh"):
    """The most probable class of each row of X: integer array (N,).

    Tutorial step: "Implementation", predict.
    """
    raise NotImplementedError("britz_exercises.predict: not written yet")


def backprop(model, X, y, reg_lambda=0.01, activation="tanh"):
    """The gradients Britz's update uses, for every layer.

    Inputs: as in `calculate_loss`.
    Returns a dict with the same keys and shapes as model: the gradient of N x calculate_loss
    (summed over the N samples, reg_lambda * W{l} added to each dW{l}).

    Tutorial step: "Implementation", build_model's backpropagation; exercises 3, 4 and 5.
    """
    raise NotImplementedError("britz_exercises.backprop: not written yet")


def learning_rate(epsilon0, decay, t):
    """The annealed step size of update number t (counted from 0 over the whole training).

    Returns epsilon0 / (1 + decay * t); decay = 0 keeps it fixed.

    Tutorial step: exercise 2, "anneal the learning rate".
    """
    raise NotImplementedError("britz_exercises.learning_rate: not written yet")


def batches(order, batch_size):
    """One epoch's minibatches: `order` cut into consecutive pieces of batch_size.

    Inputs:
    - order: integer array (N,) of sample indices, in the order this epoch visits them.
    - batch_size: samples per batch; the last batch holds what is left (it may be short).
    Returns a list of integer arrays: order[0:batch_size], order[batch_size:2 * batch_size],
    ..., together every entry of order exactly once.

    Tutorial step: exercise 1, "minibatch gradient descent".
    """
    raise NotImplementedError("britz_exercises.batches: not written yet")


def train(X, y, layer_sizes, epochs=100, batch_size=32, epsilon=0.01, decay=0.0,
          reg_lambda=0.01, activation="tanh", seed=0):
    """Minibatch gradient descent with an annealed learning rate.

    Inputs:
    - X (N, D), y (N,): the training data; layer_sizes: [D, H1, ..., C].
    - epochs: passes over the data; batch_size: as in `batches`.
    - epsilon, decay: update t (from 0, counted over all epochs) has step
      learning_rate(epsilon, decay, t).
    - reg_lambda, activation: as in `backprop`.
    - seed: model = init_model(layer_sizes, seed); then each epoch visits the samples in the
      order np.random.permutation(N), drawn right there, cut by `batches`.
    Each update: W -= step * backprop(model, X[batch], y[batch], reg_lambda, activation)[W],
    for every W and b.
    Returns (model, losses): the trained model and a list of `epochs` floats, the
    calculate_loss on all of X after each epoch.

    Tutorial step: exercises 1 and 2 (build_model, with minibatches and annealing).
    """
    raise NotImplementedError("britz_exercises.train: not written yet")


def hidden_size_study(X, y, hidden_sizes, epochs=100, batch_size=20, epsilon=0.01, seed=0):
    """Britz's study of the hidden layer's size, with minibatch training.

    Inputs:
    - X (N, D), y (N,): the data; hidden_sizes: list of sizes H, e.g. [1, 2, 3, 4, 5, 20, 50].
    Returns a list of models, one per size in that order, each
    train(X, y, [D, H, C], epochs, batch_size, epsilon, seed=seed)[0] (tanh, reg_lambda 0.01,
    no decay), C the number of classes, max(y) + 1.

    Tutorial step: "Varying the hidden layer size".
    """
    raise NotImplementedError("britz_exercises.hidden_size_study: not written yet")
