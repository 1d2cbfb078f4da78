"""The scoreboard: points per case from the spec, a table at the end, and results.json.

A pytest plugin object (registered by graders/conftest.py). A case scores its points when its
test passes and 0 otherwise; the table sums them per tutorial. With --results-json, the same
results are written in Gradescope's results.json format, atomically.
"""

import json
import os
import tempfile

import pytest

VISIBILITY = {False: "visible", True: "after_published"}


class Scoreboard:
    def __init__(self, config, specs, protections):
        self.config = config
        self.specs = specs
        self.protections = protections
        self.cases = {}  # nodeid -> Case
        self.results = {}  # nodeid -> (passed, message)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        for item in items:
            case = getattr(item, "callspec", None) and item.callspec.params.get("case")
            if case is not None:
                self.cases[item.nodeid] = case

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        case = self.cases.get(item.nodeid)
        if case is not None and report.failed:
            report.longrepr = "%s\nTutorial step to re-read: %s" % (
                report.longreprtext.strip(), case.source)

    def pytest_runtest_logreport(self, report):
        if report.nodeid not in self.cases:
            return
        if report.when == "call" or report.failed:
            earlier = self.results.get(report.nodeid, (True, ""))
            passed = earlier[0] and report.passed
            self.results[report.nodeid] = (passed, "" if passed else report.longreprtext)

    # -- totals ---------------------------------------------------------------------------

    def rows(self):
        """(case, passed, message) for every case that ran, in spec order."""
        done = [(case, *self.results[nodeid]) for nodeid, case in self.cases.items()
                if nodeid in self.results]
        order = {id(c): i for spec in self.specs.values() for i, c in enumerate(spec.cases)}
        return sorted(done, key=lambda row: (row[0].module, order.get(id(row[0]), 0)))

    def totals(self):
        """{module: (earned, possible, passed count, count)} over the cases that ran."""
        table = {}
        for case, passed, _ in self.rows():
            earned, possible, ok, count = table.get(case.module, (0.0, 0.0, 0, 0))
            table[case.module] = (earned + (case.points if passed else 0.0),
                                  possible + case.points, ok + passed, count + 1)
        return table

    def pytest_terminal_summary(self, terminalreporter):
        table = self.totals()
        if not table:
            return
        write = terminalreporter.write_line
        terminalreporter.section("score")
        write("%-10s %8s %8s %8s" % ("tutorial", "points", "of", "checks"))
        for module, (earned, possible, ok, count) in sorted(table.items()):
            write("%-10s %8g %8g %5d/%d" % (module, earned, possible, ok, count))
        earned = sum(row[0] for row in table.values())
        possible = sum(row[1] for row in table.values())
        ok = sum(row[2] for row in table.values())
        count = sum(row[3] for row in table.values())
        write("%-10s %8g %8g %5d/%d  (%.1f%%)" % ("total", earned, possible, ok, count,
                                                  100.0 * earned / possible if possible else 0))
        hidden = sum(case.hidden for case, _, _ in self.rows())
        if hidden:
            write("%d of %d checks passed; %d of the checks are hidden cases (random inputs, "
                  "compared with the reference solution)." % (ok, count, hidden))
        else:
            write("%d of %d public checks passed. Hidden checks (random inputs) run when your "
                  "instructor grades." % (ok, count))

    def results_json(self):
        tests = [{"name": test_name(case),
                  "score": case.points if passed else 0.0, "max_score": case.points,
                  "status": "passed" if passed else "failed",
                  "output": case.description if passed else message,
                  "visibility": VISIBILITY[case.hidden]}
                 for case, passed, message in self.rows()]
        student = getattr(self.config, "nnkit_student", None)
        return {"score": sum(test["score"] for test in tests), "tests": tests,
                "output": "Protections active while grading: %s." % "; ".join(self.protections),
                "visibility": "visible",
                "extra_data": {"problems": getattr(student, "problems", {}),
                               "protections": self.protections}}

    def pytest_sessionfinish(self):
        path = self.config.getoption("results_json")
        if path:
            write_atomically(path, json.dumps(self.results_json(), indent=2) + "\n")


def test_name(case):
    """The name of a case's test in results.json: 'module: case-id (function)'."""
    return "%s: %s (%s)" % (case.module, case.id, case.function)


def write_atomically(path, text):
    """Writes `text` to `path` through a temporary file and a rename: all or nothing."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    os.fchmod(handle, 0o644)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
