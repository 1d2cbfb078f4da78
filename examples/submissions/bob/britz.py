"""Your rebuild of Denny Britz, "Implementing a Neural Network from Scratch in Python".

A 2-layer network with a tanh hidden layer and a softmax output, trained by full-batch
gradient descent on the make_moons data.
`model` is a dict with "W1" (D, H), "b1" (1, H), "W2" (H, C), "b2" (1, C).

Replace each `raise NotImplementedError` with your code; `nox -s check` grades it.
"""

import numpy as np


def calculate_loss(model, X, y, reg_lambda=0.01):
    """Mean cross-entropy of (N, D) X with labels y (N,), plus the L2 penalty, divided by N.

    Tutorial step: "Implementation", calculate_loss.
    """
    raise NotImplementedError("britz.calculate_loss: not written yet")


def predict(model, x):
    """Class indices (N,) of the highest softmax probability for (N, D) inputs."""
    raise NotImplementedError("britz.predict: not written yet")


def backprop(model, X, y, reg_lambda=0.01):
    """The gradients the tutorial's update uses: dict "W1", "b1", "W2", "b2".

    These are dW1, db1, dW2, db2 of build_model, regularisation included: the gradient of
    N x calculate_loss. db1 has shape (H,), as in the tutorial.
    """
    raise NotImplementedError("britz.backprop: not written yet")


def build_model(X, y, nn_hdim, num_passes=20000, epsilon=0.01, reg_lambda=0.01,
                print_loss=False, seed=0):
    """Trains the network on (N, D) X and labels y (N,); returns the model dict.

    np.random.seed(seed), W1 = randn(D, nn_hdim)/sqrt(D), b1 = zeros((1, nn_hdim)),
    W2 = randn(nn_hdim, C)/sqrt(nn_hdim), b2 = zeros((1, C)), C the number of classes;
    then `num_passes` full-batch gradient descent steps of size `epsilon`. With `print_loss`,
    prints "Loss after iteration i: %f" every 1000 iterations, after that iteration's update.
    """
    raise NotImplementedError("britz.build_model: not written yet")
