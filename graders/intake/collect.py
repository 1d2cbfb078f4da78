"""Finding submissions and reading the tutorial modules out of them, folders or zips.

A submission is a folder or a .zip per student holding the modules (trask.py, ...) at its top
level or under exercises/, either of them possibly wrapped in one folder. A notebook
(trask.ipynb) stands for a module that is not there as a .py: only its imports, definitions and
constants are taken (graders/intake/notebook.py). Nothing else is read: a student's conftest.py,
pytest.ini or numpy.py never reaches the grader or the worker.

Only what lies inside a submission is read: files are opened relative to their folder without
following symbolic links, so a link (to the kit's solutions, say) is refused even if it appears
between a check and the open. Nothing in a zip is extracted; a defect in one costs only that
submission, never the class.
"""

import errno
import hashlib
import os
import re
import stat
import zipfile
from dataclasses import dataclass

from graders.intake import notebook
from graders.recall import history as recall_history

MODULE_LIMIT = 1 << 20  # bytes per module file, also the most unpacked of one in a zip
# Methods whose unpacking stops at the bytes asked for. Python unpacks bzip2 and LZMA a whole
# block at a time, whatever the zip declares, so a tiny member could fill the grader's memory.
UNPACKED_IN_BOUNDS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
NOTEBOOK_LIMIT = 16 << 20  # bytes per notebook, which may hold plots among its outputs
SUFFIXES = (".py", ".ipynb")  # a module's files, in order of preference
NAME_LIMIT = 100  # characters of a submission's own name kept in its graded name
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
# What the batch writes at the top of its output folder, compared without case (a folder of that
# name would replace it). Names starting with "." are the batch's too (.in-progress, temporary
# files): an item so named (.git, .DS_Store) is never taken for a submission.
RESERVED_NAMES = {"gradebook.csv", "class.html"}
LINK = "%s is a symbolic link: links are refused, hand in the %s itself"
NOT_PLAIN = "%s is not a plain file: hand in the file itself"
HISTORY_FOLDER, HISTORY_FILE = recall_history.FOLDER, recall_history.FILE
HISTORY = recall_history.SHOWN  # rebuilds from memory: read, never graded
DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK  # a FIFO named trask.py must not block


@dataclass
class Entry:
    """One submission: its name in the gradebook, where it is, and its modules' bytes."""
    name: str
    path: str
    modules: dict  # module name -> source bytes; absent when missing
    problems: list  # sentences on the modules that could not be used
    note: str = ""  # a sentence for the batch summary when `name` is not the submission's own
    history: bytes = None  # .recall/history.csv, rebuilds from memory (advisory, not graded)
    history_problem: str = ""  # why a history that is there could not be read

    @property
    def fingerprint(self):
        digest = hashlib.sha256()
        for module in sorted(self.modules):
            digest.update(module.encode() + b"\0" + self.modules[module] + b"\0")
        return digest.hexdigest()

    def write(self, folder):
        write_modules(folder, self.modules)


def write_modules(folder, modules):
    """Writes {module: source bytes} as module files (and nothing else) into `folder`."""
    os.makedirs(folder, exist_ok=True)
    for module, source in modules.items():
        with open(os.path.join(folder, module + ".py"), "wb") as handle:
            handle.write(source)


def discover(folder, modules):
    """Every submission in `folder`, sorted by name, each under a distinct, stable name."""
    top = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        items = {item: kind for item in sorted(os.listdir(top))
                 for kind in [_kind(top, item)] if kind}
        names, entries = _names(items), []
        for item, kind in items.items():
            name, note = names[item]
            try:
                found, problems = _read_item(top, item, kind, modules)
                history, why = _read_item(top, item, kind, HISTORY)
            except Exception as error:  # whatever one submission does costs it alone
                found, problems = {}, dict.fromkeys(modules, "the submission could not be "
                                                    "read (%s: %s)" % (type(error).__name__,
                                                                       str(error)[:200]))
                history, why = None, ""
            entries.append(Entry(name, os.path.join(folder, item), found,
                                 list(dict.fromkeys(problems.values())), note, history, why))
    finally:
        os.close(top)
    return sorted(entries, key=lambda entry: entry.name)


def hidden_items(folder):
    """Items in a class folder that are not taken for submissions because their names start
    with "." (the batch names them, so a `..zip` is not lost without a word)."""
    return sorted(item for item in os.listdir(folder) if item.startswith(".") and
                  item not in (".git", ".DS_Store", ".gitignore"))


