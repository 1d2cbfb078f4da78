"""Grades that do not drift: a case scores the same run alone, in the full run, in any order,
and a case that reads one printed line is judged on that line only."""

import os
import re

import pytest

from graders.model.results import case_id
from tests.helpers import SOLUTIONS, copy_solutions, failed, grade, outputs, variant

SEED_LINE = re.compile(r"^[ \t]*np\.random\.seed\(seed\)[ \t]*\n", re.M)


def reseeded(tmp_path, at_import):
    """solutions/ with every np.random.seed(seed) inside a function taken out; with
    `at_import`, each module instead seeds once when imported, with its functions' default
    seed, as the tutorials' scripts do. Returns the folder and the modules this changed."""
    folder = copy_solutions(tmp_path, "seeded-at-import" if at_import else "unseeded")
    changed = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        default = re.search(r"\bseed=(\d+)", source)
        edited = SEED_LINE.sub("", source)
        if at_import and default:
            edited = edited.replace("import numpy as np\n", "import numpy as np\n"
                                    "np.random.seed(%s)\n" % default.group(1), 1)
        if edited != source:
            changed.append(name[:-len(".py")])
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(edited)
    return folder, changed


def statuses(results):
    return {case_id(test): (test["status"], test["score"]) for test in results["tests"]}


@pytest.fixture(params=["reference", "seeded-at-import", "unseeded"])
def gradings(request, tmp_path, shared_gradings):
    """(kind, the full run's results, the results of every case run alone). The reference's
    full run is the one the whole test run shares (tests/shared.py). A variant grades only
    the tutorials its edit changed: the others are the reference's, run alone above."""
    if request.param == "reference":
        full = shared_gradings.grade(SOLUTIONS)[0]
        return request.param, full, grade(SOLUTIONS, "-p", "tests.alone", tmp_path=tmp_path)[0]
    folder, changed = reseeded(tmp_path, request.param == "seeded-at-import")
    assert changed, "no module of solutions/ seeds inside a function any more"
    graded = ("-k", " or ".join("test_%s.py" % module for module in changed))
    return (request.param, grade(folder, *graded, tmp_path=tmp_path)[0],
            grade(folder, *graded, "-p", "tests.alone", tmp_path=tmp_path)[0])


def test_every_case_scores_alone_as_in_the_full_run(gradings):
    kind, full, alone = gradings
    assert statuses(alone) == statuses(full)
    if kind == "reference":
        assert not failed(full)
        return
    assert failed(full)  # seeds matter to these variants: some cases fail, the same both times
    if kind == "seeded-at-import":  # the kit sees code that seeds once at import
        [test] = [t for t in full["tests"] if case_id(t) == "trask::hidden-two-layer-seeded"]
        assert test["status"] == "failed"
        assert test["extra_data"].get("diagnosis") == "seed-at-import"


def test_a_bad_printed_line_fails_only_the_case_that_reads_it(tmp_path):
    folder = variant(tmp_path, "britz", [(
        'print("Loss after iteration %i: %f" % (i, calculate_loss(model, X, y, reg_lambda)))',
        'print("Loss after iteration %i: %f" % (i, float("nan") if i == 6000 else '
        'calculate_loss(model, X, y, reg_lambda)))')])
    results, _ = grade(folder, "-k", "test_britz.py", hidden=False, tmp_path=tmp_path)
    assert failed(results) == {"britz::loss-later"}
    assert "Loss after iteration 6000: nan" in outputs(results)["britz::loss-later"]
