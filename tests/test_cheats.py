"""Typing the published numbers does not pay: a lookup cheat of any name of the contract,
right on the public inputs and wrong elsewhere, loses points; so does a constant helper."""

import os

import pytest

from graders.grading import roots
from graders.model import spec
from tests import cheats
from tests.helpers import copy_solutions, grade, max_score
from tests.test_spec_sanity import graded_names

NAMES = [(module, name) for module in spec.modules() for name in sorted(graded_names(module))]


@pytest.mark.parametrize("module, name", NAMES, ids=["%s.%s" % pair for pair in NAMES])
def test_a_lookup_cheat_passes_the_public_cases_and_loses_hidden_ones(module, name, tmp_path):
    folder = str(tmp_path / "cheat")
    cheats.write(module, name, folder)
    public, hidden = cheats.grade_name(module, name, folder)
    assert public and not any(public.values()), public  # right where the handout shows it
    assert hidden and any(hidden.values()), hidden  # wrong where the kit draws


def constant_helpers():
    """[(module, helper, the value it always returns: what its first public case expects)]."""
    found = []
    for module in spec.modules():
        for helper in sorted(roots.helpers(module)):
            first = next(c for c in spec.load(module).cases
                         if c.function == helper and not c.hidden)
            found.append((module, helper, first.expected))
    return found


def test_a_module_with_a_constant_helper_never_scores_full_marks(tmp_path):
    """Each helper a grader declares (HELPERS) in turn returns a constant; one grading holds one such
    module per tutorial."""
    rounds = {}
    for module, helper, value in constant_helpers():
        rounds.setdefault(module, []).append((helper, value))
    for number in range(max(len(found) for found in rounds.values())):
        folder = copy_solutions(tmp_path, "constant-%d" % number)
        broken = {}
        for module, found in rounds.items():
            if number < len(found):
                helper, value = found[number]
                owner, _, attribute = helper.rpartition(".")
                constant = "(lambda *args, **kwargs: %s)" % (
                    "np.array(%r)" % (value,) if isinstance(value, list) else repr(value))
                with open(os.path.join(folder, module + ".py"), "a", encoding="utf-8") as out:
                    out.write("\n%s = %s\n" % ("%s.%s" % (owner, attribute) if owner
                                               else attribute, constant))
                broken[module] = helper
        results, _ = grade(folder, "-k", " or ".join("test_%s.py" % m for m in broken),
                           tmp_path=tmp_path)
        for module, helper in broken.items():
            tests = [t for t in results["tests"] if t["extra_data"]["module"] == module]
            assert sum(t["score"] for t in tests) < max_score({"tests": tests}), helper


def test_the_issues_cheat_scores_less_than_full(tmp_path):
    """mse_loss always 0.5 and Neuron.feedforward always the post's 0.9990889488055994."""
    folder = copy_solutions(tmp_path)
    with open(os.path.join(folder, "zhou.py"), "a", encoding="utf-8") as out:
        out.write("\nmse_loss = lambda y_true, y_pred: 0.5\n"
                  "Neuron.feedforward = lambda self, inputs: 0.9990889488055994\n")
    results, _ = grade(folder, "-k", "zhou", tmp_path=tmp_path)
    assert results["score"] < max_score(results)
    status = {t["extra_data"]["case"]: t["status"] for t in results["tests"]}
    assert status["hidden-mse-loss-drawn"] == status["hidden-neuron-feedforward-drawn"] == "failed"