def _kind(top, item):
    """"folder", "zip" or None (not a submission) for `item` in the class folder `top`."""
    if item.startswith("."):  # hidden, and a name the batch keeps for itself
        return None
    try:
        mode = os.stat(item, dir_fd=top, follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode) and not item.endswith(".zip"):
            mode = os.stat(item, dir_fd=top).st_mode  # a link to a folder: a submission, refused
    except OSError:
        return None
    return "folder" if stat.S_ISDIR(mode) else "zip" if item.endswith(".zip") else None


def _names(items):
    """{item: (name, note)}: a distinct name for each submission, the same on every run.

    A submission keeps its own name (less .zip) when that is a safe file name, not too long and
    not one the batch writes; otherwise it gets a suffix from a hash of its own name, after a "~"
    that a safe name never holds. Only where two would still share a name (also by case) do they
    get suffixes, longer ones if the short ones clash too.
    """
    base, reason, digits = {}, {}, {}
    for item, kind in items.items():
        own = item[:-4] if kind == "zip" else item
        base[item] = SAFE_NAME.sub("_", own)[:NAME_LIMIT]
        if len(own) > NAME_LIMIT:
            reason[item] = "%r is longer than %d characters" % (item, NAME_LIMIT)
        elif base[item] != own:
            reason[item] = "%r has characters other than letters, digits, '.', '_' and '-'" % item
        elif own.lower() in RESERVED_NAMES:
            reason[item] = "%r is named like a file the batch writes" % item
        digits[item] = 6 if item in reason else 0

    def name(item):
        digest = hashlib.sha256(item.encode("utf-8", "surrogateescape")).hexdigest()
        return base[item] + ("~" + digest[:digits[item]] if digits[item] else "")

    while True:
        claims = {}
        for item in items:
            claims.setdefault(name(item).lower(), []).append(item)
        clashes = [item for group in claims.values() if len(group) > 1 for item in group]
        if not clashes:
            break
        for item in clashes:  # suffixes of 64 digits never clash: sha256 tells items apart
            digits[item] = 64 if digits[item] else 6
            reason.setdefault(item, "%r and another submission would both be named %r"
                              % (item, base[item]))
    return {item: (name(item), "graded as %r: %s" % (name(item), reason[item])
                   if item in reason else "") for item in items}


def _read_item(top, item, kind, modules):
    """(found, problems) for one submission in the class folder open as `top`; with
    `modules` HISTORY, (its history's bytes or None, why it cannot be read or "")."""
    what = "folder" if kind == "folder" else "zip"
    try:
        handle = os.open(item, DIRECTORY if kind == "folder" else FILE, dir_fd=top)
    except OSError as error:
        why = LINK % ("the submission", what) if _is_link(top, item) else (
            "the submission %s cannot be read (%s)" % (what, _plain(error)))
        return (None, "") if modules == HISTORY else ({}, dict.fromkeys(modules, why))
    try:
        if modules == HISTORY:
            return (_history_in_dir if kind == "folder" else _history_in_zip)(handle)
        return (_read_dir if kind == "folder" else _read_zip)(handle, modules)
    finally:
        os.close(handle)


def _history_in_dir(folder, wrapped=False):
    """(bytes or None, why not or "") of .recall/history.csv in the folder open as `folder`,
    or in the one folder it holds; no link is followed."""
    try:
        recall = os.open(HISTORY_FOLDER, DIRECTORY, dir_fd=folder)
    except OSError as error:
        if _is_link(folder, HISTORY_FOLDER):
            return None, LINK % (HISTORY_FOLDER + "/", "folder")
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):
            return None, "%s/ cannot be read (%s)" % (HISTORY_FOLDER, _plain(error))
        try:
            inner = [name for name in os.listdir(folder) if not name.startswith((".", "__"))]
        except OSError:
            return None, ""
        if wrapped or len(inner) != 1 or not stat.S_ISDIR(_mode(folder, inner[0])):
            return None, ""
        try:
            handle = os.open(inner[0], DIRECTORY, dir_fd=folder)
        except OSError:
            return None, ""
        try:
            return _history_in_dir(handle, wrapped=True)
        finally:
            os.close(handle)
    try:
        source, why = _read_file(recall, HISTORY_FILE)
    finally:
        os.close(recall)
    if why == "%s is missing" % HISTORY_FILE:
        return None, ""
    return source, why or ""


