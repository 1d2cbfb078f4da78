"""Sharded grading: N shards merged give the gradebook of one run, on the command line and in
the instructor's GitHub workflow."""

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


def test_three_shards_merged_equal_one_run(tmp_path):
    shards = [tmp_path / ("shard-%d" % i) for i in (1, 2, 3)]
    for i, shard in enumerate(shards, 1):
        run("-m", "graders.batch", EXAMPLES, "--out", str(shard), "--shard", "%d/3" % i,
            "--jobs", "2")
    sizes = [len([p for p in shard.iterdir() if p.is_dir()]) for shard in shards]
    assert sizes == [2, 2, 1]
    merged = run("-m", "graders.merge", *map(str, shards), "--out", str(tmp_path / "all"))
    assert golden_view((tmp_path / "all" / "gradebook.csv").read_text()) == golden()
    assert "alice" in merged.stdout
    for name in ("alice", "dave", "erin"):
        assert (tmp_path / "all" / name / "feedback.md").exists()


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
    venvs every copy of the kit in this run shares)."""
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
    step = workflow.step_named(jobs["merge"], "Merge the shards into one gradebook")
    done = workflow.run_step(jobs["merge"], step, kit, {}, tmp_path)
    assert done.returncode == 0, done.stdout
    assert golden_view((kit / "grades" / "gradebook.csv").read_text()) == golden()
