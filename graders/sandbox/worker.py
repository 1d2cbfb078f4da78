"""The worker: runs one student's modules in their own process and answers the grader's calls.

It is started by graders/sandbox/process.py, copied with wire.py into a fresh sandbox folder,
and reads requests from one pipe and writes replies to another (the file descriptors in
argv; any further arguments are folders of installed packages, such as a venv's, as the
sandbox shows them). It only calls student code and sends back what comes
out, as plain data (asked to, also the arguments as the call left them; or it puts the
contract's own helpers, built by stand_ins.py from the source the grader sends, in place of
a student's): it never sees expected values, compares results or computes scores, so
nothing a student's code does in here can change a verdict, only the values it returns.
Every call starts from the random state the called module's import left (StudentModules.rewind), so
what ran before it in this worker never changes what it returns.
"""

import importlib
import os
import random
import resource
import site
import sys
import traceback

for folder in sys.argv[3:]:
    site.addsitedir(folder)
import numpy as np  # noqa: E402  (before the student's folder joins sys.path: no shadowing)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # python -I leaves it out
import stand_ins  # noqa: E402  (the contract's helpers, copied beside this file)
import wire  # noqa: E402  (the copy beside this file, in the sandbox)

OUTPUT_LIMIT = 1 << 20  # characters one call may print
# The random state every module is imported from, so that what a module's import leaves
# does not depend on which modules were imported before it (nor on the operating system's
# entropy): not a seed any tutorial uses.
BASE_SEED = 0x6E6E6B74
STUDENT_OPS = ("call", "new", "method", "get", "set")  # the ops that may run student code
MESSAGE_LIMIT = 64 << 20


class OutputLimitExceeded(BaseException):
    """Raised inside student code that prints more than OUTPUT_LIMIT characters in one call."""


class CappedOutput:
    """Stands in for sys.stdout during a call and keeps what the call prints."""

    def __init__(self):
        self.parts, self.size = [], 0

    def write(self, text):
        text = str(text)
        self.size += len(text)
        if self.size > OUTPUT_LIMIT:
            raise OutputLimitExceeded("printed more than %d characters" % OUTPUT_LIMIT)
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass

    def text(self):
        return "".join(self.parts)


def student_frame(tb):
    """[file, line, function] of the deepest traceback frame in the student's folder, or
    None; the grader words it (graders/intake/notebook.py)."""
    found = None
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if os.path.dirname(os.path.abspath(filename)) == os.getcwd() and type(line) is int:
            found = [os.path.basename(filename), line, frame.f_code.co_name]
    return found


def describe_error(error):
    if isinstance(error, SyntaxError):
        return {"type": "SyntaxError", "message": "%s (%s, line %s)" % (
            error.msg, os.path.basename(error.filename or "?"), error.lineno), "frame": None}
    if isinstance(error, SystemExit):
        return {"type": "SystemExit", "message": "called sys.exit(%r)" % (error.code,),
                "frame": student_frame(error.__traceback__)}
    described = {"type": type(error).__name__, "message": str(error)[:2000],
                 "frame": student_frame(error.__traceback__)}
    if isinstance(error, OSError) and type(error.errno) is int:  # the grader tells limits by it
        described["errno"] = error.errno
    return described


class MissingName(Exception):
    """The student's module does not define a name the contract needs."""


