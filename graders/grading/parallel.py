"""Grading the tutorials at once: `pytest graders --at-once=N` (`nox -s check` passes it).

After collection this pytest process forks N children and hands each a tutorial (its grader
file's cases) at a time, the slowest first by the last run's times on this machine, until
none is left. A child grades a tutorial as a serial run would (its own sandboxed worker,
root-cause reruns, curves) and sends back, as JSON lines on a pipe, each test report as it
is made and, after each tutorial, its results so far. This process shows the reports as
they come (pytest's own progress and failures), then merges the children's results in spec
order, so the score table, results.json, report.html and the record of a rebuild from memory
are those of one serial run, and the failures are listed in the order the cases were
collected. A child forked after collection starts in milliseconds, where a pytest-xdist
worker starts a Python, pytest and the kit and collects again (about 0.5 s each).

A child that dies is not replaced and the tutorial it was grading is not given to another:
its cases are reported as the kit's failures (exit status 3), never left out of the score;
what it had sent for earlier tutorials stands. After -x or --maxfail stops the run, the
tutorials under way are graded to their end (their results whole, their later reports not
shown) and no other starts; Ctrl-C stops the children at once. A tutorial that follows one
with hidden cases in a child gets new student code in a new folder. Without fork (Windows,
macOS), with --pdb or --trace, and for one tutorial, the tutorials are graded one after
another in this process.
"""

import argparse
import json
import os
import re
import selectors
import signal
import sys
import time
import traceback

import pytest

from graders.grading import run
from graders.model.private_cache import private_folder
from graders.model.results import SubmissionResults
from graders.outputs import files
from graders.sandbox.stopping import die_with_parent

CASE_ID = re.compile(r"\[([^\[\]]+::[^\[\]]+)\]$")  # a case's test id: test_x[module::case]
FORKS = sys.platform.startswith("linux")  # fork is unsafe on macOS and missing on Windows
TIMES = "tutorial-seconds.json"  # in the private cache folder: the schedule's only input


def add_option(group):
    group.addoption("--at-once", metavar="N|auto", default=1, type=_workers,
                    help="grade the tutorials at once in N forked children of this process "
                         "(auto: one per CPU, at most one per tutorial; default 1: one after "
                         "another)")


def _workers(text):
    if text == "auto":
        return text
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError("give a number of children of at least 1, or auto, "
                                         "not %r" % text)
    return number


def children_wanted(config, tutorials):
    """How many children grade at once: 0 where this run grades one tutorial after another
    (as it does without fork, and with --pdb or --trace, whose debugger needs this process's
    terminal)."""
    asked = config.getoption("at_once")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = min(cpus or 1, tutorials) if asked == "auto" else min(asked, tutorials)
    debugging = config.getoption("usepdb", False) or config.getoption("trace", False)
    return wanted if FORKS and wanted > 1 and not debugging else 0


