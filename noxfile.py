"""The kit's sessions. Students: `nox -s check`, `nox -s recall`. Instructors: `nox -s grade`, `nox -s merge`,
`nox -s handout`, `nox -s gradescope`. The kit itself: `nox -s solutions`, `nox -s tests`,
`nox -s bench`.
Arguments after `--` go to the command, e.g. `nox -s check -- -k zhou`."""

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["grade"]
PYPROJECT = nox.project.load_toml("pyproject.toml")


def install(session, *groups):
    """Installs dependency groups of pyproject.toml: `grade`, and `report` for the pages."""
    session.install(*nox.project.dependency_groups(PYPROJECT, *groups))


def run_graders(session, *options, success_codes=(0,)):
    install(session, "grade", "report", "recall")
    session.run("python", "-m", "pytest", "graders", *options, *session.posargs,
                success_codes=list(success_codes))


@nox.session(reuse_venv=True)
def check(session):
    """Grade your work in exercises/ on the public checks (hidden ones run when graded)."""
    # Exit status 1 only means some checks failed: the score table is the result.
    run_graders(session, "--impl", "exercises", success_codes=(0, 1))


@nox.session(reuse_venv=True, default=False)
def recall(session):
    """Rebuild a tutorial from memory: nox -s recall -- MODULE [--hints LEVEL] | --status."""
    install(session, "grade", "recall")
    session.run("python", "-m", "graders.recall", *session.posargs)


@nox.session(reuse_venv=True)
def grade(session):
    """Grade a class: nox -s grade -- [SUBMISSIONS] [--out DIR] [--jobs N] [--regrade]."""
    install(session, "grade", "report")
    session.run("python", "-m", "graders.batch", *session.posargs)


@nox.session(reuse_venv=True, default=False)
def merge(session):
    """Merge sharded grading: nox -s merge -- SHARD_OUT [SHARD_OUT ...] --out DIR."""
    install(session, "grade", "report")
    session.run("python", "-m", "graders.merge", *session.posargs)


@nox.session(reuse_venv=True, default=False)
def handout(session):
    """Write the repository students receive: nox -s handout -- OUT [--notebooks]."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "grade"))
    session.run("python", "-m", "graders.handout", *session.posargs)


@nox.session(reuse_venv=True)
def solutions(session):
    """Grade the reference solutions/ on every check, hidden ones included: must be 100%."""
    run_graders(session, "--impl", "solutions", "--hidden", "--every-case")


@nox.session(reuse_venv=True)
def tests(session):
    """Run the kit's own test suite, and measure that the graders cover all of solutions/."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "test"))
    session.run("python", "-m", "pytest", "tests", *session.posargs)
    session.run("python", "-m", "pytest", "graders", "--impl", "solutions", "--hidden", "-q",
                "--every-case", "--cov=solutions", "--cov-report=term-missing", "--cov-fail-under=100")


@nox.session(reuse_venv=True, default=False)
def bench(session):
    """Time grading against bare compute, throughput with --jobs 1 and 2, and the pages."""
    install(session, "grade", "report")
    session.run("python", "benchmarks/bench.py", *session.posargs)


@nox.session(reuse_venv=True, default=False)
def gradescope(session):
    """Write the autograder for a Gradescope programming assignment: nox -s gradescope -- OUT."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "grade"))
    session.run("python", "-m", "graders.gradescope", "build", *session.posargs)
