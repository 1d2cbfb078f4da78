"""An endless loop graded with the kit's default limits costs only the function it is in.

Apart from tests/test_adversarial.py's hostile class (graded with a shorter call limit), so
that pytest-xdist runs the two on different workers.
"""

import json

from graders.model import spec
from tests.contained import lure_addresses
from tests.helpers import failed, failed_modules
from tests.test_adversarial import all_cases, build, grade_contained, with_its_modules_only


def test_an_endless_loop_with_the_default_limits_costs_only_its_function(tmp_path):
    """With the default limits, a loop in one of trask's functions costs only that function's
    cases, and zhou, graded next, is graded in full (the tutorials before trask are handed in
    as stubs, as for the hostile class's confined attacks)."""
    submissions = tmp_path / "class"
    edits, extra, stubs, _ = with_its_modules_only({"trask": ("", (
        "def train_two_layer(X, y, iterations=10000, seed=1, syn0=None):\n"
        "    while True:\n"
        "        pass\n"))}, {}, (), set())
    build(str(submissions / "loops"), edits, extra, stubs)
    (tmp_path / "lures.json").write_text(json.dumps(lure_addresses(str(tmp_path))))
    report = grade_contained(submissions, tmp_path / "grades", tmp_path)
    assert report["returncode"] == 0 and report["survivors"] == []
    with open(tmp_path / "grades" / "loops" / "results.json") as handle:
        results = json.load(handle)
    lost = failed(results) - set().union(*map(all_cases, stubs))
    assert lost and failed_modules(results) == {"trask", *stubs}
    assert all(case.function == "train_two_layer" for case in spec.load("trask").cases
               if "trask::" + case.id in lost)
