"""The reference's slow calls kept between runs (graders/grading/kept_calls.py): a kept call
gives back exactly what computing it gives, its printed text and numpy's random state after it
included; a damaged file is computed again; only the reference keeps calls."""

import os
import stat
import tempfile

import numpy as np
import pytest

from graders.grading import kept_calls
from graders.grading.reference import Reference
from tests.helpers import SOLUTIONS

X = np.random.default_rng(7).uniform(-2, 2, size=(30, 2))
Y = (X[:, 0] * X[:, 1] > 0).astype(int)
CALL = ("britz.build_model", X, Y, 3)
OPTIONS = {"num_passes": 1500, "print_loss": True}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A private cache folder of this test's own: the kept calls' folder inside it."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    kept_calls.folder.cache_clear()
    yield tmp_path / ("nnkit-cache-%d" % os.geteuid()) / "reference-calls"
    kept_calls.folder.cache_clear()


def called(keep_calls, state):
    """(value, printed, random state after) of CALL on a fresh Reference, from `state`."""
    np.random.set_state(state)
    value, printed = Reference(SOLUTIONS, ["britz"], keep_calls).call_printing(
        *CALL, **OPTIONS)
    return value, printed, np.random.get_state()


def same(a, b):
    (value_a, printed_a, state_a), (value_b, printed_b, state_b) = a, b
    return (value_a.keys() == value_b.keys()
            and all(np.array_equal(value_a[k], value_b[k]) for k in value_a)
            and printed_a == printed_b and state_a[0] == state_b[0]
            and np.array_equal(state_a[1], state_b[1]) and state_a[2:] == state_b[2:])


def test_a_kept_call_gives_back_its_value_printed_text_and_random_state(folder):
    before = np.random.RandomState(3).get_state()
    computed = called(True, before)
    assert "Loss after iteration 1000" in computed[1]
    [kept] = os.listdir(folder)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    again = called(True, before)
    assert same(again, computed)
    assert not np.array_equal(again[2][1], before[1])  # the state it left, not the one before
    path = folder / kept  # the second call read the file: what it says is what comes back
    path.write_text(path.read_text().replace("Loss after iteration 1000", "Read back 1000"))
    assert "Read back 1000" in called(True, before)[1]


def test_another_random_state_is_another_call(folder):
    called(True, np.random.RandomState(3).get_state())
    called(True, np.random.RandomState(4).get_state())
    assert len(os.listdir(folder)) == 2


def test_a_damaged_kept_call_is_computed_again(folder):
    before = np.random.RandomState(3).get_state()
    computed = called(True, before)
    [kept] = os.listdir(folder)
    for damage in ("", "{", '{"value": 1}', '{"value": {"tuple": 5}, "printed": "", '
                   '"keys": "AAAA", "rest": [0, 0, 0.0]}'):
        (folder / kept).write_text(damage)
        assert same(called(True, before), computed)


def test_the_implementation_under_test_keeps_nothing(folder):
    called(False, np.random.RandomState(3).get_state())
    assert not folder.exists() or os.listdir(folder) == []
