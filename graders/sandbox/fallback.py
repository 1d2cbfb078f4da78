"""The confinement where bubblewrap cannot run, and the probe that says what it really gives.

Each layer is used where the platform allows it:
- Landlock (graders/sandbox/landlock.py): the worker reads only Python and the system libraries and
  writes only its own sandbox folder; from ABI 6 its signals reach only its own processes;
- the seccomp filter of graders/sandbox/seccomp.py, also without root;
- as root: the worker runs as an unprivileged uid of its own (drawn at random once per grading
  process from a range no account uses), in a new session, so it can signal or trace no
  process of the grader;
- a network namespace where one can be made;
- as root, PID, IPC and mount namespaces of its own (graders/sandbox/namespaces.py), whose
  mount view leaves out the kit and everything but the system, Python and the worker's folder.
  Where they cannot be made, the kit's folders are made unreadable to other users instead
  (chmod o-rwx; those holding Python are left), so that the uid cannot open solutions/ or
  spec/.

What `protections.protections()` lists is what a probe found, started exactly as a worker is and
trying from inside what student code would: open a file of solutions/ and of spec/, list "/",
reach the network, see and signal the grader, find a SysV message queue the grader made,
change the mode, times or owner of a file of its own. Where it
could read solutions/ (no Landlock and no uid switch, as in a container that runs the grader
as an ordinary user on an old kernel), workers are not started:
`Unavailable` says why.
"""

import json
import os
import secrets
import stat
import subprocess
import sys

from graders.sandbox import landlock
from graders.sandbox import seccomp

UID_BASE, UID_SPAN = 1500000000, 500000000  # above every uid that accounts and images use
SWITCH_FAILED = 125  # a worker's exit code when it could not take its uid
SECCOMP_FAILED = 126  # a worker's exit code when its seccomp filter could not be loaded
PROBE = r"""
import errno, json, os, socket, sys

def opened(path):
    try:
        open(path, "rb").close()
        return True
    except OSError:
        return False

def listed(path):
    try:
        os.listdir(path)
        return True
    except OSError:
        return False

def network():
    with socket.socket() as sock:
        sock.settimeout(2)
        try:
            sock.connect(("127.0.0.1", 9))
        except OSError as error:
            return error.errno not in (errno.ENETUNREACH, errno.EACCES, errno.EPERM)
    return True

def reached(pid):  # (in this PID namespace, may be signalled)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:  # the grader is not in this PID namespace
        return False, False
    except OSError:
        return True, False
    return True, True

# whether a file of its own may change mode, times or owner (None: no file to try could be made)
def retouched(path):
    try:
        open(path, "w").close()
    except OSError:
        return None
    changed = False
    for change in (lambda: os.chmod(path, 0o600), lambda: os.utime(path, (0, 0)),
                   lambda: os.chown(path, os.getuid(), os.getgid())):
        try:
            change()
            changed = True
        except OSError:
            pass
    try:
        os.remove(path)
    except OSError:
        pass
    return changed

def limited(pid):
    import resource
    try:
        resource.prlimit(pid, resource.RLIMIT_CORE)
    except OSError:
        return False
    return True

def message_queue(key):
    import ctypes
    return ctypes.CDLL(None).msgget(key, 0) >= 0

grader_seen, grader_signalled = reached(int(sys.argv[1]))
print(json.dumps({"uid": os.getuid(), "session": os.getsid(0) == os.getpid(),
                  "secrets": [path for path in sys.argv[3:] if opened(path)],
                  "root_listed": listed("/"), "network": network(),
                  "grader_seen": grader_seen, "grader_signalled": grader_signalled,
                  "grader_limited": limited(int(sys.argv[1])),
                  "seccomp": __import__("ctypes").CDLL(None).prctl(21, 0, 0, 0, 0),
                  "retouched": retouched("nnkit-probe-file"),
                  "grader_ipc": message_queue(int(sys.argv[2]))}))
"""
IPC_CREAT, IPC_RMID = 0o1000, 0


class Unavailable(RuntimeError):
    """No confinement here can keep student code from reading the kit's solutions/."""


def worker_uid():
    """The uid this grading process's workers run as (drawn once)."""
    if not hasattr(worker_uid, "cached"):
        worker_uid.cached = UID_BASE + secrets.randbelow(UID_SPAN)
    return worker_uid.cached


def secrets_of(kit):
    """Files of the kit that student code must not read: one of solutions/, one of spec/."""
    found = []
    for folder, suffix in (("solutions", ".py"), ("spec", ".yaml")):
        path = os.path.join(kit, folder)
        names = sorted(n for n in os.listdir(path) if n.endswith(suffix)) \
            if os.path.isdir(path) else []
        found += [os.path.join(path, names[0])] if names else []
    return found


def hide_kit(kit, keep):
    """chmod o-rwx on each entry at the kit's top but those holding a folder in `keep`;
    returns [(path, mode before)] for `restore`."""
    changed = []
    for name in os.listdir(kit):
        path = os.path.join(kit, name)
        info = os.lstat(path)
        real = os.path.realpath(path)
        if stat.S_ISLNK(info.st_mode) or any(
                folder == real or folder.startswith(real + os.sep) for folder in keep):
            continue
        if info.st_mode & 0o007:
            os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o007)
            changed.append((path, stat.S_IMODE(info.st_mode)))
    return changed


