"""Values that student code returns or prints never crash the kit's checks.

One submission, graded once: the reference with a few functions replaced by ones that answer
with what broke the checks before (an int of 10**400, a printed number and iteration of 5000
digits, an empty numpy array for a history, None to a diagnosis's extra call). Each costs the
cases that read it, with a message; no case is a kit error; every other case keeps its points.
"""

import os
import shutil

import pytest

from graders.model import spec
from tests.helpers import SOLUTIONS, all_cases, failed, grade

OVERRIDES = {
    "zhou": '''
def mse_loss(y_true, y_pred):
    return 10 ** 400
''',
    "britz": '''
_build_model, _backprop = build_model, backprop


def build_model(*args, **kwargs):
    print("Loss after iteration " + "1" * 5000 + ": 0.5")
    model = _build_model(*args, **kwargs)
    print("Loss after iteration 0: " + "9" * 5000)  # the last line for iteration 0 counts
    return model


def backprop(model, X, y, reg_lambda=0.01):
    if len(X) == 1 and reg_lambda == 0:
        return None  # to the diagnosis's one-sample call
    return {name: 3 * value for name, value in _backprop(model, X, y, reg_lambda).items()}
''',
    "aidan": '''
_train = NeuralNetwork.train


def train(self, *args, **kwargs):
    _train(self, *args, **kwargs)
    self.error_history = np.array([])
    self.epoch_list = np.arange(0)


NeuralNetwork.train = train
''',
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("odd-values")
    for module in spec.modules():
        shutil.copy(os.path.join(SOLUTIONS, module + ".py"), folder)
        with open(folder / (module + ".py"), "a") as handle:
            handle.write(OVERRIDES.get(module, ""))
    results, run = grade(folder, tmp_path=tmp_path_factory.mktemp("results"))
    return results, run


def outputs(results):
    return {t["extra_data"]["module"] + "::" + t["extra_data"]["case"]: t["output"]
            for t in results["tests"]}


def test_no_case_is_a_kit_error_and_every_case_is_kept(graded):
    results, run = graded
    assert run.returncode == 1, run.stdout
    assert results["extra_data"]["kit_errors"] == []
    assert {t["extra_data"]["module"] + "::" + t["extra_data"]["case"]
            for t in results["tests"]} == all_cases()
    assert "Traceback" not in run.stdout + run.stderr


def test_the_odd_values_cost_only_the_cases_that_read_them(graded):
    results, _ = graded
    lost = {case.split("::")[0] for case in failed(results)}
    assert lost == {"zhou", "britz", "aidan"}
    assert not any(case.startswith("trask::") for case in failed(results))
    assert "zhou::mse-loss" in failed(results)
    assert not any(t["extra_data"]["case"].startswith("neuron") and t["status"] == "failed"
                   for t in results["tests"] if t["extra_data"]["module"] == "zhou")


def test_each_failure_names_what_was_wrong(graded):
    results, _ = graded
    text = outputs(results)
    assert "but the tests expected a finite number" in text["zhou::mse-loss"]
    britz = [text[case] for case in failed(results) if case.startswith("britz::")]
    # the 5000-digit iteration is no line a case reads; the 5000-digit loss is one
    assert any("(printed 'Loss after iteration 0: 999" in output
               and "expected a finite number" in output for output in britz)
    assert any("the gradient is wrong" in output for output in britz)
    aidan = [text[case] for case in failed(results) if case.startswith("aidan::")]
    assert aidan and all("kit error" not in output for output in aidan)
    assert all("Tutorial step to re-read" in text[case] for case in failed(results))


# two_layer_update's reply forged by the student's code: the value right, its arguments as
# the call left them not a list of [args, kwargs].
FORGED_ARGUMENTS = '''
import json, struct, sys, os
import wire

_update = two_layer_update


def two_layer_update(X, y, syn0):
    reply = {"ok": wire.encode(_update(X, y, syn0)), "stdout": "", "arguments": "as sent"}
    payload = json.dumps(reply).encode()
    os.write(int(sys.argv[2]), struct.pack(">Q", len(payload)) + payload)
    os._exit(0)
'''


def test_a_forged_reply_with_the_arguments_sent_back_costs_only_its_case(tmp_path):
    """The arguments a call sends back (graders/sandbox/submission.py, call_leaving) are
    read as any reply is: a malformed one fails its case as a crash of the worker."""
    folder = tmp_path / "forged"
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    with open(folder / "trask.py", "a") as handle:
        handle.write(FORGED_ARGUMENTS)
    results, _ = grade(folder, "-k", "test_trask.py", hidden=False, tmp_path=tmp_path)
    assert failed(results) == {"trask::two-layer-update-gradient"}
    assert "it sent a reply the grader cannot read" in outputs(results)[
        "trask::two-layer-update-gradient"]
