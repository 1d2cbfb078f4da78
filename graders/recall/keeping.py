"""Moving the student's file aside before a rebuild: linked (or copied and compared) into a
free name under .recall/MODULE/, and only then removed; nothing is deleted or overwritten."""

import errno
import os
import stat

from graders.model.i18n import _
from graders.recall import history
from graders.recall.fresh import ROOT
from graders.recall.refused import Refused

SUFFIXES = (".py", ".ipynb")  # the file that is graded first


def current_file(module, root=ROOT):
    """(path, suffix) of the file graded for `module`, or (None, ".py") when there is none;
    Refused when it is not a plain file that can be read."""
    for suffix in SUFFIXES:
        path = os.path.join(root, "exercises", module + suffix)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        shown = os.path.join("exercises", module + suffix)
        if stat.S_ISLNK(mode):
            raise Refused(_("%s is a symbolic link, so its changes cannot be kept under "
                            ".recall/: put the file itself there.") % shown)
        if not stat.S_ISREG(mode) or not os.access(path, os.R_OK):
            raise Refused(_("%s is not a plain file that can be read, so it cannot be kept "
                            "under .recall/.") % shown)
        return path, suffix
    return None, ".py"


def folder_for(module, root=ROOT):
    """.recall/MODULE, made if missing; Refused when it is not a folder that can be written."""
    parts = [history.FOLDER, module]
    path = root
    for part in parts:
        path = os.path.join(path, part)
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        except OSError as error:
            raise Refused(_("%s cannot be made (%s), so your file cannot be kept.") % (
                os.path.relpath(path, root), plain(error))) from None
        if os.path.islink(path) or not os.path.isdir(path) or not os.access(path, os.W_OK):
            raise Refused(_("%s is not a folder that can be written, so your file cannot be "
                            "kept.") % os.path.relpath(path, root))
    return path


def keep(path, folder, moment):
    """Moves the file at `path` into `folder` under a name of `moment` that was free; returns
    the new path. The file is linked there first (or copied without replacing anything and
    compared byte for byte), and only then removed from where it was."""
    suffix = os.path.splitext(path)[1]
    base = moment.strftime("%Y-%m-%dT%H-%M-%S")
    for number in range(1, 1000):
        target = os.path.join(folder, base + ("" if number == 1 else "-%d" % number) + suffix)
        try:
            os.link(path, target, follow_symlinks=False)
            break
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK,
                                   errno.EACCES):
                raise
            if copy_exclusive(path, target):
                break
    else:
        raise Refused(_("No free name for your file in %s.") % folder)
    os.unlink(path)
    return target


def copy_exclusive(path, target):
    """Copies `path` to `target`, which must not exist; False when it does. The copy is
    checked against the file before the caller removes it."""
    with open(path, "rb") as source:
        data = source.read()
    try:
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(handle, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    with open(path, "rb") as source, open(target, "rb") as copied:
        if source.read() != data or copied.read() != data:
            raise Refused(_("Your file changed while it was copied: try again (both copies "
                            "are kept: %s).") % target)
    return True


def write_new(path, text):
    """Writes a file that must not exist yet."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)


def plain(error):
    return (error.strerror or str(error)).lower()
