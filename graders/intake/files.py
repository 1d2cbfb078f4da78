"""Reading one file of a submission: opened inside its folder, never through a link, bounded.

Each reader returns (bytes, None) or (None, a Problem of graders/intake/problems.py).
"""

import errno
import os
import stat

from graders.intake import notebook
from graders.intake import problems

MODULE_LIMIT = 1 << 20  # bytes per module file, also the most unpacked of one in a zip
NOTEBOOK_LIMIT = 16 << 20  # bytes per notebook, which may hold plots among its outputs
SUFFIXES = (".py", ".ipynb")  # a module's files, in order of preference
DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK  # a FIFO named trask.py must not block


def read_file(folder, filename, limit=MODULE_LIMIT):
    """(bytes, None) or (None, why not) for a regular file directly in the folder open as
    the descriptor `folder`."""
    try:
        handle = os.open(filename, FILE, dir_fd=folder)
    except OSError as error:
        mode = mode_of(folder, filename)
        if stat.S_ISLNK(mode) or error.errno == errno.ELOOP:
            return None, problems.link(filename, "file")
        if error.errno == errno.ENOENT:
            return None, problems.missing(filename)
        if mode and not stat.S_ISREG(mode):  # a socket, a device
            return None, problems.not_plain(filename)
        return None, problems.unreadable(filename, error)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None, problems.not_plain(filename)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(handle, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return None, problems.unreadable(filename, error)
    finally:
        os.close(handle)
    if size > limit:
        return None, problems.too_large(filename, limit)
    return b"".join(chunks), None


def from_notebook(module, data):
    """(module source, None) or (None, why not) for the bytes of module.ipynb."""
    try:
        source = notebook.to_module(data)
    except notebook.NotebookError as error:
        return None, problems.Problem(problems.NOTEBOOK, "%s.ipynb cannot be read: %s"
                                      % (module, error))
    if len(source) > MODULE_LIMIT:
        return None, problems.Problem(problems.TOO_LARGE, "%s.ipynb has more than %d bytes of "
                                      "code" % (module, MODULE_LIMIT))
    return source, None


def module_source(read, module):
    """(source, None) or (None, why not) for `module`: its .py file, else its notebook.
    `read(filename, limit)` reads one file the way the submission's layout needs."""
    source, why = read(module + ".py", MODULE_LIMIT)
    if why is None or why.code != problems.MISSING:
        return source, why
    data, notebook_why = read(module + ".ipynb", NOTEBOOK_LIMIT)
    if notebook_why is None:
        return from_notebook(module, data)
    if notebook_why.code != problems.MISSING:
        return None, notebook_why
    return None, why


def is_link(folder, name):
    return stat.S_ISLNK(mode_of(folder, name))


def mode_of(folder, name):
    """The st_mode of `name` in `folder` itself (a link is not followed), 0 if none."""
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except OSError:
        return 0
