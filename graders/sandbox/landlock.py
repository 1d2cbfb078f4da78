"""The fallback confinement where bubblewrap cannot run: Landlock and a network namespace.

Used only when graders/sandbox/bubblewrap.py is unavailable (bubblewrap not installed, or user
namespaces refused, as in some containers). It is weaker: unless the grader is root
(graders/sandbox/namespaces.py), the worker shares the grader's PID namespace and mount view, and
Landlock (Linux 5.13+) restricts file access but not chmod, chown, utime or xattrs. From ABI 6
(Linux 6.12) it also keeps the worker's signals and abstract unix sockets inside its own
domain, so that a worker running as the grader's uid cannot stop or kill the grader or
another student's worker.
graders/sandbox/fallback.py adds the rest and probes what holds.
"""

import ctypes
import os
import subprocess
import sys

LIBC = ctypes.CDLL(None, use_errno=True)
LINUX = sys.platform.startswith("linux")
PR_SET_NO_NEW_PRIVS = 38
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
# ABI 6 and later: signals and abstract unix sockets reach only processes of the same
# Landlock domain (the worker and its children), whatever the uid: SCOPE_ABSTRACT_UNIX_SOCKET
# | SCOPE_SIGNAL.
SCOPES = 0b11
# Exit codes of a child whose confinement could not be set up, and what failed.
SETUP_FAILURES = {121: "unshare", 122: "landlock_create_ruleset", 123: "landlock_add_rule",
                  124: "landlock_restrict_self"}


class LandlockRuleset(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class LandlockPathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi():
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


def confine(home, net_flags, version):
    """Runs in the child between fork and exec: the network namespace, then Landlock."""
    if net_flags is not None and LIBC.unshare(net_flags) != 0:
        os._exit(121)
    if version:
        _restrict(home, version)


def _restrict(home, version):
    fs_rights = FS_RIGHTS_BY_ABI[min(version, 3)]
    ruleset = LandlockRuleset(fs_rights, NET_RIGHTS if version >= 4 else 0,
                              SCOPES if version >= 6 else 0)
    size = 24 if version >= 6 else 16 if version >= 4 else 8  # the fields this ABI knows
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
    if LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            LIBC.syscall(SYS_LANDLOCK_RESTRICT_SELF, fd, ctypes.c_uint32(0)) != 0:
        os._exit(124)
    os.close(fd)
