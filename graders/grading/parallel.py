"""Grading the tutorials at once: each grader file in a pytest-xdist worker of its own.

`nox -s check` runs `pytest graders -n N --dist loadfile --max-worker-restart 0`: each xdist
worker grades its tutorials as a whole run would (its own sandboxed worker, root-cause reruns,
curves) and hands its results to the controller when it ends (xdist's `workeroutput`). The controller merges them in spec
order, so the score table, results.json, report.html and the record of a rebuild from memory
are those of one serial run; the failures are listed in the order the cases were collected.
A worker that dies is not replaced: the cases it had graded never reach the controller, so
they are reported as the kit's failures (exit status 3), never left out of the score. Without
`-n` nothing here is used.
"""

import re

import pytest

from graders.model.results import SubmissionResults

KEY = "nnkit-results"
CASE_ID = re.compile(r"\[([^\[\]]+::[^\[\]]+)\]$")  # a case's test id: test_x[module::case]


def is_worker(config):
    """True in an xdist worker process."""
    return hasattr(config, "workerinput")


def is_controller(config):
    """True in the process that hands the tests out to xdist workers and runs none itself."""
    return not is_worker(config) and config.pluginmanager.get_plugin("dsession") is not None


def hand_over(config, results):
    """In a worker: what the controller merges (plain JSON data, as xdist sends it)."""
    config.workeroutput[KEY] = {"results": results.to_json()}


class Parts:
    """In the controller: the workers' results as they end, and the collection order."""

    def __init__(self):
        self.parts, self.order, self.lost = [], {}, False

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        part = getattr(node, "workeroutput", {}).get(KEY)
        if part is not None:
            self.parts.append(part)
        else:
            self.lost = True

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):
        if not self.order:
            self.order = {nodeid: number for number, nodeid in enumerate(ids)}

    def merged(self, specs, place_of):
        """One SubmissionResults of every worker's, its cases and kit errors in spec order
        (`place_of`: a case name's place there, as the scoreboard gives it)."""
        cases = {case.name: case for loaded in specs.values() for case in loaded.cases}
        parts = [SubmissionResults.from_json(part["results"], cases) for part in self.parts]
        if not parts:
            return SubmissionResults(kit_errors=sorted(self.lost_cases(set()), key=place_of))
        tests = sorted((test for part in parts for test in part.tests),
                       key=lambda test: place_of(test.id))
        problems = {}
        for part in parts:
            for module, found in part.problems.items():
                problems[module] = problems.get(module, []) + [
                    entry for entry in found if entry not in problems.get(module, [])]
        kit_errors = sorted({name for part in parts for name in part.kit_errors} |
                            self.lost_cases({test.id for test in tests}), key=place_of)
        return SubmissionResults(tests, parts[0].output, kit_errors,
                                 dict(sorted(problems.items())), parts[0].protections)

    def lost_cases(self, reported):
        """The cases of a worker that stopped before it reported (killed, out of memory):
        every collected case that no worker reported is the kit's failure, not a pass."""
        if not self.lost:
            return set()
        return {found.group(1) for found in map(CASE_ID.search, self.order) if found} - reported

    def sort_failures(self, config):
        """The failures' sections in collection order, as a serial run prints them."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        for key in ("failed", "error"):
            if reporter is not None and key in reporter.stats:
                reporter.stats[key].sort(key=lambda report: self.order.get(
                    getattr(report, "nodeid", ""), len(self.order)))
