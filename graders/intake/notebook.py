"""A Jupyter notebook handed in for a module (trask.ipynb for trask.py), read as that module.

The notebook is parsed, never run: its code cells are read as JSON, IPython magics and shell
lines (`%matplotlib inline`, `!pip install ...`, `%%time` cells) are dropped, and of what is
left only the top-level statements a module needs are kept:

- imports, except those of the libraries the tutorials use only to plot or make data
  (matplotlib, sklearn, IPython, seaborn), which are left out so that a grader without them
  installed costs the module nothing;
- function and class definitions;
- assignments of plain constants (`learning_rate = 0.5`, `sizes = (2, 3)`).

Training runs, plots, prints and every other top-level statement are not taken. A cell that
is not valid Python becomes a module that fails to import with a sentence naming the cell,
as a module with a syntax error would. Standard library only (json, ast).
"""

import ast
import json
import re

# Top-level packages whose imports are left out of a notebook's module.
PLOTTING_AND_DATA = {"matplotlib", "sklearn", "IPython", "seaborn", "pylab"}
MAGIC = re.compile(r"\s*[%!?]")  # %magic, %%cell magic, !shell, ?help
KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class NotebookError(ValueError):
    """The file is not a notebook the grader can read; the message says why."""


def code_cells(data):
    """The source of each code cell of a notebook given as bytes, in order."""
    try:
        notebook = json.loads(data.decode("utf-8"))
        cells = notebook["cells"]
        sources = [cell.get("source", "") for cell in cells if cell.get("cell_type") == "code"]
    except RecursionError:
        raise NotebookError("its JSON is nested too deep to be a notebook") from None
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise NotebookError("it is not a Jupyter notebook (nbformat 4 JSON)") from None
    if not all(isinstance(s, str) or isinstance(s, list) and all(isinstance(line, str)
                                                                 for line in s)
               for s in sources):
        raise NotebookError("a code cell's source is neither text nor a list of lines")
    return ["".join(source) if isinstance(source, list) else source for source in sources]


def without_magics(source):
    """A cell's source with IPython magic and shell lines blanked (line numbers kept); a cell
    magic (%%time, %%capture, ...) blanks the whole cell."""
    if source.lstrip().startswith("%%"):
        return ""
    return "\n".join("" if MAGIC.match(line) else line for line in source.split("\n"))


def is_constant(node):
    """An assignment of a literal (number, string, tuple, list, dict of literals) to names."""
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets, value = [node.target], node.value
    else:
        return False
    if not all(isinstance(target, ast.Name) for target in targets):
        return False
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def is_plotting_import(node):
    names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
        [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
    return bool(names) and all(name.split(".")[0] in PLOTTING_AND_DATA for name in names)


def kept(node):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return not is_plotting_import(node)
    return isinstance(node, KEPT) or is_constant(node)


def to_module(data):
    """The Python source (bytes) of the module a notebook (bytes) defines; NotebookError if
    it is not a notebook."""
    parts = ["# Read from a notebook: only its imports, definitions and constants.\n"]
    places, line = [], 3  # [module line, cell, cell line]; the first part takes lines 1-2
    for number, cell in enumerate(code_cells(data), 1):
        source = without_magics(cell)
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            where = " at line %d" % error.lineno if getattr(error, "lineno", None) else ""
            message = "code cell %d of the notebook is not valid Python%s: %s" % (
                number, where, getattr(error, "msg", error))
            return ("raise SyntaxError(%r)\n" % message).encode("utf-8")
        lines = LINE_ENDS.split(source)
        for node in tree.body:
            if kept(node):
                decorators = "".join("@%s\n" % segment(lines, decorator)
                                     for decorator in getattr(node, "decorator_list", []))
                part = decorators + segment(lines, node) + "\n"
                places.append([line + decorators.count("\n"), number, node.lineno])
                parts.append(part)
                line += part.count("\n") + 1
    parts.append(PLACES + json.dumps(places) + "\n")
    return "\n".join(parts).encode("utf-8")


PLACES = "# nnkit-cells: "  # the last line: where each statement was in the notebook
MODULE_FILE = re.compile(r"(\w+)\.py")


def in_notebook(source, frame):
    """Where the worker's `frame` [file, line, function] is, in the student's terms: 'trask.py,
    line 12, in f', or 'trask.ipynb, code cell 3, line 2, in f' when `source` (bytes) was read
    from a notebook; "" without a frame."""
    if not frame:
        return ""
    filename, line, function = frame
    in_module = "%s, line %d, in %s" % (filename, line, function)
    last = source.rstrip(b"\n").rpartition(b"\n")[2].decode("utf-8", "replace")
    match = MODULE_FILE.fullmatch(filename)
    if not match or not last.startswith(PLACES):
        return in_module
    try:
        places = json.loads(last[len(PLACES):])
    except ValueError:
        return in_module
    before = [place for place in places if place[0] <= line]
    if not before:
        return in_module
    start, cell, cell_line = before[-1]
    return "%s.ipynb, code cell %d, line %d, in %s" % (match.group(1), cell,
                                                       cell_line + line - start, function)


# Where Python's own tokenizer ends a line (after \n, \r\n or a lone \r; not \f, which
# str.splitlines would take).
LINE_ENDS = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def segment(lines, node):
    """The source of `node` from its cell's `lines`, as ast.get_source_segment gives it, but
    without splitting the whole cell again for every node (which made a long notebook take
    quadratic time). Column offsets count UTF-8 bytes."""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset:node.end_col_offset].decode()
    return (lines[first].encode()[node.col_offset:].decode() + "".join(lines[first + 1:last])
            + lines[last].encode()[:node.end_col_offset].decode())
