# iamtrask's code as the post prints it (Python 3 print and range), in the contract's names:
# the seed and the weight shapes stay the post's own: np.random.seed(1), syn0 (3, 1) and
# (3, 4), syn1 (4, 1). Loop counts come from the contract's arguments, as does a given syn0.
import numpy as np


# sigmoid function
def nonlin(x,deriv=False):
    if(deriv==True):
        return x*(1-x)
    return 1/(1+np.exp(-x))


def two_layer_update(X, y, syn0):
    l0 = X
    l1 = nonlin(np.dot(l0,syn0))
    l1_error = y - l1
    l1_delta = l1_error * nonlin(l1,True)
    return np.dot(l0.T,l1_delta)


def train_two_layer(X, y, iterations=10000, seed=1, syn0=None):
    # seed random numbers to make calculation
    # deterministic (just a good practice)
    np.random.seed(1)

    # initialize weights randomly with mean 0
    if syn0 is None:
        syn0 = 2*np.random.random((3,1)) - 1
    else:
        syn0 = syn0.copy()

    for iter in range(iterations):

        # forward propagation
        l0 = X
        l1 = nonlin(np.dot(l0,syn0))

        # how much did we miss?
        l1_error = y - l1

        # multiply how much we missed by the
        # slope of the sigmoid at the values in l1
        l1_delta = l1_error * nonlin(l1,True)

        # update weights
        syn0 += np.dot(l0.T,l1_delta)

    return syn0, l1


def three_layer_updates(X, y, syn0, syn1):
    l0 = X
    l1 = nonlin(np.dot(l0,syn0))
    l2 = nonlin(np.dot(l1,syn1))
    l2_error = y - l2
    l2_delta = l2_error*nonlin(l2,deriv=True)
    l1_error = l2_delta.dot(syn1.T)
    l1_delta = l1_error * nonlin(l1,deriv=True)
    return l0.T.dot(l1_delta), l1.T.dot(l2_delta)


def train_three_layer(X, y, hidden=4, iterations=60000, seed=1, report_every=10000,
                      syn0=None, syn1=None):
    np.random.seed(1)

    # randomly initialize our weights with mean 0
    if syn0 is None or syn1 is None:
        syn0 = 2*np.random.random((3,4)) - 1
        syn1 = 2*np.random.random((4,1)) - 1
    else:
        syn0, syn1 = syn0.copy(), syn1.copy()

    errors = []
    for j in range(iterations):

        # Feed forward through layers 0, 1, and 2
        l0 = X
        l1 = nonlin(np.dot(l0,syn0))
        l2 = nonlin(np.dot(l1,syn1))

        # how much did we miss the target value?
        l2_error = y - l2

        if (j% report_every) == 0:
            print("Error:" + str(np.mean(np.abs(l2_error))))
            errors.append(np.mean(np.abs(l2_error)))

        # in what direction is the target value?
        # were we really sure? if so, don't change too much.
        l2_delta = l2_error*nonlin(l2,deriv=True)

        # how much did each l1 value contribute to the l2 error (according to the weights)?
        l1_error = l2_delta.dot(syn1.T)

        # in what direction is the target l1?
        # were we really sure? if so, don't change too much.
        l1_delta = l1_error * nonlin(l1,deriv=True)

        syn1 += l1.T.dot(l2_delta)
        syn0 += l0.T.dot(l1_delta)

    return syn0, syn1, errors
