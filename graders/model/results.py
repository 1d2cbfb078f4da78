"""Reading a results.json: each test's module, case id and kind, from its `extra_data`, and
the cases the kit itself failed on, from the top-level `extra_data`.

The graders write, for every test, Gradescope's fields and `extra_data` = {"module", "case",
"kind"}; everything that reads results (the gradebook, the Classroom reporter, merge, the kit's
tests) reads them here, never from the display name. Standard library only: the Classroom
reporter runs on the CI runner's bare Python.
"""


def extra_data(module, case, kind):
    """What a test carries as data, besides its display name."""
    return {"module": module, "case": case, "kind": kind}


def module_of(test):
    return test["extra_data"]["module"]


def case_id(test):
    """'module::case', as the graders' test ids."""
    return "%s::%s" % (test["extra_data"]["module"], test["extra_data"]["case"])


def case_ids(results, status=None):
    """The ids of the tests in `results`, or of those with `status` ("passed", "failed")."""
    return {case_id(test) for test in results.get("tests", [])
            if status in (None, test["status"])}


def by_module(results, modules=None):
    """{module: [its tests]}, for `modules` (every one in `results` if None), in order."""
    grouped = {module: [] for module in modules or []}
    for test in results.get("tests", []):
        if modules is None or module_of(test) in grouped:
            grouped.setdefault(module_of(test), []).append(test)
    return grouped


def points(results, modules=None):
    """({module: points earned}, {module: points possible})."""
    grouped = by_module(results, modules)
    return ({m: float(sum(t["score"] for t in tests)) for m, tests in grouped.items()},
            {m: float(sum(t["max_score"] for t in tests)) for m, tests in grouped.items()})


def graded_cases(results):
    """{case id: (kind, max_score)}: what a grading run graded, to compare runs."""
    return {case_id(test): (test["extra_data"]["kind"], test["max_score"])
            for test in results.get("tests", [])}


def kit_errors(results):
    """The cases the grader itself failed on ('module::case'): they say nothing of the code."""
    return results.get("extra_data", {}).get("kit_errors", [])
