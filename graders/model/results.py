"""The results of a grading run as data: one `CaseResult` per case, one `SubmissionResults`
per submission, serialised once (`to_json`, results.json) and read back once (`from_json`).

results.json is Gradescope's format: per test its fields and `extra_data` = {"module", "case",
"kind"} and, where there are, "diagnosis", "requirement", "root" and "curve". Everything else
(the gradebook, the pages, each platform's format) reads these objects, never the display name.
Standard library only: the Classroom reporter runs on the CI runner's bare Python.
"""

from dataclasses import dataclass, field

VISIBILITY = {False: "visible", True: "after_published"}  # hidden -> Gradescope's visibility
PASSED, FAILED = "passed", "failed"
UNMET, CONTEXT = "unmet", "context"  # how a failed generality case names its requirement
NOTES = ("diagnosis", "requirement", "root", "curve")  # extra_data beyond module, case, kind


@dataclass
class CaseResult:
    """What one case of one submission came to."""
    module: str
    case: str  # the case's id in spec/<module>.yaml
    kind: str  # public, new-numbers or generality (graders/model/spec.py)
    name: str  # for people: 'module: case-id (function)'
    score: float
    max_score: float
    status: str  # PASSED or FAILED
    output: str  # the message, as the student reads it where the case is visible
    visibility: str  # "visible" or "after_published"
    diagnosis: str = None  # a code of graders/grading/diagnose.py
    requirement: str = None  # UNMET or CONTEXT, for a failed generality case
    root: list = None  # the wrong helpers it was credited around ('module.helper')
    curve: dict = None  # what the grader recorded for report.html
    requires: str = ""  # the requirement it checks (spec), for a generality case; not written

    @property
    def id(self):
        """'module::case', as the graders' test ids."""
        return "%s::%s" % (self.module, self.case)

    @property
    def passed(self):
        return self.status == PASSED

    @property
    def visible(self):
        """Whether the student sees this case's output at once (public cases)."""
        return self.visibility == VISIBILITY[False]

    @property
    def unmet(self):
        """Whether the evidence showed a generality case's requirement unmet."""
        return self.requirement != CONTEXT

    def to_json(self):
        extra = {"module": self.module, "case": self.case, "kind": self.kind}
        extra.update((key, getattr(self, key)) for key in NOTES if getattr(self, key))
        return {"name": self.name, "score": self.score, "max_score": self.max_score,
                "status": self.status, "output": self.output, "visibility": self.visibility,
                "extra_data": extra}

    @classmethod
    def from_json(cls, test, requires=""):
        extra = test["extra_data"]
        return cls(extra["module"], extra["case"], extra["kind"], test["name"], test["score"],
                   test["max_score"], test["status"], test["output"], test["visibility"],
                   *(extra.get(key) for key in NOTES), requires=requires)


@dataclass
class SubmissionResults:
    """A submission's results: its cases and what the run says beside them. `error` is set,
    and nothing else, when the grading run could not finish."""
    tests: list = field(default_factory=list)  # [CaseResult], in spec order
    output: str = None  # the protections sentence
    kit_errors: list = field(default_factory=list)  # the cases the kit itself failed on
    problems: dict = field(default_factory=dict)  # {module: [timeouts, crashes, ...]}
    protections: list = field(default_factory=list)
    missing: dict = None  # {module: why it could not be used}, where an upload was graded
    error: str = None

    @classmethod
    def failed(cls, reason):
        return cls(error=reason)

    @property
    def score(self):
        return sum(test.score for test in self.tests)

    def to_json(self):
        if self.error is not None:
            return {"score": 0.0, "tests": [], "error": self.error}
        extra = {"kit_errors": self.kit_errors, "problems": self.problems,
                 "protections": self.protections}
        if self.missing is not None:
            extra["missing"] = self.missing
        return {"score": self.score, "tests": [test.to_json() for test in self.tests],
                "output": self.output, "visibility": "visible", "extra_data": extra}

    @classmethod
    def from_json(cls, data, cases=None):
        """From a results.json's dict; `cases` ({case id: spec Case}) fills in `requires`."""
        cases = cases or {}
        tests = [CaseResult.from_json(test, getattr(cases.get(case_id(test)), "requires", ""))
                 for test in data.get("tests", [])]
        extra = data.get("extra_data", {})
        return cls(tests, data.get("output"), extra.get("kit_errors", []),
                   extra.get("problems", {}), extra.get("protections", []),
                   extra.get("missing"), data.get("error"))

    def case_ids(self, status=None):
        """The ids of the cases, or of those with `status` (PASSED, FAILED)."""
        return {test.id for test in self.tests if status in (None, test.status)}

    def by_module(self, modules=None):
        """{module: [its CaseResults]}, for `modules` (every one here if None), in order."""
        grouped = {module: [] for module in modules or []}
        for test in self.tests:
            if modules is None or test.module in grouped:
                grouped.setdefault(test.module, []).append(test)
        return grouped

    def points(self, modules=None):
        """({module: points earned}, {module: points possible})."""
        grouped = self.by_module(modules)
        return ({m: float(sum(t.score for t in tests)) for m, tests in grouped.items()},
                {m: float(sum(t.max_score for t in tests)) for m, tests in grouped.items()})

    def graded_cases(self):
        """{case id: (kind, max_score)}: what a grading run graded, to compare runs."""
        return {test.id: (test.kind, test.max_score) for test in self.tests}

    def visible(self):
        """These results with only the cases students see at once."""
        return SubmissionResults([t for t in self.tests if t.visible], self.output,
                                 self.kit_errors, self.problems, self.protections,
                                 self.missing, self.error)


# -- the same, on a results.json's dict (the kit's own tests read results this way) ---------

def module_of(test):
    return test["extra_data"]["module"]


def case_id(test):
    """'module::case' of a test of a results.json."""
    return "%s::%s" % (test["extra_data"]["module"], test["extra_data"]["case"])


def case_ids(results, status=None):
    return SubmissionResults.from_json(results).case_ids(status)


def by_module(results, modules=None):
    """{module: [its tests, as dicts]}."""
    grouped = {module: [] for module in modules or []}
    for test in results.get("tests", []):
        if modules is None or module_of(test) in grouped:
            grouped.setdefault(module_of(test), []).append(test)
    return grouped


def points(results, modules=None):
    return SubmissionResults.from_json(results).points(modules)
