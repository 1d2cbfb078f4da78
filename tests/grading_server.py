"""Gradings for the kit's tests, each in a forked child of one warm process.

tests/helpers.grade grades a folder as `python -m pytest graders ...` would. A new
interpreter per grading spent about 0.5 s starting Python, importing pytest, numpy and the
graders and loading the specs, in each of the 70 gradings a test run makes. This server does
that once per test process, then forks a child for each grading that runs pytest.main with
the grading's arguments and environment, its output going to files: the batch grades every
submission the same way (graders/batch.py, graders/grading/child.py).

    python -m tests.grading_server      (started by tests/helpers.py, one per test process)

Requests and replies are JSON lines on stdin and stdout: {"args", "env", "stdout", "stderr",
"timeout"} in, {"returncode"} out (124 for a grading that ran past its timeout, killed with
its process group). The server ends when its stdin closes or the test process ends, and a
child ends with it.
"""

import json
import os
import select
import signal
import sys
import tempfile
import traceback

import pytest

from graders.grading import procedures
from graders.model import spec
from graders.sandbox import stopping

TIMED_OUT = 124


def grade(request, replies):
    """Runs one grading in a forked child; returns its exit status. `replies`: the server's
    own descriptor, which the child closes (nothing it starts may hold the replies open)."""
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            stopping.die_with_parent()
            os.setpgid(0, 0)
            os.close(replies)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.environ.clear()
            os.environ.update(request["env"])
            tempfile.tempdir = None  # TMPDIR as this grading's environment says
            for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(out, fd)
                os.close(out)
            sys.argv = [pytest.__file__, *request["args"]]
            code = int(pytest.main(request["args"]))
        except BaseException:
            traceback.print_exc()  # as `python -m pytest` would show it
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return wait(pid, request["timeout"])


def wait(pid, timeout):
    """The child's exit status, or TIMED_OUT once it has run `timeout` seconds (killed)."""
    handle = os.pidfd_open(pid)
    try:
        if not select.select([handle], [], [], timeout)[0]:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return TIMED_OUT
    finally:
        os.close(handle)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def main():
    stopping.die_with_parent()
    for module in spec.modules():  # the imports and specs every grading needs, loaded once
        procedures.load(module)
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nothing else may write to the replies
    for line in sys.stdin:
        code = grade(json.loads(line), replies.fileno())
        replies.write(json.dumps({"returncode": code}) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
