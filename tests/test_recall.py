"""Rebuilds from memory (graders/recall/rebuild.py), in a copy of the student handout, as a student
runs them: `python -m graders.recall` and the checks, with the clock set by NNKIT_RECALL_NOW.

After every command the student's tree is compared with a fingerprint taken before it: no file
may be lost or changed, except the exercise a rebuild moves (its bytes must be under .recall/)
and .recall/history.csv, which may only grow.
"""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from graders.platforms import classroom
from graders.intake import collect
from graders.outputs import exercise_notebooks
from graders.recall import history as recall_history
from graders.model import spec
from graders.model.results import SubmissionResults
from tests.buggy import write as write_buggy
from tests.helpers import KIT

HISTORY = os.path.join(".recall", "history.csv")
START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
ALICE = os.path.join(KIT, "examples", "submissions", "alice")


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("recall") / "handout"
    run = subprocess.run([sys.executable, "-m", "graders.handout", str(out)], cwd=KIT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture
def repo(handout, tmp_path):
    """A student's repository: the handout with their own trask.py (the reference's code)."""
    repo = tmp_path / "repo"
    shutil.copytree(handout, repo)
    shutil.copyfile(os.path.join(KIT, "solutions", "trask.py"), repo / "exercises" / "trask.py")
    return repo


def tree(repo):
    """{path: bytes} of every file in the repository (caches left out)."""
    found = {}
    for folder, dirs, files in os.walk(repo):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", ".pytest_cache")]
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                with open(path, "rb") as handle:
                    found[os.path.relpath(path, repo)] = handle.read()
    return found


def assert_nothing_lost(before, after, moved=()):
    """Every file of `before` is in `after` unchanged; the history only grew; a path in
    `moved` may be gone or new, its old bytes then being under .recall/."""
    for path, data in before.items():
        if path == HISTORY:
            assert after[path].startswith(data), "the history lost or changed a row"
        elif after.get(path) != data:
            assert path in moved, "%s was changed or deleted" % path
            assert any(kept == data for where, kept in after.items()
                       if where.startswith(".recall" + os.sep)), "%s was not kept" % path


def environment(at, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    return dict(env, NNKIT_RECALL_NOW=at.strftime("%Y-%m-%dT%H:%M:%SZ"), LANG="C", **extra)


def recall(repo, *args, at, refused=False):
    """`python -m graders.recall ARGS` at time `at`, the tree checked before and after."""
    before = tree(repo)
    run = subprocess.run([sys.executable, "-m", "graders.recall", *args], cwd=repo,
                         env=environment(at), capture_output=True, text=True, timeout=120)
    after = tree(repo)
    if refused:
        assert run.returncode == 2, run.stdout + run.stderr
        assert after == before, "a refused command changed the student's tree"
    else:
        assert run.returncode == 0, run.stdout + run.stderr
        starts = [a for a in args if a in spec.modules()] if "--abandon" not in args else []
        assert_nothing_lost(before, after, moved=[os.path.join("exercises", m + suffix)
                                                  for m in starts for suffix in (".py", ".ipynb")])
    return run


def check(repo, at, *options, module="trask"):
    """`nox -s check -- -k MODULE` as the handout's noxfile runs it, at time `at`."""
    before = tree(repo)
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=exercises", "-q",
                          "-k", module, *options], cwd=repo, env=environment(at),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stdout[-3000:] + run.stderr[-3000:]
    after = tree(repo)
    assert_nothing_lost(before, after)
    assert {p for p in after if p not in before} <= {HISTORY, "report.html"}
    return run


def rows(repo):
    with open(repo / HISTORY, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def due(repo, at, module="trask"):
    """The date --status gives for the next rebuild of `module`."""
    out = recall(repo, "--status", at=at).stdout
    line = next(line for line in out.splitlines() if line.startswith(module + ":"))
    return datetime.strptime(line.rsplit("next due ", 1)[1][:10], "%Y-%m-%d").replace(
        tzinfo=timezone.utc)


def write(repo, text, module="trask"):
    (repo / "exercises" / (module + ".py")).write_text(text)


def solution(module="trask"):
    with open(os.path.join(KIT, "solutions", module + ".py"), encoding="utf-8") as handle:
        return handle.read()


def buggy(tmp_path, name="trask-error-reversed"):
    write_buggy(name, str(tmp_path / "buggy"))
    return (tmp_path / "buggy" / "trask.py").read_text()


def test_a_scripted_student_rebuilds_trask_at_each_level(repo, tmp_path):
    stub = (repo / "graders" / "stubs" / "trask.py").read_text()
    attempts = [(repo / "exercises" / "trask.py").read_bytes()]  # every file a start moves

    # Rebuild 1, with the contract: the stubs, two failing checks, then a full score.
    out = recall(repo, "trask", "--hints", "contract", at=START).stdout
    assert "Rebuild of trask started with hints contract" in out
    assert (repo / "exercises" / "trask.py").read_text() == stub
    assert (repo / ".recall" / "trask" / "2026-12-01T09-00-00.py").read_bytes() == attempts[0]
    assert "Rebuild of trask: check 1 at 4.0 minutes, 0 of 18 public points." in check(
        repo, START + timedelta(minutes=4)).stdout
    write(repo, buggy(tmp_path))
    out = check(repo, START + timedelta(minutes=9)).stdout
    assert "Rebuild of trask: check 2 at 9.0 minutes" in out
    write(repo, solution())
    out = check(repo, START + timedelta(minutes=30)).stdout
    assert "Rebuild of trask done: 30.0 minutes, 3 check(s), hints contract." in out

    history = rows(repo)
    assert [r["event"] for r in history] == ["start", "check", "check", "check", "done"]
    assert {r["module"] for r in history} == {"trask"} and {r["level"] for r in history} == {
        "contract"}
    assert [r["minutes"] for r in history] == ["0.0", "4.0", "9.0", "30.0", "30.0"]
    assert [r["public_points"] for r in history[1:]] == ["0", history[2]["public_points"],
                                                         "18", "18"]
    assert 0 < float(history[2]["public_points"]) < 18
    public = [c.id for c in spec.load("trask").cases if not c.hidden]
    assert history[1]["failed_cases"].split() == public
    assert "two-layer-update-gradient" in history[2]["failed_cases"].split()
    assert history[2]["diagnosis_codes"] == "sign-flipped"
    assert history[3]["failed_cases"] == "" and history[4]["checks"] == "3"
    assert history[0]["kept"] == os.path.join(".recall", "trask", "2026-12-01T09-00-00.py")
    first_due = due(repo, START + timedelta(minutes=31))
    assert first_due > START

    # Rebuild 2, a week later from the names alone: the same student fast, or slow.
    later = START + timedelta(days=8)
    slow = tmp_path / "slow"
    shutil.copytree(repo, slow)
    attempts.append((repo / "exercises" / "trask.py").read_bytes())
    recall(repo, "trask", "--hints", "names", at=later)
    names = (repo / "exercises" / "trask.py").read_text()
    assert names.startswith("# trask, rebuilt from memory. Define:\n")
    assert [line.strip("# \n") for line in names.splitlines()[1:]] == [
        "nonlin", "two_layer_update", "train_two_layer", "three_layer_updates",
        "train_three_layer"]
    write(repo, solution())
    check(repo, later + timedelta(minutes=6))
    fast_due = due(repo, later + timedelta(minutes=7))

    recall(slow, "trask", "--hints", "contract", at=later)
    check(slow, later + timedelta(minutes=70))
    write(slow, solution())
    assert "done: 120.0 minutes, 2 check(s)" in check(slow, later + timedelta(minutes=120)).stdout
    slow_due = due(slow, later + timedelta(minutes=121))
    assert fast_due - later > first_due - START, "a fast rebuild moves the next one later"
    assert slow_due < fast_due, "a slow rebuild brings the next one sooner than a fast one"

    # Rebuild 3, from the signatures, abandoned: the attempt stays, the history says so.
    attempts.append((repo / "exercises" / "trask.py").read_bytes())
    recall(repo, "trask", "--hints", "signatures", at=fast_due)
    lines = (repo / "exercises" / "trask.py").read_text().splitlines()
    assert [line.split("(")[0] for line in lines if line.startswith("def ")] == [
        "def nonlin", "def two_layer_update", "def train_two_layer", "def three_layer_updates",
        "def train_three_layer"]
    assert set(lines) <= set(stub.splitlines()) and lines[-1].endswith("syn1=None):")
    assert not any(line.lstrip().startswith(('"""', "raise", "import")) for line in lines)
    attempt = (repo / "exercises" / "trask.py").read_bytes()
    out = recall(repo, "trask", "--abandon", at=fast_due + timedelta(minutes=5)).stdout
    assert "abandoned after 5.0 minutes and 0 check(s)" in out
    assert (repo / "exercises" / "trask.py").read_bytes() == attempt
    out = recall(repo, "--status", at=fast_due + timedelta(minutes=6)).stdout
    assert "trask: 2 rebuild(s) done, 1 abandoned; the latest took 6.0 minutes and 1 " \
           "check(s) with hints names; next due " in out
    assert "zhou: no rebuild yet" in out
    assert due(repo, fast_due + timedelta(minutes=6)) - fast_due < fast_due - later

    kept = sorted((repo / ".recall" / "trask").iterdir())
    assert [path.read_bytes() for path in kept] == attempts  # each attempt, byte for byte
    assert [r["event"] for r in rows(repo)].count("start") == 3

    # A due rebuild is named at the end of every check; report.html shows the history.
    report = tmp_path / "report.html"
    out = check(repo, fast_due + timedelta(days=30), "--report", str(report)).stdout
    section = []  # the score section: the due rebuild is its last line
    for line in out.split("= score =")[1].splitlines()[1:]:
        if line.startswith("=") or line.split(" ")[0].isdigit() and " in " in line:
            break
        section.append(line)
    assert section[-1].startswith("A rebuild from memory is due: trask ("), out
    page = report.read_text()
    table = page.split('id="rebuilds"')[1].split("</table>")[0]
    assert table.count("<tr>") == 4 and "abandoned" in table and "names" in table
    recall_part = page.split('id="recall"')[1].split("<h2>")[0]
    assert recall_part.count('role="img"') == 2
    assert "Minutes (left) and checks (right) of each of your 3 rebuilds" in recall_part
    assert "latest rebuild of trask (hints names)" in recall_part


def test_refusals_change_nothing(repo):
    recall(repo, "trask", at=START)
    write(repo, "# my half-written rebuild\n")
    out = recall(repo, "trask", "--hints", "names", at=START, refused=True).stderr
    assert "A rebuild of trask is already under way" in out and "--abandon" in out
    assert "No rebuild of zhou is under way" in recall(
        repo, "zhou", "--abandon", at=START, refused=True).stderr
    elsewhere = repo / "elsewhere.py"
    elsewhere.write_text("# the real file\n")
    os.unlink(repo / "exercises" / "aidan.py")
    os.symlink(elsewhere, repo / "exercises" / "aidan.py")
    assert "is a symbolic link" in recall(repo, "aidan", at=START, refused=True).stderr
    (repo / ".recall" / "britz").write_text("a file where a folder goes")
    assert ".recall/britz is not a folder" in recall(repo, "britz", at=START,
                                                     refused=True).stderr
    os.unlink(repo / "exercises" / "zhou.py")
    os.mkdir(repo / "exercises" / "zhou.py")
    assert "is not a plain file" in recall(repo, "zhou", at=START, refused=True).stderr
    assert recall(repo, "trask", "--hints", "everything", at=START, refused=True).stderr
    assert recall(repo, at=START, refused=True).stderr
    assert recall(repo, "--status", "trask", at=START, refused=True).stderr
    os.replace(repo / HISTORY, repo / "history.saved")
    os.mkdir(repo / HISTORY)
    assert "history.csv is not a plain file" in recall(repo, "zhou", at=START,
                                                       refused=True).stderr
    os.rmdir(repo / HISTORY)
    os.replace(repo / "history.saved", repo / HISTORY)


def test_the_kit_itself_refuses_a_rebuild_without_the_handed_out_stubs(tmp_path):
    """In the kit's own checkout there is no graders/stubs/: nothing is moved."""
    repo = tmp_path / "kit"
    (repo / "exercises").mkdir(parents=True)
    (repo / "exercises" / "trask.py").write_text("# work\n")
    from graders.recall import rebuild as mode
    with pytest.raises(mode.Refused, match="stubs as handed out"):
        mode.start("trask", "names", root=str(repo), moment=START)
    assert tree(repo) == {os.path.join("exercises", "trask.py"): b"# work\n"}


def test_a_corrupt_or_hand_edited_history_is_named_by_line_and_loses_no_row(repo):
    recall(repo, "trask", at=START)
    text = (repo / HISTORY).read_text()
    text += "this,is,not,a,row\n"
    text += "trask,names,check,2026-12-01T09:00:00Z,2026-12-01T09:01:00Z,soon,0,18,,,1,\n"
    text += "trask,names,check,2026-12-01T09:00:00Z,2026-12-01T09:02:00Z,2.0,0,18,,,1,"
    (repo / HISTORY).write_text(text)  # the student's own edit; the last line lacks "\n"
    out = recall(repo, "--status", at=START + timedelta(minutes=3)).stdout
    assert ".recall/history.csv, line 3: 5 fields where the header has 12" in out
    assert ".recall/history.csv, line 4: minutes is 'soon', not a number" in out
    zh = subprocess.run([sys.executable, "-m", "graders.recall", "--status", "--lang", "zh"],
                        cwd=repo, env=environment(START), capture_output=True, text=True)
    assert "第 3 行" in zh.stdout and "第 4 行" in zh.stdout
    before = (repo / HISTORY).read_text().splitlines()
    out = check(repo, START + timedelta(minutes=5)).stdout
    assert "line 3: 5 fields" in out and "check 2 at 5.0 minutes" in out
    after = (repo / HISTORY).read_text().splitlines()
    assert after[:len(before)] == before and len(after) == len(before) + 1
    out = recall(repo, "trask", "--abandon", at=START + timedelta(minutes=6)).stdout
    assert "line 4: minutes is 'soon'" in out and "abandoned after 6.0 minutes and 2" in out
    assert (repo / HISTORY).read_text().splitlines()[:len(after)] == after


def test_a_notebook_is_kept_and_started_afresh_as_a_notebook(repo):
    os.unlink(repo / "exercises" / "trask.py")
    mine = exercise_notebooks.notebook("trask", solution())
    (repo / "exercises" / "trask.ipynb").write_text(mine)
    recall(repo, "trask", "--hints", "names", at=START)
    assert (repo / ".recall" / "trask" / "2026-12-01T09-00-00.ipynb").read_text() == mine
    fresh = json.loads((repo / "exercises" / "trask.ipynb").read_text())
    assert "".join(fresh["cells"][0]["source"]).startswith("# trask, rebuilt from memory.")
    assert "0 of 18 public points" in check(repo, START + timedelta(minutes=1)).stdout


def test_two_starts_in_one_second_keep_both_files(repo):
    """A name already taken under .recall/ is never written over."""
    recall(repo, "trask", at=START)
    recall(repo, "trask", "--abandon", at=START)
    write(repo, "# second attempt\n")
    recall(repo, "trask", at=START)
    assert (repo / ".recall" / "trask" / "2026-12-01T09-00-00-2.py").read_text() == \
        "# second attempt\n"


def test_the_workflow_summary_and_the_intake_read_a_history(tmp_path):
    summary = classroom.markdown(SubmissionResults(), ALICE)
    assert "Rebuilds from memory: 2 done. The latest (trask, hints names) took 12.0 " \
           "minutes and 1 check(s)." in summary
    assert "Rebuilds" not in classroom.markdown(SubmissionResults(), str(tmp_path))
    with open(os.path.join(ALICE, HISTORY), "rb") as handle:
        history = handle.read()
    wrapped = tmp_path / "class" / "wrapped"
    shutil.copytree(ALICE, wrapped / "alice-repo")
    shutil.copytree(ALICE, tmp_path / "class" / "plain")
    with zipfile.ZipFile(tmp_path / "class" / "zipped.zip", "w") as archive:
        archive.writestr("repo/exercises/trask.py", "x = 1\n")
        archive.writestr("repo/.recall/history.csv", history)
    linked = tmp_path / "class" / "linked"
    (linked / "exercises").mkdir(parents=True)
    os.symlink(os.path.join(ALICE, ".recall"), linked / ".recall")
    entries = {e.name: e for e in collect.discover(str(tmp_path / "class"), spec.modules())}
    for name in ("wrapped", "plain", "zipped"):
        assert entries[name].history == history, name
        summary = recall_history.summary(entries[name].history.decode())
        assert [r["outcome"] for r in summary["rebuilds"]] == ["done", "done"]
    assert entries["linked"].history is None
    assert "symbolic link" in entries["linked"].history_problem


def test_history_rows_round_trip_and_unknown_values_are_named():
    row = recall_history.Row("trask", "names", "check", START, START + timedelta(minutes=2),
                             2.0, 9, 18, ("a", "b"), ("sign-flipped",), 1, "")
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([recall_history.COLUMNS, row.cells()])
    parsed, problems = recall_history.parse(text.getvalue())
    assert problems == [] and parsed[0].cells() == row.cells() and parsed[0].line == 2
    header, line = text.getvalue().splitlines()
    bad = header + "\n" + line.replace("check", "peek") + "\n"
    assert recall_history.parse(bad)[1] == [
        ".recall/history.csv, line 2: event is 'peek', not one of start, check, done, abandon"]
    assert "lacks the column(s) public_points" in recall_history.parse(
        "module,level,event,started,time,minutes\n")[1][0]
