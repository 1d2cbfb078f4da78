"""Your rebuild of a-i-dan, "Introduction to Neural Networks in Python".

A single sigmoid neuron with three input weights, trained by the post's feed_forward /
backpropagation loop.

Replace each `raise NotImplementedError` with your code; `nox -s check` grades it.
"""

import numpy as np


class NeuralNetwork:
    """The post's NeuralNetwork class ("Code breakdown").

    inputs: (N, D) samples, outputs: (N, 1) targets. `weights` starts as a (D, 1) array of 0.5;
    `error_history` and `epoch_list` start empty and grow by one entry per training epoch.
    """

    def __init__(self, inputs, outputs):
        """Keeps inputs and outputs; weights (D, 1) of 0.5; empty error_history and epoch_list."""
        raise NotImplementedError("aidan.NeuralNetwork.__init__: not written yet")

    def sigmoid(self, x, deriv=False):
        """The sigmoid of `x`; with `deriv=True`, `x` is a sigmoid output and x*(1-x) is given."""
        raise NotImplementedError("aidan.NeuralNetwork.sigmoid: not written yet")

    def feed_forward(self):
        """Sets self.hidden, the (N, 1) prediction sigmoid(inputs @ weights)."""
        raise NotImplementedError("aidan.NeuralNetwork.feed_forward: not written yet")

    def backpropagation(self):
        """Sets self.error = outputs - hidden and adds inputs.T @ (error * slope) to weights."""
        raise NotImplementedError("aidan.NeuralNetwork.backpropagation: not written yet")

    def train(self, epochs=25000):
        """Runs `epochs` rounds of feed_forward and backpropagation, recording mean(abs(error))."""
        raise NotImplementedError("aidan.NeuralNetwork.train: not written yet")

    def predict(self, new_input):
        """The (M, 1) prediction sigmoid(new_input @ weights) for (M, D) new inputs."""
        raise NotImplementedError("aidan.NeuralNetwork.predict: not written yet")
