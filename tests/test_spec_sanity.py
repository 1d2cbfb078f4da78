"""The specs are checked as data: well formed, tied to real procedures and contract names."""

import ast
import dataclasses
import inspect
import os
import subprocess
import sys

import numpy as np
import pytest
import yaml

from graders.grading import procedures
from graders.model import spec
from tests.helpers import KIT, copy_kit

MODULES = spec.modules()


def test_every_tutorial_has_its_stub_solution_and_grader():
    assert {"aidan", "britz", "trask", "zhou"} <= set(MODULES)
    for module in MODULES:
        for path in ("exercises/%s.py", "solutions/%s.py", "graders/test_%s.py"):
            assert os.path.isfile(os.path.join(KIT, path % module)), path % module


@pytest.mark.parametrize("module", MODULES)
def test_spec_loads_and_names_real_procedures_and_functions(module):
    loaded = spec.load(module)
    declared = procedures.declared(module)
    contract = spec.contract_names(os.path.join(KIT, "exercises", module + ".py"))
    for case in loaded.cases:
        assert case.check in declared, "%s: no procedure test_%s" % (case.name, case.check)
        assert case.function in contract, "%s: %s is not a contract name" % (
            case.name, case.function)
    public_checks = {case.check for case in loaded.cases if not case.hidden}
    assert set(declared) <= public_checks, "every procedure needs a public case"


def graded_names(module):
    """The contract's functions, methods and constructors: what a student writes in
    exercises/<module>.py (the classes themselves are only their methods)."""
    path = os.path.join(KIT, "exercises", module + ".py")
    source = open(path, encoding="utf-8").read()
    classes = {node.name for node in ast.parse(source).body if isinstance(node, ast.ClassDef)}
    return spec.contract_names(path) - classes


@pytest.mark.parametrize("module", MODULES)
def test_every_name_of_the_contract_has_a_hidden_case_on_drawn_numbers(module):
    """A hidden case with fixed inputs can be read in the open-source kit and typed in; one
    whose inputs the kit draws at grading time cannot."""
    drawn = {case.function for case in spec.load(module).cases if case.hidden and case.draws}
    assert sorted(graded_names(module) - drawn) == []


def test_draws_are_made_per_case_and_file_the_same_every_time():
    zhou = spec.load("zhou")
    [case] = [c for c in zhou.cases if c.id == "hidden-sigmoid-drawn"]
    assert case.draws and not [c for c in zhou.cases if c.draws and not c.hidden]
    first, again, other = (case.drawn(salt).input["x"] for salt in ("file-a", "file-a", "file-b"))
    assert first == again != other and len(first) == 6 and all(-6 <= x < 6 for x in first)


@pytest.mark.parametrize("module", MODULES)
def test_hidden_cases_say_their_kind_and_generality_stays_under_a_tenth(module):
    cases = spec.load(module).cases
    for case in cases:
        assert case.hidden == case.id.startswith("hidden-") == (case.kind != spec.PUBLIC)
        assert case.expected != spec.FROM_SOLUTIONS or case.hidden, case.name
        assert bool(case.requires) == (case.kind == spec.GENERALITY), case.name
    general = sum(case.points for case in cases if case.kind == spec.GENERALITY)
    assert general <= spec.GENERALITY_SHARE * sum(case.points for case in cases)


def contract_objects(folder, module):
    """{contract name: its object} of `folder`/`module`.py (exercises or solutions)."""
    namespace = {}
    path = os.path.join(KIT, folder, module + ".py")
    exec(compile(open(path, encoding="utf-8").read(), path, "exec"), namespace)
    found = {}
    for name in spec.contract_names(path):
        owner, _, attribute = name.partition(".")
        found[name] = getattr(namespace[owner], attribute) if attribute else namespace[owner]
    return found


@pytest.mark.parametrize("module", MODULES)
def test_stub_and_solution_share_signatures_and_docstrings(module):
    def contract(folder):
        return {name: (str(inspect.signature(obj)) if callable(obj) else "", inspect.getdoc(obj))
                for name, obj in contract_objects(folder, module).items()}
    assert contract("exercises") == contract("solutions")


@pytest.mark.parametrize("module", MODULES)
def test_every_keyword_of_the_contract_gets_another_value_in_some_case(module):
    """Code that ignores an argument (the tutorial's constant or a global in its place) must
    lose points: each argument with a default, of each function a case calls, is given a
    value other than its default by some case."""
    cases = spec.load(module).cases
    never = []
    for name, obj in contract_objects("exercises", module).items():
        called = [case.input for case in cases if case.function == name and
                  isinstance(case.input, dict)]
        if not called or not callable(obj):
            continue
        for argument, parameter in inspect.signature(obj).parameters.items():
            if parameter.default is not inspect.Parameter.empty and not any(
                    argument in given and repr(given[argument]) != repr(parameter.default)
                    for given in called):
                never.append("%s(%s)" % (name, argument))
    assert never == []


