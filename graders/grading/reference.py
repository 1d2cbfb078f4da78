"""The reference implementation (solutions/), loaded in the grading process for hidden cases.

solutions/ is trusted kit code, so it runs in-process; it offers the same calls as a
student `Submission`, and its arguments and results pass through the same plain-data
encoding (which also copies them), so a procedure treats both alike. As the reference, its
slow function calls are kept from one run to the next (kept_calls.py).
"""

import contextlib
import importlib.util
import inspect
import io
import os
import time

from graders.grading.kept_calls import SLOW, KeptCalls
from graders.sandbox import wire
from graders.sandbox.submission import Memo


class Reference(Memo):
    """solutions/<module>.py for each module, reached through `call`, `new` and `seed`."""

    def __init__(self, folder, modules, keep_calls=False):
        """`keep_calls`: keep slow calls (kept_calls.py); only for the kit's solutions/ as the
        reference, never as the implementation under test, whose lines pytest-cov counts."""
        super().__init__()
        self.folder = folder
        self.modules = dict.fromkeys(modules)  # loaded when first used
        self.kept = KeptCalls(folder) if keep_calls else None

    def _load(self, module):
        if self.modules[module] is None:
            path = os.path.join(self.folder, module + ".py")
            if not os.path.isfile(path):
                raise FileNotFoundError("hidden cases need the reference solution %s" % path)
            spec = importlib.util.spec_from_file_location("_reference_" + module, path)
            self.modules[module] = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(self.modules[module])
        return self.modules[module]

    def _find(self, dotted):
        module, name = dotted.split(".", 1)
        return self._load(module), name

    def call(self, function, *args, **kwargs):
        return self.call_printing(function, *args, **kwargs)[0]

    def call_printing(self, function, *args, **kwargs):
        module, name = self._find(function)  # imported first: its import may draw numbers
        args, kwargs = plain(args), plain(kwargs)
        key = self.kept and self.kept.key(function, args, kwargs)
        found = key and self.kept.find(key)
        if found:
            return plain(found[0]), found[1]
        printed = io.StringIO()
        began = time.perf_counter()
        with contextlib.redirect_stdout(printed):
            result = getattr(module, name)(*args, **kwargs)
        if key and time.perf_counter() - began >= SLOW:
            self.kept.keep(key, result, printed.getvalue())
        return plain(result), printed.getvalue()

    def call_leaving(self, function, names, *args, **kwargs):
        """`Submission.call_leaving`: solutions/ leaves its arguments as they were (the call
        gets copies in any case), so a plain call."""
        return self.call(function, *args, **kwargs)

    def defaults(self, function):
        """{argument: its default} of a function of solutions/ ('britz.build_model')."""
        module, name = self._find(function)
        return {argument: parameter.default for argument, parameter in
                inspect.signature(getattr(module, name)).parameters.items()
                if parameter.default is not inspect.Parameter.empty}

    def new(self, cls, *args, **kwargs):
        module, name = self._find(cls)
        return LocalObject(getattr(module, name)(*plain(args), **plain(kwargs)))

    def seed(self, module, seed):
        self._load(module).np.random.seed(seed)


class LocalObject:
    """A reference object with the same call/get/set as a student's `Remote`."""

    def __init__(self, obj):
        self.obj = obj

    def call(self, method, *args, **kwargs):
        return plain(getattr(self.obj, method)(*plain(args), **plain(kwargs)))

    def get(self, attribute):
        return plain(getattr(self.obj, attribute))

    def set(self, attribute, value):
        setattr(self.obj, attribute, plain(value))


def plain(value):
    """What the value would look like after crossing from a worker."""
    return wire.decode(wire.encode(value))
