"""Sharded grading: the instructor's GitHub workflow, run step by step, grades N shards whose
merge is the gradebook of one run; a submission graded in two shards is refused."""

import shutil
import subprocess
import sys

from tests import workflow
from tests.helpers import KIT, copy_kit, golden, golden_view

EXAMPLES = KIT + "/examples/submissions"


def run(*command, cwd=KIT):
    done = subprocess.run([sys.executable, *command], cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_a_submission_in_two_shards_is_refused(tmp_path):
    out = tmp_path / "one"
    run("-m", "graders.batch", EXAMPLES, "--out", str(out), "--shard", "1/5", "--jobs", "1")
    shutil.copytree(out, tmp_path / "copy")
    done = subprocess.run([sys.executable, "-m", "graders.merge", str(out), str(tmp_path / "copy"),
                           "--out", str(tmp_path / "merged")], cwd=KIT, capture_output=True,
                          text=True)
    assert done.returncode == 2 and "alice was graded in both" in done.stderr


def test_bad_shard_argument_is_a_usage_error():
    done = subprocess.run([sys.executable, "-m", "graders.batch", EXAMPLES, "--shard", "4/3"],
                          cwd=KIT, capture_output=True, text=True)
    assert done.returncode == 2 and "--shard takes I/N" in done.stderr


def test_class_workflow_grades_in_shards_and_merges_to_one_gradebook(tmp_path, shared_venvs):
    """Runs the commands of .github/workflows/grade-class.yml on the example class (with the
    venvs every copy of the kit in this run shares): shard I of N grades every Nth submission
    from the Ith, and the merged shards give the gradebook of one run."""
    kit = tmp_path / "kit"
    copy_kit(kit)
    shared_venvs(kit)
    jobs = workflow.load(kit / ".github" / "workflows" / "grade-class.yml")["jobs"]
    shard_numbers = jobs["grade"]["strategy"]["matrix"]["shard"]
    for shard in shard_numbers:
        context = {"inputs.submissions": "examples/submissions", "matrix.shard": shard,
                   "strategy.job-total": len(shard_numbers)}
        step = workflow.step_named(jobs["grade"], "Grade one shard")
        done = workflow.run_step(jobs["grade"], step, kit, context, tmp_path)
        assert done.returncode == 0, done.stdout
        # actions/upload-artifact then download-artifact with pattern shard-*: shards/shard-N
        shutil.copytree(kit / ("shard-%d" % shard), kit / "shards" / ("shard-%d" % shard))
    names = sorted(row[0] for row in golden()[1:])
    for shard in shard_numbers:
        graded = sorted(p.name for p in (kit / ("shard-%d" % shard)).iterdir() if p.is_dir())
        assert graded == names[shard - 1::len(shard_numbers)]
    step = workflow.step_named(jobs["merge"], "Merge the shards into one gradebook")
    done = workflow.run_step(jobs["merge"], step, kit, {}, tmp_path)
    assert done.returncode == 0, done.stdout
    assert golden_view((kit / "grades" / "gradebook.csv").read_text()) == golden()
    assert "alice" in done.stdout  # the summary table
    for name in names:
        assert (kit / "grades" / name / "feedback.md").exists()
