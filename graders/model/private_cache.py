"""The grading user's own cache folder, where the kit keeps what it computed once per machine
and version (the reference's curves, the reference's slow calls)."""

import os
import stat
import tempfile


def private_folder():
    """The grading user's own cache folder in the temporary folder (mode 0700), made if need
    be. One that another user made, or that anyone else may write, is not trusted: a fresh
    folder of this run's stands in (what it would have held is computed once more)."""
    path = os.path.join(tempfile.gettempdir(), "nnkit-cache-%d" % os.geteuid())
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return tempfile.mkdtemp(prefix="nnkit-cache-")
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        return tempfile.mkdtemp(prefix="nnkit-cache-")
    return path
