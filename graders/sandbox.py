"""How a worker process for student code is started, confined and stopped (Linux).

Confinement, each applied where the OS allows it and listed by `protections()`:
- isolated interpreter (`python -I`): no PYTHON* variables, no user site, the student's
  folder last on sys.path, so a shadow numpy.py or sitecustomize.py is never imported;
- scrubbed environment and a fresh working folder holding only the student's modules;
- resource limits: CPU seconds, address space, file size, open files, no core dumps;
- a new session (process group), killed with everything in it when the worker stops, and
  the grader as "child subreaper", so even a double-forked daemon is found and killed; the
  worker also dies with the grader that started it;
- Landlock (Linux 5.13+): the worker may read only the Python installation and system
  libraries, and write only inside its own sandbox folder, so it can neither read the kit,
  solutions or hidden cases nor change the kit, other submissions or the results;
- no network: a new network namespace (as root, or via a user namespace), and Landlock's
  TCP rules where the kernel has them.
"""

import ctypes
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
LIBC = ctypes.CDLL(None, use_errno=True)
LINUX = sys.platform.startswith("linux")  # elsewhere (macOS) only the portable protections

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_RULE_PATH_BENEATH = 1
# Filesystem rights by Landlock ABI version: v1 has bits 0-12, v2 adds REFER, v3 TRUNCATE.
# Later versions add no right the worker could use here. READ_ONLY is execute + read file +
# read dir.
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1}
FS_READ_ONLY = 0b1101
NET_RIGHTS = 0b11  # BIND_TCP | CONNECT_TCP, ABI 4 and later
LIVE_WORKERS = set()  # pids of workers started here and not yet stopped


@dataclass
class Limits:
    """Limits for one submission's worker. Times in seconds, sizes in bytes."""
    call_seconds: float = 20.0
    submission_seconds: float = 120.0
    cpu_seconds: int = 600
    memory_bytes: int = 2 << 30
    file_bytes: int = 16 << 20
    open_files: int = 64


class LandlockRuleset(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64)]


class LandlockPathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def prctl(option, value):
    return LIBC.prctl(option, value, 0, 0, 0) if LINUX else -1


def landlock_abi():
    """The kernel's Landlock ABI version, or 0 where Landlock is unavailable."""
    if not LINUX:
        return 0
    version = LIBC.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(1))  # flag 1: ask for the ABI version
    return max(version, 0)


def readable_roots():
    """Folders the worker may read and execute from: Python, its packages, system libraries."""
    roots = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    roots.update(p for p in sys.path if p.endswith("-packages"))
    roots.update(("/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/dev/null", "/dev/urandom",
                  "/sys/devices/system/cpu", "/proc/cpuinfo"))
    return sorted(os.path.realpath(p) for p in roots if os.path.exists(p))


def protections():
    """The confinements that this machine supports, as short phrases for the results."""
    active = ["isolated interpreter (python -I)", "scrubbed environment", "private working folder",
              "resource limits", "process group and subreaper cleanup" if LINUX
              else "process group cleanup"]
    abi = landlock_abi()
    if abi:
        kit = os.path.dirname(HERE)
        exposed = [root for root in readable_roots() if kit.startswith(root + os.sep)]
        active.append("Landlock filesystem confinement (ABI %d)" % abi + (
            "; WARNING: the kit lies under %s, which workers may read" % exposed[0]
            if exposed else ""))
    if network_namespace_flags() is not None:
        active.append("no network (network namespace)")
    elif abi >= 4:
        active.append("no TCP (Landlock)")
    return active


def network_namespace_flags():
    """The unshare() flags that give a child a private network here, or None (probed once)."""
    if not hasattr(network_namespace_flags, "cached"):
        flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
        probe = LINUX and subprocess.run(
            [sys.executable, "-I", "-c",
             "import ctypes,sys; sys.exit(ctypes.CDLL(None).unshare(%d) != 0)" % flags],
            capture_output=True).returncode == 0
        network_namespace_flags.cached = flags if probe else None
    return network_namespace_flags.cached


def new_home():
    """A fresh sandbox folder named after this process; sweeps those of dead processes first.

    A grader killed with SIGKILL (say, with its batch) cannot remove its sandbox; the next
    grader on the machine does.
    """
    parent = tempfile.gettempdir()
    for name in os.listdir(parent):
        match = re.fullmatch(r"nnkit-(\d+)-\w+", name)
        if match and not _alive(int(match.group(1))):
            shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
    return tempfile.mkdtemp(prefix="nnkit-%d-" % os.getpid())


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process
    return True


def prepare(home):
    """Lays out a sandbox folder: kit/ (worker and wire format) and work/ (student modules)."""
    kit, work = os.path.join(home, "kit"), os.path.join(home, "work")
    os.makedirs(kit, mode=0o700)
    os.makedirs(work, mode=0o700)
    for name in ("worker.py", "wire.py"):
        shutil.copyfile(os.path.join(HERE, name), os.path.join(kit, name))
    return work


