"""The student exercises as Jupyter notebooks, one per tutorial (nox -s handout -- OUT --notebooks).

A notebook is made from exercises/<module>.py: a first markdown cell with the module's
docstring, a code cell with its imports, then for each function or class a markdown cell that
quotes its contract and tutorial step (the docstring) and a code cell with the stub, and last a
cell that runs the public checks of that tutorial from inside Jupyter. Grading reads such a
notebook as the module (graders/intake/notebook.py), so `nox -s check` grades it like the .py file.
"""

import ast
import json

CHECK_CELL = '''\
# Runs the public checks of {module} on this notebook as last saved: save it first (Ctrl+S).
# Needs numpy, pytest and pyyaml in this notebook's Python: pip install numpy pytest pyyaml
import os, subprocess, sys
here = os.getcwd()
repository = os.path.dirname(here) if os.path.basename(here) == "exercises" else here
checks = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=exercises",
                         "-k", "{module}", "-q"], cwd=repository, capture_output=True, text=True)
print(checks.stdout + checks.stderr)
'''
CHECK_NOTE = ("## Check your work\n\nSave the notebook, then run the cell below: it runs the "
              "public checks of `{module}` (as `nox -s check -- -k {module}` does) and shows "
              "the points and what to fix. Only the imports, functions, classes and constants "
              "of this notebook are graded: cells that train, plot or print are yours to try "
              "things in and are not run when graded.")


def cell(kind, source):
    lines = source.rstrip("\n").splitlines(keepends=True)
    made = {"cell_type": kind, "metadata": {}, "source": lines}
    if kind == "code":
        made.update(execution_count=None, outputs=[])
    return made


def quote(docstring):
    return "\n".join("> " + line if line else ">" for line in docstring.splitlines())


def cells(module, source):
    """The cells of the notebook for exercises/<module>.py, whose text is `source`."""
    tree = ast.parse(source)
    made = [cell("markdown", "# %s\n\n%s" % (module, ast.get_docstring(tree)))]
    preamble = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            made.append(cell("markdown", "### The %s `%s`\n\n%s" % (
                kind, node.name, quote(ast.get_docstring(node) or ""))))
            made.append(cell("code", ast.get_source_segment(source, node)))
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            preamble.append(ast.get_source_segment(source, node))
    made.insert(1, cell("code", "\n".join(preamble)))
    made += [cell("markdown", CHECK_NOTE.format(module=module)),
             cell("code", CHECK_CELL.format(module=module))]
    return made


def notebook(module, source):
    """The notebook's nbformat 4 JSON text."""
    return as_notebook(cells(module, source))


def as_notebook(made):
    """nbformat 4 JSON text of a list of cells."""
    return json.dumps({"cells": made,
                       "metadata": {"kernelspec": {"display_name": "Python 3",
                                                   "language": "python", "name": "python3"},
                                    "language_info": {"name": "python"}},
                       "nbformat": 4, "nbformat_minor": 4}, indent=1, ensure_ascii=False) + "\n"
