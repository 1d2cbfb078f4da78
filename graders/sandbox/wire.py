"""The plain-data format that crosses between the grader and a student's worker process.

Messages are JSON behind an 8-byte length. Values are None, bools, ints, floats, strings,
lists, and tagged objects: {"tuple": [...]}, {"dict": {...}}, {"ndarray": {dtype, shape,
data}}, {"handle": n} for an object kept in the worker, and {"unsupported": type name} for
anything else. Decoding never runs code (no pickle) and rebuilds arrays only from the numeric
dtypes below, so a hostile worker can send wrong values but never objects of its own.

This file is copied next to the worker into each sandbox: it must import only the standard
library and numpy.
"""

import base64
import json
import re
import struct

import numpy as np

DTYPES = ("float64", "float32", "int64", "int32", "int16", "int8", "uint8", "bool")
HEADER = struct.Struct(">Q")
# What one message may decode to, beside its bytes: a reply of a few MB of "[[],[]..." or
# {"tuple": []} would otherwise become gigabytes of Python objects. Honest values are a few
# arrays, a loss history or a dict of parameters: far below these.
CONTAINER_LIMIT = 100000  # lists, tuples, dicts and tagged values in one message
ITEM_LIMIT = 4000000  # items of all of them together
DEPTH_LIMIT = 64  # containers inside containers
STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes included


class WireError(Exception):
    """A message that is too large, cut short or not in this format."""


def encode(value):
    """Turns a value into JSON-ready data; types outside the format become {"unsupported": ...}."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float or kind in (np.float64, np.float32, np.float16):
        return float(value)
    if kind in (np.int64, np.int32, np.int16, np.int8, np.uint8):
        return int(value)
    if kind is np.bool_:
        return bool(value)
    if kind is list:
        return [encode(item) for item in value]
    if kind is tuple:
        return {"tuple": [encode(item) for item in value]}
    if kind is dict and all(type(key) is str for key in value):
        return {"dict": {key: encode(item) for key, item in value.items()}}
    if kind is np.ndarray and value.dtype.name in DTYPES:
        data = np.ascontiguousarray(value)
        return {"ndarray": {"dtype": value.dtype.name, "shape": list(value.shape),
                            "data": base64.b64encode(data.tobytes()).decode("ascii")}}
    return {"unsupported": describe_type(value)}


def describe_type(value):
    """A short name for a value's type, such as 'list' or 'ndarray subclass MyArray'."""
    kind = type(value)
    for base in (np.ndarray, float, int, dict, list, tuple, str):
        if isinstance(value, base) and kind is not base:
            return "%s subclass %s" % (base.__name__, kind.__name__)
    if kind is np.ndarray:
        return "ndarray of dtype %s" % value.dtype
    return kind.__name__


class Handle:
    """An object that stays in the worker; `number` names it there."""

    def __init__(self, number):
        self.number = number

    def __repr__(self):
        return "Handle(%d)" % self.number


class Unsupported:
    """A value the worker could not send as plain data; `type_name` says what it was."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return "<%s>" % self.type_name


def decode(data, depth=0):
    """Rebuilds a value from `encode`'s output, checking every piece."""
    if data is None or type(data) in (bool, int, float, str):
        return data
    if depth >= DEPTH_LIMIT:
        raise WireError("a value nested more than %d deep" % DEPTH_LIMIT)
    if type(data) is list:
        return [decode(item, depth + 1) for item in data]
    if type(data) is not dict or len(data) != 1:
        raise WireError("unexpected value %r" % (data,))
    (tag, body), = data.items()
    if tag == "tuple" and type(body) is list:
        return tuple(decode(item, depth + 1) for item in body)
    if tag == "dict" and type(body) is dict:
        return {str(key): decode(item, depth + 1) for key, item in body.items()}
    if tag == "ndarray" and type(body) is dict:
        return _decode_array(body)
    if tag == "handle" and type(body) is int:
        return Handle(body)
    if tag == "unsupported" and type(body) is str:
        return Unsupported(body[:200])
    raise WireError("unexpected tag %r" % tag)


def _decode_array(body):
    dtype, shape = body.get("dtype"), body.get("shape")
    if dtype not in DTYPES or type(shape) is not list or not all(
            type(n) is int and n >= 0 for n in shape):
        raise WireError("malformed array header")
    raw = base64.b64decode(body.get("data", ""), validate=True)
    count = int(np.prod(shape, dtype=np.int64))
    if len(raw) != count * np.dtype(dtype).itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def send(stream, message):
    """Writes one message (a JSON-ready dict) to a binary stream."""
    payload = json.dumps(message).encode("utf-8")
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def parse(payload, limit):
    """Parses one message body read after its header; refuses bodies over `limit` bytes, and
    ones that would unpack into more containers or items than the limits above."""
    if len(payload) > limit:
        raise WireError("message of %d bytes is over the %d-byte limit" % (len(payload), limit))
    bare = STRINGS.sub(b"", payload)  # what is left are numbers, brackets, commas and colons
    containers = bare.count(b"[") + bare.count(b"{")
    if containers > CONTAINER_LIMIT:
        raise WireError("message holds %d lists, tuples or dicts (the limit is %d)"
                        % (containers, CONTAINER_LIMIT))
    items = bare.count(b",") + containers
    if items > ITEM_LIMIT:
        raise WireError("message holds %d items (the limit is %d)" % (items, ITEM_LIMIT))
    try:
        message = json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise WireError("message is not JSON: %s" % error) from None
    if type(message) is not dict:
        raise WireError("message is not an object")
    return message
