"""Finding submissions and reading the tutorial modules out of them, folders or zips.

A submission is a folder or a .zip per student holding the modules (trask.py, ...) at its top
level or under exercises/ (a zip may wrap either in one folder). Nothing else is read: a
student's conftest.py, pytest.ini or numpy.py never reaches the grader or the worker.
"""

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass

MODULE_LIMIT = 1 << 20  # bytes per module file
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class Entry:
    """One submission: its name in the gradebook, where it is, and its modules' bytes."""
    name: str
    path: str
    modules: dict  # module name -> source bytes; absent when missing
    problems: list  # sentences on the modules that could not be used

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
    """Every submission in `folder`, sorted by name; refuses two with the same name."""
    entries, seen = [], {}
    for item in sorted(os.listdir(folder)):
        path = os.path.join(folder, item)
        if item.startswith("."):
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            name, read = item, read_folder
        elif item.endswith(".zip") and os.path.isfile(path):
            name, read = item[:-4], _from_zip
        else:
            continue
        name = SAFE_NAME.sub("_", name)
        if name in seen:
            raise ValueError("two submissions are both named %r: %s and %s"
                             % (name, seen[name], item))
        seen[name] = item
        found, problems = read(path, modules)
        entries.append(Entry(name, path, found, list(dict.fromkeys(problems.values()))))
    return entries


def read_folder(path, modules):
    """({module: source bytes}, {module: why it cannot be used}) for a folder of modules."""
    base = os.path.join(path, "exercises") if not any(
        os.path.isfile(os.path.join(path, m + ".py")) for m in modules) else path
    found, problems = {}, {}
    for module in modules:
        source = os.path.join(base, module + ".py")
        if os.path.islink(source) or not os.path.isfile(source):
            problems[module] = "%s.py is missing" % module
        elif os.path.getsize(source) > MODULE_LIMIT:
            problems[module] = "%s.py is larger than %d bytes" % (module, MODULE_LIMIT)
        else:
            with open(source, "rb") as handle:
                found[module] = handle.read()
    return found, problems


def _from_zip(path, modules):
    found, problems = {}, {}
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        return {}, dict.fromkeys(modules, "the zip file cannot be read (%s)" % error)
    with archive:
        members = {info.filename: info for info in archive.infolist() if not info.is_dir()}
        for module in modules:
            wanted = module + ".py"
            choices = sorted(name for name in members
                             if re.fullmatch(r"([^/]+/)?(exercises/)?" + re.escape(wanted), name))
            if not choices:
                problems[module] = "%s is missing" % wanted
                continue
            info = members[min(choices, key=len)]
            data = b""
            if info.file_size <= MODULE_LIMIT:
                with archive.open(info) as handle:
                    data = handle.read(MODULE_LIMIT + 1)
            if info.file_size > MODULE_LIMIT or len(data) > MODULE_LIMIT:
                problems[module] = "%s is larger than %d bytes" % (wanted, MODULE_LIMIT)
            else:
                found[module] = data
    return found, problems
