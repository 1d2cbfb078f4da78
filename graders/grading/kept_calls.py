"""The reference's slow calls, kept on disk from one grading run to the next on a machine.

A hidden case's expected value is solutions/ called on the case's inputs in the grading
process (reference.py), and the same call comes back for every submission of a class (its
drawn inputs aside) and in every run of the kit's own tests. A call that took at least SLOW
seconds is kept in the grading user's private cache folder (graders/model/private_cache.py),
named by a hash of what decides its outcome: the sources of solutions/, the function, its
arguments, numpy's global random state before the call, and the numpy and Python versions.
Its value, what it printed and the random state after it are kept, and a kept call gives all
three back, so that a run that finds it grades exactly as one that computes it. solutions/
is the kit's own code, whose functions depend on nothing else.

Student code never sees the folder: the sandbox shows none of the grader's temporary folders,
and where it falls back, student code runs as another user or under Landlock.
"""

import base64
import functools
import hashlib
import json
import os
import sys

import numpy as np

from graders.model.private_cache import private_folder
from graders.outputs import files
from graders.sandbox import wire

SLOW = 0.005  # seconds: a call quicker than this is computed again rather than read back


class KeptCalls:
    """The kept calls of the solutions/ folder `folder`."""

    def __init__(self, folder):
        self.folder = folder
        self.sources = None  # a hash of its sources, read at the first call

    def _sources(self):
        if self.sources is None:
            digest = hashlib.sha256(("%s\0%s\0" % (np.__version__, sys.version)).encode())
            for name in sorted(os.listdir(self.folder)):
                if name.endswith(".py"):
                    with open(os.path.join(self.folder, name), "rb") as handle:
                        digest.update(name.encode() + b"\0" + handle.read() + b"\0")
            self.sources = digest.hexdigest()
        return self.sources

    def key(self, function, args, kwargs):
        """The name a call of `function` on plain `args` and `kwargs` would be kept under, now;
        None where the call cannot be kept (no cache folder, or an argument the wire format
        names only by its type, which would not tell two such calls apart)."""
        arguments = json.dumps(wire.encode([args, kwargs]), sort_keys=True)
        if folder() is None or '"unsupported"' in arguments:
            return None
        state = np.random.get_state()
        digest = hashlib.sha256(self._sources().encode())
        for part in (function.encode(), arguments.encode(), state[1].tobytes(),
                     repr(state[2:]).encode()):
            digest.update(b"\0" + part)
        return digest.hexdigest()

    def find(self, key):
        """(value, printed) of the call kept under `key`, with numpy's random state set to the
        one it left; None where it is not kept (or its file is unreadable)."""
        try:
            with open(os.path.join(folder(), key + ".json"), encoding="utf-8") as handle:
                kept = json.load(handle)
            value, printed = wire.decode(kept["value"]), kept["printed"]
            keys = np.frombuffer(base64.b64decode(kept["keys"]), dtype=np.uint32)
            position, has_gauss, cached = kept["rest"]
            if keys.size != 624 or not isinstance(printed, str):
                return None
            np.random.set_state(("MT19937", keys, position, has_gauss, cached))
        except (OSError, ValueError, KeyError, TypeError, RecursionError, wire.WireError):
            return None
        return value, printed

    def keep(self, key, value, printed):
        """Keeps a call just made under `key`, with the random state it left."""
        state = np.random.get_state()
        kept = {"value": wire.encode(value), "printed": printed,
                "keys": base64.b64encode(state[1].tobytes()).decode("ascii"),
                "rest": [int(state[2]), int(state[3]), float(state[4])]}
        try:
            files.write_atomically(os.path.join(folder(), key + ".json"), json.dumps(kept))
        except OSError:
            pass  # a full disk costs the time saved, never a grade


@functools.lru_cache(maxsize=None)
def folder():
    """The folder of kept calls, inside the private cache folder (looked up once per
    process); None where it cannot be made."""
    path = os.path.join(private_folder(), "reference-calls")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError:
        return None
    return path
