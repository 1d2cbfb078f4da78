"""Notebooks written as students write them, from a module's source: the module's code split
into cells, with what a notebook also holds around it (magics, plots, prints, training runs,
matplotlib and sklearn imports) that grading must not run or need."""

import ast
import json
import os

# Cells a student's notebook holds besides the definitions. None of them may be run when
# grading: the last ones would fail, hang or print if they were.
STUDENT_CELLS = [
    "%matplotlib inline\n!pip install --quiet numpy\nimport numpy as np",
    "import matplotlib.pyplot as plt\nimport sklearn.datasets\nfrom sklearn.datasets import make_moons\nimport IPython.display as display",
    "learning_rate = 0.5\nsizes: tuple = (2, 3)\nnp.random.seed(0)",
    "X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])\nprint('training...', X.shape)\nfor i in range(3):\n    print(i)",
    "plt.figure(figsize=(4, 3))\nplt.plot([1, 2, 3])\nplt.show()",
    "%%time\nwhile True:\n    pass",
    "X, y = make_moons(200, noise=0.20)\nraise SystemExit('a top-level run must not happen when grading')",
    "?np.dot",
]


def cells_of(source):
    """A module's source cut into cells: its imports, then one cell per top-level statement."""
    tree = ast.parse(source)
    lines = source.split("\n")
    cells = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        cells.append("\n".join(lines[first - 1:node.end_lineno]))
    return cells


def notebook(cells, markdown="# My work"):
    """nbformat 4 JSON text with one markdown cell and `cells` as code cells, each with an
    output, as Jupyter saves them (sources as lists of lines)."""
    code = [{"cell_type": "code", "execution_count": n, "metadata": {},
             "outputs": [{"name": "stdout", "output_type": "stream", "text": ["ran\n"]}],
             "source": cell.splitlines(keepends=True)} for n, cell in enumerate(cells, 1)]
    return json.dumps({"cells": [{"cell_type": "markdown", "metadata": {},
                                  "source": [markdown]}] + code,
                       "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                   "display_name": "Python 3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)


def as_student_notebook(source):
    """A module's source as a student's notebook: the extra cells first, then its code."""
    return notebook(STUDENT_CELLS[:3] + cells_of(source) + STUDENT_CELLS[3:])


def write_notebooks(modules_folder, target):
    """Writes <module>.ipynb into `target` for every <module>.py in `modules_folder`."""
    os.makedirs(target, exist_ok=True)
    for name in sorted(os.listdir(modules_folder)):
        if name.endswith(".py"):
            with open(os.path.join(modules_folder, name), encoding="utf-8") as handle:
                text = as_student_notebook(handle.read())
            with open(os.path.join(target, name[:-3] + ".ipynb"), "w", encoding="utf-8") as out:
                out.write(text)