def _history_in_zip(handle):
    """_history_in_dir for a zip open as `handle`: at its top or in one folder."""
    try:
        with open(handle, "rb", closefd=False) as file, zipfile.ZipFile(file) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()
                       and not info.filename.startswith("exercises/")]
            source, why = _read_member(archive, members, HISTORY)
    except Exception:  # a broken zip is named where its modules are read
        return None, ""
    return (None, "") if why == "%s is missing" % HISTORY else (source, why or "")


def read_folder(path, modules):
    """({module: source bytes}, {module: why it cannot be used}) for a folder of modules.

    `path` itself may be a link (whoever names it chose it); nothing inside it may be.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        return {}, {module: "%s.py is missing" % module if error.errno == errno.ENOENT else
                    "%s.py cannot be read (%s)" % (module, _plain(error)) for module in modules}
    try:
        return _read_dir(handle, modules)
    finally:
        os.close(handle)


def _read_dir(folder, modules, wrapped=False):
    """read_folder for a folder open as the descriptor `folder`; `wrapped` when it is the one
    folder that a submission's own folder holds."""
    try:
        names = set(os.listdir(folder))
    except OSError as error:
        return {}, {m: "%s.py cannot be read (%s)" % (m, _plain(error)) for m in modules}
    if any(module + suffix in names for module in modules for suffix in SUFFIXES):
        return _read_modules(folder, modules)
    inner = [name for name in names if not name.startswith((".", "__"))]
    if not wrapped and len(inner) == 1 and inner[0] != "exercises" \
            and stat.S_ISDIR(_mode(folder, inner[0])):
        try:
            handle = os.open(inner[0], DIRECTORY, dir_fd=folder)
        except OSError:
            pass  # reported below as exercises/ missing, as a folder without modules is
        else:
            try:
                return _read_dir(handle, modules, wrapped=True)
            finally:
                os.close(handle)
    try:
        exercises = os.open("exercises", DIRECTORY, dir_fd=folder)
    except OSError as error:
        if _is_link(folder, "exercises"):
            why = "is missing because " + LINK % ("exercises/", "folder")
        elif error.errno in (errno.ENOENT, errno.ENOTDIR):
            why = "is missing"
        else:
            why = "cannot be read: exercises/ cannot be opened (%s)" % _plain(error)
        return {}, {module: "%s.py %s" % (module, why) for module in modules}
    try:
        return _read_modules(exercises, modules)
    finally:
        os.close(exercises)


def _read_modules(folder, modules):
    found, problems = {}, {}
    for module in modules:
        source, problems[module] = _read_file(folder, module + ".py")
        if source is None and problems[module] == "%s.py is missing" % module:
            source, why = _read_file(folder, module + ".ipynb", NOTEBOOK_LIMIT)
            if why != "%s.ipynb is missing" % module:
                source, problems[module] = _from_notebook(module, source, why)
        if source is not None:
            found[module] = source
            del problems[module]
    return found, problems


def _from_notebook(module, data, why):
    """(module source, None) or (None, why not) for the bytes of module.ipynb."""
    if data is None:
        return None, why
    try:
        source = notebook.to_module(data)
    except notebook.NotebookError as error:
        return None, "%s.ipynb cannot be read: %s" % (module, error)
    if len(source) > MODULE_LIMIT:
        return None, "%s.ipynb has more than %d bytes of code" % (module, MODULE_LIMIT)
    return source, None