def write_spec(tmp_path, cases, **top):
    """A spec for trask (whose procedures the cases name) in a folder of its own."""
    document = {"module": "trask", "tutorial": "A demo", "cases": cases, **top}
    (tmp_path / "trask.yaml").write_text(yaml.safe_dump(document))


GOOD = {"id": "good-case", "check": "nonlin", "function": "nonlin", "description": "d",
        "source": "s", "points": 1, "tolerance": {"rtol": 0, "atol": 0},
        "input": {"x": [0.0, 1.0], "deriv": False}, "expected": [0.5, 0.7]}
GENERAL = dict(GOOD, id="hidden-general", kind="generality", requires="r", expected="solutions")

MALFORMED = [
    (dict(GOOD, points=0), "case 'good-case', key 'points'"),
    (dict(GOOD, points=True), "case 'good-case', key 'points'"),
    (dict(GOOD, tolerance={"rtol": 1e-9}), "case 'good-case', key 'tolerance'"),
    (dict(GOOD, tolerance={"rtol": 5, "atol": 0}), "case 'good-case', key 'tolerance'"),
    (dict(GOOD, id="Bad Id"), "case 'Bad Id', key 'id'"),
    (dict(GOOD, expected="solutions"), "case 'good-case', key 'expected'"),
    (dict(GOOD, expected=None), "case 'good-case', key 'expected'"),
    (dict(GOOD, hidden=True), "case 'good-case', key 'hidden'"),
    (dict(GOOD, kind="secret"), "case 'good-case', key 'kind'"),
    (dict(GOOD, kind="new-numbers"), "case 'good-case', key 'id'"),
    (dict(GENERAL, requires=""), "case 'hidden-general', key 'requires'"),
    (dict(GOOD, requires="r"), "case 'good-case', key 'requires'"),
    (dict(GOOD, input=[1, 2]), "case 'good-case', key 'input'"),
    (dict(GOOD, input={"x": {"draw": "uniform", "low": 0, "high": 1, "shape": [2]},
                       "deriv": False}), "case 'good-case', key 'input'"),  # public
    (dict(GENERAL, input={"x": {"draw": "poisson", "low": 0, "high": 1}, "deriv": False}),
     "case 'hidden-general', key 'input.x'"),
    (dict(GENERAL, input={"x": {"draw": "uniform", "low": 1, "high": 0}, "deriv": False}),
     "case 'hidden-general', key 'input.x'"),
    (dict(GENERAL, input={"x": {"draw": "normal", "mean": 0, "scale": 1, "shape": [2, 2]},
                          "deriv": False}), "case 'hidden-general', key 'input.x'"),
    (dict(GOOD, tolerence={"rtol": 0, "atol": 0}), "case 'good-case', key 'tolerence'"),
    ({k: v for k, v in GOOD.items() if k != "source"}, "case 'good-case', key 'source'"),
    # what the procedure declares it reads (graders/test_trask.py, @reads)
    (dict(GOOD, check="nonlinear"), "case 'good-case', key 'check': no procedure test_nonlinear"),
    (dict(GOOD, input={"xs": [0.0], "deriv": False}), "case 'good-case', key 'input': unknown "
                                                      "key 'xs'"),
    (dict(GOOD, input={"x": [0.0]}), "case 'good-case', key 'input': missing key 'deriv'"),
    (dict(GOOD, input={"x": [0.0, "1.O"], "deriv": False}),
     "case 'good-case', key 'input.x': must be an array of shape (M): '1.O' is not a number"),
    (dict(GOOD, input={"x": [0.0, 1.0], "deriv": "no"}), "case 'good-case', key 'input.deriv'"),
    (dict(GOOD, expected=[0.5]), "case 'good-case', key 'expected': must be an array of shape "
                                 "(M) with M = 2"),
    (dict(GOOD, expected="solution"), "case 'good-case', key 'expected'"),
]


@pytest.mark.parametrize("case, where", MALFORMED, ids=[w.split("key ")[1] for _, w in MALFORMED])
def test_malformed_case_names_file_case_and_key(tmp_path, case, where):
    write_spec(tmp_path, [case])
    with pytest.raises(spec.SpecError) as error:
        procedures.load("trask", str(tmp_path))  # the spec as data, then against its procedure
    assert str(error.value).startswith(str(tmp_path / "trask.yaml") + ", " + where)


def test_a_well_formed_case_loads(tmp_path):
    write_spec(tmp_path, [GOOD, GENERAL] + [dict(GOOD, id="filler-%d" % i, points=5)
                                            for i in range(2)])
    loaded = procedures.load("trask", str(tmp_path))
    assert [case.kind for case in loaded.cases] == ["public", "generality", "public", "public"]


