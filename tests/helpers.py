"""Running the graders from the kit's own tests, as a user would: pytest on the graders, in a
child process of its own (forked by tests/grading_server.py)."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

from graders.model import results as results_data
from graders.model import spec
from graders.model.results import case_ids

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(KIT, "solutions")


def grade(impl, *options, hidden=True, tmp_path, env=None):
    """Grades `impl` and returns (results.json as a dict, the completed process), as
    `python -m pytest graders --impl=IMPL ...` in the kit's folder would give them."""
    results = os.path.join(str(tmp_path), "results-%d.json" % len(os.listdir(str(tmp_path))))
    args = ["graders", "--impl=" + str(impl), "-q", "--results-json", results, *options] + (
        ["--hidden"] if hidden else [])
    run = GRADER.run(args, dict(os.environ if env is None else env), results[:-len(".json")])
    assert run.returncode in (0, 1), "grading itself failed:\n%s\n%s" % (run.stdout, run.stderr)
    with open(results, encoding="utf-8") as handle:
        return json.load(handle), run


class Grader:
    """This test process's tests/grading_server.py, started at its first grading."""

    TIMEOUT = 600  # seconds one grading may take

    def __init__(self):
        self.server = None

    def run(self, args, env, stem):
        """pytest `args` with `env`; its output in stem.out and stem.err. Returns it as a
        subprocess.CompletedProcess of `python -m pytest ARGS`."""
        request = {"args": args, "env": env, "stdout": stem + ".out", "stderr": stem + ".err",
                   "timeout": self.TIMEOUT}
        if self.server is None or self.server.poll() is not None:
            self.server = subprocess.Popen([sys.executable, "-m", "tests.grading_server"],
                                           cwd=KIT, stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, text=True)
        try:
            self.server.stdin.write(json.dumps(request) + "\n")
            self.server.stdin.flush()
            reply = self.server.stdout.readline()
        except BaseException:  # Ctrl-C or a broken pipe: a later reply would be this one's
            self.server.kill()
            self.server.wait()
            self.server = None
            raise
        assert reply, "the grading server ended (exit status %s)" % self.server.wait()
        output = []
        for path in (request["stdout"], request["stderr"]):
            with open(path, encoding="utf-8", errors="replace") as handle:
                output.append(handle.read())
        return subprocess.CompletedProcess([sys.executable, "-m", "pytest", *args],
                                           json.loads(reply)["returncode"], *output)


GRADER = Grader()


def failed(results):
    return case_ids(results, "failed")


def failed_modules(results):
    """The modules with at least one failed case in a results.json."""
    return {module for module, tests in results_data.by_module(results).items()
            if any(test["status"] == "failed" for test in tests)}


def all_cases(hidden=True):
    """Every case of every spec (or the public ones only), as 'module::case' ids."""
    return {case.name for module in spec.modules() for case in spec.load(module).cases
            if hidden or not case.hidden}


def possible(hidden=True):
    """The points of every case of every spec (or of the public ones)."""
    return sum(case.points for module in spec.modules() for case in spec.load(module).cases
               if hidden or not case.hidden)


def max_score(results):
    return sum(test["max_score"] for test in results["tests"])


def kit_files():
    """The kit's own files (what git tracks or would track), relative to the kit's folder;
    None where the kit is not a git checkout (a copy made by another test)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=KIT, capture_output=True)
    if listed.returncode != 0:
        return None
    return [name for name in listed.stdout.decode().split("\0")
            if name and os.path.isfile(os.path.join(KIT, name))]


def copy_kit(target):
    """Copies the kit's own files to `target`.

    Whatever else lies in the kit's folder (outputs of the README's examples, venvs, caches)
    stays behind, so a test on the copy does not depend on it.
    """
    names = kit_files()
    if names is None:
        shutil.copytree(KIT, target, ignore=shutil.ignore_patterns(
            ".git", ".nox", ".venv", "__pycache__", "grades", "shard-*", "results.json"))
        return
    for name in names:
        os.makedirs(os.path.dirname(os.path.join(target, name)), exist_ok=True)
        shutil.copy2(os.path.join(KIT, name), os.path.join(target, name))


def copy_solutions(tmp_path, name="variant"):
    """A copy of solutions/ to break on purpose; returns its folder."""
    folder = os.path.join(str(tmp_path), name)
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def variant(tmp_path, module, edits):
    """A copy of solutions/ with `edits` [(old text, new text)] made in <module>.py."""
    folder = copy_solutions(tmp_path)
    path = os.path.join(folder, module + ".py")
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    for old, new in edits:
        assert old in source, "the variant's text is no longer in solutions/%s.py" % module
        source = source.replace(old, new)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(source)
    return folder


def outputs(results):
    """{'module::case': output} of a results.json."""
    return {results_data.case_id(test): test["output"] for test in results["tests"]}


GOLDEN = os.path.join(KIT, "tests", "golden", "example-gradebook.csv")
GOLDEN_RESULTS = os.path.join(KIT, "tests", "golden", "results")


def machine_free(results_text):
    """A results.json's text with the one machine-dependent part, the protections this
    machine's sandbox gave, replaced by a placeholder; every other byte is kept."""
    text = re.sub(r'"output": "Protections active while grading: [^"\n]*"',
                  '"output": "<protections>"', results_text)
    return re.sub(r'"protections": \[[^\]]*\]', '"protections": ["<protections>"]', text)


