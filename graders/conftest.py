"""pytest wiring of the graders: options, spec-driven parametrisation and the fixtures.

Each test function `test_<check>` in graders/test_<module>.py is a procedure; it runs once per
case of spec/<module>.yaml whose `check` names it, with ids like `zhou::neuron-feedforward`.
Student code is reached only through the `student` fixture (a sandboxed Submission).
"""

import os

import pytest

from graders.intake import collect
from graders.model import draws
from graders.model import i18n
from graders.grading import curves
from graders.grading import options
from graders.grading import parallel
from graders.grading import procedures
from graders.grading import roots
from graders.grading import run
from graders.grading import tutorial
from graders.sandbox import process as sandbox
from graders.model import spec
from graders.grading.reference import Reference
from graders.grading.scoreboard import Scoreboard
from graders.sandbox.submission import Submission

NAMED_IMPLEMENTATIONS = ("exercises", "solutions")


def pytest_addoption(parser):
    group = parser.getgroup("nnkit", "neural-network kit grading")
    group.addoption("--impl", default="exercises", metavar="exercises|solutions|PATH",
                    help="implementation to grade: exercises/ (default), solutions/, or a "
                         "folder holding the tutorial modules")
    group.addoption("--hidden", action="store_true",
                    help="also run the hidden cases (compared with solutions/)")
    group.addoption("--results-json", metavar="FILE",
                    help="write the results in Gradescope's results.json format")
    group.addoption("--report", nargs="?", const="report.html", metavar="FILE",
                    help="also write report.html (or FILE): your curves over the reference's, "
                         "the score and each failed case (needs matplotlib and jinja2)")
    group.addoption("--every-case", action="store_true",
                    help="fail unless every case of the specs ran (nox -s solutions)")
    group.addoption("--lang", choices=i18n.languages(),
                    help="language of the messages (default: from LANG and the other locale "
                         "variables, else en)")
    options.add_limits(group.addoption)
    parallel.add_option(group)


def pytest_configure(config):
    given = options.given(config)
    i18n.set_language(given.lang if given else config.getoption("lang"))
    try:
        limits = given.limits if given else options.limits_from(config.getoption)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    try:
        specs = {module: procedures.load(module) for module in spec.modules()}
        for loaded in specs.values():
            tutorial.check(loaded)
    except spec.SpecError as error:
        raise pytest.UsageError(str(error)) from None
    if getattr(config.option, "numprocesses", None):
        raise pytest.UsageError("the graders grade the tutorials at once with --at-once=N "
                                "(or auto), not pytest-xdist's -n")
    if "--impl" in config.invocation_params.args:
        raise pytest.UsageError(
            "give --impl and its folder as one argument, --impl=PATH: pytest reads a separate "
            "PATH as tests to collect, and runs a conftest.py it finds there before the kit "
            "can stop it")
    impl = config.getoption("impl")
    named = impl in NAMED_IMPLEMENTATIONS
    folder = os.path.join(spec.KIT, impl) if named else os.path.abspath(impl)
    if not os.path.isdir(folder):
        raise pytest.UsageError("--impl %s: no such folder (%s)" % (impl, folder))
    sources, _missing = collect.read_folder(folder, list(specs))
    config.stash[run.KEY] = this = run.GradingRun(
        folder, {module: loaded.drawn(draws.salt_of(sources.get(module)))
                 for module, loaded in specs.items()}, limits)
    config.stash[curves.RECORDER] = curves.Recorder()
    config.pluginmanager.register(roots.Roots(config), "nnkit-roots")
    try:
        protections = sandbox.protections()
    except sandbox.SandboxUnavailable as error:
        if impl == "solutions":  # the kit's own code, run in this process: no worker
            protections = []
        else:
            raise pytest.UsageError("no worker can start: %s" % error) from None
    board = Scoreboard(config, this.specs, protections)
    config.pluginmanager.register(board, "nnkit-scoreboard")
    children = parallel.children_wanted(config, len(specs))
    if children:
        board.at_once = parallel.AtOnce(children, start_student, stop_student)
        config.pluginmanager.register(board.at_once, "nnkit-at-once")


def pytest_generate_tests(metafunc):
    if "case" not in metafunc.fixturenames:
        return
    module = metafunc.module.__name__.rsplit(".", 1)[-1][len("test_"):]
    check = metafunc.function.__name__[len("test_"):]
    hidden = metafunc.config.getoption("hidden")
    cases = [case for case in run.of(metafunc.config).specs[module].cases
             if case.check == check and (hidden or not case.hidden)]
    metafunc.parametrize("case", cases, ids=[case.name for case in cases])


def pytest_collection_modifyitems(items):
    """Public cases first, then the hidden ones (each group in its order): the output of a
    public case, which a student sees at once, can hold nothing their code saw of a hidden
    case's inputs."""
    items.sort(key=run.is_hidden)


def pytest_sessionstart(session):
    """Starts the student's worker now, so that its start-up overlaps test collection
    (with --at-once, each child starts its own)."""
    if not session.config.pluginmanager.has_plugin("nnkit-at-once"):
        start_student(session)


def start_student(session):
    """The student's code for this process's cases: a sandboxed Submission, its worker
    started. solutions/ is the kit's own trusted code: it runs in-process, where pytest-cov
    sees it."""
    this = run.of(session.config)
    if session.config.getoption("impl") == "solutions":
        this.student = Reference(this.impl, list(this.specs))
    else:
        this.student = Submission(this.impl, list(this.specs), this.limits, start=True)


def pytest_sessionfinish(session):
    stop_student(session)


def stop_student(session):
    student = run.student_of(session.config)
    if isinstance(student, Submission):
        student.close()


@pytest.fixture(scope="session")
def student(pytestconfig):
    """The implementation under test: a sandboxed Submission (or solutions/, in-process)."""
    return run.of(pytestconfig).student


@pytest.fixture
def curve(request, case):
    """Where this case's training curve goes: its Record in the run's curves.Recorder."""
    return request.config.stash[curves.RECORDER].case(request.node.nodeid, not case.hidden)


@pytest.fixture(scope="session")
def reference(pytestconfig):
    """solutions/, for the expected values of hidden cases (loaded only when one runs)."""
    return run.reference_of(pytestconfig)
