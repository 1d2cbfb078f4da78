"""Times a submission's own training loops at the tutorials' settings, outside any grader.

    python benchmarks/bare_compute.py FOLDER   (prints JSON: seconds per loop, numpy import)

This is the floor grading cost is compared with. A loop whose module is missing or raises
is left out, and so is a tutorial without a loop here.
"""

import json
import os
import sys
import time

started = time.perf_counter()
import numpy as np  # noqa: E402

NUMPY_IMPORT = time.perf_counter() - started
KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, KIT)
from graders import spec  # noqa: E402


def loops():
    """The published training runs, one per name."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    moons = np.loadtxt(os.path.join(KIT, "spec", "data", "britz_moons.csv"), delimiter=",",
                       skiprows=4)
    people = np.array([[-2, -1], [25, 6], [17, 4], [-15, -6]], dtype=float)
    samples = np.array([[0, 1, 0], [0, 1, 1], [0, 0, 0], [1, 0, 0], [1, 1, 1], [1, 0, 1]], float)
    return {
        "trask XOR (60000 iterations)": lambda m: m["trask"].train_three_layer(
            X, np.array([[0, 1, 1, 0]], dtype=float).T),
        "trask 2-layer (10000)": lambda m: m["trask"].train_two_layer(
            X, np.array([[0, 0, 1, 1]], dtype=float).T),
        "aidan (25000 epochs)": lambda m: m["aidan"].NeuralNetwork(
            samples, np.array([[0], [0], [0], [1], [1], [1]], dtype=float)).train(),
        "zhou (1000 epochs)": lambda m: m["zhou"].OurNeuralNetwork().train(
            people, np.array([1, 0, 0, 1], dtype=float)),
        "britz (20000 passes)": lambda m: m["britz"].build_model(
            moons[:, :2], moons[:, 2].astype(np.int64), 3),
    }


def main(folder):
    sys.path.insert(0, folder)
    modules = {}
    for name in spec.modules():
        try:
            modules[name] = __import__(name)
        except Exception:  # a broken module simply has no loop to time
            pass
    times = {}
    devnull = open(os.devnull, "w")
    for label, run in loops().items():
        stdout, sys.stdout = sys.stdout, devnull
        try:
            begin = time.perf_counter()
            run(modules)
            times[label] = time.perf_counter() - begin
        except Exception:
            pass
        finally:
            sys.stdout = stdout
    print(json.dumps({"loops": times, "numpy_import": NUMPY_IMPORT}))


if __name__ == "__main__":
    main(sys.argv[1])
