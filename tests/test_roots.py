"""A wrong helper costs its own cases; its callers are credited and it is named the root."""

import os

import pytest

from graders.model import spec
from graders.sandbox import stand_ins
from graders.sandbox.submission import Submission
from graders.model.results import case_ids
from tests.helpers import SOLUTIONS, failed, grade, variant

# name: (module, [(text in solutions/<module>.py, replacement)], the helper named as the root,
# cases that must be credited around it); only the helper's own cases may fail
HELPER_BUGS = {
    "zhou-slope-of-an-output": ("zhou", [("    fx = sigmoid(x)\n    return fx * (1 - fx)",
                                          "    return x * (1 - x)")],
                                "zhou.deriv_sigmoid",
                                {"zhou::backprop-gradient", "zhou::worked-gradient",
                                 "zhou::training-loss", "zhou::training-predictions"}),
    "trask-slope-of-sigmoid-twice": ("trask", [("return x * (1 - x)",
                                                "return nonlin(x) * (1 - nonlin(x))")],
                                     "trask.nonlin",
                                     {"trask::two-layer-update-gradient", "trask::xor-errors"}),
    "aidan-feed-forward-forgets-sigmoid": ("aidan", [(
        "self.hidden = self.sigmoid(np.dot(self.inputs, self.weights))",
        "self.hidden = np.dot(self.inputs, self.weights)")], "aidan.NeuralNetwork.feed_forward",
        {"aidan::backpropagation-gradient", "aidan::predictions"}),
}


@pytest.mark.parametrize("name", sorted(HELPER_BUGS))
def test_callers_of_a_wrong_helper_keep_their_points(name, tmp_path):
    module, edits, root, credited = HELPER_BUGS[name]
    own = {case.name for case in spec.load(module).cases
           if "%s.%s" % (module, case.function) == root}
    results, run = grade(variant(tmp_path, module, edits), "-k", "test_%s.py" % module,
                         tmp_path=tmp_path)
    assert failed(results) <= own and failed(results)
    roots = {"%s::%s" % (t["extra_data"]["module"], t["extra_data"]["case"]):
             t["extra_data"]["root"] for t in results["tests"] if "root" in t["extra_data"]}
    assert credited <= set(roots) and all(found == [root] for found in roots.values())
    assert set(roots) <= case_ids(results, "passed")
    assert "Root cause: %s is wrong" % root in run.stdout


def test_the_worker_is_given_only_the_contracts_helpers():
    """What can stand in is the contract's sigmoid, its slope, the loss and a forward pass."""
    assert {module: sorted(names) for module, names in stand_ins.STAND_INS.items()} == {
        "aidan": ["NeuralNetwork.feed_forward", "NeuralNetwork.sigmoid"],
        "trask": ["nonlin"], "zhou": ["deriv_sigmoid", "mse_loss", "sigmoid"]}
    with open(stand_ins.__file__, encoding="utf-8") as handle:
        source = handle.read()
    assert "import numpy as np" in source and source.count("import ") == 1
    assert os.path.basename(stand_ins.__file__) == "stand_ins.py"


def test_the_worker_refuses_to_stand_in_anything_else():
    student = Submission(SOLUTIONS, ["zhou"], start=True)
    try:
        with pytest.raises(pytest.fail.Exception, match="KeyError"):
            student.stand_in("zhou", ["OurNeuralNetwork.backprop"])
        student.stand_in("zhou", ["deriv_sigmoid"])
        assert student.call("zhou.deriv_sigmoid", 0.0) == 0.25
    finally:
        student.close()