def _confine(home, limits, net_flags, abi):
    """Runs in the child between fork and exec: limits, network, then Landlock."""
    die_with_parent()
    for limit, value in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                         (resource.RLIMIT_AS, limits.memory_bytes),
                         (resource.RLIMIT_FSIZE, limits.file_bytes),
                         (resource.RLIMIT_NOFILE, limits.open_files),
                         (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):  # macOS refuses some limits; Linux takes them all
            pass
    if net_flags is not None and LIBC.unshare(net_flags) != 0:
        os._exit(121)
    if abi:
        _landlock(home, abi)


def _landlock(home, abi):
    fs_rights = FS_RIGHTS_BY_ABI[min(abi, 3)]
    ruleset = LandlockRuleset(fs_rights, NET_RIGHTS if abi >= 4 else 0)
    size = ctypes.sizeof(LandlockRuleset) if abi >= 4 else 8
    fd = LIBC.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(ruleset), ctypes.c_size_t(size),
                      ctypes.c_uint32(0))
    if fd < 0:
        os._exit(122)
    for path, rights in [(p, FS_READ_ONLY) for p in readable_roots()] + [(home, fs_rights)]:
        if not os.path.isdir(path):
            rights &= 0b110  # files take only read/write rights
        target = os.open(path, os.O_PATH | os.O_CLOEXEC)
        rule = LandlockPathBeneath(rights, target)
        if LIBC.syscall(SYS_LANDLOCK_ADD_RULE, fd, LANDLOCK_RULE_PATH_BENEATH,
                        ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            os._exit(123)
        os.close(target)
    if prctl(PR_SET_NO_NEW_PRIVS, 1) != 0 or \
            LIBC.syscall(SYS_LANDLOCK_RESTRICT_SELF, fd, ctypes.c_uint32(0)) != 0:
        os._exit(124)
    os.close(fd)


def become_subreaper():
    """Orphaned descendants of this process's children get this process as their parent."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent():
    """Has the kernel kill this process when the process that started it ends."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def start_worker(home, limits):
    """Starts worker.py confined to `home`; returns (process, request stream, reply fd)."""
    become_subreaper()
    to_worker_r, to_worker_w = os.pipe()
    from_worker_r, from_worker_w = os.pipe()
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "TMPDIR": home,
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # needed by some CPUs' OpenBLAS
        if name in os.environ:
            env[name] = os.environ[name]
    net_flags, abi = network_namespace_flags(), landlock_abi()
    process = subprocess.Popen(
        [sys.executable, "-I", "-B", os.path.join(home, "kit", "worker.py"),
         str(to_worker_r), str(from_worker_w)],
        cwd=os.path.join(home, "work"), env=env, pass_fds=(to_worker_r, from_worker_w),
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, preexec_fn=lambda: _confine(home, limits, net_flags, abi))
    os.close(to_worker_r)
    os.close(from_worker_w)
    LIVE_WORKERS.add(process.pid)
    return process, os.fdopen(to_worker_w, "wb"), from_worker_r


def stop_worker(process, requests, replies):
    """Kills the worker's process group and any orphan it left; returns its exit code."""
    for close in (requests.close, lambda: os.close(replies)):
        try:
            close()
        except OSError:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    code = process.wait()
    LIVE_WORKERS.discard(process.pid)
    kill_orphans()
    return code


def kill_orphans(keep=()):
    """Kills every child of this process but live workers and `keep`, with their descendants.

    As subreaper, this process inherits whatever a stopped worker left running; it starts
    no other children of its own while grading.
    """
    for _ in range(50):
        children = [pid for pid in _children(os.getpid())
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


def _children(pid):
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
        children = _children(pid)
    except OSError:
        return []
    return [d for child in children for d in _descendants(child) + [child]]


SETUP_FAILURES = {121: "unshare", 122: "landlock_create_ruleset", 123: "landlock_add_rule",
                  124: "landlock_restrict_self"}


def explain_exit(code):
    """Why a worker ended in the middle of a call, from its exit code."""
    if code in SETUP_FAILURES:
        return ("the sandbox could not be set up (%s failed): a problem of the grading "
                "machine, not of this submission" % SETUP_FAILURES[code])
    if code is None or code >= 0:
        return ("the worker process exited with code %s in the middle of the call "
                "(sys.exit or os._exit ends grading of this call, not with a pass)" % code)
    names = {signal.SIGKILL: "it was killed (SIGKILL): out of time or memory",
             signal.SIGXCPU: "it went over the CPU time limit",
             signal.SIGXFSZ: "it went over the file size limit (too much output written)",
             signal.SIGSEGV: "it crashed (segmentation fault)"}
    return names.get(-code, "it was ended by signal %d" % -code)
