"""Reference solution: a-i-dan, "Introduction to Neural Networks in Python".

A single sigmoid neuron with three input weights, trained by the post's feed_forward /
backpropagation loop, written as the post writes it.
"""

import numpy as np


class NeuralNetwork:
    """The post's NeuralNetwork class ("Code breakdown").

    inputs: (N, D) samples, outputs: (N, 1) targets. `weights` starts as a (D, 1) array of 0.5;
    `error_history` and `epoch_list` start empty and grow by one entry per training epoch.
    """

    def __init__(self, inputs, outputs):
        """Keeps inputs and outputs; weights (D, 1) of 0.5; empty error_history and epoch_list."""
        self.inputs = inputs
        self.outputs = outputs
        self.weights = np.full((inputs.shape[1], 1), 0.5)
        self.error_history = []
        self.epoch_list = []

    def sigmoid(self, x, deriv=False):
        """The sigmoid of `x`; with `deriv=True`, `x` is a sigmoid output and x*(1-x) is given."""
        if deriv:
            return x * (1 - x)
        return 1 / (1 + np.exp(-x))

    def feed_forward(self):
        """Sets self.hidden, the (N, 1) prediction sigmoid(inputs @ weights)."""
        self.hidden = self.sigmoid(np.dot(self.inputs, self.weights))

    def backpropagation(self):
        """Sets self.error = outputs - hidden and adds inputs.T @ (error * slope) to weights."""
        self.error = self.outputs - self.hidden
        delta = self.error * self.sigmoid(self.hidden, deriv=True)
        self.weights += np.dot(self.inputs.T, delta)

    def train(self, epochs=25000):
        """Runs `epochs` rounds of feed_forward and backpropagation, recording mean(abs(error))."""
        for epoch in range(epochs):
            self.feed_forward()
            self.backpropagation()
            self.error_history.append(np.average(np.abs(self.error)))
            self.epoch_list.append(epoch)

    def predict(self, new_input):
        """The (M, 1) prediction sigmoid(new_input @ weights) for (M, D) new inputs."""
        return self.sigmoid(np.dot(new_input, self.weights))
