"""The kinds of value a spec key may hold, as each grader procedure declares them.

A kind is one of:
- "number", "integer", "bool" or "string";
- "array(N, D)": a rectangular nested list of numbers whose dimensions are named; a name
  (N, D, ...) stands for the same length everywhere in one case, a digit for itself, `*` for
  any length;
- "=text": exactly the string `text` (such as "=solutions");
- a dict: a mapping with these keys, each of its own kind; a key ending in "?" may be left
  out, and at least one key must be given;
- a one-item list [kind]: a non-empty list of values of that kind;
- a tuple of kinds: any one of them.

`check(value, kind, sizes)` returns None when `value` is of `kind` (binding the dimension
names in `sizes`, shared by one case), or (where, what is wrong): `where` is the position in
the value, such as ".data[1]".
"""

import re

ARRAY = re.compile(r"^array\((.*)\)$")


def describe(kind):
    if isinstance(kind, tuple):
        return " or ".join(describe(k) for k in kind)
    if isinstance(kind, list):
        return "a list of %s" % describe(kind[0])
    if isinstance(kind, dict):
        return "a mapping with keys %s" % ", ".join(key.rstrip("?") for key in kind)
    if kind.startswith("="):
        return repr(kind[1:])
    match = ARRAY.match(kind)
    if match:
        return "an array of shape (%s)" % match.group(1)
    return {"integer": "a whole number", "string": "a non-empty string",
            "bool": "true or false"}.get(kind, "a " + kind)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check(value, kind, sizes, where=""):
    """None if `value` is of `kind`, else (where, what is wrong)."""
    if isinstance(kind, tuple):
        problems = [check(value, k, dict(sizes), where) for k in kind]
        if None in problems:
            return check(value, kind[problems.index(None)], sizes, where)  # binds its sizes
        same_form = [p for k, p in zip(kind, problems) if _form(k) == _form(value, True)]
        if len(same_form) == 1:  # say what is wrong inside the value of the form it has
            return same_form[0]
        return where, "must be %s, not %s" % (describe(kind), _short(value))
    if isinstance(kind, list):
        if not isinstance(value, list) or not value:
            return where, "must be %s" % describe(kind)
        for i, item in enumerate(value):
            problem = check(item, kind[0], sizes, "%s[%d]" % (where, i))
            if problem:
                return problem
        return None
    if isinstance(kind, dict):
        return _mapping(value, kind, sizes, where)
    match = ARRAY.match(kind)
    if match:
        return _array(value, [d.strip() for d in match.group(1).split(",")], sizes, where)
    ok = {"number": is_number(value),
          "integer": isinstance(value, int) and not isinstance(value, bool),
          "bool": isinstance(value, bool),
          "string": isinstance(value, str) and bool(value.strip())}.get(
        kind, value == kind[1:] if kind.startswith("=") else False)
    return None if ok else (where, "must be %s, not %s" % (describe(kind), _short(value)))


def _form(item, is_value=False):
    """'mapping', 'list' or 'scalar': what a kind asks for, or what a value is."""
    if isinstance(item, dict):
        return "mapping"
    if isinstance(item, list) or not is_value and ARRAY.match(item):
        return "list"
    return "scalar"


def _mapping(value, kind, sizes, where):
    if not isinstance(value, dict):
        return where, "must be %s" % describe(kind)
    names = {key.rstrip("?"): key for key in kind}
    for key in value:
        if key not in names:
            return where, "unknown key '%s' (known: %s)" % (key, ", ".join(names))
    for name, key in names.items():
        if name not in value and not key.endswith("?"):
            return where, "missing key '%s'" % name
    if not value:
        return where, "must give at least one of %s" % ", ".join(names)
    for name in value:
        problem = check(value[name], kind[names[name]], sizes, "%s.%s" % (where, name))
        if problem:
            return problem
    return None


def shape(value):
    """The shape of a rectangular nested list of numbers, or None if it is not one."""
    if is_number(value):
        return ()
    if not isinstance(value, list) or not value:
        return None
    shapes = {shape(item) for item in value}
    return (len(value),) + shapes.pop() if len(shapes) == 1 and None not in shapes else None


def _array(value, dims, sizes, where):
    found = shape(value)
    wanted = "an array of shape (%s)" % ", ".join(dims)
    if found is None or len(found) != len(dims):
        bad = _first_non_number(value)
        return where, "must be %s%s" % (wanted, bad and (": %s is not a number" % bad)
                                   or ", not %s" % _short(value))
    for dim, length in zip(dims, found):
        if dim.isdigit() and int(dim) != length or sizes.get(dim, length) != length:
            return where, "must be %s with %s = %s, but has shape %s" % (
                wanted, dim, sizes.get(dim, dim), found)
        if dim != "*" and not dim.isdigit():
            sizes[dim] = length
    return None


def _first_non_number(value):
    if isinstance(value, list):
        for item in value:
            bad = _first_non_number(item)
            if bad:
                return bad
        return None
    return None if is_number(value) else repr(value)


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
