"""Reading and checking the specs: spec/<module>.yaml, one per tutorial.

A spec is data only: each case names the grader procedure that runs it (`check`, a test
function `test_<check>` in graders/test_<module>.py), the contract function it grades, its
inputs, its expected value, tolerance, points, kind and the tutorial section it comes from.
Each procedure declares, with `@spec.reads`, the input and expected keys it reads and their
kinds (graders/model/kinds.py). Grading loads a spec with those declarations, collected by
graders/grading/procedures.py and handed in (the model never imports the graders), so every
case is checked against its procedure: any malformed file fails with a SpecError naming the
file, the case and the key.
"""

import ast
import functools
import json
import os
import re
from dataclasses import dataclass, field, replace

import numpy as np
import yaml

from graders.model import draws
from graders.model import kinds

KIT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC_DIR = os.path.join(KIT, "spec")
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# What `expected` may say instead of a value: compare with solutions/ (hidden cases only),
# or with central differences of the kit's own loss.
FROM_SOLUTIONS, NUMERICAL_GRADIENT = "solutions", "numerical gradient"
# A case's kind: a public case cites the tutorial; a "new numbers" case runs the tutorial's own
# procedure, with its own shapes, sizes and seed, on new data or new starting weights; a
# "generality" case uses other shapes, sizes or seeds that the contract allows, and says in
# `requires` which requirement of the contract it checks.
PUBLIC, NEW_NUMBERS, GENERALITY = "public", "new-numbers", "generality"
KINDS = (PUBLIC, NEW_NUMBERS, GENERALITY)
GENERALITY_SHARE = 0.10  # at most this share of a module's points
CASE_KEYS = {"id", "check", "function", "description", "source", "points", "tolerance",
             "input", "expected", "kind", "requires"}
REQUIRED_CASE_KEYS = CASE_KEYS - {"kind", "requires"}


class SpecError(Exception):
    """A spec file that is not well formed; the message names the file, case and key."""


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float

    def __str__(self):
        return "rtol=%g, atol=%g" % (self.rtol, self.atol)


@dataclass
class Case:
    """One graded case. `key` identifies its inputs, so cases with equal inputs share work."""
    module: str
    id: str
    check: str
    function: str
    description: str
    source: str
    points: float
    tolerance: Tolerance
    input: dict
    expected: object
    kind: str = PUBLIC
    requires: str = ""
    name: str = field(init=False)

    def __post_init__(self):
        self.name = "%s::%s" % (self.module, self.id)

    @property
    def hidden(self):
        """Hidden cases run only when an instructor grades (--hidden)."""
        return self.kind != PUBLIC

    @property
    def key(self):
        """Identifies the call this case makes, so cases with equal inputs share its result."""
        return self.shared_key(self.function, sorted(self.input))

    def shared_key(self, label, names):
        """Identifies work done with the inputs `names` only (a training run several cases use),
        within this case's module: two tutorials never share a run."""
        return self.module, label + json.dumps({name: self.input[name] for name in names},
                                               sort_keys=True)

    @property
    def from_solutions(self):
        return self.expected == FROM_SOLUTIONS

    def array(self, key):
        """The input `key` as a float64 array."""
        return np.array(self.input[key], dtype=float)

    def expected_array(self, key=None):
        return np.array(self.expected if key is None else self.expected[key], dtype=float)

    @property
    def draws(self):
        """Whether the kit draws some of this case's inputs at grading time (graders/model/draws.py)."""
        return draws.has_draw(self.input)

    def drawn(self, salt):
        """This case with its draws made for a module whose file hashes to `salt`."""
        if not self.draws:
            return self
        return replace(self, input=draws.resolve(self.input, draws.rng(salt, self.name)))


@dataclass
class Spec:
    module: str
    path: str
    tutorial: str
    cases: list
    url: str = ""  # the tutorial's page, which the class page links each case to
    messages: dict = field(default_factory=dict)  # {language: {English: translation}} (i18n.py)

    def drawn(self, salt):
        """This spec with every case's draws made for a module whose file hashes to `salt`."""
        return replace(self, cases=[case.drawn(salt) for case in self.cases])


def modules():
    """The tutorials' module names, one per spec/*.yaml."""
    return sorted(name[:-5] for name in os.listdir(SPEC_DIR) if name.endswith(".yaml"))


@functools.lru_cache(maxsize=None)
def load(module, spec_dir=SPEC_DIR):
    """Reads and checks spec/<module>.yaml as data (once per process: a batch's graders share
    it). Grading loads it with its procedures' declarations (graders/grading/procedures.py)."""
    return read(module, spec_dir)


def read(module, spec_dir=SPEC_DIR, declared=None):
    """Reads and checks spec/<module>.yaml; with `declared`, {check: what the procedure reads
    (@reads), or None}, also that every case names a procedure and fits what it reads. The
    declarations are handed in, so this model never imports the graders."""
    path = os.path.join(spec_dir, module + ".yaml")
    where = os.path.relpath(path, KIT) if path.startswith(KIT + os.sep) else path
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as error:
        raise SpecError("%s: cannot be read: %s" % (where, error)) from None
    if not isinstance(data, dict):
        raise SpecError("%s: must be a mapping with keys module, tutorial, cases" % where)
    for key in ("module", "tutorial", "cases"):
        if key not in data:
            raise SpecError("%s: missing key '%s'" % (where, key))
    if data["module"] != module:
        raise SpecError("%s, key 'module': says %r, the file name says %r"
                        % (where, data["module"], module))
    if not isinstance(data["cases"], list) or not data["cases"]:
        raise SpecError("%s, key 'cases': must be a non-empty list" % where)
    cases, seen = [], set()
    for number, raw in enumerate(data["cases"], 1):
        case = _case(module, where, number, raw)
        if case.id in seen:
            raise SpecError("%s, case '%s', key 'id': used twice" % (where, case.id))
        seen.add(case.id)
        _check_case(case, declared, where)
        cases.append(case)
    general = sum(case.points for case in cases if case.kind == GENERALITY)
    total = sum(case.points for case in cases)
    if general > GENERALITY_SHARE * total + 1e-9:
        raise SpecError("%s, key 'points': generality cases hold %g of the %g points; at most "
                        "%d%% may" % (where, general, total, round(100 * GENERALITY_SHARE)))
    return Spec(module, path, str(data["tutorial"]), cases, str(data.get("url", "")),
                _messages(data.get("messages", {}), where))


