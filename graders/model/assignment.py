"""What a class is graded on, from the specs, computed once: the tutorials, every case (the
expected case set), the points possible, and each case's `requires`, which results.json does
not carry (graders/model/results.py reads them from here)."""

import json
from dataclasses import dataclass

from graders.model import results
from graders.model import spec


@dataclass(frozen=True)
class Assignment:
    modules: tuple  # the tutorials, in the specs' order
    cases: dict  # {'module::case': spec.Case}, public and hidden

    @classmethod
    def load(cls, load=spec.load):
        """From spec/*.yaml, each read by `load(module)` (raises spec.SpecError on a malformed
        one)."""
        return cls.of({module: load(module) for module in spec.modules()})

    @classmethod
    def of(cls, specs):
        """From loaded specs {module: spec.Spec} (a grading run's, with its draws)."""
        return cls(tuple(specs), {case.name: case for loaded in specs.values()
                                  for case in loaded.cases})

    def expected(self, hidden=True):
        """The ids of the cases a grading run must grade (the public ones only unless
        `hidden`), in spec order."""
        return [name for name, case in self.cases.items() if hidden or not case.hidden]

    def possible(self):
        """{module: points possible}, public and hidden cases."""
        found = {module: 0.0 for module in self.modules}
        for case in self.cases.values():
            found[case.module] += case.points
        return found

    def graded_cases(self):
        """{case id: (kind, points)}, as SubmissionResults.graded_cases says of a run."""
        return {name: (case.kind, case.points) for name, case in self.cases.items()}

    def results(self, data):
        """SubmissionResults from a results.json's dict, each case with its `requires`."""
        return results.SubmissionResults.from_json(data, self.cases)

    def read(self, path):
        """SubmissionResults from a results.json file (OSError, ValueError if unreadable)."""
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        try:
            return self.results(data)
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError("%s is not a results.json of the kit: %r" % (path, error)) from None
