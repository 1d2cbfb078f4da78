"""Notebooks handed in for modules: parsed, never run, and scored exactly as the same code as
modules is."""

import io
import json
import os
import zipfile

import pytest

from graders.intake import collect
from graders.intake import notebook
from graders.model import spec
from graders.model.results import case_id
from tests import notebooks
from tests.helpers import KIT, SOLUTIONS, grade, possible

CAROL = os.path.join(KIT, "examples", "submissions", "carol")  # two bugs


def module_of(source):
    return notebook.to_module(notebooks.as_student_notebook(source).encode()).decode()


def test_only_imports_definitions_and_constants_are_taken():
    source = "import numpy as np\n\n\n@staticmethod\ndef f(x):\n    return x + 1\n"
    module = module_of(source)
    assert "def f(x):" in module and "@staticmethod" in module and "import numpy as np" in module
    assert "learning_rate = 0.5" in module and "sizes: tuple = (2, 3)" in module
    for left_out in ("print", "plt", "matplotlib", "sklearn", "make_moons", "IPython",
                     "while True", "pip", "%", "SystemExit", "np.random.seed", "X = np.array"):
        assert left_out not in module.split("\n", 1)[1], left_out
    compile(module, "trask.py", "exec")


def test_a_cell_that_is_not_python_fails_the_import_with_its_cell_named():
    data = notebooks.notebook(["import numpy as np", "def f(:\n    pass"]).encode()
    module = notebook.to_module(data).decode()
    with pytest.raises(SyntaxError, match="code cell 2 of the notebook is not valid Python "
                                          "at line 1"):
        exec(compile(module, "trask.py", "exec"), {})


def test_a_file_that_is_not_a_notebook_costs_its_module_with_a_sentence(tmp_path):
    (tmp_path / "trask.ipynb").write_text("print('hello')")
    (tmp_path / "zhou.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code",
                                                               "source": 3}]}))
    found, problems = collect.read_folder(str(tmp_path), ["trask", "zhou", "aidan"])
    assert found == {}
    assert problems["trask"] == ("trask.ipynb cannot be read: it is not a Jupyter notebook "
                                 "(nbformat 4 JSON)")
    assert problems["zhou"].startswith("zhou.ipynb cannot be read: a code cell's source")
    assert problems["aidan"] == "aidan.py is missing"


def test_a_module_file_wins_over_a_notebook_and_links_and_sizes_are_refused(tmp_path):
    (tmp_path / "trask.py").write_text("A = 1\n")
    (tmp_path / "trask.ipynb").write_text(notebooks.notebook(["A = 2"]))
    (tmp_path / "zhou.ipynb").symlink_to(os.path.join(SOLUTIONS, "zhou.py"))
    (tmp_path / "aidan.ipynb").write_bytes(b" " * (collect.NOTEBOOK_LIMIT + 1))
    found, problems = collect.read_folder(str(tmp_path), ["trask", "zhou", "aidan"])
    assert found == {"trask": b"A = 1\n"}
    assert problems["zhou"] == ("zhou.ipynb is a symbolic link: links are refused, hand in "
                                "the file itself")
    assert problems["aidan"] == "aidan.ipynb is larger than %d bytes" % collect.NOTEBOOK_LIMIT


def test_notebooks_are_read_from_zips_and_from_one_wrapping_folder(tmp_path):
    text = notebooks.notebook(["import numpy as np", "A = 2", "print(A)"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mine/exercises/trask.ipynb", text)
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ann.zip").write_bytes(buffer.getvalue())
    (tmp_path / "class" / "ben" / "my work" / "exercises").mkdir(parents=True)
    (tmp_path / "class" / "ben" / "my work" / "exercises" / "trask.ipynb").write_text(text)
    entries = collect.discover(str(tmp_path / "class"), ["trask"])
    assert [e.name for e in entries] == ["ann", "ben"]
    for entry in entries:  # the code cells' statements, then where each one was
        assert b"\nimport numpy as np\n\nA = 2\n\n# nnkit-cells: " in entry.modules["trask"], \
            entry.name
    assert entries[0].modules == entries[1].modules


def scores(results):
    return {case_id(test): test["score"] for test in results["tests"]}


@pytest.mark.parametrize("modules", [SOLUTIONS, CAROL], ids=["complete", "two-bugs"])
def test_student_notebooks_score_what_the_same_modules_score(modules, tmp_path,
                                                            shared_gradings):
    notebooks.write_notebooks(modules, str(tmp_path / "notebooks"))
    as_modules, _ = shared_gradings.grade(modules)
    as_notebooks, run = grade(tmp_path / "notebooks", tmp_path=tmp_path)
    assert scores(as_notebooks) == scores(as_modules), run.stdout
    assert as_notebooks["extra_data"]["problems"] == as_modules["extra_data"]["problems"]
    if modules == SOLUTIONS:
        assert as_notebooks["score"] == possible()
    else:
        assert 0 < as_notebooks["score"] < possible()
    assert "training..." not in run.stdout and "SystemExit" not in run.stdout
    assert set(spec.modules()) == {case_id(t).split("::")[0] for t in as_notebooks["tests"]}


def test_a_deeply_nested_notebook_costs_its_module_with_a_sentence():
    from graders.intake import notebook
    deep = b'{"cells": ' + b"[" * 200000 + b"]" * 200000 + b"}"
    with pytest.raises(notebook.NotebookError, match="nested too deep"):
        notebook.to_module(deep)


def test_a_notebook_module_is_cut_from_its_cell_as_python_reads_it():
    """Each kept statement's source, as ast.get_source_segment gives it, also across \\r\\n,
    lone \\r, a form feed and characters of several UTF-8 bytes."""
    import ast
    import json
    from graders.intake import notebook
    source = ("@dec('ü')\ndef f(x):\n    return 'é' + x\r\nclass A:\r\n    pass\r"
              "Y = (1,\n 2)\n\x0cimport os; Z = 'ß'\n")
    module = notebook.to_module(json.dumps({"cells": [
        {"cell_type": "code", "source": source}]}).encode()).decode()
    for node in ast.parse(source).body:
        assert ast.get_source_segment(source, node) in module


def test_a_runtime_error_in_a_notebook_names_its_cell_and_line(tmp_path):
    import json
    from graders.model import spec
    from graders.sandbox.submission import StudentError, Submission
    cells = [{"cell_type": "code", "source": "import numpy as np\n%matplotlib inline\n"},
             {"cell_type": "markdown", "source": "The sigmoid"},
             {"cell_type": "code", "source": "plt = None\n\ndef nonlin(x, deriv=False):\n"
                                             "    y = 1\n    return y / 0\n"}]
    (tmp_path / "trask.ipynb").write_text(json.dumps({"cells": cells, "nbformat": 4}))
    submission = Submission(str(tmp_path), spec.modules())
    try:
        with pytest.raises(StudentError) as failure:
            submission.call("trask.nonlin", 0.0)
    finally:
        submission.close()
    assert "(at trask.ipynb, code cell 2, line 5, in nonlin)" in failure.value.msg
