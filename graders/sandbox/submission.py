"""The one way graders reach student code: a `Submission` that forwards calls to a worker.

The student's modules are copied into a fresh temporary folder and run by graders/sandbox/worker.py
in a separate process (see graders/sandbox/process.py for how it is started and confined). Calls go
in, plain data comes out (graders/sandbox/wire.py); objects such as a `Neuron` stay in the worker
behind a `Remote`. Every way a call can go wrong (stub, exception, missing name, import or
syntax error, timeout, crash) becomes a `StudentError` naming the call, which fails the
case that made it and nothing else.
"""

import os
import select
import time

import numpy as np
import pytest

from graders.intake import collect
from graders.intake import notebook
from graders.sandbox import process as sandbox
from graders.sandbox import wire
from graders.model.i18n import N_, _

REPLY_LIMIT = 16 << 20  # bytes in one reply from the worker
ANSWERS = ("call", "new", "method", "get")  # requests whose reply is student code's value


class StudentError(pytest.fail.Exception):
    """A call into student code went wrong; fails the case with `message` and no traceback."""

    def __init__(self, message):
        super().__init__(message, pytrace=False)


def describe(value):
    """A short description of an argument for messages: arrays by shape, numbers by value."""
    if isinstance(value, np.ndarray):
        return "array %s" % (tuple(value.shape),)
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%r: %s" % (k, describe(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)) and len(value) > 4:
        return "%s of %d" % (type(value).__name__, len(value))
    return repr(value)


def describe_call(function, args, kwargs):
    parts = [describe(a) for a in args] + ["%s=%s" % (k, describe(v)) for k, v in kwargs.items()]
    return "%s(%s)" % (function, ", ".join(parts))


class WorkerGone(Exception):
    """The worker process ended, timed out or sent something unreadable; says which.

    `problem` is the short name the gradebook shows for it (timeout, crash, a limit)."""

    def __init__(self, message, problem):
        super().__init__(message)
        self.problem = problem


class WorkerProcess:
    """One running worker and a request/reply exchange with a time limit."""

    def __init__(self, sandbox_dir, modules, limits):
        self.worker = sandbox.Worker(sandbox_dir, modules, limits)

    def exchange(self, message, timeout, wall_limit):
        """Sends one request and returns the decoded reply dict, or raises WorkerGone.

        timeout: the call's time limit (see CallClock); wall_limit: wall-clock seconds it
        may take at most, whatever it measures."""
        try:
            wire.send(self.worker.requests, message)
        except (BrokenPipeError, OSError):
            raise self.gone() from None
        clock = CallClock(self.worker, timeout, wall_limit)
        header = self._read(wire.HEADER.size, clock)
        (length,) = wire.HEADER.unpack(header)
        if length > REPLY_LIMIT:
            self.stop()
            raise WorkerGone(_("it sent a reply of %d bytes (the limit is %d)")
                             % (length, REPLY_LIMIT), "reply size limit")
        body = self._read(length, clock)
        try:
            reply = wire.parse(body, REPLY_LIMIT)
            error = reply.get("error")
            if error is not None and not (isinstance(error, dict) and all(
                    isinstance(error.get(key, ""), str) for key in ("type", "message", "where"))):
                raise ValueError("a malformed error")
            reply["value"] = wire.decode(reply["ok"]) if "ok" in reply else None
            return reply
        except Exception as error:  # anything a forged reply can raise while it is decoded
            self.stop()
            raise WorkerGone(_("it sent a reply the grader cannot read (%s)") % (
                "%s: %s" % (type(error).__name__, str(error)[:200])), "crash") from None

    def _read(self, size, clock):
        chunks, got = [], 0
        while got < size:
            ready = select.select([self.worker.replies], [], [], clock.wait())[0]
            if not ready:
                if clock.expired():
                    self.stop()
                    raise WorkerGone(_("it ran past the %g s time limit per call%s")
                                     % (clock.limit, clock.unit), "timeout")
                continue
            chunk = os.read(self.worker.replies, size - got)
            if not chunk:
                raise self.gone()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def gone(self):
        self.worker.wait_exit(2.0)
        code = self.stop()
        problem = "memory limit" if "memory" in self.worker.hit else "crash"
        return WorkerGone(self.worker.explain_exit(code), problem)

    def stop(self):
        """Kills the worker and everything it started; returns its exit code."""
        return self.worker.stop()