def restore(changed):
    """Puts back the modes `hide_kit` changed (when no uid switch is used after all)."""
    for path, mode in changed:
        os.chmod(path, mode)


def open_home(home, uid):
    """Lets `uid` pass through the sandbox folder, read kit/ there and write only work/."""
    os.chmod(home, 0o711)
    work = os.path.join(home, "work")
    os.chown(work, uid, uid)
    os.chmod(work, 0o700)


def confine(home, net_flags, version, uid, processes, rules):
    """Runs in the child between fork and exec: network namespace and Landlock (as root,
    while it may), then the uid of its own with its process cap, then the seccomp filter
    `rules` (graders/sandbox/seccomp.py; None without libseccomp)."""
    landlock.confine(home, net_flags, version)
    if uid is not None:
        try:
            import resource
            resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        except OSError:
            os._exit(SWITCH_FAILED)
    if rules and not seccomp.install(rules):
        os._exit(SECCOMP_FAILED)


def probe(argv, cwd, env, preexec, kit):
    """What a process started as a worker is (`preexec` confining it) finds it can do:
    {"uid", "session", "secrets" (those it could open), "root_listed", "network",
    "grader_seen" (whether this process is in its PID namespace), "grader_signalled"
    (whether it may signal this process), "grader_limited" (whether it may read this
    process's limits with prlimit), "seccomp" (2 under a seccomp filter), "retouched"
    (whether it may change a file's mode, times or owner; None where it could make no file
    to try), "grader_ipc" (whether a SysV message queue it made is found)}."""
    key = 1 + secrets.randbelow(1 << 30)
    queue = landlock.LIBC.msgget(key, IPC_CREAT | 0o666)
    try:
        run = subprocess.run(argv + ["-c", PROBE, str(os.getpid()), str(key)] +
                             secrets_of(kit), cwd=cwd, env=env,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             start_new_session=True, preexec_fn=preexec, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:  # e.g. Python unreadable to the uid
        raise Unavailable("the sandbox's probe could not start: %s" % error) from None
    finally:
        if queue >= 0:
            landlock.LIBC.msgctl(queue, IPC_RMID, None)
    try:
        return json.loads(run.stdout)
    except ValueError:
        raise Unavailable("the sandbox's probe could not start (exit status %d): %s"
                          % (run.returncode, run.stderr.strip()[-300:])) from None


def queue_made():
    """Whether SysV message queues can be made here at all (the IPC check means nothing
    where they cannot)."""
    queue = landlock.LIBC.msgget(0, IPC_CREAT | 0o600)  # key 0: IPC_PRIVATE
    if queue < 0:
        return False
    landlock.LIBC.msgctl(queue, IPC_RMID, None)
    return True


def phrases(found, version, kit):
    """The protections `found` by the probe, as short phrases; Unavailable where it could
    read solutions/."""
    readable = [path for path in found["secrets"] if os.sep + "solutions" + os.sep in path]
    if readable:
        raise Unavailable(
            "student code could read the kit's solutions/ here (%s): bubblewrap cannot make its "
            "sandbox, Landlock is %s and workers run as %s. Install bubblewrap, or grade as "
            "root, or on Linux 5.13 or later" % (
                readable[0], "active" if not found["root_listed"] else "not active",
                "the grader's own uid" if found["uid"] == os.geteuid() else
                "uid %d" % found["uid"]))
    active = ["process group and subreaper cleanup" if sys.platform.startswith("linux")
              else "process group cleanup"]
    if found["session"]:
        active.append("new session")
    if not found["root_listed"]:
        active.append("Landlock filesystem confinement (ABI %d), verified" % version)
    if found["uid"] != os.geteuid():
        active.append("runs as an unprivileged uid of its own (%d), verified" % found["uid"])
    if not found["grader_seen"]:
        active.append("own PID namespace: signals and prlimit reach no process outside, "
                      "verified")
    elif not found["grader_signalled"] and found["uid"] == os.geteuid():
        active.append("Landlock signal scoping: signals reach no process outside the worker, "
                      "verified")
    if found["seccomp"] == 2 and not found["grader_limited"] and found["retouched"] is False:
        active.append("seccomp filter: no kernel extensions, namespaces or tracing, no "
                      "prlimit or setpriority on other processes, no change to a file's "
                      "owner, mode, times or attributes, verified")
    if not found["grader_ipc"] and queue_made():
        active.append("own IPC namespace: no SysV shared memory or message queue outside, "
                      "verified")
    if not found["network"]:
        active.append("no network (network namespace or Landlock), verified")
    active.append(warning(found) or "the kit (%s) cannot be read by student code, verified"
                  % kit)
    return active


def warning(found):
    """The phrase saying what of the kit student code can read, as the probe `found` it, or
    None where it can read nothing of it."""
    if found["secrets"]:
        return "WARNING: student code can read %s" % ", ".join(found["secrets"])
    return None