def _messages(messages, where):
    """A spec's `messages`: {language: {English text: its translation}}, strings only."""
    if not isinstance(messages, dict) or not all(
            isinstance(language, str) and isinstance(table, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in table.items())
            for language, table in messages.items()):
        raise SpecError("%s, key 'messages': must map a language to {English text: "
                        "translation}, all strings" % where)
    return messages


def reads(input, expected):
    """Declares what a grader procedure reads from its cases: the `input` keys (a dict of
    kinds, graders/model/kinds.py) and the kind of `expected`. Spec loading checks every case
    against it where it is handed the declarations (`read`)."""
    def declare(procedure):
        procedure.reads = (input, expected)
        return procedure
    return declare


def _check_case(case, declared, where):
    """What is checked of a case beyond its own keys: its draws, and with `declared` the
    procedure it names and what that procedure reads (for a sample draw)."""
    def bad(key, problem):
        return SpecError("%s, case '%s', key '%s': %s" % (where, case.id, key, problem))

    if declared is not None and case.check not in declared:
        raise bad("check", "no procedure test_%s in graders/test_%s.py (known: %s)"
                  % (case.check, case.module, ", ".join(sorted(declared))))
    if declared is not None and declared[case.check] is None:
        raise bad("check", "graders/test_%s.py: test_%s does not declare what it reads "
                           "(@spec.reads)" % (case.module, case.check))
    for position, problem in draws.problems(case.input):
        raise bad("input" + position, problem)
    if case.draws and not case.hidden:
        raise bad("input", "only hidden cases may draw their inputs: a public case cites the "
                           "tutorial's numbers")
    if declared is None:
        return
    input_kind, expected_kind = declared[case.check]
    case = case.drawn("sample")  # a sample draw must fit what the procedure reads
    sizes = {}
    for key, value, kind in (("input", case.input, input_kind),
                             ("expected", case.expected, expected_kind)):
        problem = kinds.check(value, kind, sizes)
        if problem:
            raise bad(key + problem[0], problem[1])


def _case(module, where, number, raw):
    label = "case #%d" % number
    if not isinstance(raw, dict):
        raise SpecError("%s, %s: must be a mapping" % (where, label))
    if isinstance(raw.get("id"), str):
        label = "case '%s'" % raw["id"]

    def bad(key, problem):
        return SpecError("%s, %s, key '%s': %s" % (where, label, key, problem))

    for key in sorted(REQUIRED_CASE_KEYS - raw.keys()):
        raise bad(key, "missing")
    for key in sorted(raw.keys() - CASE_KEYS):
        raise bad(key, "unknown key (known: %s)" % ", ".join(sorted(CASE_KEYS)))
    if not isinstance(raw["id"], str) or not ID_PATTERN.match(raw["id"]):
        raise bad("id", "must be lower-case words joined by '-'")
    for key in ("check", "function", "description", "source"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise bad(key, "must be a non-empty string")
    points = raw["points"]
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 100:
        raise bad("points", "must be a number above 0 and at most 100")
    tolerance = raw["tolerance"]
    if not isinstance(tolerance, dict) or set(tolerance) != {"rtol", "atol"}:
        raise bad("tolerance", "must be a mapping with exactly rtol and atol")
    for name, value in tolerance.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 0.1:
            raise bad("tolerance", "%s must be a number from 0 to 0.1" % name)
    if not isinstance(raw["input"], dict):
        raise bad("input", "must be a mapping of argument names to values")
    kind = raw.get("kind", PUBLIC)
    if kind not in KINDS:
        raise bad("kind", "must be one of %s" % ", ".join(KINDS))
    if (kind == PUBLIC) == raw["id"].startswith("hidden-"):
        raise bad("id", "starts with 'hidden-' exactly when the case is not public")
    requires = raw.get("requires", "")
    if (kind == GENERALITY) != (isinstance(requires, str) and bool(requires.strip())):
        raise bad("requires", "a generality case, and only one, says in a sentence which "
                              "requirement of the contract it checks")
    if raw["expected"] == FROM_SOLUTIONS and kind == PUBLIC:
        raise bad("expected", "only hidden cases may take their expected value from solutions")
    return Case(module, raw["id"], raw["check"], raw["function"], raw["description"].strip(),
                raw["source"].strip(), float(points), Tolerance(float(tolerance["rtol"]),
                float(tolerance["atol"])), raw["input"], raw["expected"], kind, requires.strip())


def contract_names(path):
    """Functions, classes and 'Class.method' names defined in a module file (read, not run)."""
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            names.update("%s.%s" % (node.name, item.name) for item in node.body
                         if isinstance(item, ast.FunctionDef))
    return names
