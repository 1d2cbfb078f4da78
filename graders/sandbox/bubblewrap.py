"""The bubblewrap (`bwrap`) command line that starts a worker in a sandbox of its own.

bubblewrap is the sandbox that Flatpak uses (Debian, Ubuntu and Fedora package `bubblewrap`).
It gives the worker:
- its own user, PID, IPC, UTS (hostname), network and cgroup namespaces: it sees and signals
  no process but its own, reaches no socket, shared memory or queue outside, and when the
  sandbox's first process ends the kernel ends every process in it;
- no capabilities and no new user namespaces inside;
- a private mount view: the system libraries and the Python installation read-only, the
  worker and its two kit files read-only under /nnkit, the student's modules read-only in
  /work, and /work, /tmp and /dev/shm as size-limited in-memory folders; everything else,
  /proc (kernel settings) included, read-only. Nothing else exists inside: not the kit, the
  home folder, other sandboxes or the temp folder (covered where they lie under a system
  folder), so no file outside can be read or changed in content, mode, owner, times or xattrs;
- the seccomp filter of graders/sandbox/seccomp.py.
"""

import os
import shutil
import subprocess
import sys
import tempfile

WORK, SANDBOX_KIT = "/work", "/nnkit"  # inside the sandbox: its work folder and kit files
# The kit files copied beside the worker: itself, the wire format, the contract's helpers.
WORKER_FILES = ("worker.py", "wire.py", "stand_ins.py")
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache",)
NOBODY = 65534  # the worker's user inside the sandbox
HERE = os.path.dirname(os.path.abspath(__file__))
KIT_FOLDER = os.path.dirname(os.path.dirname(HERE))  # the kit on this machine (SANDBOX_KIT: inside)


def executable():
    """The bwrap program, or None where bubblewrap is not installed."""
    return shutil.which("bwrap")


def python_prefix():
    """The folder of the Python installation that workers run (resolved, not a venv)."""
    return os.path.realpath(sys.base_prefix)


def package_folders():
    """Folders of installed packages that lie outside the Python installation (a venv's)."""
    prefix = python_prefix()
    found = []
    for path in sys.path:
        real = os.path.realpath(path)
        if path.endswith(("site-packages", "dist-packages")) and os.path.isdir(real) \
                and not real.startswith(prefix + os.sep) and real not in found:
            found.append(real)
    return found


def visible_folders():
    """The folders of this machine that a worker sees, read-only: the system folders, the
    Python installation and its package folders (resolved paths)."""
    return sorted({os.path.realpath(path) for path in SYSTEM if os.path.isdir(path)} |
                  {python_prefix(), *package_folders()})


def _isolation():
    """The namespaces, identity and capabilities part of the command line."""
    return [executable(), "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY),
            "--disable-userns", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-net", "--unshare-cgroup-try", "--hostname", "sandbox",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL"]


def _under_system(path):
    return any(path == folder or path.startswith(folder + os.sep)
               for folder in map(os.path.realpath, SYSTEM))


def _system():
    """The system folders, read-only, as they are laid out on this machine, with the kit and
    the temp folder covered where they lie inside one."""
    argv = []
    for path in SYSTEM:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        if os.path.exists(path):
            argv += ["--ro-bind", path, path]
    for private in (KIT_FOLDER, tempfile.gettempdir()):
        if _under_system(os.path.realpath(private)):
            argv += ["--tmpfs", os.path.realpath(private)]
    return argv


def _sealed():
    """Read-only /proc (kernel settings), /dev and root folder, after all other mounts."""
    return ["--remount-ro", "/proc", "--remount-ro", "/dev", "--remount-ro", "/"]


def probe():
    """Whether bubblewrap is installed and can make its sandbox here (user namespaces may
    be refused, for example inside some containers)."""
    if executable() is None:
        return False
    try:
        return subprocess.run(_isolation() + _system() + ["--proc", "/proc", "--dev", "/dev"] +
                              _sealed() + ["--", "true"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def command(home, modules, limits, seccomp_fd, pipe_fds):
    """The argv that runs graders/sandbox/worker.py (copied to home/kit) on `modules` in home/work."""
    argv = _isolation() + _system()
    prefix = python_prefix()
    if not _under_system(prefix):
        argv += ["--ro-bind", prefix, prefix]
    packages = []
    for number, folder in enumerate(package_folders()):
        packages.append("%s/packages/%d" % (SANDBOX_KIT, number))
        argv += ["--ro-bind", folder, packages[-1]]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    for folder in ("/tmp", "/dev/shm", WORK):
        argv += ["--size", str(limits.folder_bytes), "--tmpfs", folder]
    for name in WORKER_FILES:
        argv += ["--ro-bind", os.path.join(home, "kit", name), "%s/%s" % (SANDBOX_KIT, name)]
    for module in modules:
        argv += ["--ro-bind", os.path.join(home, "work", module + ".py"),
                 "%s/%s.py" % (WORK, module)]
    argv += _sealed()
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]
    interpreter = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    return argv + ["--chdir", WORK, "--", interpreter, "-I", "-B", SANDBOX_KIT + "/worker.py",
                   *map(str, pipe_fds), *packages]
