"""Grading the tutorials at once: each grader file in a pytest-xdist worker of its own.

`nox -s check` runs `pytest graders -n N --dist loadfile`: each xdist worker grades its tutorials
as a whole run would (its own sandboxed worker, root-cause reruns, curves) and hands its results
to the controller when it ends (xdist's `workeroutput`). The controller merges them in spec
order, so the score table, results.json, report.html and the record of a rebuild from memory
are those of one serial run; the failures are listed in the order the cases were collected.
Without `-n` nothing here is used.
"""

import pytest

from graders.model.results import SubmissionResults

KEY = "nnkit-results"


def is_worker(config):
    """True in an xdist worker process."""
    return hasattr(config, "workerinput")


def is_controller(config):
    """True in the process that hands the tests out to xdist workers and runs none itself."""
    return not is_worker(config) and config.pluginmanager.get_plugin("dsession") is not None


def hand_over(config, results, kit_error_ids):
    """In a worker: what the controller merges (plain JSON data, as xdist sends it)."""
    config.workeroutput[KEY] = {"results": results.to_json(), "kit_errors": kit_error_ids}


class Parts:
    """In the controller: the workers' results as they end, and the collection order."""

    def __init__(self):
        self.parts, self.order = [], {}

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        part = getattr(node, "workeroutput", {}).get(KEY)
        if part is not None:
            self.parts.append(part)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):
        if not self.order:
            self.order = {nodeid: number for number, nodeid in enumerate(ids)}

    def kit_error_ids(self):
        return sorted({nodeid for part in self.parts for nodeid in part["kit_errors"]},
                      key=lambda nodeid: self.order.get(nodeid, len(self.order)))

    def merged(self, specs):
        """One SubmissionResults of every worker's, its cases in spec order."""
        cases = {"%s::%s" % (module, case.id): case
                 for module, loaded in specs.items() for case in loaded.cases}
        place = {name: number for number, name in enumerate(cases)}
        parts = [SubmissionResults.from_json(part["results"], cases) for part in self.parts]
        if not parts:
            return SubmissionResults()
        tests = sorted((test for part in parts for test in part.tests),
                       key=lambda test: place.get(test.id, len(place)))
        problems = {}
        for part in parts:
            for module, found in part.problems.items():
                problems[module] = problems.get(module, []) + [
                    entry for entry in found if entry not in problems.get(module, [])]
        kit_errors = [name for part in parts for name in part.kit_errors]
        return SubmissionResults(tests, parts[0].output, kit_errors, problems,
                                 parts[0].protections)

    def sort_failures(self, config):
        """The failures' sections in collection order, as a serial run prints them."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        for key in ("failed", "error"):
            if reporter is not None and key in reporter.stats:
                reporter.stats[key].sort(key=lambda report: self.order.get(
                    getattr(report, "nodeid", ""), len(self.order)))
