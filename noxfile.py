"""The kit's sessions. Students: `nox -s check`, `nox -s recall`. Instructors: `nox -s grade`, `nox -s merge`,
`nox -s handout`, `nox -s gradescope`. The kit itself: `nox -s solutions`, `nox -s tests`,
`nox -s bench`.
Arguments after `--` go to the command, e.g. `nox -s check -- -k zhou`."""

import os
import shutil
import sys

import nox

try:
    import fcntl
except ImportError:  # Windows: no lock; start a session's first run alone
    fcntl = None

# nox would build a venv per session (seven, 830 MB); the sessions share one per set of
# dependency groups instead (see `venv`), so nox itself makes none.
nox.options.default_venv_backend = "none"
nox.options.sessions = ["grade"]
PYPROJECT = nox.project.load_toml("pyproject.toml")
KIT_GROUPS = ("grade", "report", "recall")  # grading, its pages, rebuilds: every session but tests
# What tests/ needs from the system: (its commands, the Debian package, the tests without it).
SYSTEM = ((("bwrap",), "bubblewrap", "tests/test_adversarial.py and tests/test_sandbox.py"),
          (("chromium", "chromium-browser"), "chromium", "tests/test_pages.py"))


def venv(session, *groups):
    """The python of the venv holding `groups` of pyproject.toml, built on first use and
    shared by every session that needs the same groups; it is built again only when the
    groups' requirements change (they are kept in its requirements.txt). Two sessions
    started at once build it once: the second waits for the first (a lock beside it)."""
    requirements = nox.project.dependency_groups(PYPROJECT, *groups)
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".nox", "-".join(groups))
    python = os.path.join(folder, "Scripts" if os.name == "nt" else "bin", "python")
    listed = os.path.join(folder, "requirements.txt")
    wanted = "".join(line + "\n" for line in requirements)
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    with open(folder + ".lock", "w") as lock:
        if fcntl:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(listed) and os.path.isfile(python):
            with open(listed, encoding="utf-8") as handle:
                if handle.read() == wanted:
                    return python
        session.log("building the venv %s for the %s group(s)" % (folder, ", ".join(groups)))
        build(session, folder, python, requirements)
        with open(listed, "w", encoding="utf-8") as handle:
            handle.write(wanted)
    return python


def build(session, folder, python, requirements):
    """Builds the venv at `folder`. Where the pip that runs nox can install into another
    Python (pip 22.3 and later: --python), the venv gets no pip of its own and pip does not
    compile what it installs; compileall then compiles it on every CPU. On the 2-core
    machine that took 7 s instead of 10 s."""
    quiet = ("--quiet", "--disable-pip-version-check")
    if outer_pip() < (22, 3):
        session.run(sys.executable, "-m", "venv", "--clear", folder)
        session.run(python, "-m", "pip", "install", *quiet, *requirements)
        return
    session.run(sys.executable, "-m", "venv", "--clear", "--without-pip", folder)
    session.run(sys.executable, "-m", "pip", "--python", python, "install", *quiet,
                "--no-compile", *requirements)
    # The sandboxed workers import numpy from this venv read-only: compiled here, once.
    session.run(python, "-m", "compileall", "-q", "-j", "0", folder, silent=True,
                success_codes=(0, 1))  # 1: a file that does not compile, as pip skips it


def outer_pip():
    """The version of the pip beside nox, as (major, minor); (0, 0) without one."""
    try:
        from importlib.metadata import PackageNotFoundError, version
        return tuple(int(part) for part in version("pip").split(".")[:2])
    except (ImportError, PackageNotFoundError, ValueError):
        return (0, 0)


def run_graders(session, *options, success_codes=(0,)):
    session.run(venv(session, *KIT_GROUPS), "-m", "pytest", "graders", *options,
                *session.posargs, success_codes=list(success_codes))


def system_packages(session):
    """Installs with apt what tests/ needs from the system, where it can (as root, with
    apt-get); says in one line what is still missing and which tests fail without it."""
    def missing():
        return [(package, tests) for commands, package, tests in SYSTEM
                if not any(shutil.which(command) for command in commands)]

    if missing() and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        environment = {"DEBIAN_FRONTEND": "noninteractive"}
        try:
            session.run("apt-get", "update", "-qq", env=environment)
            for package, _ in missing():  # one at a time: one unknown name stops no other
                session.run("apt-get", "install", "-y", "-qq", package, env=environment,
                            success_codes=range(256))
        except nox.command.CommandFailed:
            pass  # no network: said below
    if missing():
        packages = [package for package, _ in missing()]
        session.warn("Install %s (e.g. sudo apt-get install %s): %s." % (
            " and ".join(packages), " ".join(packages), ", ".join(
                "without %s %s fail" % (package, tests) for package, tests in missing())))


@nox.session
def check(session):
    """Grade your work in exercises/ on the public checks (hidden ones run when graded)."""
    # The tutorials at once, on every CPU (graders/grading/parallel.py). Exit status 1 only
    # means some checks failed: the score table is the result.
    run_graders(session, "--impl=exercises", "--at-once=auto", success_codes=(0, 1))


@nox.session(default=False)
def recall(session):
    """Rebuild a tutorial from memory: nox -s recall -- MODULE [--hints LEVEL] | --status."""
    session.run(venv(session, *KIT_GROUPS), "-m", "graders.recall", *session.posargs)


@nox.session
def grade(session):
    """Grade a class: nox -s grade -- [SUBMISSIONS] [--out DIR] [--jobs N] [--regrade]."""
    session.run(venv(session, *KIT_GROUPS), "-m", "graders.batch", *session.posargs)


@nox.session(default=False)
def merge(session):
    """Merge sharded grading: nox -s merge -- SHARD_OUT [SHARD_OUT ...] --out DIR."""
    session.run(venv(session, *KIT_GROUPS), "-m", "graders.merge", *session.posargs)


@nox.session(default=False)
def handout(session):
    """Write the repository students receive: nox -s handout -- OUT [--notebooks]."""
    session.run(venv(session, *KIT_GROUPS), "-m", "graders.handout", *session.posargs)


@nox.session
def solutions(session):
    """Grade the reference solutions/ on every check, hidden ones included: must be 100%."""
    run_graders(session, "--impl=solutions", "--hidden", "--every-case")


@nox.session
def tests(session):
    """Run the kit's own test suite, and measure that the graders cover all of solutions/."""
    # nox -s tests -- tests/test_batch.py runs one file (arguments replace `tests`).
    system_packages(session)
    python = venv(session, "test")
    # pytest-xdist: a worker per CPU; a test file with a module fixture (a class graded once
    # for its tests) stays on one worker (tests/conftest.py). The slowest are listed last.
    session.run(python, "-m", "pytest", "--numprocesses", "auto", "--dist", "loadscope",
                "--durations", "15", *(session.posargs or ["tests"]))
    session.run(python, "-m", "pytest", "graders", "--impl=solutions", "--hidden", "-q",
                "--every-case", "--cov=solutions", "--cov-report=term-missing",
                "--cov-fail-under=100")


@nox.session(default=False)
def bench(session):
    """Time grading against bare compute, throughput with --jobs 1 and 2, and the pages."""
    session.run(venv(session, *KIT_GROUPS), "benchmarks/bench.py", *session.posargs)


@nox.session(default=False)
def gradescope(session):
    """Write the autograder for a Gradescope programming assignment: nox -s gradescope -- OUT."""
    session.run(venv(session, *KIT_GROUPS), "-m", "graders.gradescope", "build",
                *session.posargs)
