"""The scoreboard: points per case from the spec, a table at the end, and results.json.

A pytest plugin object (registered by graders/conftest.py). A case scores its points when its
test passes and 0 otherwise; the table sums them per tutorial. With --results-json, the same
results are written in Gradescope's results.json format, atomically, each test carrying its
module, case id and kind as `extra_data` (graders/model/results.py reads them).

A failure of the grader itself (anything but a failed check, raised before student code
answered in that case) is a kit error: the student sees that the kit failed, not a traceback,
and the run ends with exit status 3. An error raised after student code answered is that
case's failure, with a message naming the call: the checks could not read its value.
"""

import errno
import json
import os
import tempfile

import pytest

from graders.grading import curves
from graders.model import results as results_data
from graders.model import spec
from graders.model.i18n import _

VISIBILITY = {False: "visible", True: "after_published"}
PRINTED_LIMIT = 2000  # characters of a student's own printed output shown with a failure
KIT_ERROR = "kit error"


class Scoreboard:
    def __init__(self, config, specs, protections):
        self.config = config
        self.specs = specs
        self.protections = protections
        self.cases = {}  # nodeid -> Case
        self.results = {}  # nodeid -> (passed, message)
        self.notes = {}  # nodeid -> {"diagnosis": code, "root": [helpers]}, where there are
        self.kit_errors = []  # nodeids
        self.not_run = []  # case names that should have run and did not
        self.recall_lines = []  # what recording a rebuild from memory says (graders/recall/rebuild.py)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        for item in items:
            case = getattr(item, "callspec", None) and item.callspec.params.get("case")
            if case is not None:
                self.cases[item.nodeid] = case

    def pytest_runtest_setup(self, item):
        student = getattr(self.config, "nnkit_student", None)
        if student is not None:
            student.printed = []  # what this case's calls print (graders/sandbox/submission.py)
            student.calls = []  # and what they were

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        case = self.cases.get(item.nodeid)
        if case is None or not report.failed:
            return
        unreadable = call.excinfo is not None and not isinstance(call.excinfo.value,
                                                                 pytest.fail.Exception)
        calls = getattr(getattr(self.config, "nnkit_student", None), "calls", [])
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
        if diagnosis:
            report.user_properties.append(("diagnosis", diagnosis))
        parts = [_unreadable(call, calls) if unreadable else report.longreprtext.strip()]
        if case.requires:
            unmet = bool(call.excinfo and getattr(call.excinfo.value, "unmet", True))
            report.user_properties.append(("requirement", "unmet" if unmet else "context"))
            if unmet:
                parts.insert(0, requirement(case.requires, unmet))
            else:
                parts.append(requirement(case.requires, unmet))
        printed = "".join(map(str, getattr(getattr(self.config, "nnkit_student", None),
                                           "printed", [])))
        if printed.strip():
            if len(printed) > PRINTED_LIMIT:
                printed = printed[:PRINTED_LIMIT] + _("\n... (%d more characters)") % (
                    len(printed) - PRINTED_LIMIT)
            parts.append(_("Your code printed during this case:\n") + printed.rstrip())
        parts.append(_("Tutorial step to re-read: %s") % case.source)
        report.longrepr = "\n".join(parts)

    def pytest_runtest_logreport(self, report):
        if report.nodeid not in self.cases:
            return
        if report.when == "call" or report.failed:
            earlier = self.results.get(report.nodeid, (True, ""))
            passed = earlier[0] and report.passed
            self.results[report.nodeid] = (passed, "" if passed else report.longreprtext)
            self.notes.setdefault(report.nodeid, {}).update(report.user_properties)

    # -- totals ---------------------------------------------------------------------------

    def rows(self):
        """(case, passed, message, notes) for every case that ran, in spec order."""
        done = [(case, *self.results[nodeid], self.notes.get(nodeid, {}),
                 self.config.stash[curves.RECORDER].values(nodeid))
                for nodeid, case in self.cases.items() if nodeid in self.results]
        order = {id(c): i for spec in self.specs.values() for i, c in enumerate(spec.cases)}
        return sorted(done, key=lambda row: (row[0].module, order.get(id(row[0]), 0)))

    def totals(self):
        """{module: (earned, possible, passed count, count)} over the cases that ran."""
        table = {}
        for case, passed, _message, _notes, _curve in self.rows():
            earned, possible, ok, count = table.get(case.module, (0.0, 0.0, 0, 0))
            table[case.module] = (earned + (case.points if passed else 0.0),
                                  possible + case.points, ok + passed, count + 1)
        return table

    def pytest_terminal_summary(self, terminalreporter):
        table = self.totals()
        if not table:
            return
        write = terminalreporter.write_line
        terminalreporter.section(_("score"))
        wide = max([10] + [len(module) for module in table])  # the longest tutorial's name
        write("%-*s %8s %8s %8s" % (wide, _("tutorial"), _("points"), _("of"), _("checks")))
        for module, (earned, possible, ok, count) in sorted(table.items()):
            write("%-*s %8g %8g %5d/%d" % (wide, module, earned, possible, ok, count))
        earned = sum(row[0] for row in table.values())
        possible = sum(row[1] for row in table.values())
        ok = sum(row[2] for row in table.values())
        count = sum(row[3] for row in table.values())
        write("%-*s %8g %8g %5d/%d  (%.1f%%)" % (wide, _("total"), earned, possible, ok, count,
                                                  100.0 * earned / possible if possible else 0))
        if self.kit_errors:
            write(_("KIT ERROR in %d case(s): the grader failed, not the code graded: %s")
                  % (len(self.kit_errors), ", ".join(self.kit_errors)), red=True)
        if self.not_run:
            write(_("%d case(s) of the specs did not run: %s")
                  % (len(self.not_run), ", ".join(self.not_run)), red=True)
        found = {}
        for case, passed, message, notes, _curve in self.rows():
            if notes.get("diagnosis"):
                write("%s: %s" % (case.name, explain(notes)))
            for helper in notes.get("root", []):
                found.setdefault(helper, []).append(case.name)
        for line in root_causes(found):
            write(line)
        kinds = [row[0].kind for row in self.rows()]
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

    def results_json(self):
        rows, seen = [], []  # a training run that several cases check: kept with the first
        for row in self.rows():
            curve = row[4] if row[4] and (row[0].module, row[4]) not in seen else None
            seen.append((row[0].module, row[4]))
            rows.append(row[:4] + (curve,))
        tests = [{"name": test_name(case),
                  "score": case.points if passed else 0.0, "max_score": case.points,
                  "status": "passed" if passed else "failed",
                  "output": (case.description + (" " + explain(notes) if notes else "")
                             if passed else message),
                  "visibility": VISIBILITY[case.hidden],
                  "extra_data": dict(results_data.extra_data(case.module, case.id, case.kind),
                                     **notes, **({"curve": curve} if curve else {}))}
                 for case, passed, message, notes, curve in rows]
        kit_errors = [self.cases[nodeid].name for nodeid in self.kit_errors]
        student = getattr(self.config, "nnkit_student", None)
        return {"score": sum(test["score"] for test in tests), "tests": tests,
                "output": _("Protections active while grading: %s.") % "; ".join(
                    self.protections),
                "visibility": "visible",
                "extra_data": {"kit_errors": kit_errors,
                               "problems": getattr(student, "problems", {}),
                               "protections": self.protections}}

    def pytest_sessionfinish(self, session):
        if self.config.getoption("every_case"):
            hidden = self.config.getoption("hidden")
            ran = {row[0].name for row in self.rows()}
            self.not_run = [case.name for spec in self.specs.values() for case in spec.cases
                            if (hidden or not case.hidden) and case.name not in ran]
            if self.not_run:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.kit_errors:
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        self.record_rebuild()
        path = self.config.getoption("results_json")
        if path:
            write_atomically(path, json.dumps(self.results_json(), indent=2) + "\n")
        path = self.config.getoption("report")
        if path:
            from graders.outputs import pages  # matplotlib and jinja2 only when a report is asked for
            if pages.missing():
                print("\n" + pages.missing())
            else:
                write_atomically(path, pages.report_html(
                    os.path.basename(self.config.nnkit_impl), self.results_json(),
                    pages.reference_results(), self.rebuilds()))
                print("\n" + _("Wrote %s") % os.path.abspath(path))

    def record_rebuild(self):
        """A check of the student's own exercises/ records an attempt of each rebuild from
        memory under way, and ends with a line when one is due (graders/recall/rebuild.py)."""
        if self.config.getoption("impl") != "exercises":
            return
        from graders.recall import rebuild as recall
        kit_errors = {self.cases[nodeid].name for nodeid in self.kit_errors}
        try:
            self.recall_lines = recall.after_check(
                recall.outcome_of(self.rows(), self.specs, kit_errors))
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