class StudentModules:
    """Holds the student's modules and the objects created for the grader, by handle number."""

    def __init__(self):
        self.objects = {}  # handle number -> (module, object)
        self.replaced = {}  # (owner, attribute) -> the student's own value, or None
        self.imported = {}  # module -> the random states its import left (numpy's, Python's)
        self.seeds = {}  # module -> the seed the grader asked for, for its next call

    def load(self, module):
        """Imports `module` from the base random state and keeps the state it leaves."""
        np.random.seed(BASE_SEED)
        random.seed(BASE_SEED)
        importlib.import_module(module)
        self.imported.setdefault(module, (np.random.get_state(), random.getstate()))

    def rewind(self, module):
        """Puts numpy's legacy global state and Python's `random` back to what importing
        `module` left, then applies the seed the grader asked for, if any: each call sees the
        same random state whatever ran before it in this worker."""
        if module not in self.imported:
            self.load(module)
        numpy_state, python_state = self.imported[module]
        np.random.set_state(numpy_state)
        random.setstate(python_state)
        if module in self.seeds:
            np.random.seed(self.seeds.pop(module))

    def stand_in(self, module, helpers):
        """Puts the kit's stand-ins in place of the student's helpers in `module`, after
        putting back whatever stood in before: `helpers` is {contract name: [function name,
        its source]}, the grader's (stand_ins.build)."""
        for (owner, attribute), original in self.replaced.items():
            if original is None:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)
        self.replaced = {}
        for name, (function, source) in sorted(helpers.items()):
            helper = stand_ins.build(function, source)
            path, _, attribute = name.rpartition(".")
            owner = self.find(module, path) if path else importlib.import_module(module)
            self.replaced[owner, attribute] = vars(owner).get(attribute)
            setattr(owner, attribute, helper)

    def find(self, module, name):
        target = importlib.import_module(module)
        for part in name.split("."):
            if not hasattr(target, part):
                raise MissingName("%s.py has no %s" % (module, name))
            target = getattr(target, part)
        return target

    def perform(self, request, args, kwargs):
        op = request["op"]
        if op == "import":
            self.load(request["module"])
            return None
        if op == "stand_in":
            self.stand_in(request["module"], request["helpers"])
            return None
        if op == "seed":
            self.seeds[request["module"]] = request["seed"]
            return None
        if op not in STUDENT_OPS:
            raise ValueError("unknown op %r" % op)
        module = request["module"] if op in ("call", "new") else \
            self.objects[request["handle"]][0]
        self.rewind(module)
        if op == "call":
            return self.find(module, request["name"])(*args, **kwargs)
        if op == "new":
            obj = self.find(module, request["name"])(*args, **kwargs)
            number = len(self.objects) + 1
            self.objects[number] = (module, obj)
            return wire.Handle(number)
        obj = self.objects[request["handle"]][1]
        if op == "method":
            return getattr(obj, request["name"])(*args, **kwargs)
        if op == "get":
            return getattr(obj, request["name"])
        if op == "set":
            setattr(obj, request["name"], wire.decode(request["value"]))
        return None

    def answer(self, request):
        captured = CappedOutput()
        sys.stdout = captured
        try:
            args = wire.decode(request.get("args", []))
            kwargs = wire.decode(request.get("kwargs", {"dict": {}}))
            result = self.perform(request, args, kwargs)
            reply = {"ok": {"handle": result.number} if type(result) is wire.Handle
                     else wire.encode(result)}
            if request.get("arguments_back"):  # as the call left them: the grader compares
                reply["arguments"] = wire.encode([args, kwargs])
        except MissingName as error:
            reply = {"error": {"type": "missing", "message": str(error), "frame": None}}
        except BaseException as error:  # the student's code may raise anything, SystemExit too
            reply = {"error": describe_error(error)}
        finally:
            sys.stdout = sys.__stdout__
        reply["stdout"] = captured.text()
        return reply


def limit_processes():
    """Caps processes and threads. Set here, inside the sandbox's own user namespace, the
    kernel counts only this worker's processes; it does not apply when grading as root,
    where the control group's process limit holds instead."""
    count = int(os.environ.pop("NNKIT_PROCESSES", "0"))
    if count:
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (count, count))
        except (ValueError, OSError):
            pass


def main():
    limit_processes()
    requests = os.fdopen(int(sys.argv[1]), "rb")
    replies = os.fdopen(int(sys.argv[2]), "wb")
    sys.path.append(os.getcwd())  # the student's modules come last on the path
    modules = StudentModules()
    while True:
        header = requests.read(wire.HEADER.size)
        if len(header) < wire.HEADER.size:
            return
        (length,) = wire.HEADER.unpack(header)
        request = wire.parse(requests.read(length), MESSAGE_LIMIT)
        wire.send(replies, modules.answer(request))


if __name__ == "__main__":
    main()
