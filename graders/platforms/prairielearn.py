"""PrairieLearn's external grader: grades /grade/student and writes /grade/results/results.json.

    python -m graders.prairielearn          from the kit's folder in the grading image
    python3 /grade/serverFilesCourse/nnkit/graders/prairielearn.py    the same, as an entrypoint

GRADE_ROOT (default /grade) replaces /grade, for testing. The results follow PrairieLearn's
external grading format (https://prairielearn.readthedocs.io/en/latest/externalGrading/):
`score` from 0 to 1, `gradable`, `message`, `output` and `tests` with `name`, `points`,
`max_points`, `message` and `output`. PrairieLearn shows every test to the student at once, so
a hidden case shows its points, and for a generality case the requirement it checks, but not
its inputs or expected values.
"""

import importlib.util
import json
import os
import tempfile

# Until the packages below are known to be there, only the standard library is used, so that
# an image without them still gets a results.json saying so.
NEEDED = ("numpy", "pytest", "yaml")
NOT_GRADABLE = ("The grader could not grade this submission; it does not count against you. "
                "Tell your instructor.")

HIDDEN = "A hidden case: it %s. Its inputs and expected values are not shown."
HIDDEN_NOTE = ("Hidden cases (new numbers and other sizes) are graded too: they show their "
               "points, not their inputs or expected values.")


def prairielearn_results(results):
    """PrairieLearn's results from the kit's SubmissionResults."""
    from graders.platforms import upload
    tests = []
    for test in results.tests:
        word = "passed" if test.passed else "failed"
        if test.visible:
            message, output = word, test.output
        else:
            message = HIDDEN % word
            output = "" if test.passed or not test.requires else \
                "It checks a requirement of the contract: %s" % test.requires
        tests.append({"name": test.name, "points": test.score, "max_points": test.max_score,
                      "message": message, "output": output})
    possible = sum(test["max_points"] for test in tests)
    return {"gradable": True, "score": results.score / possible if possible else 0.0,
            "message": "%g of %g points." % (results.score, possible),
            "output": upload.summary(results, HIDDEN_NOTE, plain=True), "tests": tests}


def missing_packages():
    """The packages grading needs that this Python lacks (yaml is PyYAML)."""
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def not_gradable(why):
    return {"gradable": False, "score": 0.0, "tests": [], "message": NOT_GRADABLE,
            "output": why}


def grade(root):
    """PrairieLearn's results for root/student: gradable false, with the reason, whenever
    the kit cannot grade (packages missing, no safe sandbox, the graders failing)."""
    missing = missing_packages()
    if missing:
        return not_gradable("The grading image lacks the Python package(s) %s: install them "
                            "(pip install numpy pytest pyyaml)." % ", ".join(
                                "PyYAML (yaml)" if name == "yaml" else name for name in missing))
    from graders.platforms import upload
    with tempfile.TemporaryDirectory(prefix="nnkit-prairielearn-") as work:
        try:
            return prairielearn_results(upload.grade(os.path.join(root, "student"), work)[0])
        except upload.GradingFailed as error:
            return not_gradable(str(error))
        except Exception as error:  # e.g. no sandbox that can keep solutions/ from students
            return not_gradable("%s: %s" % (type(error).__name__, error))


def run(root):
    """Grades root/student into root/results/results.json (written atomically)."""
    results = grade(root)
    folder = os.path.join(root, "results")
    os.makedirs(folder, exist_ok=True)
    temporary = os.path.join(folder, ".results.json.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(results, indent=2) + "\n")
    os.replace(temporary, os.path.join(folder, "results.json"))
    print(results["message"])
    return 0 if results["gradable"] else 3