def root_causes(found):
    """A sentence per wrong helper {helper: [ids of the cases credited around it]}."""
    return [_("Root cause: %s is wrong. These cases failed only because of it and earn their "
              "points, since they passed with the contract's %s standing in: %s.") % (
        helper, helper, ", ".join(cases)) for helper, cases in sorted(found.items())]


def requirement(requires, unmet):
    """The sentence naming a generality case's requirement: leading the message where the
    evidence shows it unmet, after it, as context, where the failure is in the numbers."""
    if unmet:
        return _("This case checks a requirement of the contract beyond the tutorial's own "
                 "numbers: %s") % requires
    return _("This case also checks a requirement of the contract, which your code meets as "
             "far as the checks can tell; the failure is in the numbers: %s") % requires


def explain(notes):
    """One line on a case's diagnosis code, or on the helper it was credited around."""
    if notes.get("root"):
        return _("Credited: it failed only because of %s, which is wrong (see its own case); "
                 "it passed with the contract's %s standing in.") % (
            ", ".join(notes["root"]), ", ".join(notes["root"]))
    return _("diagnosis %s") % notes["diagnosis"]


def test_name(case):
    """The name of a case's test in results.json: 'module: case-id (function)'."""
    return "%s: %s (%s)" % (case.module, case.id, case.function)


# Write errors that stop a batch: nothing more can be recorded until space is freed.
WRITE_ERRORS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EIO)


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


def _unreadable(call, calls):
    """The failure of a case whose checks raised an error after student code answered: the
    value it returned or printed (10**400, an empty array where numbers were due, an odd
    object) is what the checks could not read, so it costs this case and no other."""
    return _("The checks could not read what %s returned or printed (%s: %s), so this case "
             "fails.") % (calls[-1], call.excinfo.typename, str(call.excinfo.value)[:300])
