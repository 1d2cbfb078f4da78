"""The system calls a worker may not make, compiled by libseccomp into a filter that bubblewrap
loads, and that the fallback loads itself (`install`, from graders/sandbox/fallback.py).

In bubblewrap a worker already has no capabilities and sees nothing outside its sandbox; this
filter closes what is left: kernel interfaces that reach beyond namespaces (the kernel log,
keyrings, BPF, perf, io_uring, which bypasses seccomp), new namespaces (a way to regain
capabilities inside them), tracing or reading other processes' memory, and changing another
process's limits or priority (prlimit and setpriority on anything but itself: in the
fallback without root, a worker runs as the grader's uid, and could otherwise starve or break
the grader and every other student's worker), and changing a file's owner, mode, times or
extended attributes (Landlock, which keeps a fallback worker from writing outside its
folder, does not cover them). The list follows Docker's default profile, and adds these.
libseccomp knows each architecture's syscall numbers, and kills a process that calls in
through another ABI (32-bit calls on x86_64).
"""

import ctypes
import ctypes.util
import errno
import os

DENIED = (
    # the kernel log, keyrings, kernel extensions and machine-wide settings
    "syslog", "add_key", "keyctl", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "acct",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
    "setdomainname", "quotactl", "lookup_dcookie", "nfsservctl", "uselib", "ustat", "sysfs",
    "_sysctl", "vhangup", "personality", "modify_ldt",
    # namespaces, mounts and other processes
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount",
    "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr", "name_to_handle_at",
    "open_by_handle_at", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "pidfd_getfd", "process_madvise",
    # files' owners, modes, times and extended attributes, which Landlock does not cover, and
    # truncate by path, which it covers only from ABI 3: a fallback worker runs as the
    # grader's uid, or as root where it cannot switch, and that uid owns the kit's files
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr",
    "setxattrat", "removexattr", "lremovexattr", "fremovexattr", "removexattrat", "truncate",
)
# The numbers of the newest of these, for a libseccomp older than the kernel that knows no
# name for them (a raw syscall() would otherwise get through): the same on x86_64 and aarch64.
NEWER_NUMBERS = {"fchmodat2": 452, "setxattrat": 463, "removexattrat": 466}
# clone() flags that would create namespaces; clone3 hides its flags in memory where a filter
# cannot read them, so it answers ENOSYS and the C library falls back to clone().
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                   0x40000000, 0x00000080)  # NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER,
#                                              NEWPID, NEWNET, NEWTIME
# Calls allowed only on the calling process itself: (name, the arguments that must be 0).
# prlimit64(pid 0, ...) is setrlimit and getrlimit; setpriority(PRIO_PROCESS, 0, ...) is nice.
OWN_PROCESS_ONLY = (("prlimit64", (0,)), ("setpriority", (0, 1)))
ACT_ALLOW = 0x7FFF0000
CMP_NE, CMP_MASKED_EQ = 1, 7
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2


def act_errno(number):
    return 0x00050000 | (number & 0xFFFF)


class ArgCompare(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def _library():
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(ArgCompare)]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    return lib


def compile_filter():
    """The filter as BPF bytes for this machine's architecture, or None without libseccomp."""
    lib = _library()
    if lib is None:
        return None
    context = lib.seccomp_init(ACT_ALLOW)
    if not context:
        return None
    try:
        deny = act_errno(errno.EPERM)
        for name in DENIED:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number < 0 and name in NEWER_NUMBERS and os.uname().machine in ("x86_64",
                                                                               "aarch64"):
                number = NEWER_NUMBERS[name]
            if number >= 0 and lib.seccomp_rule_add_array(context, deny, number, 0, None):
                return None
        clone3 = lib.seccomp_syscall_resolve_name(b"clone3")
        if clone3 >= 0 and lib.seccomp_rule_add_array(context, act_errno(errno.ENOSYS),
                                                      clone3, 0, None):
            return None
        for name, arguments in OWN_PROCESS_ONLY:
            number = lib.seccomp_syscall_resolve_name(name.encode())
            for argument in arguments:  # one rule each: any of them not 0 is refused
                test = ArgCompare(argument, CMP_NE, 0, 0)
                if number >= 0 and lib.seccomp_rule_add_array(context, deny, number, 1,
                                                              ctypes.byref(test)):
                    return None
        clone = lib.seccomp_syscall_resolve_name(b"clone")
        for flag in NAMESPACE_FLAGS:
            test = ArgCompare(0, CMP_MASKED_EQ, flag, flag)
            if lib.seccomp_rule_add_array(context, deny, clone, 1, ctypes.byref(test)):
                return None
        reader, writer = os.pipe()
        try:
            if lib.seccomp_export_bpf(context, writer):
                return None
            os.close(writer)
            writer = None
            return _read_all(reader)
        finally:
            os.close(reader)
            if writer is not None:
                os.close(writer)
    finally:
        lib.seccomp_release(context)


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(rules):
    """Loads the compiled filter `rules` (compile_filter's bytes) into this process and all
    it will start; returns whether the kernel took it. Sets no_new_privs first, as the kernel
    requires of a process without CAP_SYS_ADMIN."""
    libc = ctypes.CDLL(None, use_errno=True)
    program = ctypes.create_string_buffer(rules, len(rules))
    fprog = SockFprog(len(rules) // 8, ctypes.cast(program, ctypes.c_void_p))
    return libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 and libc.prctl(
        PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