def _read_file(folder, filename, limit=MODULE_LIMIT):
    """(bytes, None) or (None, why not) for a regular file directly in `folder`."""
    try:
        handle = os.open(filename, FILE, dir_fd=folder)
    except OSError as error:
        mode = _mode(folder, filename)
        if stat.S_ISLNK(mode) or error.errno == errno.ELOOP:
            return None, LINK % (filename, "file")
        if error.errno == errno.ENOENT:
            return None, "%s is missing" % filename
        if mode and not stat.S_ISREG(mode):  # a socket, a device
            return None, NOT_PLAIN % filename
        return None, "%s cannot be read (%s)" % (filename, _plain(error))
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None, NOT_PLAIN % filename
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(handle, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return None, "%s cannot be read (%s)" % (filename, _plain(error))
    finally:
        os.close(handle)
    if size > limit:
        return None, "%s is larger than %d bytes" % (filename, limit)
    return b"".join(chunks), None


def _is_link(folder, name):
    return stat.S_ISLNK(_mode(folder, name))


def _mode(folder, name):
    """The st_mode of `name` in `folder` itself (a link is not followed), 0 if none."""
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except OSError:
        return 0


def _plain(error):
    """An OSError's cause in plain words: "permission denied"."""
    return (error.strerror or str(error)).lower()


def _read_zip(handle, modules):
    """read_folder for a zip open as the descriptor `handle`; reads at most MODULE_LIMIT bytes
    of each module (NOTEBOOK_LIMIT of a notebook), so a bounded part of the zip. Under the
    key "" a sentence on unsafe members that are not modules."""
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        return {}, dict.fromkeys(modules, NOT_PLAIN % "the zip file")
    try:
        with open(handle, "rb", closefd=False) as file, zipfile.ZipFile(file) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            found, problems = {}, {}
            for module in modules:
                source, why = _read_member(archive, members, module + ".py")
                if why == "%s.py is missing" % module:
                    source, why = _read_member(archive, members, module + ".ipynb",
                                               NOTEBOOK_LIMIT)
                    if why != "%s.ipynb is missing" % module:
                        source, why = _from_notebook(module, source, why)
                    else:
                        why = "%s.py is missing" % module
                if why:
                    problems[module] = why
                else:
                    found[module] = source
            named = {module + suffix for module in modules for suffix in SUFFIXES}
            unsafe = [info.filename for info in members if (info.filename != _within(
                info.filename) or stat.S_ISLNK(info.external_attr >> 16)) and
                info.filename.rsplit("/", 1)[-1] not in named]
            if unsafe:  # not modules, but a sign of a zip made to attack: the gradebook says so
                problems[""] = ("the zip holds %d member(s) with a link or a path leading outside "
                                "it (%s), which were ignored" % (len(unsafe), unsafe[0]))
            return found, problems
    except Exception as error:  # any defect of the zip as a whole costs this submission only
        return {}, dict.fromkeys(modules, "the zip file cannot be read (%s)" % error)


def _read_member(archive, members, filename, limit=MODULE_LIMIT):
    """(bytes, None) or (None, why not) for `filename` in the zip, at its top, under
    exercises/, or either in one folder."""
    layout = re.compile(r"([^/]+/)?(exercises/)?" + re.escape(filename))
    choices = sorted((info for info in members if layout.fullmatch(_within(info.filename))),
                     key=lambda info: (len(_within(info.filename)), info.filename))
    if not choices:
        return None, "%s is missing" % filename
    names = [_within(info.filename) for info in choices]
    if len(set(names)) < len(names):  # one name twice: tools disagree on which one counts
        return None, ("the zip holds %s twice (%s): zip it again with one copy"
                      % (filename, sorted(name for name in names if names.count(name) > 1)[0]))
    escaping = [info.filename for info in choices if info.filename != _within(info.filename)]
    if escaping:
        return None, ("%s in the zip has the path %r, which leads outside the zip: such paths "
                      "are refused" % (filename, escaping[0]))
    info = choices[0]
    if stat.S_ISLNK(info.external_attr >> 16):
        return None, LINK % (filename + " in the zip", "file")
    if info.flag_bits & 0x1:
        return None, "the zip is encrypted: hand in a zip without a password"
    if info.file_size > limit:
        return None, "%s is larger than %d bytes" % (filename, limit)
    if info.compress_type not in UNPACKED_IN_BOUNDS:
        return None, ("%s in the zip is packed with a method the grader cannot unpack (method "
                      "%d): zip it again with the usual settings" % (filename, info.compress_type))
    corrupt = "%s in the zip is corrupt (%%s)" % filename
    try:
        with archive.open(info) as member:
            source = member.read(limit + 1)  # never more than the zip declares
    except zipfile.BadZipFile as error:
        return None, corrupt % ("CRC check failed" if "CRC" in str(error) else error)
    except Exception:  # zlib.error, EOFError, ...: the packed data is damaged
        return None, corrupt % "its packed data cannot be unpacked"
    if len(source) != info.file_size:
        return None, corrupt % "it is not as long as the zip says"
    return source, None


def _within(name):
    """A member's name without a leading "/" or ".." parts: the same name when it is safe."""
    return "/".join(part for part in name.split("/") if part not in ("", ".."))
