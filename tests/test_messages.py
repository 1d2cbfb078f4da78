"""What a failure tells its reader: every wrong gradient, the student's own prints, and a
fault of the kit reported as the kit's."""

import json
import re
import shutil
import subprocess
import sys

from graders.model.results import SubmissionResults
from graders.outputs import gradebook
from tests.helpers import KIT, grade, outputs, variant

PARAMETERS = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")


def test_a_gradient_failure_lists_every_parameter_that_is_off(tmp_path):
    # The newcomer's mistake: the slope taken at the sigmoid's output instead of its input, in
    # backprop (a wrong deriv_sigmoid alone costs only its own cases: tests/test_roots.py).
    folder = variant(tmp_path, "zhou", [("deriv_sigmoid(sum_o1)", "deriv_sigmoid(y_pred)"),
                                        ("deriv_sigmoid(sum_h1)", "deriv_sigmoid(h1)"),
                                        ("deriv_sigmoid(sum_h2)", "deriv_sigmoid(h2)")])
    results, _ = grade(folder, "-k", "test_zhou.py", hidden=False, tmp_path=tmp_path)
    output = outputs(results)["zhou::backprop-gradient"]
    assert "the gradient is wrong for 9 of 9 parameters" in output
    assert "Diagnosis: zhou.OurNeuralNetwork.backprop: the gradient is wrong at every layer: " \
           "the sigmoid's slope is taken as f'(f(x)), the slope at its output." in output
    rows = re.findall(r"^  (w\d|b\d)\s+\(\)\s+(\S+)\s+(\S+)\s+(\S+)$", output, re.M)
    assert sorted(row[0] for row in rows) == sorted(PARAMETERS)
    assert re.search(r"^  parameter\s+worst index\s+analytic\s+numeric\s+ratio$", output, re.M)
    for _, analytic, numeric, ratio in rows:
        assert abs(float(analytic) / float(numeric) - float(ratio)) < 1e-3 * abs(float(ratio))


def test_a_students_print_output_comes_with_the_case_it_belongs_to(tmp_path):
    folder = variant(tmp_path, "zhou", [(
        "    return ((y_true - y_pred) ** 2).mean()",
        "    print('my mse', 'x' * 5000)\n    return ((y_true - y_pred) ** 2).sum()")])
    results, _ = grade(folder, "-k", "test_zhou.py", hidden=False, tmp_path=tmp_path)
    output = outputs(results)["zhou::mse-loss"]
    assert "Your code printed during this case:\nmy mse xxx" in output
    assert "more characters)" in output and len(output) < 3000  # truncated
    assert "printed" not in outputs(results)["zhou::sigmoid"]


def test_a_fault_of_the_kit_is_a_kit_error_not_the_students(tmp_path):
    kit = tmp_path / "kit"
    shutil.copytree(KIT, kit, ignore=shutil.ignore_patterns(".git", ".nox", "__pycache__",
                                                            "tests", "examples"))
    grader = kit / "graders" / "test_zhou.py"
    source = grader.read_text()
    old = '    y_true, y_pred = case.array("y_true"), case.array("y_pred")\n'
    assert old in source
    grader.write_text(source.replace(old, old + '    case.input["y_tru"]\n'))
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=solutions", "-q",
                          "--results-json", str(tmp_path / "r.json")], cwd=kit,
                         capture_output=True, text=True)
    assert run.returncode == 3
    assert "Traceback" not in run.stdout + run.stderr
    assert "KIT ERROR in 1 case(s)" in run.stdout
    results = json.loads((tmp_path / "r.json").read_text())
    output = outputs(results)["zhou::mse-loss"]
    assert output.startswith("kit error: the grader itself failed on this case, so it says "
                             "nothing about your code") and "KeyError" in output
    assert "Tutorial step" not in output
    assert results["extra_data"]["kit_errors"] == ["zhou::mse-loss"]
    found = gradebook.problems(SubmissionResults.from_json(results), [])
    assert gradebook.status(SubmissionResults.from_json(results), found) == "error"
    assert found == ["kit error in zhou::mse-loss"]


def test_a_call_stopped_by_its_tutorials_time_budget_says_so(tmp_path):
    """A call that waits past what is left of its tutorial's budget (2 s here, the call limit
    being 20 s of CPU time) is told it ran past the budget, not past a limit per call."""
    folder = variant(tmp_path, "zhou", [("def mse_loss(y_true, y_pred):\n",
                                         "def mse_loss(y_true, y_pred):\n"
                                         "    __import__('time').sleep(60)\n")])
    results, _ = grade(folder, "-k", "test_zhou.py and mse", "--time-budget", "2",
                       hidden=False, tmp_path=tmp_path)
    output = outputs(results)["zhou::mse-loss"]
    assert re.search(r"ran past the \d\.\d s left of its tutorial's time budget", output), \
        output  # the import took some of the 2 s
    assert "time limit per call" not in output
