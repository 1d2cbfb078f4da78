"""Own PID, IPC, mount and network namespaces for a fallback worker, where the grader is root.

Without bubblewrap, a worker would otherwise share the grader's PID and IPC namespaces: it
could signal or `prlimit` any process of the machine and reach its SysV shared memory and
message queues. Where the grader may create namespaces (root, CAP_SYS_ADMIN), the worker is
started through this file, run as a script (`python -I -B namespaces.py CONFIG -- ARGV...`):

- it unshares PID, IPC, mount and network namespaces and starts their first process (PID 1),
  which starts the worker (PID 2), reaps orphans and, when the worker ends, passes its wait
  status out over a pipe: this process, outside, ends the same way (its exit code, or the
  same signal), so the grader reads the worker's own end;
- the worker, before it is confined, makes its mount view private, mounts a /proc of its own
  PID namespace, and puts an empty folder (a small tmpfs) over every folder at the top of /
  but the system's (SYSTEM) and over /dev/shm, holding only the way down to Python, its
  packages and the worker's own folder: the kit, the class, other graders' outputs and
  other copies of solutions/ are not there, and what the worker writes in /tmp or /dev/shm
  ends with it. A folder above Python that other users may not pass (such as /root, mode
  0700, over /root/.pyenv) gets the same, so the uid switch of graders/sandbox/fallback.py
  works there too;
- then Landlock, the uid switch and the seccomp filter (fallback.confine), and exec.

When the worker ends, PID 1 is killed, and with it, by the kernel, everything in the
namespace. All these processes stay in the worker's control group, so its CPU time counts.
"""

import ctypes
import json
import os
import signal
import subprocess
import sys

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x8000000, 0x20000000, \
    0x40000000
