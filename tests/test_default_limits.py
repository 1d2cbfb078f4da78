"""An endless loop graded with the kit's default limits costs only the function it is in.

Apart from tests/test_adversarial.py's hostile class (graded with a shorter call limit), so
that pytest-xdist runs the two on different workers.
"""

import json

from graders.model import spec
from tests.contained import lure_addresses
from tests.helpers import failed, failed_modules
from tests.test_adversarial import build, grade_contained


def test_an_endless_loop_with_the_default_limits_costs_only_its_function(tmp_path):
    """With the default limits, a loop in one tutorial leaves the other three in full."""
    submissions = tmp_path / "class"
    build(str(submissions / "loops"), {"trask": ("", (
        "def train_two_layer(X, y, iterations=10000, seed=1, syn0=None):\n"
        "    while True:\n"
        "        pass\n"))}, {}, ())
    (tmp_path / "lures.json").write_text(json.dumps(lure_addresses(str(tmp_path))))
    report = grade_contained(submissions, tmp_path / "grades", tmp_path)
    assert report["returncode"] == 0 and report["survivors"] == []
    with open(tmp_path / "grades" / "loops" / "results.json") as handle:
        results = json.load(handle)
    lost = failed(results)
    assert lost and failed_modules(results) == {"trask"}
    assert all(case.function == "train_two_layer" for case in spec.load("trask").cases
               if "trask::" + case.id in lost)