class CallClock:
    """The time limit of one call: CPU time of all the worker's processes where a control
    group measures it, with a wall-clock backstop for calls that wait rather than compute;
    wall-clock time otherwise."""

    TICK = 0.1  # seconds between looks at the CPU time

    def __init__(self, worker, limit, wall_limit):
        self.worker, self.limit = worker, limit
        self.cpu_start = worker.cpu_seconds()
        self.by_cpu = self.cpu_start is not None
        self.unit = _(" (CPU time)") if self.by_cpu else ""
        wall = limit * sandbox.WALL_FACTOR if self.by_cpu else limit
        self.deadline = time.monotonic() + min(wall, wall_limit)

    def wait(self):
        """Seconds to wait for the reply before looking again."""
        left = max(self.deadline - time.monotonic(), 0)
        return min(left, self.TICK) if self.by_cpu else left

    def expired(self):
        if time.monotonic() >= self.deadline:
            return True
        return self.by_cpu and self.worker.cpu_seconds() - self.cpu_start > self.limit


class Memo:
    """Shares expensive calls (a training run) between the cases that need their result."""

    standing = ()  # the contract helpers standing in for the student's (graders/grading/roots.py)

    def __init__(self):
        self.shared = {}

    def once(self, key, compute):
        """compute() the first time `key` is asked for; later, the same result or error.

        A result holding an object from a worker that has since been restarted is computed
        again, so one crashing case does not fail the others that shared its object.
        """
        key = (key, self.standing)
        if key not in self.shared or self.stale(self.shared[key][1]):
            try:
                self.shared[key] = (True, compute())
            except StudentError as error:
                self.shared[key] = (False, error.msg)
        ok, value = self.shared[key]
        if not ok:
            raise StudentError(value)
        return value

    def stale(self, value):
        """Whether `value` is, or is a tuple starting with, an object of an earlier worker
        (or of one since stopped: the next call starts a new one)."""
        first = value[0] if isinstance(value, tuple) and value else value
        return isinstance(first, Remote) and first.lost()


