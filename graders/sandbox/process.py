"""Starting a confined worker process for student code, and stopping it.

Every worker gets an isolated interpreter (`python -I`: no PYTHON* variables, no user site,
the student's folder last on sys.path, so a shadow numpy.py or sitecustomize.py is never
imported), a scrubbed environment, per-process resource limits (graders/sandbox/limits.py),
and a folder holding only its modules (graders/sandbox/homes.py), inside the confinement
this machine gives (graders/sandbox/protections.py). Where a control group measures it, the
per-call time limit counts the CPU time all the worker's processes used.
"""

import os
import signal
import subprocess

from graders.sandbox import bubblewrap
from graders.sandbox import cgroups
from graders.sandbox import exits
from graders.sandbox import protections as confinement
from graders.sandbox import stopping
from graders.sandbox.limits import set_in_child

# The names callers outside graders/sandbox/ reach through this module (graders/conftest.py,
# graders/batch.py, graders/platforms/upload.py), kept where they were.
from graders.sandbox.homes import remove_tree  # noqa: F401
from graders.sandbox.limits import Limits  # noqa: F401
from graders.sandbox.protections import (SandboxUnavailable, fallback_warning,  # noqa: F401
                                         protections, use_bubblewrap)
from graders.sandbox.stopping import become_subreaper, die_with_parent, kill_orphans  # noqa: F401


class ConfinedProcess:
    """One running worker process: the process, the pipes to it, and its control group
    (or None)."""

    def __init__(self, home, modules, limits):
        stopping.become_subreaper()
        self.limits = limits
        self.hit = set()  # the control group's limits that stopped something, once stopped
        self.group = cgroups.Group.create(limits.memory_bytes, limits.processes, limits.cpus) \
            if confinement.control_groups() else None
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        keep = [to_worker_r, from_worker_w]
        in_bubblewrap = confinement.use_bubblewrap()
        try:
            if in_bubblewrap:
                rules = confinement.seccomp_filter()
                rules_fd = _memory_file(rules) if rules else None
                keep += [rules_fd] if rules_fd is not None else []
                argv = bubblewrap.command(home, modules, limits, rules_fd,
                                          (to_worker_r, from_worker_w))
                preexec = lambda: set_in_child(limits, self.group)  # noqa: E731
            else:
                confinement.fallback_protections()  # raises SandboxUnavailable where none holds
                argv, preexec = confinement.fallback_start(home, limits, self.group)
                argv += [os.path.join(home, "kit", "worker.py"), str(to_worker_r),
                         str(from_worker_w)]
            self.process = subprocess.Popen(
                argv, cwd="/" if in_bubblewrap else os.path.join(home, "work"),
                env=confinement.environment(home, limits), pass_fds=keep,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=preexec)
        except BaseException:
            if self.group is not None:
                self.group.remove()
            os.close(to_worker_w)
            os.close(from_worker_r)
            raise
        finally:
            for fd in keep:
                os.close(fd)
        stopping.LIVE_WORKERS.add(self.process.pid)
        self.requests = os.fdopen(to_worker_w, "wb")
        self.replies = from_worker_r

    def cpu_seconds(self):
        """CPU time used by all the worker's processes, or None where it is not measured."""
        return self.group.cpu_seconds() if self.group else None

    def left_running(self):
        """Whether the worker has processes or threads beyond its own main thread and the
        confinement's own processes (bubblewrap: the process that waits outside and the
        sandbox's first process; the fallback's namespaces: the process that started them
        and their first one) that keep running between calls."""
        if self.group is None:
            return False
        wrappers = 2 if confinement.use_bubblewrap() or confinement.fallback_namespaces() else 0
        return self.group.task_count() > 1 + wrappers

    def wait_exit(self, seconds):
        """Gives a worker that is ending by itself (its pipe closed) time to exit."""
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            pass

    def stop(self):
        """Kills the worker and everything it started; returns its exit code.

        In bubblewrap, killing it ends its PID namespace, so the kernel ends every process
        in it; waiting for the namespace's first process (an orphan this grader inherits as
        subreaper) waits for all of them.
        """
        for close in (self.requests.close, lambda: os.close(self.replies)):
            try:
                close()
            except OSError:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        code = self.process.wait()
        if confinement.use_bubblewrap() and code > 128:
            code = 128 - code  # bwrap reports its child's death by signal N as 128 + N
        stopping.LIVE_WORKERS.discard(self.process.pid)
        stopping.kill_orphans()
        if self.group is not None:
            self.hit = self.group.limits_hit()
            self.group.remove()
            self.group = None
        return code

    def explain_exit(self, code):
        """Why the worker ended in the middle of a call, from its exit code and limits hit."""
        return exits.explain_exit(code, self.hit, self.limits, confinement.use_bubblewrap())


def _memory_file(data):
    """A file descriptor of an in-memory file holding `data`, read from its start."""
    fd = os.memfd_create("nnkit-seccomp", 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