class AtOnce:
    """The pytest plugin of the process that forks the children (registered by graders/
    conftest.py where --at-once asks for more than one): it schedules, shows and merges.
    `children`: how many to fork; `start` and `stop`: what a child calls, with the session,
    to start the student's code (a sandboxed worker of its own) and to stop it."""

    def __init__(self, children, start, stop):
        self.children, self.start, self.stop = children, start, stop
        self.parts = {}  # child number -> its latest results (JSON data)
        self.lost = False  # a child ended before it sent the results of all it graded
        self.order = {}  # nodeid -> its place in the collection order
        self.seconds = {}  # tutorial -> seconds its grading took in this run
        self.forked = False  # whether this run forked (a run of one tutorial does not)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            raise session.Interrupted("%d error(s) during collection" % session.testsfailed)
        if session.config.option.collectonly:
            return True
        self.order = {item.nodeid: number for number, item in enumerate(session.items)}
        tutorials = {}
        for item in session.items:
            tutorials.setdefault(tutorial_of(item), []).append(item)
        if len(tutorials) < 2:  # -k of one tutorial: graded here, as a serial run grades it
            self.start(session)
            return None
        self.forked = True
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:  # the tutorials' results interleave: no file names
            reporter.showfspath = False
        capture = session.config.pluginmanager.get_plugin("capturemanager")
        if capture is not None:  # what collection printed stays here, not in the children
            capture.read_global_capture()
        sys.stdout.flush()
        sys.stderr.flush()
        self.run(session, tutorials)
        return True

    def run(self, session, tutorials):
        kept = read_times()
        queue = sorted(tutorials, key=lambda name: -kept.get(name, 0.0))  # slowest first
        selector, children = selectors.DefaultSelector(), {}
        try:
            for number in range(min(self.children, len(queue))):
                # Ctrl-C waits until the child is known here, so that it stops this child too
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
                try:
                    child = Child(number, self, session, tutorials, [
                        end for sibling in children.values() for end in sibling.ends()])
                    children[child.pid] = child
                finally:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
                selector.register(child.messages, selectors.EVENT_READ, child)
                child.give(queue.pop(0))
            while children:
                for key, _events in selector.select():
                    child = key.data
                    for message in child.read():
                        self.take(session, child, message, queue)
                    if child.ended:
                        selector.unregister(child.messages)
                        self.lost |= child.close() or child.tutorial is not None
                        del children[child.pid]
        finally:  # interrupted: stop the ones still grading, whose cases are left out, as
            for child in children.values():  # a serial run leaves out the cases after
                child.kill()  # its interrupt
            selector.close()
        if not (session.config.option.keyword or session.config.option.markexpr):
            write_times(dict(kept, **self.seconds))  # a whole tutorial's time only

    def take(self, session, child, message, queue):
        kind = message["kind"]
        hook = session.config.hook
        stopped = session.shouldstop or session.shouldfail  # -x, --maxfail: what ran after
        if stopped and kind in ("start", "report", "finish"):  # the stop is not shown, but
            return  # the tutorials under way finish, so that their results are whole
        if kind == "start":
            hook.pytest_runtest_logstart(nodeid=message["nodeid"],
                                         location=tuple(message["location"]))
        elif kind == "report":
            report = hook.pytest_report_from_serializable(config=session.config,
                                                          data=message["report"])
            hook.pytest_runtest_logreport(report=report)
        elif kind == "finish":
            hook.pytest_runtest_logfinish(nodeid=message["nodeid"],
                                          location=tuple(message["location"]))
        elif kind == "results":  # after each tutorial: all this child has graded so far
            self.parts[child.number] = message["results"]
            self.seconds[child.tutorial] = message["seconds"]
            child.give(queue.pop(0) if queue and not stopped else None)
        elif kind == "error":  # the child's own failure, not a case's: its cases are lost
            sys.stderr.write(message["text"])

    def merged(self, specs, place_of):
        """One SubmissionResults of every child's, its cases and kit errors in spec order
        (`place_of`: a case name's place there, as the scoreboard gives it)."""
        cases = {case.name: case for loaded in specs.values() for case in loaded.cases}
        parts = [SubmissionResults.from_json(self.parts[number], cases)
                 for number in sorted(self.parts)]
        if not parts:
            return SubmissionResults(kit_errors=sorted(self.lost_cases(set()), key=place_of))
        tests = sorted((test for part in parts for test in part.tests),
                       key=lambda test: place_of(test.id))
        problems = {}
        for part in parts:
            for module, found in part.problems.items():
                problems[module] = problems.get(module, []) + [
                    entry for entry in found if entry not in problems.get(module, [])]
        kit_errors = sorted({name for part in parts for name in part.kit_errors} |
                            self.lost_cases({test.id for test in tests}), key=place_of)
        return SubmissionResults(tests, parts[0].output, kit_errors,
                                 dict(sorted(problems.items())), parts[0].protections)

    def lost_cases(self, reported):
        """The cases of a child that ended before it reported them (killed, out of memory):
        every collected case that no child reported is the kit's failure, not a pass."""
        if not self.lost:
            return set()
        return {found.group(1) for found in map(CASE_ID.search, self.order) if found} - reported

    def sort_failures(self, config):
        """The failures' sections in collection order, as a serial run prints them."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        for key in ("failed", "error"):
            if reporter is not None and key in reporter.stats:
                reporter.stats[key].sort(key=lambda report: self.order.get(
                    getattr(report, "nodeid", ""), len(self.order)))


def tutorial_of(item):
    """The tutorial an item grades: its grader file's, graders/test_<tutorial>.py."""
    return os.path.basename(str(item.path))[len("test_"):-len(".py")]