class Submission(Memo):
    """A student's modules, reached only through `call`, `new` and `seed`.

    folder: the directory holding the modules (trask.py, ...), at its top level or under
    exercises/; modules: the names to copy. Nothing else in the folder is used.
    """

    def __init__(self, folder, modules, limits=None, start=False):
        super().__init__()
        self.limits = limits or sandbox.Limits()
        self.home = sandbox.new_home()
        found, self.missing = collect.read_folder(folder, modules)
        collect.write_modules(sandbox.prepare(self.home), found)
        self.sources = found  # to tell a notebook's lines in its own terms
        self.present = sorted(found)
        self.worker = None
        self.generation = 0  # counts worker starts; a Remote from an earlier one is stale
        self.import_errors = {}
        self.spent = dict.fromkeys(modules, 0.0)  # seconds of calls per tutorial module
        self.timed_out = {}  # (module, function) -> the message of its timeout
        self.problems = {}  # module -> what went wrong beyond wrong answers, for the gradebook
        self.printed = []  # what calls printed; graders/grading/scoreboard.py empties it for each case
        self.calls = []  # what answered with a value (see ANSWERS), emptied with `printed`
        self.module = None  # the tutorial of the latest call
        if start:
            self._start_worker()

    # -- what graders use -------------------------------------------------------------

    def call(self, function, *args, **kwargs):
        """Calls `module.name` with plain-data arguments and returns its plain-data result."""
        return self.call_printing(function, *args, **kwargs)[0]

    def call_printing(self, function, *args, **kwargs):
        """Like `call`, but returns (result, what the call printed)."""
        module, name = function.split(".", 1)
        what = describe_call(function, args, kwargs)
        return self._request(module, name, what, {"op": "call", "module": module, "name": name,
                                            "args": wire.encode(list(args)),
                                            "kwargs": wire.encode(kwargs)})

    def new(self, cls, *args, **kwargs):
        """Creates `module.Class(*args)` in the worker and returns a Remote for it."""
        module, name = cls.split(".", 1)
        what = describe_call(cls, args, kwargs)
        handle = self._request(module, name, what, {"op": "new", "module": module, "name": name,
                                                    "args": wire.encode(list(args)),
                                                    "kwargs": wire.encode(kwargs)})[0]
        if not isinstance(handle, wire.Handle):
            raise StudentError(_("%s did not create an object") % what)
        return Remote(self, module, name, handle.number, self.generation)

    def seed(self, module, seed):
        """np.random.seed(seed) in the worker before the next call into `module` (and only
        that one: every other call starts from the state the module's import left)."""
        self._request(module, "np.random.seed", "np.random.seed(%d)" % seed,
                      {"op": "seed", "module": module, "seed": seed})

    def stand_in(self, module, helpers):
        """Puts the contract's own helpers in place of the student's in the worker: `helpers`
        is {contract name: [function name, its source]} (graders/sandbox/stand_ins.py builds
        them there); {} puts the student's back."""
        self.standing = tuple(helpers)
        self._request(module, "stand-ins", "stand-ins for %s" % (list(helpers) or "nothing"),
                      {"op": "stand_in", "module": module, "helpers": dict(helpers)})

    def restart(self):
        """Stops the worker: the next call starts a fresh one, which imports the modules
        anew, so nothing a call left in them (a list of the inputs it saw) survives."""
        if self.worker:
            self.worker.stop()
            self.worker = None

    def close(self):
        if self.worker:
            self.worker.stop()
        sandbox.remove_home(self.home)

    # -- plumbing -----------------------------------------------------------------------

    def _request(self, module, function, what, message):
        """Sends `message` for `module.function` (called as `what`); returns (value, printed).

        A function that ran past the time limit fails its later calls at once, and each
        tutorial has its own time budget: a loop in one tutorial costs only that tutorial.
        """
        if module in self.missing:
            raise StudentError(_("%s could not run: %s") % (what, self.missing[module]))
        if (module, function) in self.timed_out:
            raise StudentError(self.timed_out[module, function])
        self._fresh_worker_for(module)
        self._import(module)
        reply = self._exchange(message, what, module, function)
        self.printed.append(reply.get("stdout", ""))
        if message["op"] in ANSWERS:
            self.calls.append(what)
        if "error" in reply:
            for text, problem, _explanation in LIMIT_ERRORS:
                if limit_error(reply["error"], text):
                    self._problem(module, problem)
            error = dict(reply["error"])
            error["where"] = notebook.in_notebook(self.sources.get(module, b""),
                                                  error.get("where", ""))
            raise StudentError(explain_error(what, error))
        return reply["value"], reply.get("stdout", "")

    def _import(self, module):
        if (module, "") in self.timed_out:  # importing it ran past the limit once already
            raise StudentError(self.timed_out[module, ""])
        if module not in self.import_errors:
            what = "import %s" % module
            try:
                error = self._exchange({"op": "import", "module": module}, what, module,
                                       "").get("error")
                self.import_errors[module] = error and explain_error(what, error)
            except StudentError as failure:  # a timeout or crash while importing
                self.import_errors[module] = failure.msg
            if self.import_errors[module]:
                self._problem(module, "import error")
        if self.import_errors[module]:
            raise StudentError(self.import_errors[module])

    def _exchange(self, message, what, module, function):
        left = self.limits.tutorial_seconds - self.spent[module]
        if left <= 0:
            raise StudentError(_("%s was not run: %s.py used up its %g s time budget")
                               % (what, module, self.limits.tutorial_seconds))
        if self.worker is None:
            self._start_worker()
        began = time.monotonic()
        try:
            return self.worker.exchange(message, min(self.limits.call_seconds, left), left)
        except WorkerGone as gone:
            self.worker = None
            text = _("%s failed: %s") % (what, gone)
            self._problem(module, gone.problem)
            if gone.problem == "timeout":
                self.timed_out[module, function] = text
            raise StudentError(text) from None
        finally:
            self.spent[module] += time.monotonic() - began

    def _fresh_worker_for(self, module):
        """Restarts the worker when a tutorial's calls begin and an earlier tutorial left
        processes or threads running, so that none of their CPU time is charged here."""
        if module != self.module and self.worker is not None and \
                self.worker.worker.left_running():
            self.worker.stop()
            self.worker = None
        self.module = module

    def _problem(self, module, problem):
        found = self.problems.setdefault(module, [])
        if problem not in found:
            found.append(problem)

    def _start_worker(self):
        self.worker = WorkerProcess(self.home, self.present, self.limits)
        self.generation += 1
        self.import_errors = {}


