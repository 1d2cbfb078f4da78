"""Finding the submissions in a class folder, naming them, and reading each one's modules.

A submission is a folder or a .zip per student holding the modules (trask.py, ...) at its top
level or under exercises/, either of them possibly wrapped in one folder. A notebook
(trask.ipynb) stands for a module that is not there as a .py: only its imports, definitions and
constants are taken (graders/intake/notebook.py). Nothing else is read: a student's conftest.py,
pytest.ini or numpy.py never reaches the grader or the worker.

Only what lies inside a submission is read: files are opened relative to their folder without
following symbolic links, so a link (to the kit's solutions, say) is refused even if it appears
between a check and the open (graders/intake/files.py). Nothing in a zip is extracted
(graders/intake/zips.py); a defect in one costs only that submission, never the class. Why a
module cannot be used is carried as a code and a sentence (graders/intake/problems.py).
"""

import hashlib
import os
import re
import stat
from dataclasses import dataclass

from graders.intake import files
from graders.intake import folders
from graders.intake import problems
from graders.intake import zips
from graders.intake.files import MODULE_LIMIT, NOTEBOOK_LIMIT  # noqa: F401  (the limits, here too)

NAME_LIMIT = 100  # characters of a submission's own name kept in its graded name
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
# What the batch writes at the top of its output folder, compared without case (a folder of that
# name would replace it). Names starting with "." are the batch's too (.in-progress, temporary
# files): an item so named (.git, .DS_Store) is never taken for a submission.
RESERVED_NAMES = {"gradebook.csv", "class.html"}


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
                found, why_not = _read_item(top, item, kind, modules)
                history, why = _read_history(top, item, kind)
            except Exception as error:  # whatever one submission does costs it alone
                found, why_not = {}, dict.fromkeys(modules, problems.Problem(
                    problems.UNREADABLE, "the submission could not be read (%s: %s)"
                    % (type(error).__name__, str(error)[:200])))
                history, why = None, None
            sentences = [problem.sentence for problem in why_not.values()]
            entries.append(Entry(name, os.path.join(folder, item), found,
                                 list(dict.fromkeys(sentences)), note, history,
                                 why.sentence if why else ""))
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
    """({module: source bytes}, {module: Problem}) for one submission in the class folder
    open as `top`."""
    handle, why = _open_item(top, item, kind)
    if why:
        return {}, dict.fromkeys(modules, why)
    try:
        return (folders.read_dir if kind == "folder" else zips.read_zip)(handle, modules)
    finally:
        os.close(handle)


def _read_history(top, item, kind):
    """(its rebuild history's bytes or None, a Problem or None) for one submission: read,
    never graded (graders/recall/)."""
    handle, why = _open_item(top, item, kind)
    if why:
        return None, None
    try:
        return (folders.read_history if kind == "folder" else zips.read_history)(handle)
    finally:
        os.close(handle)


def _open_item(top, item, kind):
    """(descriptor, None) or (None, Problem) for a submission folder or zip in `top`."""
    what = "folder" if kind == "folder" else "zip"
    try:
        return os.open(item, files.DIRECTORY if kind == "folder" else files.FILE,
                       dir_fd=top), None
    except OSError as error:
        if files.is_link(top, item):
            return None, problems.link("the submission", what)
        return None, problems.unreadable("the submission " + what, error)


def read_folder(path, modules):
    """({module: source bytes}, {module: a sentence on why it cannot be used}) for a folder
    of modules (graders/intake/folders.py)."""
    found, why_not = folders.read_folder(path, modules)
    return found, {module: problem.sentence for module, problem in why_not.items()}