class Child:
    """A forked child of the grading process, seen from the parent: its pid, the pipes to
    and from it, and the tutorial it is grading (None when it has none)."""

    def __init__(self, number, at_once, session, tutorials, siblings):
        """Forks child `number` of `at_once`; `siblings`: the pipe ends of those forked
        before it, which it closes (its parent alone speaks to them)."""
        self.number, self.tutorial, self.ended, self.buffered = number, None, False, b""
        names, parent = list(tutorials), os.getpid()
        self.closed, self.status = False, None  # its pipes closed; its wait status, once reaped
        tasks_read, self.tasks = os.pipe()
        self.messages, messages_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: grades what it is given and never returns
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops it
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
                die_with_parent()
                if os.getppid() != parent:  # the parent ended before that took hold
                    os._exit(3)
                for end in [self.tasks, self.messages, *siblings]:
                    os.close(end)
                grade_tutorials(number, at_once, session, tutorials, names, tasks_read,
                                messages_write)
            finally:
                os._exit(3)
        os.close(tasks_read)
        os.close(messages_write)
        self.names = names

    def ends(self):
        return self.tasks, self.messages

    def give(self, tutorial):
        """Hands the child its next tutorial, or None: no more, send your results and end."""
        self.tutorial = tutorial
        line = "%d\n" % (-1 if tutorial is None else self.names.index(tutorial))
        try:
            os.write(self.tasks, line.encode())
        except OSError:  # it has ended: its end of the pipe is read next
            pass

    def read(self):
        """The messages that have arrived in full; at the end of the pipe, `ended` is set."""
        chunk = os.read(self.messages, 1 << 16)
        if not chunk:
            self.ended = True
        self.buffered += chunk
        *lines, self.buffered = self.buffered.split(b"\n")
        return [json.loads(line) for line in lines if line]

    def close(self):
        """Waits for the ended child; True where it did not end as it should. Once only:
        an interrupt during the wait leaves it to be killed and closed again."""
        if not self.closed:
            os.close(self.tasks)
            os.close(self.messages)
            self.closed = True
        if self.status is None:
            self.status = os.waitpid(self.pid, 0)[1]
        return os.waitstatus_to_exitcode(self.status) != 0

    def kill(self):
        if self.status is None:  # never a pid already reaped, which another may now hold
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.close()


def grade_tutorials(number, at_once, session, tutorials, names, tasks, messages):
    """Runs in a forked child: grades each tutorial the parent names on `tasks`, sending
    reports and results on `messages`; never returns."""
    code = 3
    out = os.fdopen(messages, "w", encoding="utf-8")
    try:
        config = session.config
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:  # the parent shows the run; this one writes to nowhere
            config.pluginmanager.unregister(reporter)
            quiet = pytest.TerminalReporter(config, open(os.devnull, "w", encoding="utf-8"))
            quiet.pytest_sessionstart(session)
            config.pluginmanager.register(quiet, "terminalreporter")
        capture = config.pluginmanager.get_plugin("capturemanager")
        if capture is not None:  # a capture file of its own, not the one the parent read
            capture.stop_global_capturing()
            capture.start_global_capturing()
            capture.suspend_global_capture()
        config.pluginmanager.register(Sender(config, out), "nnkit-sender")
        board = config.pluginmanager.get_plugin("nnkit-scoreboard")
        at_once.start(session)
        after_hidden = False
        for line in os.fdopen(tasks, encoding="ascii"):
            if int(line) < 0:
                break
            items, began = tutorials[names[int(line)]], time.monotonic()
            if after_hidden:  # new code in a new folder, so that no public case's output
                at_once.stop(session)  # holds what a tutorial's code saw of hidden inputs
                at_once.start(session)
            after_hidden = any(map(run.is_hidden, items))
            for index, item in enumerate(items):
                following = items[index + 1] if index + 1 < len(items) else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            send(out, {"kind": "results", "results": board.submission_results().to_json(),
                       "seconds": time.monotonic() - began})
        code = 0
    except BaseException:  # noqa: B036  the child must end here, whatever happened
        try:
            send(out, {"kind": "error", "text": "grading child %d failed:\n%s" % (
                number, traceback.format_exc())})
        except Exception:
            pass
    finally:
        try:
            at_once.stop(session)
        finally:
            os._exit(code)


class Sender:
    """In a child: each test's reports, as JSON lines for the parent."""

    def __init__(self, config, out):
        self.config, self.out = config, out

    def pytest_runtest_logstart(self, nodeid, location):
        send(self.out, {"kind": "start", "nodeid": nodeid, "location": location})

    def pytest_runtest_logreport(self, report):
        send(self.out, {"kind": "report", "report": self.config.hook.pytest_report_to_serializable(
            config=self.config, report=report)})

    def pytest_runtest_logfinish(self, nodeid, location):
        send(self.out, {"kind": "finish", "nodeid": nodeid, "location": location})


def send(out, message):
    out.write(json.dumps(message) + "\n")
    out.flush()


def read_times():
    """{tutorial: seconds} of the last runs on this machine (empty where none is kept)."""
    try:
        with open(os.path.join(private_folder(), TIMES), encoding="utf-8") as handle:
            kept = json.load(handle)
        return {name: float(seconds) for name, seconds in kept.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def write_times(seconds):
    try:
        files.write_atomically(os.path.join(private_folder(), TIMES), json.dumps(seconds))
    except OSError:
        pass  # the next run schedules in spec order: the same grades, perhaps later