FLOAT = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")
RTOL = 1e-9  # a number's last digits depend on the CPU: numpy picks its vector code for it


def chaotic(test):
    """Whether a results.json case trains Britz's network (build_model): from about
    iteration 2000 its full-batch update oscillates between two values and where it lands
    depends on the last bits of floating point (../shared/seeds/README.md), so its numbers
    differ between machines, even between two runs of one file here (alice and erin, the
    same code, swapped their trained weights), while its score does not."""
    data = test.get("extra_data", {})
    if data.get("module") != "britz":
        return False
    return any(case.id == data.get("case") and case.function == "build_model"
               for case in spec.load("britz").cases)


def golden_differences(graded, golden):
    """Where a results.json's data differs from its golden file's: every key, word, score
    and status exactly, every number within RTOL, except the numbers of a chaotic case (not
    compared at all, though their place and count are). A list of paths, empty if alike."""
    found = []

    def compare(mine, theirs, path, rtol):
        if isinstance(theirs, dict) and isinstance(mine, dict) and mine.keys() == theirs.keys():
            for key in theirs:
                exact = key in ("score", "max_score", "status")
                compare(mine[key], theirs[key], path + [key], 0 if exact else rtol)
        elif isinstance(theirs, list) and isinstance(mine, list) and len(mine) == len(theirs):
            for index, (a, b) in enumerate(zip(mine, theirs)):
                test_rtol = None if path == ["tests"] and chaotic(b) else rtol
                compare(a, b, path + [index], test_rtol)
        elif isinstance(theirs, str) and isinstance(mine, str):
            if FLOAT.split(mine) != FLOAT.split(theirs) or not all(
                    close(float(a), float(b), rtol)
                    for a, b in zip(FLOAT.findall(mine), FLOAT.findall(theirs))):
                found.append(path)
        elif type(mine) is float and type(theirs) is float:
            if not close(mine, theirs, rtol):
                found.append(path)
        elif mine != theirs or type(mine) is not type(theirs):
            found.append(path)

    compare(graded, golden, [], RTOL)
    return found


def close(a, b, rtol):
    return rtol is None or abs(a - b) <= rtol * max(abs(a), abs(b))


def golden_view(text):
    """A gradebook.csv's rows on the tutorials of the golden file only, so that adding a
    tutorial leaves them as they were: its column, points and problems are left out."""
    with open(GOLDEN, encoding="utf-8") as handle:
        kept = next(csv.reader(handle))[1:-3]  # between submission and total, status, problems
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    added = [m for m in header[1:-3] if m not in kept]
    view = [["submission"] + kept + ["total", "status", "problems"]]
    for row in rows[1:]:
        values = dict(zip(header, row))
        total = float(values["total"]) - sum(float(values[m]) for m in added)
        problems = [p for p in values["problems"].split("; ") if p and not any(
            p.startswith((m + ".py ", m + ": ")) for m in added)]
        status = values["status"]
        if status == "graded with problems" and not problems:
            status = "graded"
        view.append([values["submission"]] + [values[m] for m in kept] +
                    ["%g" % total, status, "; ".join(problems)])
    return view


def golden():
    with open(GOLDEN, encoding="utf-8") as handle:
        return list(csv.reader(handle))
