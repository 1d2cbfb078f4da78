"""Hostile submissions, graded in one batch: each gets its honest score and changes nothing else.

Every submission starts as a copy of solutions/ (full marks) and is then edited: code added
before or after a module, a module replaced by its stub, or extra files beside the modules.
`fails` lists exactly the cases the edit should cost; every other case must still pass. A
missing protection makes these tests fail, never skip.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from graders import spec
from tests.helpers import KIT, SOLUTIONS, failed

MARKER = "98765"  # the sleep a detached child runs; no process with it may survive grading


def all_cases(module):
    return {"%s::%s" % (module, case.id) for case in spec.load(module).cases}


UPDATE_CASES = {"trask::two-layer-update-gradient", "trask::hidden-two-layer-update-random"}
UPDATES3_CASES = {"trask::three-layer-updates-gradient", "trask::hidden-three-layer-updates-random"}
AIDAN_PREDICT = {"aidan::predictions", "aidan::hidden-predictions-random"}
BRITZ_PREDICT = {"britz::predict-argmax", "britz::hidden-predict-random"}
NEURON = {"zhou::neuron-feedforward"}

# name: ({module: (code before, code after)}, {extra file: text}, stub modules, cases it costs)
HOSTILE = {
    "honest": ({}, {}, (), set()),
    "exit-at-import": ({"trask": ("import os\nos._exit(0)\n", "")}, {}, (), all_cases("trask")),
    "sys-exit-at-import": ({"aidan": ("import sys\nsys.exit(0)\n", "")}, {}, (),
                           all_cases("aidan")),
    "exit-mid-call": ({"britz": ("", "def predict(model, x):\n    import os\n    os._exit(0)\n")},
                      {}, (), BRITZ_PREDICT),
    "sys-exit-mid-call": ({"zhou": ("", "Neuron.feedforward = lambda self, inputs: exit(0)\n")},
                          {}, (), NEURON),
    "forged-output": ({"trask": ("", (
        "def two_layer_update(X, y, syn0):\n"
        "    print('=== 48 passed in 0.1s ===')\n"
        "    print('{\"score\": 113, \"tests\": []}')\n"
        "    return np.zeros_like(syn0)\n"))}, {}, (), UPDATE_CASES),
    "conftest-and-pytest-ini": ({}, {
        "conftest.py": "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\n"
                       "def pytest_runtest_makereport(item, call):\n"
                       "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n",
        "pytest.ini": "[pytest]\naddopts = -p no:nnkit-scoreboard --co\n"},
        ("trask", "aidan", "zhou", "britz"),
        all_cases("trask") | all_cases("aidan") | all_cases("zhou") | all_cases("britz")),
    "shadow-numpy-and-sitecustomize": ({}, {
        "numpy.py": "raise SystemExit('shadow numpy imported')\n",
        "sitecustomize.py": "import os\nos._exit(0)\n",
        "usercustomize.py": "import os\nos._exit(0)\n"}, (), set()),
    "patched-numpy-and-builtins": ({"trask": ("", (
        "import builtins\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "np.isfinite = lambda *a, **k: True\n"
        "builtins.abs = lambda x: 0\n"
        "def three_layer_updates(X, y, syn0, syn1):\n"
        "    return np.zeros_like(syn0), np.zeros_like(syn1)\n"))}, {}, (), UPDATES3_CASES),
    "always-equal-objects": ({
        "britz": ("", "class Same:\n    def __eq__(self, other):\n        return True\n"
                      "def predict(model, x):\n    return Same()\n"),
        "aidan": ("", "class Array(np.ndarray):\n    def __eq__(self, other):\n"
                      "        return np.ones(np.shape(other), bool)\n"
                      "NeuralNetwork.predict = lambda self, x: np.zeros((1, 1)).view(Array)\n"),
        "trask": ("", "class Number(float):\n    def __eq__(self, other):\n        return True\n"
                      "def two_layer_update(X, y, syn0):\n    return Number(0.0)\n")},
        {}, (), BRITZ_PREDICT | AIDAN_PREDICT | UPDATE_CASES),
    "nan-and-inf": ({
        "aidan": ("", "NeuralNetwork.predict = lambda self, x: np.full((1, 1), np.nan)\n"),
        "britz": ("", "def predict(model, x):\n    return np.full(len(x), np.inf)\n")},
        {}, (), AIDAN_PREDICT | BRITZ_PREDICT),
    "wrong-shapes-and-dtypes": ({
        "trask": ("", "_update = two_layer_update\n"
                      "def two_layer_update(X, y, syn0):\n    return _update(X, y, syn0).T\n"
                      "_updates = three_layer_updates\n"
                      "def three_layer_updates(X, y, syn0, syn1):\n"
                      "    return tuple(u.astype(complex) for u in _updates(X, y, syn0, syn1))\n"),
        "britz": ("", "_predict = predict\n"
                      "def predict(model, x):\n    return _predict(model, x).astype(str)\n")},
        {}, (), UPDATE_CASES | UPDATES3_CASES | BRITZ_PREDICT),
    "lists-instead-of-arrays": ({
        "aidan": ("", "_predict = NeuralNetwork.predict\n"
                      "NeuralNetwork.predict = lambda self, x: _predict(self, x).tolist()\n"),
        "britz": ("", "_predict = predict\n"
                      "def predict(model, x):\n    return _predict(model, x).tolist()\n")},
        {}, (), AIDAN_PREDICT | BRITZ_PREDICT),
    "hard-coded-published-values": ({"trask": ("", (
        "def train_two_layer(X, y, iterations=10000, seed=1, syn0=None):\n"
        "    return np.zeros((3, 1)), np.array([[0.00966449], [0.00786506], [0.99358898],"
        " [0.99211957]])\n"
        "def train_three_layer(X, y, hidden=4, iterations=60000, seed=1, report_every=10000,"
        " syn0=None, syn1=None):\n"
        "    return np.zeros((3, 4)), np.zeros((4, 1)), [0.496410031903, 0.00858452565325,"
        " 0.00578945986251, 0.00462917677677, 0.00395876528027, 0.00351012256786]\n"))},
        {}, (), {"trask::hidden-two-layer-seeded", "trask::hidden-two-layer-from-weights",
                 "trask::hidden-three-layer-seeded", "trask::hidden-three-layer-from-weights"}),
    "infinite-loops": ({
        "zhou": ("", "def _forever(self, inputs):\n    while True:\n        pass\n"
                     "Neuron.feedforward = _forever\n"),
        "britz": ("", "def predict(model, x):\n    while True:\n        pass\n")},
        {}, (), NEURON | BRITZ_PREDICT),
    "memory-bomb": ({"aidan": ("", "def _greedy(self, x):\n    hoard = []\n    while True:\n"
                                   "        hoard.append(np.empty(1 << 27))\n"
                                   "NeuralNetwork.predict = _greedy\n")}, {}, (), AIDAN_PREDICT),
    "detached-child": ({"trask": ((
        "import os\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        os.execv('/bin/sleep', ['sleep', '%s'])\n"
        "    os._exit(0)\n" % MARKER), "")}, {}, (), set()),
    "output-flood": ({
        "britz": ("", "def predict(model, x):\n    while True:\n        print('x' * 65536)\n"),
        "aidan": ("import os\nos.write(1, b'y' * (32 << 20))\nos.write(2, b'z' * (32 << 20))\n",
                  "")}, {}, (), BRITZ_PREDICT),
    "pickle-payload": ({"britz": ("", (
        "import pickle, struct, sys, os\n"
        "def predict(model, x):\n"
        "    payload = pickle.dumps(os.system)\n"
        "    os.write(int(sys.argv[2]), struct.pack('>Q', len(payload)) + payload)\n"
        "    os._exit(0)\n"))}, {}, (), BRITZ_PREDICT),
    "syntax-error": ({"aidan": ("", "def broken(:\n")}, {}, (), all_cases("aidan")),
}


def kit_files():
    """{path: sha256} for the kit's own files (not .git, the venvs or caches)."""
    digests = {}
    for root, folders, files in os.walk(KIT):
        folders[:] = [f for f in folders if f not in (".git", ".nox", "__pycache__", ".venv")]
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                digests[path] = hashlib.sha256(handle.read()).hexdigest()
    return digests


