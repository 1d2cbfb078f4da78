"""Reading a submission handed in as a folder: its modules at the top or under exercises/,
either possibly wrapped in one folder, and its rebuild history. No link inside is followed."""

import errno
import os
import stat

from graders.intake import files
from graders.intake import problems
from graders.recall import history as recall_history


def read_folder(path, modules):
    """({module: source bytes}, {module: why it cannot be used}) for a folder of modules.

    `path` itself may be a link (whoever names it chose it); nothing inside it may be.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        return {}, {module: problems.missing(module + ".py") if error.errno == errno.ENOENT
                    else problems.unreadable(module + ".py", error) for module in modules}
    try:
        return read_dir(handle, modules)
    finally:
        os.close(handle)


def read_dir(folder, modules, wrapped=False):
    """read_folder for a folder open as the descriptor `folder`; `wrapped` when it is the one
    folder that a submission's own folder holds."""
    try:
        names = set(os.listdir(folder))
    except OSError as error:
        return {}, {m: problems.unreadable(m + ".py", error) for m in modules}
    if any(module + suffix in names for module in modules for suffix in files.SUFFIXES):
        return _read_modules(folder, modules)
    inner = [name for name in names if not name.startswith((".", "__"))]
    if not wrapped and len(inner) == 1 and inner[0] != "exercises" \
            and stat.S_ISDIR(files.mode_of(folder, inner[0])):
        try:
            handle = os.open(inner[0], files.DIRECTORY, dir_fd=folder)
        except OSError:
            pass  # reported below as exercises/ missing, as a folder without modules is
        else:
            try:
                return read_dir(handle, modules, wrapped=True)
            finally:
                os.close(handle)
    try:
        exercises = os.open("exercises", files.DIRECTORY, dir_fd=folder)
    except OSError as error:
        if files.is_link(folder, "exercises"):
            code, why = problems.LINK, "is missing because " + problems.link(
                "exercises/", "folder").sentence
        elif error.errno in (errno.ENOENT, errno.ENOTDIR):
            code, why = problems.MISSING, "is missing"
        else:
            code, why = problems.UNREADABLE, "cannot be read: exercises/ cannot be opened " \
                "(%s)" % problems.plain(error)
        return {}, {module: problems.Problem(code, "%s.py %s" % (module, why))
                    for module in modules}
    try:
        return _read_modules(exercises, modules)
    finally:
        os.close(exercises)


def _read_modules(folder, modules):
    found, why_not = {}, {}
    for module in modules:
        source, why = files.module_source(
            lambda filename, limit: files.read_file(folder, filename, limit), module)
        if why is None:
            found[module] = source
        else:
            why_not[module] = why
    return found, why_not


def read_history(folder, wrapped=False):
    """(bytes or None, why not or None) of .recall/history.csv in the folder open as
    `folder`, or in the one folder it holds; no link is followed. A history that is not
    there is no problem."""
    try:
        recall = os.open(recall_history.FOLDER, files.DIRECTORY, dir_fd=folder)
    except OSError as error:
        if files.is_link(folder, recall_history.FOLDER):
            return None, problems.link(recall_history.FOLDER + "/", "folder")
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):
            return None, problems.unreadable(recall_history.FOLDER + "/", error)
        try:
            inner = [name for name in os.listdir(folder) if not name.startswith((".", "__"))]
        except OSError:
            return None, None
        if wrapped or len(inner) != 1 or not stat.S_ISDIR(files.mode_of(folder, inner[0])):
            return None, None
        try:
            handle = os.open(inner[0], files.DIRECTORY, dir_fd=folder)
        except OSError:
            return None, None
        try:
            return read_history(handle, wrapped=True)
        finally:
            os.close(handle)
    try:
        source, why = files.read_file(recall, recall_history.FILE)
    finally:
        os.close(recall)
    if why is not None and why.code == problems.MISSING:
        return None, None
    return source, why
