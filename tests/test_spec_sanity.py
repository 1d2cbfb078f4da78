"""The specs are checked as data: well formed, tied to real procedures and contract names."""

import inspect
import os
import subprocess
import sys

import numpy as np
import pytest
import yaml

from graders import spec
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
    checks = spec.check_functions(os.path.join(KIT, "graders", "test_%s.py" % module))
    contract = spec.contract_names(os.path.join(KIT, "exercises", module + ".py"))
    for case in loaded.cases:
        assert case.check in checks, "%s: no procedure test_%s" % (case.name, case.check)
        assert case.function in contract, "%s: %s is not a contract name" % (
            case.name, case.function)
    public_checks = {case.check for case in loaded.cases if not case.hidden}
    assert checks <= public_checks, "every procedure needs a public case"


@pytest.mark.parametrize("module", MODULES)
def test_hidden_cases_are_random_and_public_ones_cite_published_values(module):
    for case in spec.load(module).cases:
        assert case.hidden == case.id.startswith("hidden-"), case.name
        assert case.expected != spec.FROM_SOLUTIONS or case.hidden, case.name


@pytest.mark.parametrize("module", MODULES)
def test_stub_and_solution_share_signatures_and_docstrings(module):
    def contract(folder):
        namespace = {}
        path = os.path.join(KIT, folder, module + ".py")
        exec(compile(open(path, encoding="utf-8").read(), path, "exec"), namespace)
        found = {}
        for name in spec.contract_names(path):
            owner, _, attribute = name.partition(".")
            obj = getattr(namespace[owner], attribute) if attribute else namespace[owner]
            signature = str(inspect.signature(obj)) if callable(obj) else ""
            found[name] = (signature, inspect.getdoc(obj))
        return found
    assert contract("exercises") == contract("solutions")


def write_spec(tmp_path, cases, **top):
    document = {"module": "demo", "tutorial": "A demo", "cases": cases, **top}
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(document))


GOOD = {"id": "good-case", "check": "nonlin", "function": "nonlin", "description": "d",
        "source": "s", "points": 1, "tolerance": {"rtol": 0, "atol": 0}, "input": {},
        "expected": 1.0}

MALFORMED = [
    (dict(GOOD, points=0), "case 'good-case', key 'points'"),
    (dict(GOOD, points=True), "case 'good-case', key 'points'"),
    (dict(GOOD, tolerance={"rtol": 1e-9}), "case 'good-case', key 'tolerance'"),
    (dict(GOOD, tolerance={"rtol": 5, "atol": 0}), "case 'good-case', key 'tolerance'"),
    (dict(GOOD, id="Bad Id"), "case 'Bad Id', key 'id'"),
    (dict(GOOD, expected="solutions"), "case 'good-case', key 'expected'"),
    (dict(GOOD, expected=None), "case 'good-case', key 'expected'"),
    (dict(GOOD, hidden="yes"), "case 'good-case', key 'hidden'"),
    (dict(GOOD, input=[1, 2]), "case 'good-case', key 'input'"),
    (dict(GOOD, tolerence={"rtol": 0, "atol": 0}), "case 'good-case', key 'tolerence'"),
    ({k: v for k, v in GOOD.items() if k != "source"}, "case 'good-case', key 'source'"),
]


@pytest.mark.parametrize("case, where", MALFORMED, ids=[w.split("key ")[1] for _, w in MALFORMED])
def test_malformed_case_names_file_case_and_key(tmp_path, case, where):
    write_spec(tmp_path, [case])
    with pytest.raises(spec.SpecError) as error:
        spec.load("demo", str(tmp_path))
    assert str(error.value).startswith(str(tmp_path / "demo.yaml") + ", " + where)


def test_duplicate_ids_are_refused(tmp_path):
    write_spec(tmp_path, [GOOD, GOOD])
    with pytest.raises(spec.SpecError, match="case 'good-case', key 'id': used twice"):
        spec.load("demo", str(tmp_path))


def test_wrong_module_name_and_missing_top_keys(tmp_path):
    write_spec(tmp_path, [GOOD], module="other")
    with pytest.raises(spec.SpecError, match="demo.yaml, key 'module'"):
        spec.load("demo", str(tmp_path))
    (tmp_path / "demo.yaml").write_text("module: demo\ncases: []\n")
    with pytest.raises(spec.SpecError, match="demo.yaml: missing key 'tutorial'"):
        spec.load("demo", str(tmp_path))
    (tmp_path / "demo.yaml").write_text("module: demo\ntutorial: t\ncases: [\n")
    with pytest.raises(spec.SpecError, match="demo.yaml: cannot be read"):
        spec.load("demo", str(tmp_path))


def test_a_malformed_spec_stops_grading_with_its_name(tmp_path):
    broken = tmp_path / "kit"
    copy_kit(broken)
    text = (broken / "spec" / "zhou.yaml").read_text().replace("points: 2", "points: -2", 1)
    (broken / "spec" / "zhou.yaml").write_text(text)
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "-q"], cwd=broken,
                         capture_output=True, text=True)
    assert run.returncode == 4
    assert "spec/zhou.yaml, case 'neuron-feedforward', key 'points'" in run.stderr


def test_shipped_moons_are_the_tutorials_data():
    sklearn = pytest.importorskip("sklearn.datasets")
    np.random.seed(0)
    X, y = sklearn.make_moons(200, noise=0.20)
    table = np.loadtxt(os.path.join(KIT, "spec", "data", "britz_moons.csv"), delimiter=",",
                       skiprows=4)
    assert np.array_equal(table[:, :2], X) and np.array_equal(table[:, 2], y)
