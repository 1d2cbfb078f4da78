"""Gradescope and PrairieLearn: the kit graded where they run it, in a simulated /autograder
(AUTOGRADER_ROOT) or /grade (GRADE_ROOT), on every shape of upload."""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

from graders.model import spec
from tests import notebooks
from tests.helpers import KIT, SOLUTIONS, possible

STUBS = os.path.join(KIT, "exercises")

# Gradescope's results.json, as its documentation describes it
# (https://gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format"): the
# fields allowed at the top and in each test, their types, and the values a field may take.
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER = (int, float)
TOP = {"score": NUMBER, "execution_time": NUMBER, "output": str, "output_format": str,
       "test_output_format": str, "test_name_format": str, "visibility": str,
       "stdout_visibility": str, "extra_data": dict, "tests": list, "leaderboard": list}
TEST = {"score": NUMBER, "max_score": NUMBER, "status": str, "name": str, "name_format": str,
        "number": str, "output": str, "output_format": str, "tags": list, "visibility": str,
        "extra_data": dict}
CHOICES = {"output_format": FORMATS, "test_output_format": FORMATS, "test_name_format": FORMATS,
           "name_format": FORMATS, "visibility": VISIBILITY, "stdout_visibility": VISIBILITY,
           "status": {"passed", "failed"}}


def gradescope_schema_errors(results):
    """Every way `results` breaks Gradescope's documented format (none: an empty list)."""
    errors = []

    def check(value, fields, where):
        for key, item in value.items():
            if key not in fields:
                errors.append("%s: unknown field %r" % (where, key))
            elif not isinstance(item, fields[key]) or isinstance(item, bool):
                errors.append("%s: %r must be %s" % (where, key, fields[key]))
            elif key in CHOICES and item not in CHOICES[key]:
                errors.append("%s: %r may not be %r" % (where, key, item))
    check(results, TOP, "results.json")
    if "score" not in results and not all("score" in t for t in results.get("tests", [])):
        errors.append("results.json: a score is required at the top or on every test")
    for number, test in enumerate(results.get("tests", [])):
        check(test, TEST, "test %d" % number)
    return errors


def test_the_schema_check_catches_what_gradescope_refuses():
    bad = {"score": "12", "output_format": "markdown", "tests": [
        {"score": 1, "status": "ok", "visibility": "later", "colour": "red"}], "oops": 1}
    assert len(gradescope_schema_errors(bad)) == 6


def modules(folder, *, under="", kind="modules"):
    """(source folder, layout) -> a function writing that upload into a folder."""
    def write(target):
        os.makedirs(os.path.join(target, under), exist_ok=True)
        if kind == "notebooks":
            notebooks.write_notebooks(folder, os.path.join(target, under))
        else:
            for m in spec.modules():
                shutil.copy(os.path.join(folder, m + ".py"), os.path.join(target, under))
    return write


