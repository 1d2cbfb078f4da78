"""Ending workers for good: nothing a worker started outlives it or the grader.

The grader becomes a subreaper, so whatever a stopped worker left running becomes its child
and is killed; each worker is started to die with the process that started it.
"""

import os
import signal
import time

from graders.sandbox import landlock

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
LIVE_WORKERS = set()  # pids of workers started here and not yet stopped


def prctl(option, value):
    return landlock.LIBC.prctl(option, value, 0, 0, 0) if landlock.LINUX else -1


def become_subreaper():
    """Orphaned descendants of this process's children get this process as their parent."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent():
    """Has the kernel kill this process when the process that started it ends."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def kill_orphans(keep=()):
    """Kills every child of this process but live workers and `keep`, with their descendants.

    As subreaper, this process inherits whatever a stopped worker left running; it starts
    no other children of its own while grading.
    """
    for _attempt in range(50):
        children = [pid for pid in children_of(os.getpid())
                    if pid not in LIVE_WORKERS and pid not in keep]
        if not children:
            return
        for pid in children:
            for descendant in _descendants(pid) + [pid]:
                try:
                    os.kill(descendant, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        time.sleep(0.01)


def children_of(pid):
    """The pids of the children of `pid`, from /proc (none where /proc does not list them)."""
    found = []
    tasks = "/proc/%d/task" % pid
    for task in os.listdir(tasks) if os.path.isdir(tasks) else ():
        try:
            with open("/proc/%d/task/%s/children" % (pid, task)) as listing:
                found += [int(n) for n in listing.read().split()]
        except OSError:
            pass
    return found


def _descendants(pid):
    try:
        children = children_of(pid)
    except OSError:
        return []
    return [d for child in children for d in _descendants(child) + [child]]
