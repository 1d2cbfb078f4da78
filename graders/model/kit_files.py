"""Which of graders/ a copy of the kit carries, by rule rather than by a hand-kept list.

The student handout and the Gradescope zip are both built from `grader_files`: every file under
graders/ (modules, templates, message catalogues), so that a module added to any room travels
with the kit; the handout leaves out the instructor's commands.
"""

import os

from graders.model import spec

INSTRUCTOR_COMMANDS = ("graders/batch.py", "graders/merge.py", "graders/handout.py")
KINDS = (".py", ".html", ".po")  # modules, page templates, message catalogues: nothing else


def grader_files(root=spec.KIT, instructor=True):
    """The modules, templates and catalogues under root/graders, relative to root and sorted;
    caches, hidden files and any other file are left out, and the instructor's commands too
    unless `instructor`."""
    found = []
    for folder, folders, files in os.walk(os.path.join(root, "graders")):
        folders[:] = sorted(name for name in folders
                            if name != "__pycache__" and not name.startswith("."))
        for name in files:
            path = os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
            if name.startswith(".") or not name.endswith(KINDS):
                continue
            if instructor or path not in INSTRUCTOR_COMMANDS:
                found.append(path)
    return sorted(found)
