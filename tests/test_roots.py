"""A wrong helper costs its own cases; its callers are credited and it is named the root."""

import os
import types

import pytest

from graders.grading import curves
from graders.grading import roots
from graders.grading import tutorial
from graders.model import spec
from graders.sandbox import stand_ins
from graders.sandbox.submission import Submission
from graders.model.results import case_ids
from graders.grading.helpers import Helper
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


def test_a_wrong_helper_whose_training_goes_to_nan_draws_no_curve_of_its_own(tmp_path):
    """The rerun with stand-ins trains as the reference does: none of it may be drawn as the
    student's curve (their own training gave no numbers to draw)."""
    edits = [("    fx = sigmoid(x)\n    return fx * (1 - fx)", "    return 1e300 * x * x")]
    results, _ = grade(variant(tmp_path, "zhou", edits), "-k", "test_zhou.py", hidden=False,
                       tmp_path=tmp_path)
    [training] = [t for t in results["tests"] if t["extra_data"]["case"] == "training-loss"]
    assert training["status"] == "passed" and training["extra_data"]["root"] == [
        "zhou.deriv_sigmoid"]
    assert "curve" not in training["extra_data"]


def test_a_record_is_one_runs_and_closed_for_reruns():
    """Each grading run has its own Recorder (config.stash), never a module global: what one
    run or one rerun with stand-ins records never reaches another's results."""
    first, second = curves.Recorder(), curves.Recorder()
    record = first.case("zhou::training-loss", public=True)
    with record.closed():
        record.record("losses", lambda: [3.0, 2.0])  # the rerun with stand-ins
    assert first.values("zhou::training-loss") is None
    record.record("losses", lambda: [1.0, 0.5])
    assert first.values("zhou::training-loss") == {"losses": [[0, 1.0], [1, 0.5]]}
    assert second.values("zhou::training-loss") is None
    hidden = second.case("zhou::hidden-training", public=False)
    hidden.record("losses", lambda: [1.0])
    assert second.values("zhou::hidden-training") is None
    assert not hasattr(curves, "current")


@pytest.mark.parametrize("module", spec.modules())
def test_every_grader_declares_what_the_kit_reads(module):
    tutorial.check(spec.load(module))  # raises SpecError naming the file and the name
    for helper, declared in roots.helpers(module).items():
        [(name, source)] = roots.stand_ins(module, [helper]).values()
        assert source.startswith("def %s(" % name)  # the function alone travels
        assert callable(stand_ins.build(name, source))


def test_britz_exercises_credits_the_callers_of_its_helpers():
    assert roots.callees("britz_exercises")["backprop"] == ["activate", "activation_slope"]
    assert set(roots.callees("britz_exercises")["train"]) == {
        "activate", "activation_slope", "learning_rate", "batches"}


def fake_grader(**names):
    """A grader that declares what the kit reads, with `names` changed (None: left out)."""
    declared = {"HELPERS": {}, "CURVE": ("losses", "epoch", "loss"),
                "bare_loops": lambda: {"a run": lambda m: None}}
    declared.update(names)
    return types.SimpleNamespace(**{k: v for k, v in declared.items() if v is not None})


def grader_global(x):
    return x


def uses_a_grader_global(x):
    return grader_global(x)


@pytest.mark.parametrize("names, problem", [
    ({"HELPERS": None}, "graders/test_zhou.py, HELPERS: missing"),
    ({"CURVE": None}, "graders/test_zhou.py, CURVE: missing"),
    ({"bare_loops": None}, "graders/test_zhou.py, bare_loops: missing"),
    ({"CURVE": ("losses",)}, "graders/test_zhou.py, CURVE: must be"),
    ({"bare_loops": lambda: ["a run"]}, "graders/test_zhou.py, bare_loops: must be"),
    ({"boundaries": ["a panel"]}, "graders/test_zhou.py, boundaries: must be a function"),
    ({"HELPERS": {"softmax": Helper(stand_ins.sigmoid, ("OurNeuralNetwork.train",))}},
     "HELPERS['softmax']: no case of spec/zhou.yaml grades softmax"),
    ({"HELPERS": {"sigmoid": Helper(stand_ins.sigmoid, ("predict",))}},
     "HELPERS['sigmoid']: caller 'predict' is not another name"),
    ({"HELPERS": {"sigmoid": Helper(lambda x: x, ("Neuron.feedforward",))}},
     "HELPERS['sigmoid']: the stand-in must be a function defined with def"),
    ({"HELPERS": {"sigmoid": Helper(uses_a_grader_global, ("Neuron.feedforward",))}},
     "HELPERS['sigmoid']: the stand-in uses_a_grader_global uses grader_global, which the "
     "sandbox does not have"),
])
def test_a_grader_that_leaves_out_what_the_kit_reads_is_refused(names, problem, monkeypatch):
    monkeypatch.setattr(tutorial, "grader", lambda module: fake_grader(**names))
    with pytest.raises(spec.SpecError) as refused:
        tutorial.check(spec.load("zhou"))
    assert problem in str(refused.value)


def test_the_worker_builds_only_the_stand_ins_the_grader_sends():
    student = Submission(SOLUTIONS, ["zhou"], start=True)
    try:
        with pytest.raises(pytest.fail.Exception, match="SyntaxError"):
            student.stand_in("zhou", {"deriv_sigmoid": ["slope", "def slope(x) return 0"]})
        student.stand_in("zhou", roots.stand_ins("zhou", ["deriv_sigmoid"]))
        assert student.call("zhou.deriv_sigmoid", 0.0) == 0.25
        student.stand_in("zhou", {"deriv_sigmoid": ["slope", "def slope(x):\n    return 7.0\n"]})
        assert student.call("zhou.deriv_sigmoid", 0.0) == 7.0
        student.stand_in("zhou", {})
        assert student.call("zhou.deriv_sigmoid", 0.0) == 0.25  # the student's own again
        assert student.call("zhou.sigmoid", 0.0) == 0.5
    finally:
        student.close()


def test_what_travels_into_the_sandbox_is_numpy_and_the_contracts_helpers():
    with open(stand_ins.__file__, encoding="utf-8") as handle:
        source = handle.read()
    assert "import numpy as np" in source and source.count("import ") == 1
    assert os.path.basename(stand_ins.__file__) == "stand_ins.py"
    assert set(stand_ins.namespace()) == {"np", "sigmoid", "slope_at_input", "mse_loss"}
