"""What a rebuild from memory starts from: the stubs as handed out, their signatures, or
only the names to define, as a module or a notebook."""

import ast
import os

from graders.model import spec
from graders.model.i18n import _
from graders.outputs import exercise_notebooks
from graders.recall.refused import Refused

ROOT = spec.KIT  # the student's repository: exercises/, .recall/ and graders/ side by side
STUBS = os.path.join("graders", "stubs")  # the stubs as handed out (graders/handout.py)


def stub(module, root=ROOT):
    try:
        with open(os.path.join(root, STUBS, module + ".py"), encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        raise Refused(_("The stubs as handed out are not in %s: rebuilds from memory work in "
                        "the student handout (python -m nox -s handout -- OUT), which carries "
                        "them.") % os.path.join(STUBS, module + ".py")) from None


def headers(source, node, indent=""):
    """The `def` or `class` line(s) of `node` with its arguments, up to its body."""
    lines = source.splitlines()
    end = node.body[0].lineno - 1 if node.body else node.lineno
    return [indent + line.strip() if i == node.lineno - 1 else line
            for i, line in enumerate(lines[node.lineno - 1:end], node.lineno - 1)]


def definitions(tree):
    """[(top-level function or class node, [its methods])] in the order of the file."""
    return [(node, [item for item in node.body if isinstance(item, ast.FunctionDef)]
             if isinstance(node, ast.ClassDef) else [])
            for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def fresh_text(module, level, root=ROOT):
    """What a rebuild at `level` starts from: `contract`, the stubs as handed out;
    `signatures`, their def and class lines with the arguments and nothing else; `names`,
    only the names to define, as a comment."""
    source = stub(module, root)
    if level == "contract":
        return source
    tree = ast.parse(source)
    if level == "signatures":
        lines = []
        for node, methods in definitions(tree):
            lines += headers(source, node)
            for method in methods:
                lines += headers(source, method, "    ")
        return "\n".join(lines) + "\n"
    names = [node.name + (_(", with the methods %s") % ", ".join(m.name for m in methods)
                          if methods else "") for node, methods in definitions(tree)]
    return _("# %s, rebuilt from memory. Define:\n") % module + "".join(
        "#   %s\n" % name for name in names)


def fresh_file(module, level, suffix, root=ROOT):
    """The fresh file's text for a module handed in as `suffix` (.py or .ipynb)."""
    text = fresh_text(module, level, root)
    if suffix == ".py":
        return text
    if level == "contract":
        return exercise_notebooks.notebook(module, text)
    return exercise_notebooks.as_notebook([exercise_notebooks.cell("code", text)])
