"""The scoreboard: points per case from the spec, a table at the end, and results.json.

A pytest plugin object (registered by graders/conftest.py). A case scores its points when its
test passes and 0 otherwise; the table sums them per tutorial. With --results-json, the same
results are written in Gradescope's results.json format, atomically: a CaseResult per case
and the run's SubmissionResults (graders/model/results.py), serialised once.

A failure of the grader itself (anything but a failed check, raised before student code
answered in that case) is a kit error: the student sees that the kit failed, not a traceback,
and the run ends with exit status 3. An error raised after student code answered is that
case's failure, with a message naming the call: the checks could not read its value.
"""

import os

import pytest

from graders.grading import curves
from graders.grading import ignored
from graders.grading import run
from graders.model import spec
from graders.model.assignment import Assignment
from graders.model.i18n import _
from graders.model.results import (CONTEXT, FAILED, PASSED, UNMET, VISIBILITY, CaseResult,
                                   SubmissionResults)
from graders.outputs import inert
from graders.outputs.files import json_text, write_atomically
from graders.outputs.sentences import explain, requirement, root_causes

PRINTED_LIMIT = 2000  # characters of a student's own printed output shown with a failure
KIT_ERROR = "kit error"


class Scoreboard:
    def __init__(self, config, specs, protections):
        self.config = config
        self.specs = specs
        self.places = {case.name: number for number, case in enumerate(
            case for loaded in specs.values() for case in loaded.cases)}
        self.protections = protections
        self.cases = {}  # nodeid -> Case
        self.results = {}  # nodeid -> (passed, message)
        self.notes = {}  # nodeid -> {"diagnosis": code, "root": [helpers]}, where there are
        self.kit_errors = []  # nodeids
        self.not_run = []  # case names that should have run and did not
        self.recall_lines = []  # what recording a rebuild from memory says (graders/recall/rebuild.py)
        self.at_once = None  # where --at-once forks children to grade: parallel.AtOnce
        self.final = None  # this run's SubmissionResults, once the session has finished

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        for item in items:
            case = run.case_of(item)
            if case is not None:
                self.cases[item.nodeid] = case

    def pytest_runtest_setup(self, item):
        student = run.student_of(self.config)
        if student is not None:
            student.printed = []  # what this case's calls print (graders/sandbox/submission.py)
            student.calls = []  # and what they were
            student.answers = []  # and what they returned

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        case = self.cases.get(item.nodeid)
        if case is None or not report.failed:
            return
        unreadable = call.excinfo is not None and not isinstance(call.excinfo.value,
                                                                 pytest.fail.Exception)
        calls = getattr(run.student_of(self.config), "calls", [])
        if unreadable and not calls:
            self.kit_errors.append(item.nodeid)
            entry = call.excinfo.traceback[-1]
            report.longrepr = (
                _("%s: the grader itself failed on this case, so it says nothing about your "
                  "code; tell your instructor. (%s: %s, at %s:%d)") % (
                    KIT_ERROR, call.excinfo.typename, call.excinfo.value,
                    os.path.basename(str(entry.path)), entry.lineno + 1))
            return
        diagnosis = getattr(call.excinfo.value, "diagnosis", None) if call.excinfo else None
        failure = _unreadable(call, calls) if unreadable else report.longreprtext.strip()
        unmet = bool(call.excinfo and getattr(call.excinfo.value, "unmet", True))
        if not diagnosis and not unreadable and case.hidden:  # the graders' rules found none
            found = self.ignored_argument(case)
            if found:
                diagnosis, unmet = found.code, True
                failure += "\n" + _("Diagnosis: %s") % found.sentence
        if diagnosis:
            report.user_properties.append(("diagnosis", diagnosis))
        lead, context = [], []  # a requirement leads where shown unmet, else follows
        if case.requires:
            report.user_properties.append(("requirement", UNMET if unmet else CONTEXT))
            (lead if unmet else context).append(requirement(case.requires, unmet))
        printed = "".join(map(str, getattr(run.student_of(self.config),
                                           "printed", [])))
        if printed.strip():
            if len(printed) > PRINTED_LIMIT:
                printed = printed[:PRINTED_LIMIT] + _("\n... (%d more characters)") % (
                    len(printed) - PRINTED_LIMIT)
            context.append(_("Your code printed during this case:\n") + printed.rstrip())
        # inert: what student code printed or raised reaches the terminal as text, with no
        # escape sequence the terminal would obey (results.json and feedback.md take it so)
        report.longrepr = inert.printable("\n".join(lead + [failure] + context + [
            _("Tutorial step to re-read: %s") % case.source]))

    def ignored_argument(self, case):
        """argument-ignored for a failed hidden case (graders/grading/ignored.py), or None.
        Only hidden cases: they run where solutions/ is, and they are the ones that give
        every argument another value than its default."""
        answers = getattr(run.student_of(self.config), "answers", [])
        try:
            return ignored.ignored_argument(case, answers, run.reference_of(self.config)) \
                if answers else None
        except Exception:  # noqa: BLE001  a diagnosis is extra: the failure stands without it
            return None

    def pytest_runtest_logreport(self, report):
        if report.nodeid not in self.cases:
            return
        if report.when == "call" or report.failed:
            earlier = self.results.get(report.nodeid, (True, ""))
            passed = earlier[0] and report.passed
            self.results[report.nodeid] = (passed, "" if passed else report.longreprtext)
            self.notes.setdefault(report.nodeid, {}).update(report.user_properties)

    # -- totals ---------------------------------------------------------------------------

    def case_results(self):
        """A CaseResult for every case that ran, in spec order. A training run that several
        cases check keeps its curve with the first of them."""
        order = {id(c): i for spec in self.specs.values() for i, c in enumerate(spec.cases)}
        ran = sorted((nodeid for nodeid in self.cases if nodeid in self.results),
                     key=lambda nodeid: (self.cases[nodeid].module,
                                         order.get(id(self.cases[nodeid]), 0)))
        found, seen = [], []
        for nodeid in ran:
            case, (passed, message) = self.cases[nodeid], self.results[nodeid]
            notes, curve = self.notes.get(nodeid, {}), self.curve(nodeid)
            shown = curve if curve and (case.module, curve) not in seen else None
            seen.append((case.module, curve))
            found.append(CaseResult(
                case.module, case.id, case.kind, test_name(case),
                case.points if passed else 0.0, case.points, PASSED if passed else FAILED,
                (case.description + (" " + explain(notes.get("diagnosis"), notes.get("root"))
                                     if notes else "")) if passed else message,
                VISIBILITY[case.hidden], notes.get("diagnosis"), notes.get("requirement"),
                notes.get("root"), shown, case.requires))
        return found

    def curve(self, nodeid):
        """The training curve a public case recorded, or None."""
        return self.config.stash[curves.RECORDER].values(nodeid) or None

    def totals(self, tests):
        """{module: (earned, possible, passed count, count)} over the CaseResults `tests`."""
        table = {}
        for test in tests:
            earned, possible, ok, count = table.get(test.module, (0.0, 0.0, 0, 0))
            table[test.module] = (earned + test.score, possible + test.max_score,
                                  ok + test.passed, count + 1)
        return table

    def pytest_terminal_summary(self, terminalreporter):
        tests = self.final.tests if self.final is not None else self.case_results()
        table = self.totals(tests)
        if not table:
            return
        write = terminalreporter.write_line
        terminalreporter.section(_("score"))
        wide = max([10] + [len(module) for module in table])  # the longest tutorial's name
        write("%-*s %8s %8s %8s" % (wide, _("tutorial"), _("points"), _("of"), _("checks")))
        for module, (earned, possible, ok, count) in sorted(table.items()):
            write("%-*s %8g %8g %5d/%d" % (wide, module, earned, possible, ok, count))
        earned, possible, ok, count = (sum(column) for column in zip(*table.values()))
        write("%-*s %8g %8g %5d/%d  (%.1f%%)" % (wide, _("total"), earned, possible, ok, count,
                                                  100.0 * earned / possible if possible else 0))
        if self.kit_errors:
            write(_("KIT ERROR in %d case(s): the grader failed, not the code graded: %s")
                  % (len(self.kit_errors), ", ".join(self.kit_errors)), red=True)
        if self.not_run:
            write(_("%d case(s) of the specs did not run: %s")
                  % (len(self.not_run), ", ".join(self.not_run)), red=True)
        found = {}
        for test in tests:
            if test.diagnosis:
                write("%s: %s" % (test.id, explain(test.diagnosis, test.root)))
            for helper in test.root or []:
                found.setdefault(helper, []).append(test.id)
        for line in root_causes(found):
            write(line)
        kinds = [test.kind for test in tests]
        hidden = len(kinds) - kinds.count(spec.PUBLIC)
        if hidden:
            write(_("%d of %d checks passed; %d of the checks are hidden cases: %d run the "
                    "tutorial's own procedure on new numbers, %d check generality (other "
                    "shapes, sizes or seeds the contract allows).") % (
                      ok, count, hidden, kinds.count(spec.NEW_NUMBERS),
                      kinds.count(spec.GENERALITY)))
        else:
            write(_("%d of %d public checks passed. Hidden checks (random inputs) run when "
                    "your instructor grades.") % (ok, count))
        for line in self.recall_lines:  # last: a rebuild that is due is the final line
            write(line)

    def submission_results(self):
        """This run's SubmissionResults: what results.json and report.html say."""
        student = run.student_of(self.config)
        return SubmissionResults(
            self.case_results(),
            _("Protections active while grading: %s.") % "; ".join(self.protections),
            sorted((self.cases[nodeid].name for nodeid in self.kit_errors),
                   key=self.place_of),  # in spec order, and the problems by tutorial, so
            dict(sorted(getattr(student, "problems", {}).items())),  # --at-once the same
            self.protections)

    def place_of(self, name):
        """A case name's place in the specs, for an order that no schedule changes."""
        return self.places.get(name, len(self.places))

    def pytest_sessionfinish(self, session):
        if self.at_once is not None and self.at_once.forked:
            results = self.at_once.merged(self.specs, self.place_of)
            self.kit_errors = list(results.kit_errors)  # case names, lost children's included
            self.at_once.sort_failures(self.config)
        else:
            results = self.submission_results()
        self.final = results
        if self.config.getoption("every_case"):
            ran = results.case_ids()
            self.not_run = [name for name in Assignment.of(self.specs).expected(
                self.config.getoption("hidden")) if name not in ran]
            if self.not_run:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.kit_errors:
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        self.record_rebuild(results)
        path = self.config.getoption("results_json")
        if path:
            write_atomically(path, json_text(results.to_json()))
        path = self.config.getoption("report")
        if path:
            # matplotlib and jinja2 only when a report is asked for
            from graders.outputs import pages, reference_curves
            if pages.missing():
                print("\n" + pages.missing())
            else:
                write_atomically(path, pages.report_html(
                    os.path.basename(run.of(self.config).impl), results,
                    reference_curves.reference_results(), self.rebuilds()))
                print("\n" + _("Wrote %s") % os.path.abspath(path))

    def record_rebuild(self, results):
        """A check of the student's own exercises/ records an attempt of each rebuild from
        memory under way, and ends with a line when one is due (graders/recall/rebuild.py)."""
        if self.config.getoption("impl") != "exercises":
            return
        from graders.recall import rebuild as recall
        try:
            self.recall_lines = recall.after_check(recall.outcome_of(
                results.tests, self.specs, set(results.kit_errors)))
        except recall.Refused as error:
            self.recall_lines = [str(error)]
        due = recall.due_line()
        if due:
            self.recall_lines.append(due)

    def rebuilds(self):
        """The history of rebuilds from memory for report.html, where a check of exercises/
        has one; else None."""
        if self.config.getoption("impl") != "exercises":
            return None
        from graders.recall import history as recall_history
        try:
            return recall_history.summary(recall_history.read_text(spec.KIT))
        except recall_history.HistoryError as error:
            return {"rebuilds": [], "problems": [str(error)]}


def _unreadable(call, calls):
    """The failure of a case whose checks raised an error after student code answered: the
    value it returned or printed (10**400, an empty array where numbers were due, an odd
    object) is what the checks could not read, so it costs this case and no other."""
    return _("The checks could not read what %s returned or printed (%s: %s), so this case "
             "fails.") % (calls[-1], call.excinfo.typename, str(call.excinfo.value)[:300])


def test_name(case):
    """The name of a case's test in results.json: 'module: case-id (function)'."""
    return "%s: %s (%s)" % (case.module, case.id, case.function)
