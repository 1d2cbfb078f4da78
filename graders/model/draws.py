"""Inputs the kit draws at grading time, so that no student can know a hidden case's numbers.

A hidden case's input may hold, in place of a value, a draw described as data:

    {draw: uniform, low: -4, high: 4, shape: [6]}     floats in [low, high)
    {draw: normal, mean: 0, scale: 1, shape: [3, 1]}  floats from a normal distribution
    {draw: integers, low: 0, high: 1, shape: [6, 3]}  whole numbers from low to high, both in

`shape` may be left out for one number. Floats are rounded to 6 decimals, so messages stay
readable. The numbers come from numpy's default_rng seeded with a hash of the case's id and
of the graded module's own file: the same files get the same numbers every time (serial or
parallel, alone or in the full run), other files other numbers, and nothing in the kit or the
handout says which. Expected values come from solutions/ on the same numbers.
"""

import hashlib

import numpy as np

DISTRIBUTIONS = {"uniform": ("low", "high"), "normal": ("mean", "scale"),
                 "integers": ("low", "high")}


def is_draw(value):
    return isinstance(value, dict) and "draw" in value


def problem(value):
    """None if the draw `value` is well formed, else what is wrong with it."""
    kind = value["draw"]
    if kind not in DISTRIBUTIONS:
        return "draw must be one of %s" % ", ".join(DISTRIBUTIONS)
    keys = set(DISTRIBUTIONS[kind]) | {"draw"}
    if not keys <= set(value) <= keys | {"shape"}:
        return "a %s draw has keys %s and optionally shape" % (kind, ", ".join(sorted(keys)))
    numbers = [value[key] for key in DISTRIBUTIONS[kind]]
    if any(isinstance(n, bool) or not isinstance(n, (int, float)) for n in numbers):
        return "%s must be numbers" % " and ".join(DISTRIBUTIONS[kind])
    if kind == "integers" and not all(isinstance(n, int) for n in numbers):
        return "an integers draw has whole-number bounds"
    if kind != "normal" and not numbers[0] <= numbers[1]:
        return "low must not be above high"
    shape = value.get("shape", [])
    if not isinstance(shape, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
        return "shape must be a list of whole numbers above 0"
    return None


def has_draw(value):
    """Whether `value` (an input mapping or any part of it) holds a draw."""
    if is_draw(value):
        return True
    if isinstance(value, dict):
        return any(has_draw(v) for v in value.values())
    if isinstance(value, list):
        return any(has_draw(v) for v in value)
    return False


def problems(value, where=""):
    """[(where, what is wrong)] for every malformed draw in `value`."""
    if is_draw(value):
        found = problem(value)
        return [(where, found)] if found else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in problems(item, "%s.%s" % (where, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in problems(item, "%s[%d]" % (where, i))]
    return []


def rng(salt, name):
    """The generator for case `name` ('module::id') of a module whose file hashes to `salt`."""
    digest = hashlib.sha256(("%s\0%s" % (salt, name)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def resolve(value, generator):
    """`value` with every draw replaced by plain numbers (lists, floats and ints)."""
    if is_draw(value):
        kind, shape = value["draw"], tuple(value.get("shape", []))
        if kind == "integers":
            numbers = generator.integers(value["low"], value["high"], size=shape, endpoint=True)
        elif kind == "uniform":
            numbers = np.round(generator.uniform(value["low"], value["high"], size=shape), 6)
        else:
            numbers = np.round(generator.normal(value["mean"], value["scale"], size=shape), 6)
        return np.asarray(numbers).tolist()
    if isinstance(value, dict):
        return {key: resolve(item, generator) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, generator) for item in value]
    return value


def salt_of(source):
    """What a module's draws depend on: a hash of its file as graded (b'' when missing)."""
    return hashlib.sha256(source or b"").hexdigest()
