"""The messages the graders mark for translation: every _("...") and N_("...") in graders/,
and every _("...") of the page templates (graders/outputs/templates/)."""

import ast
import glob
import os
import re

from tests.helpers import KIT


def marked():
    """{message: 'file:line' of its first use}, from the graders' source."""
    found = {}
    for path in sorted(glob.glob(os.path.join(KIT, "graders", "**", "*.py"), recursive=True)):
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, "%s:%d" % (
                    os.path.relpath(path, KIT), node.lineno))
    for path in sorted(glob.glob(os.path.join(KIT, "graders", "outputs", "templates", "*.html"))):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for match in re.finditer(r"""_\((["'])(.*?)\1\)""", text):
            found.setdefault(match.group(2), "%s:%d" % (
                os.path.relpath(path, KIT), text.count("\n", 0, match.start()) + 1))
    return found