FLAGS = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
SETUP_FAILED = 120  # the worker's exit code when its mount view could not be made
# The folders at the top of / that a worker sees as they are: the system's programs,
# libraries and settings, and the kernel's views. Every other one (/tmp, /home, /root, /srv,
# /opt, /var, /run, /mnt, a platform's /autograder or /grade, the kit's checkout) is empty
# in its mount view but for the way down to Python, its packages and the worker's folder.
SYSTEM = ("bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "sys", "usr")
SHADOW_BYTES = 64 << 20  # what student code may write in each of those empty folders
WRITABLE = ("/tmp", "/dev/shm")  # the empty folders student code may write in, as it may there
PR_SET_PDEATHSIG = 1
MAX_FD = 1 << 16


def available():
    """Whether a child here may make its own PID, IPC and mount namespaces (probed once)."""
    if not hasattr(available, "cached"):
        available.cached = sys.platform.startswith("linux") and os.geteuid() == 0 and \
            subprocess.run([sys.executable, "-I", "-c",
                            "import ctypes,sys; sys.exit(ctypes.CDLL(None).unshare(%d) != 0)"
                            % FLAGS], capture_output=True).returncode == 0
    return available.cached


def command(config, argv):
    """The command that starts `argv` in namespaces of its own; `config` is a dict of
    fallback.confine's arguments: home, net (bool), version, uid, processes, rules (the
    seccomp filter in hex, or None), roots."""
    return [sys.executable, "-I", "-B", os.path.abspath(__file__), json.dumps(config),
            "--"] + argv


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _mount(libc, source, target, kind, flags, data=None):
    if libc.mount(source and source.encode(), target.encode(), kind and kind.encode(),
                  ctypes.c_ulong(flags), data and data.encode()) != 0:
        os._exit(SETUP_FAILED)


def hidden_folders(roots):
    """The folders a worker sees empty: every folder at the top of / but the system's own
    (SYSTEM), /dev/shm, and each topmost folder above a root that other users may not pass
    (such as /root over /root/.pyenv) - but none that a root lies in."""
    found = ["/dev/shm"] + [os.path.join("/", name) for name in os.listdir("/")
                            if name not in SYSTEM and os.path.isdir(os.path.join("/", name))
                            and not os.path.islink(os.path.join("/", name))]
    for root in roots:
        parts = root.strip(os.sep).split(os.sep)
        for depth in range(1, len(parts)):
            folder = os.sep + os.path.join(*parts[:depth])
            if not os.stat(folder).st_mode & 0o001:
                found.append(folder)
                break
    return sorted(folder for folder in set(found)
                  if not any(_within(folder, root) for root in roots))


def hides(path, roots):
    """Whether a worker's mount view leaves `path` out: it lies in a folder that
    hidden_folders empties, and in no root mounted back there."""
    path = os.path.realpath(path)
    return any(_within(path, folder) for folder in hidden_folders(roots)) and \
        not any(_within(path, root) for root in roots)


def _within(path, folder):
    """Whether `path` is `folder` or lies inside it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def shadow(libc, roots, folders):
    """Over each of `folders`, an empty tmpfs (SHADOW_BYTES at most; writable by anyone for
    /tmp and /dev/shm, as theirs are) holding only the way down to the roots below it, each
    mounted back from where it was: what a worker writes there ends with its namespace."""
    kept = {root: os.open(root, os.O_PATH | os.O_CLOEXEC) for root in roots}
    for folder in folders:
        if any(folder.startswith(other + os.sep) for other in folders):
            continue  # already under an empty folder made above it
        _mount(libc, "tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "size=%d,mode=%s" % (
            SHADOW_BYTES, "1777" if folder in WRITABLE else "755"))
        for root, fd in kept.items():
            if root.startswith(folder + os.sep):
                os.makedirs(os.path.dirname(root), 0o755, exist_ok=True)
                if os.path.isdir("/proc/self/fd/%d" % fd):
                    os.makedirs(root, 0o755, exist_ok=True)
                else:
                    open(root, "a").close()
                _mount(libc, "/proc/self/fd/%d" % fd, root, None, MS_BIND | MS_REC)
    for fd in kept.values():
        os.close(fd)


def _worker(libc, config, argv):
    """In the worker (PID 2): its mount view, then the fallback's confinement, then exec."""
    from graders.sandbox import fallback
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    _mount(libc, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    roots = [os.path.realpath(root) for root in config["roots"] + [config["home"]]]
    shadow(libc, roots, hidden_folders(roots))
    os.setsid()  # a student's killpg(0) then reaches only processes inside
    fallback.confine(config["home"], None, config["version"], config["uid"],
                     config["processes"], config["rules"] and bytes.fromhex(config["rules"]))
    os.execv(argv[0], argv)


def _first(libc, config, argv, report):
    """PID 1: starts the worker, reaps orphans, and when the worker ends writes its wait
    status to `report` and exits (the kernel then ends every process left in the namespace,
    and this process reaps them itself, so nothing waits on a parent outside)."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    worker = os.fork()
    if worker == 0:
        try:
            os.close(report)
            _worker(libc, config, argv)
        finally:
            os._exit(SETUP_FAILED)
    os.closerange(3, report)  # the worker's pipes: its end is seen as soon as it exits
    os.closerange(report + 1, MAX_FD)
    for number in range(1, signal.NSIG):
        if number not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD):
            try:
                signal.signal(number, signal.SIG_IGN)
            except (OSError, ValueError):
                pass
    while True:
        pid, status = os.wait()
        if pid == worker:
            os.write(report, b"%d" % status)
            os._exit(0)


def main(config, argv):
    """Outside: makes the namespaces, starts their first process, and ends as the worker
    ended (the same exit code, or killed by the same signal)."""
    libc = _libc()
    if libc.unshare(FLAGS | (CLONE_NEWNET if config["net"] else 0)) != 0:
        os._exit(121)
    status_r, status_w = os.pipe()
    first = os.fork()
    if first == 0:
        os.close(status_r)
        try:
            _first(libc, config, argv, status_w)
        finally:
            os._exit(SETUP_FAILED)
    os.close(status_w)
    os.closerange(3, status_r)
    os.closerange(status_r + 1, MAX_FD)
    reported = os.read(status_r, 32)
    os.waitpid(first, 0)
    status = int(reported) if reported else signal.SIGKILL  # PID 1 killed: the worker too
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the kit
    main(json.loads(sys.argv[1]), sys.argv[3:])
