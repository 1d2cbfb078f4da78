"""Sandbox folders: one per submission, locked while its grader lives, swept when it is gone."""

import fcntl
import os
import stat
import subprocess
import sys
import tempfile

from graders.sandbox import bubblewrap

HERE = os.path.dirname(os.path.abspath(__file__))
HOME_PREFIX = "nnkit-sandbox-"
LOCK = ".lock"  # in a sandbox folder: locked for as long as the grader using it lives
_HOME_LOCKS = {}  # sandbox folder -> its lock's file descriptor


def new_home():
    """A fresh sandbox folder, locked for as long as this process lives.

    Sweeps first the folders of graders that died without removing theirs: a folder whose
    lock can be taken belongs to no live process, whatever PID namespace or container the
    grader ran in. The folder gets its name only once it is locked, so a sweep never sees it
    unlocked; folders of other users, or that cannot be deleted, are left and reported.
    """
    parent = tempfile.gettempdir()
    sweep(parent)
    making = tempfile.mkdtemp(prefix=".nnkit-new-", dir=parent)
    lock = os.open(os.path.join(making, LOCK), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    home = os.path.join(parent, HOME_PREFIX + os.path.basename(making)[len(".nnkit-new-"):])
    os.rename(making, home)
    _HOME_LOCKS[home] = lock
    return home


def sweep(parent):
    """Deletes sandbox folders in `parent` that no live grader holds; never raises."""
    try:
        names = [name for name in os.listdir(parent) if name.startswith(HOME_PREFIX)]
    except OSError:
        return
    for name in names:
        path = os.path.join(parent, name)
        try:
            info = os.lstat(path)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
                continue
            lock = os.open(os.path.join(path, LOCK), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue  # gone meanwhile, or not a sandbox folder after all
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            remove_tree(path)
        except OSError:
            pass  # locked: a live grader's
        finally:
            os.close(lock)


def remove_tree(path):
    """Deletes a folder however deep or odd its contents; reports a failure, never raises.

    coreutils' chmod and rm walk a tree iteratively and never follow symbolic links.
    """
    if not os.path.lexists(path):
        return
    for command in (["chmod", "-R", "u+rwX", "--", path], ["rm", "-rf", "--", path]):
        subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    if os.path.lexists(path):
        print("warning: could not delete the old sandbox folder %s; grading goes on" % path,
              file=sys.stderr)


def prepare(home):
    """Lays out a sandbox folder: kit/ (worker, wire format, stand-ins) and work/ (modules)."""
    kit, work = os.path.join(home, "kit"), os.path.join(home, "work")
    os.makedirs(kit, mode=0o755)
    os.makedirs(work, mode=0o755)
    for name in bubblewrap.WORKER_FILES:
        with open(os.path.join(HERE, name), "rb") as source, \
                open(os.path.join(kit, name), "wb") as target:
            target.write(source.read())
    return work


def remove_home(home):
    remove_tree(home)
    lock = _HOME_LOCKS.pop(home, None)
    if lock is not None:
        os.close(lock)
