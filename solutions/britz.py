"""Reference solution: Denny Britz, "Implementing a Neural Network from Scratch in Python".

A 2-layer network with a tanh hidden layer and a softmax output, trained by full-batch
gradient descent on the make_moons data, written as the tutorial's notebook writes it.
`model` is a dict with "W1" (D, H), "b1" (1, H), "W2" (H, C), "b2" (1, C).
"""

import numpy as np


def _forward(model, X):
    """Hidden activations a1 (N, H) and softmax probabilities (N, C)."""
    z1 = X.dot(model["W1"]) + model["b1"]
    a1 = np.tanh(z1)
    z2 = a1.dot(model["W2"]) + model["b2"]
    exp_scores = np.exp(z2)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    return a1, probs


def calculate_loss(model, X, y, reg_lambda=0.01):
    """Mean cross-entropy of (N, D) X with labels y (N,), plus the L2 penalty, divided by N.

    Tutorial step: "Implementation", calculate_loss.
    """
    num_examples = len(X)
    _, probs = _forward(model, X)
    correct_logprobs = -np.log(probs[range(num_examples), y])
    data_loss = np.sum(correct_logprobs)
    data_loss += reg_lambda / 2 * (np.sum(np.square(model["W1"])) + np.sum(np.square(model["W2"])))
    return 1.0 / num_examples * data_loss


def predict(model, x):
    """Class indices (N,) of the highest softmax probability for (N, D) inputs."""
    _, probs = _forward(model, x)
    return np.argmax(probs, axis=1)


def backprop(model, X, y, reg_lambda=0.01):
    """The gradients the tutorial's update uses: dict "W1", "b1", "W2", "b2".

    These are dW1, db1, dW2, db2 of build_model, regularisation included: the gradient of
    N x calculate_loss. db1 has shape (H,), as in the tutorial.
    """
    num_examples = len(X)
    a1, probs = _forward(model, X)
    delta3 = probs
    delta3[range(num_examples), y] -= 1
    dW2 = (a1.T).dot(delta3)
    db2 = np.sum(delta3, axis=0, keepdims=True)
    delta2 = delta3.dot(model["W2"].T) * (1 - np.power(a1, 2))
    dW1 = np.dot(X.T, delta2)
    db1 = np.sum(delta2, axis=0)
    dW2 += reg_lambda * model["W2"]
    dW1 += reg_lambda * model["W1"]
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def build_model(X, y, nn_hdim, num_passes=20000, epsilon=0.01, reg_lambda=0.01,
                print_loss=False, seed=0):
    """Trains the network on (N, D) X and labels y (N,); returns the model dict.

    np.random.seed(seed), W1 = randn(D, nn_hdim)/sqrt(D), b1 = zeros((1, nn_hdim)),
    W2 = randn(nn_hdim, C)/sqrt(nn_hdim), b2 = zeros((1, C)), C the number of classes;
    then `num_passes` full-batch gradient descent steps of size `epsilon`. With `print_loss`,
    prints "Loss after iteration i: %f" every 1000 iterations, after that iteration's update.
    """
    np.random.seed(seed)
    nn_input_dim = X.shape[1]
    nn_output_dim = int(np.max(y)) + 1
    model = {
        "W1": np.random.randn(nn_input_dim, nn_hdim) / np.sqrt(nn_input_dim),
        "b1": np.zeros((1, nn_hdim)),
        "W2": np.random.randn(nn_hdim, nn_output_dim) / np.sqrt(nn_hdim),
        "b2": np.zeros((1, nn_output_dim)),
    }
    for i in range(num_passes):
        grads = backprop(model, X, y, reg_lambda)
        for name in ("W1", "b1", "W2", "b2"):
            model[name] = model[name] + -epsilon * grads[name]
        if print_loss and i % 1000 == 0:
            print("Loss after iteration %i: %f" % (i, calculate_loss(model, X, y, reg_lambda)))
    return model
