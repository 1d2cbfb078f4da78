"""Limits that hold for all of a worker's processes together: a control group per worker.

A worker's memory, process count and CPU are limited across every process it starts, so four
forked children share one memory limit and a fork bomb stops at the process limit. The group
also measures the CPU time its processes used, which is what the per-call time limit counts.
Control groups need root or a delegated subtree; `Group.create` returns None where the
machine offers neither, and the worker then has only per-process limits (protections.py says so
in the protections it lists).

Both layouts are handled: cgroup v1 (a hierarchy per controller, or cpu and cpuacct together,
as systemd mounts them; this kit's CI has v1) and cgroup v2 (one hierarchy, where the parent of
the grader's own group must enable the controllers for its children and be writable: a
systemd unit with Delegate=yes whose grader runs in a leaf group of its own).
"""

import itertools
import os
import signal
import time

PREFIX = "nnkit-"
STALE_SECONDS = 60  # a group of this age with no process is a leftover of a killed grader
_serial = itertools.count()

# (controller, file, what is written) for each limit; `{name}` takes the limit's value.
V1_LIMITS = (("memory", "memory.limit_in_bytes", "{memory}"),
             ("memory", "memory.memsw.limit_in_bytes", "{memory}"),
             ("pids", "pids.max", "{processes}"),
             ("cpu", "cpu.cfs_period_us", "100000"),
             ("cpu", "cpu.cfs_quota_us", "{cpu_quota}"))
V2_LIMITS = (("", "memory.max", "{memory}"), ("", "memory.swap.max", "0"),
             ("", "pids.max", "{processes}"), ("", "cpu.max", "{cpu_quota} 100000"))


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def _counter(text, name):
    """The value of `name N` in a flat-keyed cgroup file such as memory.events, or 0."""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == name:
            return int(parts[1])
    return 0


def hierarchies(mountinfo=None, membership=None):
    """{controller: folder in which to make a worker's group} for cgroup v1, or {"": folder}
    for v2; {} where neither is usable. The arguments stand for /proc/self/mountinfo and
    /proc/self/cgroup (read when None).

    v1: a group under this process's own group of each controller. v2: a group beside this
    process's own (a group holding processes cannot enable controllers for groups below it),
    in the parent, which must enable memory, pids and cpu for its children.
    """
    mounts = {}
    for line in (_read("/proc/self/mountinfo") if mountinfo is None else mountinfo).splitlines():
        fields = line.split(" - ")
        if len(fields) != 2:
            continue
        mount_point, kind = line.split()[4], fields[1].split()[0]
        options = fields[1].split()[-1].split(",")
        if kind == "cgroup":
            for controller in ("memory", "pids", "cpu", "cpuacct"):
                if controller in options:
                    mounts.setdefault(controller, mount_point)
        elif kind == "cgroup2":
            mounts.setdefault("", mount_point)
    found = {}
    for line in (_read("/proc/self/cgroup") if membership is None else membership).splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            if controller in mounts:
                found[controller] = os.path.join(mounts[controller], path.lstrip("/"))
    v1 = {c: found[c] for c in ("memory", "pids", "cpu", "cpuacct") if c in found}
    if {"memory", "pids", "cpuacct"} <= set(v1):
        return v1
    if "" in found:
        parent = os.path.dirname(found[""].rstrip("/"))
        enabled = _read(os.path.join(parent, "cgroup.subtree_control")).split()
        if {"memory", "pids", "cpu"} <= set(enabled) and os.access(parent, os.W_OK):
            return {"": parent}
    return {}


class Group:
    """One worker's control group: limits, membership, measurements and removal."""

    def __init__(self, folders, v2):
        self.folders, self.v2 = folders, v2  # {controller: folder}

    @classmethod
    def create(cls, memory_bytes, processes, cpus):
        """A new group with these limits, or None where control groups are not available."""
        parents = hierarchies()
        if not parents:
            return None
        v2 = "" in parents
        name = "%s%d-%d-%s" % (PREFIX, os.getpid(), next(_serial), os.urandom(3).hex())
        values = {"memory": memory_bytes, "processes": processes,
                  "cpu_quota": int(100000 * cpus)}
        folders = {}
        try:
            for controller, parent in parents.items():
                folders[controller] = os.path.join(parent, name)
                if folders[controller] not in list(folders.values())[:-1]:  # co-mounted: once
                    _sweep(parent)
                    os.mkdir(folders[controller])
            group = cls(folders, v2)
            for controller, file, value in V2_LIMITS if v2 else V1_LIMITS:
                path = os.path.join(folders.get(controller, "/nonexistent"), file)
                if os.path.exists(path):
                    _write(path, value.format(**values))
            return group
        except OSError:
            cls(folders, v2).remove()
            return None

    def join(self):
        """Moves the calling process into the group (run in the child before exec)."""
        for folder in set(self.folders.values()):
            _write(os.path.join(folder, "cgroup.procs"), str(os.getpid()))

    def cpu_seconds(self):
        """CPU time used by all the group's processes so far."""
        if self.v2:
            return _counter(_read(os.path.join(self.folders[""], "cpu.stat")),
                            "usage_usec") / 1e6
        return int(_read(os.path.join(self.folders["cpuacct"], "cpuacct.usage")) or 0) / 1e9

    def task_count(self):
        """The number of threads of all the group's processes."""
        if self.v2:
            return len(_read(os.path.join(self.folders[""], "cgroup.threads")).split())
        return len(_read(os.path.join(self.folders["pids"], "tasks")).split())

    def limits_hit(self):
        """The limits that stopped something in the group: a subset of {"memory", "processes"}."""
        hit = set()
        if self.v2:
            folder = self.folders[""]
            if _counter(_read(os.path.join(folder, "memory.events")), "oom_kill"):
                hit.add("memory")
            if _counter(_read(os.path.join(folder, "pids.events")), "max"):
                hit.add("processes")
            return hit
        if _counter(_read(os.path.join(self.folders["memory"], "memory.oom_control")),
                    "oom_kill"):
            hit.add("memory")
        if _counter(_read(os.path.join(self.folders["pids"], "pids.events")), "max"):
            hit.add("processes")
        return hit

    def remove(self):
        """Kills whatever is still in the group and removes it; never raises."""
        for folder in set(self.folders.values()):
            for _ in range(100):
                pids = _read(os.path.join(folder, "cgroup.procs")).split()
                for pid in pids:
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except OSError:
                        pass
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


def _sweep(parent):
    """Removes groups left empty by graders that were killed (busy ones refuse rmdir)."""
    try:
        names = [n for n in os.listdir(parent) if n.startswith(PREFIX)]
    except OSError:
        return
    for name in names:
        folder = os.path.join(parent, name)
        try:
            if time.time() - os.stat(folder).st_mtime > STALE_SECONDS:
                os.rmdir(folder)
        except OSError:
            pass
