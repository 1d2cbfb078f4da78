"""Your rebuild of Victor Zhou, "Machine Learning for Beginners: An Introduction to Neural
Networks".

A neuron, a 2-2-1 sigmoid network and its training by stochastic gradient descent on the
post's four people. The partial derivatives of "Training a Neural Network, Part 2" are
gathered in `backprop`, which `train` uses.

Replace each `raise NotImplementedError` with your code; `nox -s check` grades it.
"""

import numpy as np


def sigmoid(x):
    """The activation function f(x) = 1 / (1 + e^(-x)) ("1. Building Blocks: Neurons")."""
    raise NotImplementedError("zhou.sigmoid: not written yet")


def deriv_sigmoid(x):
    """The slope of the sigmoid at `x`, an input of the sigmoid: f'(x) = f(x) * (1 - f(x))."""
    raise NotImplementedError("zhou.deriv_sigmoid: not written yet")


def mse_loss(y_true, y_pred):
    """Mean squared error of two equal-length arrays ("3. Training a Neural Network, Part 1")."""
    raise NotImplementedError("zhou.mse_loss: not written yet")


class Neuron:
    """One neuron: weights (D,) and a bias ("Coding a Neuron")."""

    def __init__(self, weights, bias):
        """Keeps `weights` (D,) and `bias` (a float) as attributes of the same names."""
        raise NotImplementedError("zhou.Neuron.__init__: not written yet")

    def feedforward(self, inputs):
        """sigmoid(weights . inputs + bias) for one (D,) input; returns a float."""
        raise NotImplementedError("zhou.Neuron.feedforward: not written yet")


class OurNeuralNetwork:
    """The 2-2-1 network: inputs x1, x2, hidden h1, h2, output o1 ("Coding a Neural Network").

    Weights w1..w6 and biases b1..b3 are public floats, drawn with np.random.normal() in that
    order; feedforward, backprop and train read and update these attributes.
    """

    def __init__(self):
        """Draws w1, w2, ..., w6, b1, b2, b3, each with np.random.normal(), in that order."""
        raise NotImplementedError("zhou.OurNeuralNetwork.__init__: not written yet")

    def feedforward(self, x):
        """The network's output o1 for one input x = [x1, x2]; returns a float."""
        raise NotImplementedError("zhou.OurNeuralNetwork.feedforward: not written yet")

    def backprop(self, x, y_true):
        """dL/dparam for L = (y_true - feedforward(x))^2, as a dict "w1".."w6", "b1".."b3".

        The post's d_L_d_w1 etc. ("Training a Neural Network, Part 2" and "Code: A Complete
        Neural Network").
        """
        raise NotImplementedError("zhou.OurNeuralNetwork.backprop: not written yet")

    def train(self, data, all_y_trues, learn_rate=0.1, epochs=1000):
        """Stochastic gradient descent over (N, 2) `data` and (N,) `all_y_trues`.

        Returns the MSE over `data` recorded after every epoch with epoch % 10 == 0
        (the post prints these as "Epoch %d loss: %.3f").
        """
        raise NotImplementedError("zhou.OurNeuralNetwork.train: not written yet")