def test_the_spec_model_imports_none_of_the_graders():
    """Loading every spec as data imports nothing outside graders/model/: the procedures are
    checked by graders/grading/procedures.py, which the model does not import."""
    script = ("import sys\n"
              "from graders.model import draws, kinds, spec\n"
              "[spec.load(module) for module in spec.modules()]\n"
              "print(sorted(name for name in sys.modules if name.startswith('graders.')\n"
              "             and not name.startswith('graders.model')))")
    run = subprocess.run([sys.executable, "-c", script], cwd=KIT, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_generality_cases_may_hold_a_tenth_of_the_points_at_most(tmp_path):
    write_spec(tmp_path, [GOOD, GENERAL])
    with pytest.raises(spec.SpecError, match="trask.yaml, key 'points': generality cases hold "
                                             "1 of the 2 points; at most 10% may"):
        spec.load("trask", str(tmp_path))


def test_shared_runs_are_keyed_by_module():
    zhou = spec.load("zhou").cases[0]
    clone = dataclasses.replace(zhou, module="ng")
    assert zhou.key != clone.key and zhou.shared_key("t", ["x"]) != clone.shared_key("t", ["x"])


def test_duplicate_ids_are_refused(tmp_path):
    write_spec(tmp_path, [GOOD, GOOD])
    with pytest.raises(spec.SpecError, match="case 'good-case', key 'id': used twice"):
        spec.load("trask", str(tmp_path))


def test_wrong_module_name_and_missing_top_keys(tmp_path):
    write_spec(tmp_path, [GOOD], module="other")
    with pytest.raises(spec.SpecError, match="trask.yaml, key 'module'"):
        spec.load("trask", str(tmp_path))
    (tmp_path / "trask.yaml").write_text("module: trask\ncases: []\n")
    with pytest.raises(spec.SpecError, match="trask.yaml: missing key 'tutorial'"):
        spec.load("trask", str(tmp_path))
    (tmp_path / "trask.yaml").write_text("module: trask\ntutorial: t\ncases: [\n")
    with pytest.raises(spec.SpecError, match="trask.yaml: cannot be read"):
        spec.load("trask", str(tmp_path))


# A new user's typos in the shipped specs: (file, text, replacement, where the error points).
TYPOS = {
    "misspelt-check": ("zhou.yaml", "check: mse_loss", "check: mse_los",
                       "spec/zhou.yaml, case 'mse-loss', key 'check': no procedure test_mse_los"),
    "misspelt-input-key": ("trask.yaml", "    deriv: false", "    derive: false",
                           "spec/trask.yaml, case 'nonlin-sigmoid', key 'input': unknown key "
                           "'derive'"),
    "misspelt-expected-key": ("britz.yaml", "    training_accuracy: 0.975",
                              "    training_acuracy: 0.975",
                              "spec/britz.yaml, case 'training-accuracy', key 'expected': "
                              "unknown key 'training_acuracy'"),
    "letter-in-a-number": ("aidan.yaml", "expected: [0.99089925, 0.006409]",
                           "expected: [0.99089925, 0.0O6409]",
                           "spec/aidan.yaml, case 'predictions', key 'expected': must be an "
                           "array of shape (M): '0.0O6409' is not a number"),
    "negative-points": ("zhou.yaml", "points: 2", "points: -2",
                        "spec/zhou.yaml, case 'neuron-feedforward', key 'points'"),
}


@pytest.mark.parametrize("typo", sorted(TYPOS))
def test_a_spec_typo_stops_grading_with_file_case_and_key(tmp_path, typo):
    name, old, new, message = TYPOS[typo]
    broken = tmp_path / "kit"
    copy_kit(broken)
    text = (broken / "spec" / name).read_text()
    assert old in text, "the typo's text is no longer in spec/%s" % name
    (broken / "spec" / name).write_text(text.replace(old, new, 1))
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "-q"], cwd=broken,
                         capture_output=True, text=True)
    assert run.returncode == 4
    assert message in run.stderr
    assert "Traceback" not in run.stdout + run.stderr


def test_shipped_moons_are_the_tutorials_data():
    sklearn = pytest.importorskip("sklearn.datasets")
    np.random.seed(0)
    X, y = sklearn.make_moons(200, noise=0.20)
    table = np.loadtxt(os.path.join(KIT, "spec", "data", "britz_moons.csv"), delimiter=",",
                       skiprows=4)
    assert np.array_equal(table[:, :2], X) and np.array_equal(table[:, 2], y)


def test_a_specs_messages_must_map_languages_to_strings(tmp_path):
    write_spec(tmp_path, [GOOD], messages={"zh": {"a message": 3}})
    with pytest.raises(spec.SpecError, match="trask.yaml, key 'messages': must map a language"):
        spec.load("trask", str(tmp_path))
    write_spec(tmp_path, [GOOD], messages={"zh": {"a message": "一条消息"}})
    assert spec.load("trask", str(tmp_path)).messages == {"zh": {"a message": "一条消息"}}
