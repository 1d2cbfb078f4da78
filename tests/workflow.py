"""Running a GitHub Actions workflow's own commands locally, so a workflow is tested like code.

Only `run:` steps are executed, each as GitHub does (`bash -e -o pipefail`), with the job's
and step's environment, `${{ }}` expressions filled in from a mapping, GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY pointing at files, GITHUB_WORKSPACE at the checkout and RUNNER_TEMP at a
folder outside it. `uses:` steps are the caller's to stand in for.
"""

import os
import re
import subprocess

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def fill(value, context):
    """Replaces each ${{ name }} with context[name]; an unknown name is an error."""
    return EXPRESSION.sub(lambda match: str(context[match.group(1)]), str(value))


def run_step(job, step, cwd, context, files):
    """Runs one `run:` step; returns the completed process (stdout and stderr together)."""
    temp = files / "runner-temp"
    temp.mkdir(exist_ok=True)
    env = dict(os.environ, GITHUB_OUTPUT=str(files / "output"),
               GITHUB_STEP_SUMMARY=str(files / "summary.md"), GITHUB_WORKSPACE=str(cwd),
               RUNNER_TEMP=str(temp))
    for scope in (job.get("env", {}), step.get("env", {})):
        env.update({key: fill(value, context) for key, value in scope.items()})
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600)


def step_named(job, name):
    return next(step for step in job["steps"] if step.get("name") == name)
