# An independent rewrite of Victor Zhou's network: parameters gathered per layer.
import numpy as np

NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")


def sigmoid(x):
    return np.exp(-np.logaddexp(0, -x))


def deriv_sigmoid(x):
    s = sigmoid(x)
    return s * (1 - s)


def mse_loss(y_true, y_pred):
    return float(np.mean(np.square(np.subtract(y_true, y_pred))))


class Neuron:
    def __init__(self, weights, bias):
        self.weights, self.bias = np.asarray(weights, float), float(bias)

    def feedforward(self, inputs):
        return float(sigmoid(self.weights @ np.asarray(inputs, float) + self.bias))


class OurNeuralNetwork:
    def __init__(self):
        for name in NAMES:
            setattr(self, name, float(np.random.normal()))

    def _layers(self, x):
        W = np.array([[self.w1, self.w2], [self.w3, self.w4]])
        z = W @ np.asarray(x, float) + np.array([self.b1, self.b2])
        h = sigmoid(z)
        out = self.w5 * h[0] + self.w6 * h[1] + self.b3
        return z, h, out

    def feedforward(self, x):
        return float(sigmoid(self._layers(x)[2]))

    def backprop(self, x, y_true):
        z, h, out = self._layers(x)
        g = -2 * (y_true - sigmoid(out)) * deriv_sigmoid(out)
        gz = g * np.array([self.w5, self.w6]) * deriv_sigmoid(z)
        return {"w1": gz[0] * x[0], "w2": gz[0] * x[1], "w3": gz[1] * x[0], "w4": gz[1] * x[1],
                "w5": g * h[0], "w6": g * h[1], "b1": gz[0], "b2": gz[1], "b3": g}

    def train(self, data, all_y_trues, learn_rate=0.1, epochs=1000):
        history = []
        for epoch in range(epochs):
            for x, y in zip(data, all_y_trues):
                for name, grad in self.backprop(x, y).items():
                    setattr(self, name, getattr(self, name) - learn_rate * grad)
            if epoch % 10 == 0:
                history.append(mse_loss(all_y_trues, [self.feedforward(x) for x in data]))
        return history
