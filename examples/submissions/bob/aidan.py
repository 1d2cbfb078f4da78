# An independent rewrite of a-i-dan's network.
import numpy as np


class NeuralNetwork:
    def __init__(self, inputs, outputs):
        self.inputs, self.outputs = np.asarray(inputs, float), np.asarray(outputs, float)
        self.weights = 0.5 * np.ones((self.inputs.shape[1], 1))
        self.error_history, self.epoch_list = [], []

    def sigmoid(self, x, deriv=False):
        return x - x * x if deriv else 1.0 / (1.0 + np.exp(-x))

    def feed_forward(self):
        self.hidden = self.sigmoid(self.inputs @ self.weights)

    def backpropagation(self):
        self.error = self.outputs - self.hidden
        self.weights = self.weights + self.inputs.T @ (self.error * self.sigmoid(self.hidden, True))

    def train(self, epochs=25000):
        for epoch in range(epochs):
            self.feed_forward()
            self.backpropagation()
            self.error_history.append(float(np.mean(np.abs(self.error))))
            self.epoch_list.append(epoch)

    def predict(self, new_input):
        return self.sigmoid(np.asarray(new_input, float) @ self.weights)
