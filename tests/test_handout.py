"""The handout: nothing secret in it, its checks run without solutions, its workflow works."""

import ast
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig

import numpy as np
import pytest

from graders.model import kit_files, spec
from tests import workflow
from tests.helpers import KIT, SOLUTIONS, all_cases, possible


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "repo"
    run = subprocess.run([sys.executable, "-m", "graders.handout", str(out)], cwd=KIT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out


def handout_text(folder):
    texts = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as handle:
                texts[os.path.relpath(path, folder)] = handle.read()
    return texts


def test_handout_holds_no_solutions_and_no_instructor_tools(handout):
    texts = handout_text(handout)
    files = set(texts)
    assert not any(f.startswith(("solutions/", "tests/", "examples/", "benchmarks/"))
                   for f in files)
    assert not files & set(kit_files.INSTRUCTOR_COMMANDS)
    # Every other file under graders/ travels, by rule (graders/model/kit_files.py).
    carried = set(kit_files.grader_files(instructor=False))
    assert carried - set(kit_files.INSTRUCTOR_COMMANDS) <= files
    assert {"graders/outputs/gradebook.py", "graders/outputs/pages.py"} <= carried
    assert {"exercises/%s.py" % m for m in spec.modules()} <= files
    assert ".github/workflows/check.yml" in files and "grader-files.sha256" in files
    for module in spec.modules():  # what a rebuild from memory starts from (graders/recall/rebuild.py)
        with open(os.path.join(KIT, "exercises", module + ".py"), encoding="utf-8") as handle:
            assert texts["graders/stubs/%s.py" % module] == handle.read()


def test_handout_has_only_public_cases(handout):
    for module in spec.modules():
        public = [c.id for c in spec.load(module).cases if not c.hidden]
        assert [c.id for c in spec.load(module, str(handout / "spec")).cases] == public
    text = "\n".join(handout_text(handout).values())
    hidden = [c.id for m in spec.modules() for c in spec.load(m).cases if c.hidden]
    assert hidden and not [case_id for case_id in hidden if case_id in text]


def numbers(value):
    """Every float in a nested value."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers(v)]
    if isinstance(value, (list, tuple, np.ndarray)):
        return [n for v in np.asarray(value, dtype=object).ravel().tolist() for n in numbers(v)]
    return [float(value)] if isinstance(value, float) else []


def hidden_values(shared_gradings):
    """Every number solutions/ is given or gives back in the hidden cases: their inputs and
    expected values (tests/record_reference.py, in the run's one grading of solutions/)."""
    _, run = shared_gradings.grade("solutions")
    assert run.returncode == 0, run.stdout + run.stderr
    return shared_gradings.recorded("solutions")


NUMBER_START = re.compile(r"(?<![\d.])(?=[-\d])")  # not inside a number that began before
NUMBER_CHARACTERS = re.compile(r"[\d.eE+-]*")
DIGIT = re.compile(r"\d")


def written_numbers(text, longest=32):
    r"""Every string S that re.search(r"(?<![\d.])S(?!\d)", text) finds, of at most `longest`
    characters of numbers (digits, ".", "e", "E", "+", "-"), starting with a digit or "-" as
    "%.8g" writes them: S starts where no digit or "." comes before and ends where no digit
    follows. One pass over the text, where a search per number takes minutes."""
    found = set()
    for start in NUMBER_START.finditer(text):
        begin = start.start()
        run = NUMBER_CHARACTERS.match(text, begin, begin + longest).group()
        for end in range(begin + 1, begin + len(run) + 1):
            if not DIGIT.match(text, end):
                found.add(text[begin:end])
    return found


def test_no_hidden_input_or_expected_value_is_in_the_handout(handout, shared_gradings):
    text = "\n".join(handout_text(handout).values())
    hidden_inputs = [n for m in spec.modules() for c in spec.load(m).cases if c.hidden
                     for n in numbers(c.input)]
    # Settings such as a learning rate of 0.05 may well be public: look for the numbers
    # with five or more significant digits, which random inputs and results have.
    secrets = {"%.8g" % n for n in hidden_values(shared_gradings) + hidden_inputs}
    secrets = {s for s in secrets if len(re.sub(r"\D", "", s).lstrip("0")) >= 5}
    assert len(secrets) > 100
    assert max(map(len, secrets)) <= 32  # "%.8g" writes at most 15 characters
    assert sorted(secrets & written_numbers(text)) == []


def code_lines(path):
    """The lines of a module that are code: no blank, comment or docstring lines."""
    source = open(path, encoding="utf-8").read()
    docstring_lines = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(getattr(body[0], "value", None), ast.Constant):
            docstring_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return {line.strip() for number, line in enumerate(source.splitlines(), 1)
            if number not in docstring_lines and line.strip()
            and not line.strip().startswith("#")}


def test_no_line_of_the_solutions_is_in_the_handout(handout):
    handout_lines = {line.strip() for text in handout_text(handout).values()
                     for line in text.splitlines()}
    for module in spec.modules():
        public = code_lines(os.path.join(KIT, "exercises", module + ".py"))
        secret = code_lines(os.path.join(SOLUTIONS, module + ".py")) - public
        # Short generic lines such as `return losses` are not a leak.
        leaked = sorted(line for line in secret & handout_lines if len(line) > 20)
        assert leaked == [], module


def test_handout_refuses_to_write_over_a_folder_with_work_in_it(tmp_path):
    (tmp_path / "mine.py").write_text("my work")
    run = subprocess.run([sys.executable, "-m", "graders.handout", str(tmp_path)], cwd=KIT,
                         capture_output=True, text=True)
    assert run.returncode == 2 and "is not empty" in run.stderr
    assert (tmp_path / "mine.py").read_text() == "my work"


# What GitHub Classroom generates (.github/workflows/classroom.yml in an assignment's repository):
# the job id, the triggers, the guard against its own bot's commits, and the reporter
# (classroom-resources/autograding-grading-reporter), whose `runners` input is a comma-separated
# list of step ids made of letters and digits and which reads each runner's base64 result from
# the environment variable <RUNNER ID IN CAPITALS>_RESULTS.
CLASSROOM_JOB = "run-autograding-tests"
CLASSROOM_TRIGGERS = ["push", "repository_dispatch", "workflow_dispatch"]
CLASSROOM_GUARD = "github.actor != 'github-classroom[bot]'"
RUNNER_ID = re.compile(r"([a-zA-Z0-9]+,)*[a-zA-Z0-9]+")


@pytest.fixture(scope="module")
def check_workflow(handout):
    return workflow.load(handout / ".github" / "workflows" / "check.yml")["jobs"][
        CLASSROOM_JOB]


def test_workflow_scores_the_stubs_zero_with_honest_wording(handout, check_workflow, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(handout, repo)
    # a student who rebuilt trask from memory twice (.recall/ is committed with the work)
    shutil.copytree(os.path.join(KIT, "examples", "submissions", "alice", ".recall"),
                    repo / ".recall")
    context = {"steps.score.outputs.result": ""}
    # where the workflow copies the graders; the runner's packages stand in for a download
    venv_with_these_packages(tmp_path / "runner-temp" / "nnkit")
    ran = []
    for step in check_workflow["steps"]:
        if "run" in step:
            run = workflow.run_step(check_workflow, step, repo, context, tmp_path)
            assert run.returncode == 0, run.stdout
            ran.append(run.stdout)
    assert len(ran) == 3
    assert "Grader files verified." in ran[0]
    public = len(all_cases(hidden=False))
    assert "0 of %d public checks passed. Hidden checks (random inputs) run when your " \
           "instructor grades." % public in ran[1]
    assert (repo / "results.json").exists() and (repo / "junit.xml").exists()
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## Public checks: 0 / %g points" % possible(hidden=False))
    for module in spec.modules():
        points = sum(c.points for c in spec.load(module).cases if not c.hidden)
        assert "| %s | 0 | %g |" % (module, points) in summary
    assert "this score is advisory" in summary
    assert "Rebuilds from memory: 2 done. The latest (trask, hints names) took 12.0 minutes " \
           "and 1 check(s)." in summary
    name, value = (tmp_path / "output").read_text().strip().split("=", 1)
    result = json.loads(base64.b64decode(value))
    assert name == "result" and result["version"] == 1
    assert result["max_score"] == possible(hidden=False)
    assert len(result["tests"]) == public and {t["status"] for t in result["tests"]} == {"fail"}


def test_workflow_uploads_results_and_feeds_the_classroom_reporter(check_workflow):
    uses = {step["uses"].split("@")[0]: step for step in check_workflow["steps"] if "uses" in step}
    assert uses["actions/upload-artifact"]["with"]["path"].split() == ["results.json", "junit.xml"]
    reporter = uses["classroom-resources/autograding-grading-reporter"]
    assert reporter["uses"].endswith("@v1") and check_workflow["steps"][-1] is reporter
    runners = reporter["with"]["runners"]
    assert RUNNER_ID.fullmatch(runners) and set(reporter) == {"name", "uses", "env", "with"}
    step_ids = {step.get("id") for step in check_workflow["steps"]}
    for runner in runners.split(","):
        assert runner in step_ids
        assert reporter["env"]["%s_RESULTS" % runner.upper()] == \
            "${{ steps.%s.outputs.result }}" % runner
    assert check_workflow["name"] == "Autograding Tests"  # the check run the reporter updates


def test_workflow_has_github_classrooms_job_id_triggers_and_guard(handout):
    text = (handout / ".github" / "workflows" / "check.yml").read_text()
    whole = workflow.load(handout / ".github" / "workflows" / "check.yml")
    assert whole["name"] == "Autograding Tests"
    assert list(whole["jobs"]) == [CLASSROOM_JOB]
    assert whole["on"] == CLASSROOM_TRIGGERS  # quoted 'on': YAML 1.1 reads a bare on as true
    assert whole["jobs"][CLASSROOM_JOB]["if"] == CLASSROOM_GUARD
    assert whole["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    assert "\n'on':\n" in text


@pytest.mark.parametrize("edit", ["grader", "spec", "manifest-too"])
def test_workflow_reports_modified_grader_files_instead_of_a_score(
        edit, handout, check_workflow, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(handout, repo)
    target = repo / ("graders/grading/checks.py" if edit == "grader" else "spec/zhou.yaml")
    target.write_text(target.read_text().replace("rtol", "rtol ", 1))
    if edit == "manifest-too":  # rewriting the manifest does not help: its hash is pinned
        manifest = (repo / "grader-files.sha256").read_text()
        fixed = subprocess.run(["sha256sum", "spec/zhou.yaml"], cwd=repo, capture_output=True,
                               text=True).stdout
        lines = [fixed if line.endswith(" spec/zhou.yaml\n") else line
                 for line in manifest.splitlines(keepends=True)]
        (repo / "grader-files.sha256").write_text("".join(lines))
    step = workflow.step_named(check_workflow, "Verify the grader files")
    run = workflow.run_step(check_workflow, step, repo, {}, tmp_path)
    assert run.returncode == 1
    assert "grader files modified" in run.stdout
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## grader files modified") and "Public checks" not in summary
    if edit == "grader":
        assert "graders/grading/checks.py: FAILED" in summary


@pytest.fixture(scope="module")
def notebook_handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "notebooks"
    run = subprocess.run([sys.executable, "-m", "graders.handout", str(out), "--notebooks"],
                         cwd=KIT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out


def notebook_cells(path):
    return [(c["cell_type"], "".join(c["source"])) for c in json.loads(path.read_text())["cells"]]


def test_notebook_handout_quotes_each_contract_above_its_stub(notebook_handout):
    assert sorted(os.listdir(notebook_handout / "exercises")) == sorted(
        m + ".ipynb" for m in spec.modules())
    for module in spec.modules():
        cells = notebook_cells(notebook_handout / "exercises" / (module + ".ipynb"))
        stubs = ast.parse(open(os.path.join(KIT, "exercises", module + ".py")).read()).body
        defined = [node for node in stubs if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
        code = [source for kind, source in cells if kind == "code"]
        for node in defined:
            index = next(i for i, (kind, source) in enumerate(cells)
                         if kind == "code" and source.startswith(("def %s(" % node.name,
                                                                  "class %s" % node.name)))
            kind, text = cells[index - 1]
            first_line = ast.get_docstring(node).splitlines()[0]
            assert kind == "markdown" and "> " + first_line in text, (module, node.name)
        assert len(code) == len(defined) + 2  # the imports, a cell per stub, the checks
        assert "-k\", \"%s\"" % module in code[-1] and "Check your work" in cells[-2][1]


def run_check_cell(handout, module):
    """Runs a notebook's last cell as Jupyter would, from exercises/; returns what it printed."""
    source = notebook_cells(handout / "exercises" / (module + ".ipynb"))[-1][1]
    run = subprocess.run([sys.executable, "-c", source], cwd=handout / "exercises",
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_the_notebooks_check_cell_and_nox_check_grade_the_notebooks(notebook_handout, tmp_path):
    public = {m: [c for c in spec.load(m).cases if not c.hidden] for m in spec.modules()}
    printed = run_check_cell(notebook_handout, "trask")
    assert "0 of %d public checks passed" % len(public["trask"]) in printed
    # A student fills in every stub cell with their code (here: the solutions').
    repo = tmp_path / "repo"
    shutil.copytree(notebook_handout, repo)
    for module in spec.modules():
        path = repo / "exercises" / (module + ".ipynb")
        solution = open(os.path.join(SOLUTIONS, module + ".py")).read()
        written = {node.name: ast.get_source_segment(solution, node)
                   for node in ast.parse(solution).body
                   if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        book = json.loads(path.read_text())
        for cell in book["cells"]:
            text = "".join(cell["source"])
            name = re.match(r"(?:def|class) (\w+)", text) if cell["cell_type"] == "code" else None
            if name:
                cell["source"] = written.pop(name.group(1))
        helpers = "\n\n".join(written.values())  # the solution's own helpers, in a new cell
        book["cells"].insert(2, {"cell_type": "code", "metadata": {}, "execution_count": None,
                                 "outputs": [], "source": helpers})
        path.write_text(json.dumps(book))
    printed = run_check_cell(repo, "zhou")
    assert "%d of %d public checks passed" % (len(public["zhou"]), len(public["zhou"])) in printed
    results = repo / "results.json"
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=exercises", "-q",
                          "--results-json", str(results)], cwd=repo, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout
    assert json.loads(results.read_text())["score"] == possible(hidden=False)


def venv_with_these_packages(repo):
    """repo/.nox/check as a venv that sees this test's packages (a .pth file), so that `nox -R`
    reuses it and installs nothing: the handout's noxfile and graders are what is tested. A
    plain `nox -s check` (its session reuses the venv) runs the venv's own pip (the kit's
    test venv has none: noxfile.py builds its venvs without), which finds every requirement
    already satisfied instead of downloading it."""
    subprocess.run([sys.executable, "-m", "venv", str(repo / ".nox" / "check")], check=True)
    python = repo / ".nox" / "check" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True)
    with open(os.path.join(site.stdout.strip(), "kit-test.pth"), "w") as handle:
        handle.write(sysconfig.get_paths()["purelib"] + "\n")


def test_nox_check_report_works_in_a_fresh_handout(handout, tmp_path):
    """The handout's README advertises `nox -s check -- --report`: with every module done (the
    solutions') it grades and draws report.html from the handout's own files."""
    repo = tmp_path / "repo"
    shutil.copytree(handout, repo)
    for module in spec.modules():
        shutil.copyfile(os.path.join(SOLUTIONS, module + ".py"), repo / "exercises" / (module + ".py"))
    venv_with_these_packages(repo)
    run = subprocess.run([sys.executable, "-m", "nox", "-R", "-s", "check", "--", "--report"],
                         cwd=repo, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Error" not in run.stderr.replace("NotImplementedError", ""), run.stderr
    page = (repo / "report.html").read_text(encoding="utf-8")
    assert all(module in page for module in spec.modules()) and "<svg" in page
