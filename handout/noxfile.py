"""`nox -s check` grades your work in exercises/ on the public checks.

Arguments after `--` go to pytest, e.g. `nox -s check -- -k zhou` for one tutorial."""

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["check"]
PYPROJECT = nox.project.load_toml("pyproject.toml")


@nox.session(reuse_venv=True)
def check(session):
    """Grade your work in exercises/ on the public checks (hidden ones run when graded)."""
    groups = ("grade", "report") if "--report" in session.posargs else ("grade",)
    session.install(*nox.project.dependency_groups(PYPROJECT, *groups))
    # Exit status 1 only means some checks failed: the score table is the result.
    session.run("python", "-m", "pytest", "graders", "--impl=exercises", *session.posargs,
                success_codes=[0, 1])
