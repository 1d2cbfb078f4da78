"""Bad options and odd folders get plain errors or warnings, never a traceback."""

import json
import subprocess
import sys

import pytest

from tests.helpers import KIT

EXAMPLES = KIT + "/examples/submissions"


def run(*command):
    return subprocess.run([sys.executable, *command], cwd=KIT, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("option", ["--call-timeout", "--time-budget"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_limits_of_zero_or_less_are_refused(option, value, tmp_path):
    graders = run("-m", "pytest", "graders", option, value)
    assert graders.returncode == 4
    assert "%s must be a number of seconds above 0" % option in graders.stderr
    batch = run("-m", "graders.batch", EXAMPLES, "--out", str(tmp_path / "out"), option, value)
    assert batch.returncode == 2
    assert "%s must be a number of seconds above 0" % option in batch.stderr
    assert "Traceback" not in graders.stderr + batch.stderr
    assert not (tmp_path / "out").exists()


def test_an_empty_submissions_folder_says_so(tmp_path):
    (tmp_path / "class").mkdir()
    done = run("-m", "graders.batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "the submissions folder %s is empty" % (tmp_path / "class") in done.stderr


def test_merging_shards_graded_on_other_cases_warns(tmp_path):
    shard = tmp_path / "shard-1"
    assert run("-m", "graders.batch", EXAMPLES, "--out", str(shard), "--shard", "1/5",
               "--jobs", "1").returncode == 0
    same = run("-m", "graders.merge", str(shard), "--out", str(tmp_path / "merged"))
    assert same.returncode == 0 and "warning" not in same.stderr
    results = shard / "alice" / "results.json"  # as if graded with another version of a spec
    data = json.loads(results.read_text())
    data["tests"][0]["extra_data"]["case"] = "retired-case"
    results.write_text(json.dumps(data))
    other = run("-m", "graders.merge", str(shard), "--out", str(tmp_path / "merged-again"))
    assert other.returncode == 0
    assert "warning: %s was graded on other cases than this kit's specs" % shard in other.stderr
    assert "retired-case" in other.stderr


GIVEN = """
import pytest
from graders.grading import options, run
from graders.model import i18n
from graders.sandbox.process import Limits
class Spy:
    def pytest_collection_finish(self, session):
        limits = run.of(session.config).limits
        print("seen", limits.call_seconds, limits.tutorial_seconds, i18n.language())
pytest.main(["graders", "--impl=solutions", "-q", "--co", "-p", "no:cacheprovider",
             "--call-timeout=99", "--lang=en"],
            plugins=[options.Given(Limits(call_seconds=7, tutorial_seconds=8), "zh"), Spy()])
"""


def test_options_given_as_an_object_are_the_ones_the_run_uses():
    """The batch hands its limits and language to each grading run as an object, and they
    win over anything on the command line."""
    done = run("-c", GIVEN)
    assert "seen 7 8 zh" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]


def test_the_limit_options_have_one_declaration_for_both_commands():
    graders = run("-m", "pytest", "graders", "--help")
    batch = run("-m", "graders.batch", "--help")
    for flag in ("--call-timeout", "--time-budget"):
        assert flag in graders.stdout and flag in batch.stdout
    assert " ".join(graders.stdout.split()).count("time limit for one call into student "
                                                  "code") == 1
    assert "time limit for one call into student code" in " ".join(batch.stdout.split())
