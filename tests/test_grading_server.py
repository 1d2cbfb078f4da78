"""tests/helpers.grade grades in a forked child of tests/grading_server.py: what it gives is
what `python -m pytest graders` gives, in the environment the grading is handed."""

import json
import os
import subprocess
import sys

from tests.helpers import KIT, grade, variant


def cases(results):
    return [(t["name"], t["status"], t["score"], t["output"]) for t in results["tests"]]


def test_a_grading_gives_what_the_command_line_gives(tmp_path):
    folder = variant(tmp_path, "zhou", [("return fx * (1 - fx)", "return fx * (1 + fx)")])
    results, run = grade(folder, "-k", "test_zhou.py", tmp_path=tmp_path)
    command = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=" + folder,
                              "-q", "--results-json", str(tmp_path / "cli.json"), "-k",
                              "test_zhou.py", "--hidden"], cwd=KIT, capture_output=True,
                             text=True, timeout=600)
    with open(tmp_path / "cli.json", encoding="utf-8") as handle:
        expected = json.load(handle)
    assert run.returncode == command.returncode == 1
    assert cases(results) == cases(expected) and any(
        status == "failed" for _, status, _, _ in cases(results))
    assert [line for line in run.stdout.splitlines() if "FAILED" in line] == [
        line for line in command.stdout.splitlines() if "FAILED" in line]


def test_a_grading_runs_in_the_environment_it_is_given(tmp_path):
    env = dict(os.environ, LANG="zh_CN.UTF-8", LC_ALL="", LANGUAGE="")
    results, run = grade(os.path.join(KIT, "exercises"), "-k", "test_zhou.py", hidden=False,
                         tmp_path=tmp_path, env=env)
    english, _ = grade(os.path.join(KIT, "exercises"), "-k", "test_zhou.py", hidden=False,
                       tmp_path=tmp_path, env=dict(env, LANG="C"))
    assert [t["status"] for t in results["tests"]] == [t["status"] for t in english["tests"]]
    assert results["tests"][0]["output"] != english["tests"][0]["output"]
    assert any("\u4e00" <= char <= "\u9fff" for char in results["tests"][0]["output"])