UPLOADS = {
    "modules": (modules(SOLUTIONS), "full"),
    "exercises-folder": (modules(SOLUTIONS, under="exercises"), "full"),
    "notebooks-in-one-folder": (modules(SOLUTIONS, under="my work", kind="notebooks"), "full"),
    "stubs": (modules(STUBS), "zero"),
}


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope")
    run = subprocess.run([sys.executable, "-m", "graders.gradescope", "build", str(out)],
                         cwd=KIT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out / "autograder.zip"


def python3_on_path(tmp_path):
    """A PATH whose python3 is this Python (the image's python3, with the kit's packages)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "python3").symlink_to(sys.executable)
    return "%s:%s" % (folder, os.environ["PATH"])


def unpack_autograder(archive, root):
    """Lays out `root` as Gradescope does: the zip in source/, run_autograder beside it."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            path = opened.extract(info, root / "source")
            os.chmod(path, (info.external_attr >> 16) & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "results").mkdir()


def test_the_zip_has_the_scripts_at_its_top_and_the_kit_beside_them(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) == 0o755
    for module in spec.modules():
        assert {"graders/test_%s.py" % module, "spec/%s.yaml" % module,
                "solutions/%s.py" % module} <= set(infos)
    assert "pyproject.toml" in infos and not any(name.startswith(("tests/", "exercises/"))
                                                 for name in infos)


def run_gradescope(autograder_zip, tmp_path, write_upload):
    root = tmp_path / "autograder"
    unpack_autograder(autograder_zip, root)
    write_upload(str(root / "submission"))
    run = subprocess.run(["bash", str(root / "run_autograder")], cwd=root,
                         env=dict(os.environ, AUTOGRADER_ROOT=str(root),
                                  PATH=python3_on_path(tmp_path)),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads((root / "results" / "results.json").read_text()), root


@pytest.mark.parametrize("upload", sorted(UPLOADS))
def test_gradescope_grades_every_shape_of_upload(upload, autograder_zip, tmp_path):
    write_upload, expected = UPLOADS[upload]
    results, root = run_gradescope(autograder_zip, tmp_path, write_upload)
    assert gradescope_schema_errors(results) == []
    assert results["score"] == (possible() if expected == "full" else 0)
    assert results["output_format"] == "md" and isinstance(results["execution_time"], int)
    public = sum(t["score"] for t in results["tests"] if t["visibility"] == "visible")
    assert results["output"].startswith("## Public checks: %g / %g points" % (
        public, possible(hidden=False)))
    waiting = sum(t["visibility"] != "visible" for t in results["tests"])
    assert "%d hidden case(s) are still to be published." % waiting in results["output"]
    assert "%g / %g" % (results["score"], possible()) not in results["output"]  # no total
    hidden = {t["visibility"] for t in results["tests"] if t["extra_data"]["kind"] != "public"}
    public = {t["visibility"] for t in results["tests"] if t["extra_data"]["kind"] == "public"}
    assert hidden == {"after_published"} and public == {"visible"}
    kit = os.path.realpath(root / "source")
    assert "the kit (%s, with solutions/) lies outside every folder student code can read" \
           % kit in results["extra_data"]["protections"]
    if expected == "zero":
        assert all("NotImplementedError" in t["output"] for t in results["tests"])


def test_gradescope_student_code_cannot_read_the_solutions(autograder_zip, tmp_path):
    root = tmp_path / "autograder"
    solution = root / "source" / "solutions" / "trask.py"

    def write_upload(target):
        os.makedirs(target)
        with open(os.path.join(target, "trask.py"), "w") as handle:
            handle.write("try:\n    text = open(%r).read()\nexcept OSError as error:\n"
                         "    raise ImportError('no solutions here: %%s' %% error.strerror)\n"
                         "raise ImportError('LEAKED ' + text[:200])\n" % str(solution))
    results, _ = run_gradescope(autograder_zip, tmp_path, write_upload)
    text = json.dumps(results)
    assert "LEAKED" not in text and "no solutions here" in text
    assert results["score"] == 0


def run_prairielearn(tmp_path, write_upload):
    root = tmp_path / "grade"
    write_upload(str(root / "student"))
    run = subprocess.run([sys.executable, os.path.join(KIT, "graders", "prairielearn.py")],
                         cwd=tmp_path, env=dict(os.environ, GRADE_ROOT=str(root)),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads((root / "results" / "results.json").read_text())


def prairielearn_schema_errors(results):
    """Every way `results` breaks PrairieLearn's external grading format."""
    errors = []
    if not isinstance(results.get("gradable"), bool):
        errors.append("gradable must be true or false")
    if not isinstance(results.get("score"), NUMBER) or not 0 <= results["score"] <= 1:
        errors.append("score must be a number from 0 to 1")
    for key in ("message", "output"):
        if not isinstance(results.get(key, ""), str):
            errors.append("%s must be text" % key)
    for test in results.get("tests", []):
        if set(test) - {"name", "description", "points", "max_points", "message", "output"}:
            errors.append("a test has unknown fields")
        if not (isinstance(test.get("name"), str) and isinstance(test["points"], NUMBER)
                and isinstance(test["max_points"], NUMBER)
                and 0 <= test["points"] <= test["max_points"]):
            errors.append("a test needs a name and 0 <= points <= max_points")
    return errors


@pytest.mark.parametrize("upload", sorted(UPLOADS))
def test_prairielearn_grades_uploads(upload, tmp_path):
    write_upload, expected = UPLOADS[upload]
    results = run_prairielearn(tmp_path, write_upload)
    assert prairielearn_schema_errors(results) == []
    assert results["gradable"] is True
    assert results["score"] == (1.0 if expected == "full" else 0.0)
    assert sum(t["max_points"] for t in results["tests"]) == possible()
    hidden_inputs = {json.dumps(c.input) for m in spec.modules() for c in spec.load(m).cases
                     if c.hidden}
    hidden = [t for t in results["tests"] if t["message"].startswith("A hidden case")]
    assert hidden and not any(text in t["output"] for t in hidden for text in hidden_inputs)
    if expected == "zero":
        assert all(t["message"].startswith(("failed", "A hidden case: it failed"))
                   for t in results["tests"])


def test_prairielearn_without_its_packages_says_gradable_false_naming_them(tmp_path):
    """A Python with the standard library alone (-S -I: no site-packages) runs the entry
    point and gets a results.json that names what the image lacks."""
    root = tmp_path / "grade"
    modules(STUBS)(str(root / "student"))
    run = subprocess.run([sys.executable, "-S", "-I",
                          os.path.join(KIT, "graders", "prairielearn.py")],
                         cwd=tmp_path, env=dict(os.environ, GRADE_ROOT=str(root)),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 3 and "Traceback" not in run.stderr, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert prairielearn_schema_errors(results) == [] and results["gradable"] is False
    assert "numpy, pytest, PyYAML (yaml)" in results["output"]


def test_prairielearn_output_is_plain_text(tmp_path):
    results = run_prairielearn(tmp_path, modules(STUBS))
    assert not any(line.startswith(("#", "|")) for line in results["output"].splitlines())
    assert "trask: 0 of %g" % sum(c.points for c in spec.load("trask").cases) \
        in results["output"]
