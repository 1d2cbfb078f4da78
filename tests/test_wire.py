"""The plain-data format between grader and worker: faithful for data, refusing for the rest."""

import json

import numpy as np
import pytest

from graders.sandbox import channel
from graders.sandbox import wire


def round_trip(value):
    return wire.decode(json.loads(json.dumps(wire.encode(value))))


def test_plain_values_round_trip():
    value = {"a": [1, 2.5, None, True, "text"], "b": (np.float64(0.25), np.int64(3))}
    assert round_trip(value) == {"a": [1, 2.5, None, True, "text"], "b": (0.25, 3)}


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "uint8", "bool"])
def test_arrays_round_trip_exactly(dtype):
    array = (np.arange(12).reshape(3, 4) * 0.7).astype(dtype)
    back = round_trip(array)
    assert type(back) is np.ndarray and back.dtype == array.dtype
    assert np.array_equal(back, array)


class Cheat(float):
    def __eq__(self, other):
        return True


class ArrayCheat(np.ndarray):
    pass


@pytest.mark.parametrize("value, described", [
    (Cheat(1.0), "float subclass Cheat"),
    (np.zeros(3).view(ArrayCheat), "ndarray subclass ArrayCheat"),
    (np.array([object()]), "ndarray of dtype object"),
    (np.array([1 + 2j]), "ndarray of dtype complex128"),
    ({1: 2}, "dict"),
    (object(), "object"),
])
def test_anything_else_arrives_as_unsupported(value, described):
    back = round_trip(value)
    assert isinstance(back, wire.Unsupported) and back.type_name == described


@pytest.mark.parametrize("data", [
    {"ndarray": {"dtype": "object", "shape": [1], "data": ""}},
    {"ndarray": {"dtype": "float64", "shape": [2], "data": "AAAA"}},
    {"ndarray": {"dtype": "float64", "shape": [-1], "data": ""}},
    {"pickle": "gASVAAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUKYWUUpQu"},
    {"tuple": [1], "dict": {}},
    {"dict": [1, 2]},
])
def test_decoding_refuses_malformed_data(data):
    with pytest.raises(wire.WireError):
        wire.decode(data)


def test_parse_refuses_oversized_and_non_json_messages():
    with pytest.raises(wire.WireError, match="over the 10-byte limit"):
        wire.parse(b"x" * 11, 10)
    with pytest.raises(wire.WireError, match="not JSON"):
        wire.parse(b"\x80(", 100)
    with pytest.raises(wire.WireError, match="not an object"):
        wire.parse(b"[1]", 100)


def message(value, **extra):
    return json.dumps(dict({"ok": wire.encode(value)}, **extra)).encode()


@pytest.mark.parametrize("value", [[[]] * (wire.CONTAINER_LIMIT + 1),
                                   [(1,)] * (wire.CONTAINER_LIMIT // 2 + 1),
                                   [0] * (wire.ITEM_LIMIT + 1)])
def test_parse_refuses_what_would_unpack_into_too_many_objects(value):
    with pytest.raises(wire.WireError, match="the limit is"):
        wire.parse(message(value), 1 << 30)


def test_decoding_refuses_values_nested_too_deep():
    value = 1.0
    for _ in range(wire.DEPTH_LIMIT + 1):
        value = [value]
    with pytest.raises(wire.WireError, match="nested more than"):
        wire.decode(json.loads(message(value))["ok"])


def test_brackets_and_commas_in_strings_do_not_count():
    printed = '[{,"\\' * 300000  # what a call may print: JSON escapes its quotes and backslashes
    parsed = wire.parse(message([1.5] * 1000, stdout=printed), 1 << 30)
    assert parsed["stdout"] == printed and len(wire.decode(parsed["ok"])) == 1000


@pytest.mark.parametrize("frame, readable", [
    (None, True), (["trask.py", 12, "nonlin"], True),
    ("trask.py, line 12, in nonlin", False),  # a place is data, never words to parse
    (["trask.py", "12", "nonlin"], False), (["trask.py", True, "nonlin"], False),
    (["trask.py", 12], False), ([12, 12, "nonlin"], False)])
def test_an_error_reply_names_its_place_as_file_line_and_function(frame, readable):
    assert channel.frame_or_none(frame) is readable
