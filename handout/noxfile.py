"""`nox -s check` grades your work in exercises/ on the public checks; `nox -s recall`
starts a rebuild from memory (see README.md).

Arguments after `--` go to pytest, e.g. `nox -s check -- -k zhou` for one tutorial."""

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["check"]
PYPROJECT = nox.project.load_toml("pyproject.toml")


@nox.session(reuse_venv=True)
def check(session):
    """Grade your work in exercises/ on the public checks (hidden ones run when graded)."""
    groups = ("grade", "recall") + (("report",) if "--report" in session.posargs else ())
    session.install(*nox.project.dependency_groups(PYPROJECT, *groups))
    # The tutorials at once, a CPU each. Exit status 1 only means some checks failed: the
    # score table is the result.
    session.run("python", "-m", "pytest", "graders", "--impl=exercises", "--at-once=auto",
                *session.posargs, success_codes=[0, 1])


@nox.session(reuse_venv=True, default=False)
def recall(session):
    """Rebuild a tutorial from memory: nox -s recall -- MODULE [--hints LEVEL] | --status."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "grade", "recall"))
    session.run("python", "-m", "graders.recall", *session.posargs)
