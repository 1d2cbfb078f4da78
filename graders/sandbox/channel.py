"""The grader's side of the pipe to a worker: one request, one reply, within a time limit."""

import os
import select
import time

from graders.model.i18n import _
from graders.sandbox import wire
from graders.sandbox.limits import WALL_FACTOR
from graders.sandbox.process import ConfinedProcess

REPLY_LIMIT = 16 << 20  # bytes in one reply from the worker


class WorkerGone(Exception):
    """The worker process ended, timed out or sent something unreadable; says which.

    `problem` is the short name the gradebook shows for it (timeout, crash, a limit)."""

    def __init__(self, message, problem):
        super().__init__(message)
        self.problem = problem


class WorkerChannel:
    """One running worker process and the request/reply exchange with it."""

    def __init__(self, sandbox_dir, modules, limits):
        self.process = ConfinedProcess(sandbox_dir, modules, limits)

    def exchange(self, message, timeout, wall_limit):
        """Sends one request and returns the decoded reply dict, or raises WorkerGone.

        timeout: the call's time limit (see CallClock); wall_limit: the wall-clock seconds
        left of its tutorial's budget, which it may take at most, whatever it measures."""
        try:
            wire.send(self.process.requests, message)
        except (BrokenPipeError, OSError):
            raise self.gone() from None
        clock = CallClock(self.process, timeout, wall_limit)
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
                    isinstance(error.get(key, ""), str) for key in ("type", "message"))
                    and type(error.get("errno", 0)) is int and frame_or_none(error.get("frame"))):
                raise ValueError("a malformed error")
            reply["value"] = wire.decode(reply["ok"]) if "ok" in reply else None
            if "ok" in reply and message.get("arguments_back"):
                arguments = wire.decode(reply["arguments"])  # [args, kwargs] after the call
                if not (type(arguments) is list and len(arguments) == 2 and
                        type(arguments[0]) is list and type(arguments[1]) is dict and
                        len(arguments[0]) == len(message["args"]) and
                        set(arguments[1]) == set(message["kwargs"]["dict"])):
                    raise ValueError("malformed arguments")
                reply["arguments"] = arguments
            return reply
        except Exception as error:  # anything a forged reply can raise while it is decoded
            self.stop()
            raise WorkerGone(_("it sent a reply the grader cannot read (%s)") % (
                "%s: %s" % (type(error).__name__, str(error)[:200])), "crash") from None

    def _read(self, size, clock):
        chunks, got = [], 0
        while got < size:
            ready = select.select([self.process.replies], [], [], clock.wait())[0]
            if not ready:
                if clock.expired():
                    self.stop()
                    raise WorkerGone(clock.explain(), "timeout")
                continue
            chunk = os.read(self.process.replies, size - got)
            if not chunk:
                raise self.gone()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def gone(self):
        self.process.wait_exit(2.0)
        code = self.stop()
        problem = "memory limit" if "memory" in self.process.hit else "crash"
        return WorkerGone(self.process.explain_exit(code), problem)

    def stop(self):
        """Kills the worker and everything it started; returns its exit code."""
        return self.process.stop()


class CallClock:
    """The time limit of one call: CPU time of all the worker's processes where a control
    group measures it, with a wall-clock backstop for calls that wait rather than compute;
    wall-clock time otherwise; and never more than what is left of the tutorial's budget."""

    TICK = 0.1  # seconds between looks at the CPU time

    def __init__(self, process, limit, budget):
        """limit: the per-call limit; budget: the wall-clock seconds left of the tutorial's."""
        self.process = process
        self.cpu_start = process.cpu_seconds()
        self.by_cpu = self.cpu_start is not None
        self.unit = _(" (CPU time)") if self.by_cpu else ""
        wall = limit * WALL_FACTOR if self.by_cpu else limit
        self.limit, self.wall = min(limit, budget), min(wall, budget)
        self.budget_bounds = {"cpu": budget < limit, "wall": budget < wall}
        self.deadline = time.monotonic() + self.wall

    def wait(self):
        """Seconds to wait for the reply before looking again."""
        left = max(self.deadline - time.monotonic(), 0)
        return min(left, self.TICK) if self.by_cpu else left

    def expired(self):
        """Whether the call ran out of time; `self.bound` then says which: "wall" or "cpu"."""
        if time.monotonic() >= self.deadline:
            self.bound = "wall"
        elif self.by_cpu and self.process.cpu_seconds() - self.cpu_start > self.limit:
            self.bound = "cpu"
        else:
            return False
        return True

    def explain(self):
        """Why an expired call was stopped: the per-call limit, or the tutorial's budget."""
        if self.budget_bounds[self.bound]:
            return _("it ran past the %.1f s left of its tutorial's time budget") % (
                self.wall if self.bound == "wall" else self.limit)
        return _("it ran past the %g s time limit per call%s") % (self.limit, self.unit)


def frame_or_none(frame):
    """Whether an error reply's `frame` is None or [file, line, function] (str, int, str)."""
    return frame is None or (isinstance(frame, list) and len(frame) == 3 and
                             [type(part) for part in frame] == [str, int, str])