def trespass(paths):
    """Import-time code that tries to read the kit and write outside its sandbox."""
    return (
        "import os\n"
        "for target in %r:\n"
        "    try:\n"
        "        with open(target, 'a') as handle:\n"
        "            handle.write('pwned')\n"
        "    except OSError:\n"
        "        pass\n"
        "try:\n"
        "    exec(open(%r).read(), globals())\n"
        "except OSError:\n"
        "    pass\n" % (paths["write"], paths["read"]))


def build(folder, edits, extra, stubs):
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for module in stubs:
        shutil.copyfile(os.path.join(KIT, "exercises", module + ".py"),
                        os.path.join(folder, module + ".py"))
    for module, (before, after) in edits.items():
        path = os.path.join(folder, module + ".py")
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(before + source + "\n" + after)
    for name, text in extra.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(text)


def surviving(marker):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in command:
            found.append((pid, command))
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grades every hostile submission in one batch; returns (out folder, outside, kit before)."""
    base = tmp_path_factory.mktemp("adversarial")
    submissions, out, outside = base / "class", base / "grades", base / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    paths = {"write": [str(outside / "precious.txt"), str(outside / "new.txt"),
                       os.path.join(KIT, "graders", "conftest.py"),
                       os.path.join(KIT, "spec", "zhou.yaml"), str(out / "gradebook.csv")],
             "read": os.path.join(KIT, "solutions", "zhou.py")}
    HOSTILE["trespass"] = ({"zhou": ("", trespass(paths))}, {}, ("zhou",), all_cases("zhou"))
    for name, (edits, extra, stubs, _) in HOSTILE.items():
        build(str(submissions / name), edits, extra, stubs)
    before = kit_files()
    run = subprocess.run([sys.executable, "-m", "graders.batch", str(submissions), "--out",
                          str(out), "--jobs", "2", "--call-timeout", "3", "--time-budget", "40"],
                         cwd=KIT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return out, outside, before


@pytest.mark.parametrize("name", sorted(HOSTILE) + ["trespass"])
def test_hostile_submission_gets_its_honest_score(name, graded):
    out = graded[0]
    with open(out / name / "results.json", encoding="utf-8") as handle:
        results = json.load(handle)
    assert failed(results) == HOSTILE[name][3]


def test_failures_name_the_limit_or_cause(graded):
    def outputs(name):
        with open(graded[0] / name / "results.json", encoding="utf-8") as handle:
            return {t["name"].split(" ")[1]: t["output"] for t in json.load(handle)["tests"]}
    assert "time limit per call" in outputs("infinite-loops")["neuron-feedforward"]
    assert "MemoryError" in outputs("memory-bomb")["predictions"]
    assert "printed more than" in outputs("output-flood")["predict-argmax"]
    assert "exited with code 0" in outputs("exit-mid-call")["predict-argmax"]
    assert "sys.exit(0)" in outputs("sys-exit-mid-call")["neuron-feedforward"]
    assert "cannot read" in outputs("pickle-payload")["predict-argmax"]
    assert "a Same (not plain data)" in outputs("always-equal-objects")["predict-argmax"]
    assert "ndarray subclass Array" in outputs("always-equal-objects")["predictions"]
    assert "float subclass Number" in outputs("always-equal-objects")["two-layer-update-gradient"]


def test_nothing_outside_the_output_folder_changes(graded):
    out, outside, before = graded
    assert kit_files() == before
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
    assert (outside / "precious.txt").read_text() == "keep me"
    assert "pwned" not in (out / "gradebook.csv").read_text()


def test_no_process_outlives_grading(graded):
    assert surviving("sleep " + MARKER) == []
    assert surviving("nnkit-") == []


def test_results_say_which_protections_were_active(graded):
    with open(graded[0] / "honest" / "results.json", encoding="utf-8") as handle:
        output = json.load(handle)["output"]
    assert "Landlock filesystem confinement" in output and "no network" in output
