"""The one way graders reach student code: a `Submission` that forwards calls to a worker.

The student's modules are copied into a fresh sandbox folder and run by
graders/sandbox/worker.py in a separate process (graders/sandbox/process.py starts and confines
it; graders/sandbox/channel.py speaks to it). Calls go in, plain data comes out
(graders/sandbox/wire.py); objects such as a `Neuron` stay in the worker behind a `Remote`.
Whatever goes wrong in a call is a `StudentError` (graders/sandbox/calls.py) that fails the
case that made it and nothing else.
"""

import json
import time

from graders.intake import collect
from graders.intake import notebook
from graders.sandbox import homes
from graders.sandbox import wire
from graders.sandbox.calls import (LIMIT_ERRORS, StudentError, describe_call,  # noqa: F401
                                   explain_error, limit_error)
from graders.sandbox.channel import WorkerChannel, WorkerGone
from graders.sandbox.limits import Limits
from graders.model.i18n import _

ANSWERS = ("call", "new", "method", "get")  # requests whose reply is student code's value


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
        self.limits = limits or Limits()
        self.home = homes.new_home()
        found, self.missing = collect.read_folder(folder, modules)
        collect.write_modules(homes.prepare(self.home), found)
        self.sources = found  # to tell a notebook's lines in its own terms
        self.present = sorted(found)
        self.channel = None
        self.generation = 0  # counts worker starts; a Remote from an earlier one is stale
        self.import_errors = {}
        self.spent = dict.fromkeys(modules, 0.0)  # seconds of calls per tutorial module
        self.timed_out = {}  # (module, function) -> the message of its timeout
        self.problems = {}  # module -> what went wrong beyond wrong answers, for the gradebook
        self.printed = []  # what calls printed; graders/grading/scoreboard.py empties it for each case
        self.calls = []  # what answered with a value (see ANSWERS), emptied with `printed`
        self.answers = []  # (function, args, kwargs, value) of each `call`, emptied with them
        self.module = None  # the tutorial of the latest call
        if start:
            self._start_worker()

    # -- what graders use -------------------------------------------------------------

    def call(self, function, *args, **kwargs):
        """Calls `module.name` with plain-data arguments and returns its plain-data result."""
        return self.call_printing(function, *args, **kwargs)[0]

    def call_printing(self, function, *args, **kwargs):
        """Like `call`, but returns (result, what the call printed)."""
        reply = self._call(function, args, kwargs)
        return reply["value"], reply.get("stdout", "")

    def call_leaving(self, function, names, *args, **kwargs):
        """Like `call`, for a function whose contract leaves its arguments as they were: the
        worker sends them back as the call left them, and one it changed raises StudentError
        naming it. `names`: the names of the positional arguments, for that message."""
        assert len(names) == len(args), "name every positional argument"
        reply = self._call(function, args, kwargs, arguments_back=True)
        changed = changed_argument(names, args, kwargs, *reply["arguments"])
        if changed:
            raise StudentError(_("%s changed its argument %s in place, and the contract leaves "
                                 "its arguments as they were: work on a copy (%s.copy())")
                               % (describe_call(function, args, kwargs), changed, changed))
        return reply["value"]

    def new(self, cls, *args, **kwargs):
        """Creates `module.Class(*args)` in the worker and returns a Remote for it."""
        module, name = cls.split(".", 1)
        what = describe_call(cls, args, kwargs)
        handle = self._request(module, name, what, {"op": "new", "module": module, "name": name,
                                                    "args": wire.encode(list(args)),
                                                    "kwargs": wire.encode(kwargs)})["value"]
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
        if self.channel:
            self.channel.stop()
            self.channel = None

    def close(self):
        if self.channel:
            self.channel.stop()
        homes.remove_home(self.home)

    # -- plumbing -----------------------------------------------------------------------

    def _call(self, function, args, kwargs, arguments_back=False):
        """Calls `module.name` in the worker; returns the reply (see `_request`)."""
        module, name = function.split(".", 1)
        message = {"op": "call", "module": module, "name": name,
                   "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
        if arguments_back:
            message["arguments_back"] = True
        reply = self._request(module, name, describe_call(function, args, kwargs), message)
        self.answers.append((function, args, kwargs, reply["value"]))
        return reply

    def _request(self, module, function, what, message):
        """Sends `message` for `module.function` (called as `what`); returns the reply: its
        "value", what the call printed ("stdout") and, where asked for, its "arguments".

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
            for number, problem, _explanation in LIMIT_ERRORS:
                if limit_error(reply["error"], number):
                    self._problem(module, problem)
            error = reply["error"]
            raise StudentError(explain_error(what, error, self._where(module, error)))
        return reply

    def _import(self, module):
        if (module, "") in self.timed_out:  # importing it ran past the limit once already
            raise StudentError(self.timed_out[module, ""])
        if module not in self.import_errors:
            what = "import %s" % module
            try:
                error = self._exchange({"op": "import", "module": module}, what, module,
                                       "").get("error")
                self.import_errors[module] = error and explain_error(
                    what, error, notebook.in_notebook(b"", error.get("frame")), module)
            except StudentError as failure:  # a timeout or crash while importing
                self.import_errors[module] = failure.msg
            if self.import_errors[module]:
                self._problem(module, "import error")
        if self.import_errors[module]:
            raise StudentError(self.import_errors[module])

    def _where(self, module, error):
        """The place in the student's code an error reply names, in the terms of the file
        handed in (a notebook's cell and line where it was one)."""
        return notebook.in_notebook(self.sources.get(module, b""), error.get("frame"))

    def _exchange(self, message, what, module, function):
        left = self.limits.tutorial_seconds - self.spent[module]
        if left <= 0:
            raise StudentError(_("%s was not run: %s.py used up its %g s time budget")
                               % (what, module, self.limits.tutorial_seconds))
        if self.channel is None:
            self._start_worker()
        began = time.monotonic()
        try:
            return self.channel.exchange(message, self.limits.call_seconds, left)
        except WorkerGone as gone:
            self.channel = None
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
        if module != self.module and self.channel is not None and \
                self.channel.process.left_running():
            self.channel.stop()
            self.channel = None
        self.module = module

    def _problem(self, module, problem):
        found = self.problems.setdefault(module, [])
        if problem not in found:
            found.append(problem)

    def _start_worker(self):
        self.channel = WorkerChannel(self.home, self.present, self.limits)
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
        return self.generation != self.submission.generation or self.submission.channel is None

    def _send(self, what, message):
        if self.lost():
            raise StudentError(_("%s: the %s object was lost when the worker stopped earlier")
                               % (what, self.cls))
        message["handle"] = self.number
        function = "%s.%s" % (self.cls, message["name"])
        return self.submission._request(self.module, function, "%s.%s" % (self.module, what),
                                        message)["value"]


def changed_argument(names, args, kwargs, args_after, kwargs_after):
    """The name of the first argument the call left other than it was sent, or None: compared
    as they cross the wire (an array's dtype, shape and every byte of it, nested values too).
    graders/sandbox/channel.py has checked that as many came back as were sent."""
    sent = list(zip(names, args, args_after)) + [(key, kwargs[key], kwargs_after[key])
                                                 for key in sorted(kwargs)]
    for name, before, after in sent:
        if json.dumps(wire.encode(before)) != json.dumps(wire.encode(after)):
            return name
    return None