class Remote:
    """An object that lives in the worker (a Neuron, a NeuralNetwork): call, get and set."""

    def __init__(self, submission, module, cls, number, generation):
        self.submission, self.module, self.cls = submission, module, cls
        self.number, self.generation = number, generation

    def call(self, method, *args, **kwargs):
        return self._send("%s.%s" % (self.cls, describe_call(method, args, kwargs)),
                          {"op": "method", "name": method, "args": wire.encode(list(args)),
                           "kwargs": wire.encode(kwargs)})

    def get(self, attribute):
        return self._send("%s.%s" % (self.cls, attribute), {"op": "get", "name": attribute})

    def set(self, attribute, value):
        self._send("setting %s.%s" % (self.cls, attribute),
                   {"op": "set", "name": attribute, "value": wire.encode(value)})

    def lost(self):
        """Whether the worker this object lived in has stopped."""
        return self.generation != self.submission.generation or self.submission.worker is None

    def _send(self, what, message):
        if self.lost():
            raise StudentError(_("%s: the %s object was lost when the worker stopped earlier")
                               % (what, self.cls))
        message["handle"] = self.number
        function = "%s.%s" % (self.cls, message["name"])
        return self.submission._request(self.module, function, "%s.%s" % (self.module, what),
                                        message)[0]


# Errors that mean a sandbox limit was reached: (text in the message, problem, explanation).
LIMIT_ERRORS = (
    ("No space left on device", "folder size limit",
     N_("the sandbox's writable folders (/work, /tmp) hold a limited number of bytes")),
    ("Resource temporarily unavailable", "process limit",
     N_("a submission may run only a limited number of processes and threads")),
)


def limit_error(error, text):
    """Whether an error reply is the operating system's own `text` (not a student's)."""
    return error.get("type") in ("OSError", "BlockingIOError") and \
        error.get("message", "").startswith("[Errno ") and text in error.get("message", "")


def explain_error(what, error):
    """A student-facing sentence for an error reply from the worker."""
    kind, message, where = error.get("type"), error.get("message", ""), error.get("where", "")
    at = _(" (at %s)") % where if where else ""
    for text, _problem, explanation in LIMIT_ERRORS:
        if limit_error(error, text):
            at += "; %s" % _(explanation)
    if kind == "NotImplementedError":
        return _("%s is not implemented yet: it raises NotImplementedError%s") % (what, at)
    if kind == "missing":
        return _("%s could not run: %s") % (what, message)
    if what.startswith("import "):
        return _("%s.py could not be imported: %s: %s%s") % (what[7:], kind, message, at)
    return _("%s raised %s: %s%s") % (what, kind, message, at)
