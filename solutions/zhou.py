"""Reference solution: Victor Zhou, "Machine Learning for Beginners: An Introduction to
Neural Networks".

A neuron, a 2-2-1 sigmoid network and its training by stochastic gradient descent on the
post's four people, written as the post writes them. The partial derivatives of "Training
a Neural Network, Part 2" are gathered in `backprop`, which `train` uses.
"""

import numpy as np


def sigmoid(x):
    """The activation function f(x) = 1 / (1 + e^(-x)) ("1. Building Blocks: Neurons")."""
    return 1 / (1 + np.exp(-x))


def deriv_sigmoid(x):
    """The slope of the sigmoid at `x`, an input of the sigmoid: f'(x) = f(x) * (1 - f(x))."""
    fx = sigmoid(x)
    return fx * (1 - fx)


def mse_loss(y_true, y_pred):
    """Mean squared error of two equal-length arrays ("3. Training a Neural Network, Part 1")."""
    return ((y_true - y_pred) ** 2).mean()


class Neuron:
    """One neuron: weights (D,) and a bias ("Coding a Neuron")."""

    def __init__(self, weights, bias):
        """Keeps `weights` (D,) and `bias` (a float) as attributes of the same names."""
        self.weights = weights
        self.bias = bias

    def feedforward(self, inputs):
        """sigmoid(weights . inputs + bias) for one (D,) input; returns a float."""
        total = np.dot(self.weights, inputs) + self.bias
        return sigmoid(total)


class OurNeuralNetwork:
    """The 2-2-1 network: inputs x1, x2, hidden h1, h2, output o1 ("Coding a Neural Network").

    Weights w1..w6 and biases b1..b3 are public floats, drawn with np.random.normal() in that
    order; feedforward, backprop and train read and update these attributes.
    """

    def __init__(self):
        """Draws w1, w2, ..., w6, b1, b2, b3, each with np.random.normal(), in that order."""
        self.w1 = np.random.normal()
        self.w2 = np.random.normal()
        self.w3 = np.random.normal()
        self.w4 = np.random.normal()
        self.w5 = np.random.normal()
        self.w6 = np.random.normal()
        self.b1 = np.random.normal()
        self.b2 = np.random.normal()
        self.b3 = np.random.normal()

    def feedforward(self, x):
        """The network's output o1 for one input x = [x1, x2]; returns a float."""
        h1 = sigmoid(self.w1 * x[0] + self.w2 * x[1] + self.b1)
        h2 = sigmoid(self.w3 * x[0] + self.w4 * x[1] + self.b2)
        o1 = sigmoid(self.w5 * h1 + self.w6 * h2 + self.b3)
        return o1

    def backprop(self, x, y_true):
        """dL/dparam for L = (y_true - feedforward(x))^2, as a dict "w1".."w6", "b1".."b3".

        The post's d_L_d_w1 etc. ("Training a Neural Network, Part 2" and "Code: A Complete
        Neural Network").
        """
        sum_h1 = self.w1 * x[0] + self.w2 * x[1] + self.b1
        h1 = sigmoid(sum_h1)
        sum_h2 = self.w3 * x[0] + self.w4 * x[1] + self.b2
        h2 = sigmoid(sum_h2)
        sum_o1 = self.w5 * h1 + self.w6 * h2 + self.b3
        y_pred = sigmoid(sum_o1)

        d_L_d_ypred = -2 * (y_true - y_pred)

        # Neuron o1
        d_ypred_d_w5 = h1 * deriv_sigmoid(sum_o1)
        d_ypred_d_w6 = h2 * deriv_sigmoid(sum_o1)
        d_ypred_d_b3 = deriv_sigmoid(sum_o1)
        d_ypred_d_h1 = self.w5 * deriv_sigmoid(sum_o1)
        d_ypred_d_h2 = self.w6 * deriv_sigmoid(sum_o1)

        # Neuron h1
        d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
        d_h1_d_w2 = x[1] * deriv_sigmoid(sum_h1)
        d_h1_d_b1 = deriv_sigmoid(sum_h1)

        # Neuron h2
        d_h2_d_w3 = x[0] * deriv_sigmoid(sum_h2)
        d_h2_d_w4 = x[1] * deriv_sigmoid(sum_h2)
        d_h2_d_b2 = deriv_sigmoid(sum_h2)

        return {
            "w1": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1,
            "w2": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2,
            "b1": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1,
            "w3": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3,
            "w4": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4,
            "b2": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2,
            "w5": d_L_d_ypred * d_ypred_d_w5,
            "w6": d_L_d_ypred * d_ypred_d_w6,
            "b3": d_L_d_ypred * d_ypred_d_b3,
        }

    def train(self, data, all_y_trues, learn_rate=0.1, epochs=1000):
        """Stochastic gradient descent over (N, 2) `data` and (N,) `all_y_trues`.

        Returns the MSE over `data` recorded after every epoch with epoch % 10 == 0
        (the post prints these as "Epoch %d loss: %.3f").
        """
        losses = []
        for epoch in range(epochs):
            for x, y_true in zip(data, all_y_trues):
                grads = self.backprop(x, y_true)
                for name, grad in grads.items():
                    setattr(self, name, getattr(self, name) - learn_rate * grad)
            if epoch % 10 == 0:
                y_preds = np.apply_along_axis(self.feedforward, 1, data)
                losses.append(mse_loss(all_y_trues, y_preds))
        return losses
