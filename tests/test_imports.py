"""No import circle among graders/ modules: every `import` and `from ... import` counts,
at module level and inside functions, and so does importlib.import_module("graders.test_" +
module), which may import every grader (graders/test_<module>.py)."""

import ast
import glob
import os

import pytest

from tests.helpers import KIT


def module_name(path):
    parts = os.path.relpath(path, KIT)[:-len(".py")].split(os.sep)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kit_sources():
    """{module name: (its source, whether it is a package's __init__)} under graders/."""
    found = {}
    for path in glob.glob(os.path.join(KIT, "graders", "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as handle:
            found[module_name(path)] = (handle.read(), path.endswith("__init__.py"))
    return found


def imported(name, source, package, modules, dynamic):
    """The modules among `modules` that module `name` imports anywhere in `source`; with
    `dynamic`, also those importlib.import_module("prefix" + ...) may import."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            # `from graders.x import y` imports graders.x, and graders.x.y where y is a module
            targets = [base] + ["%s.%s" % (base, alias.name) for alias in node.names]
        elif (dynamic and isinstance(node, ast.Call)
              and getattr(node.func, "attr", None) == "import_module" and node.args
              and isinstance(node.args[0], ast.BinOp)
              and isinstance(node.args[0].left, ast.Constant)):
            targets = [module for module in modules if module.startswith(node.args[0].left.value)]
        else:
            continue
        found.update(target for target in targets if target in modules and target != name)
    return found


def circles(sources, dynamic):
    """Every import circle among `sources` ({name: (source, is a package)}), as the list of
    modules along it."""
    graph = {name: imported(name, source, name if is_package else name.rpartition(".")[0],
                            sources, dynamic)
             for name, (source, is_package) in sources.items()}
    found, state = [], {}

    def visit(name, path):
        state[name] = "open"
        for after in sorted(graph[name]):
            if state.get(after) == "open":
                found.append(path[path.index(after):] + [after])
            elif after not in state:
                visit(after, path + [after])
        state[name] = "done"
    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


@pytest.mark.parametrize("planted", [
    {"graders.a": ("def f():\n    from graders import b\n", False),
     "graders.b": ("import graders.a\n", False)},
    {"graders.x.a": ("from . import b\n", False), "graders.x.b": ("from .c import f\n", False),
     "graders.x.c": ("from graders.x.a import g\n", False)},
    {"graders.spec": ("importlib.import_module('graders.test_' + module)\n", False),
     "graders.test_zhou": ("from graders import spec\n", False)},
], ids=["inside a function", "relative, three long", "through importlib"])
def test_the_finder_sees_a_planted_circle(planted):
    assert circles(planted, dynamic=True)
    assert not circles({name: ("", False) for name in planted}, dynamic=True)


@pytest.mark.parametrize("dynamic", [False, True], ids=["import statements",
                                                         "with importlib.import_module"])
def test_no_import_circle_among_the_graders_modules(dynamic):
    found = circles(kit_sources(), dynamic)
    assert not found, "import circles: " + "; ".join(" -> ".join(c) for c in found)
