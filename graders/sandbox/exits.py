"""Why a worker ended in the middle of a call, in a sentence for the student."""

import signal

from graders.model.i18n import _
from graders.sandbox import fallback
from graders.sandbox import landlock
from graders.sandbox import namespaces


def explain_exit(code, hit, limits, in_bubblewrap):
    """The sentence for a worker that exited with `code` (negative: killed by that signal)
    after its control group's limits in `hit` stopped something; `in_bubblewrap` where it
    ran there (the fallback's setup steps have exit codes of their own)."""
    if "memory" in hit:
        return _("it went over the memory limit of %s for all its processes together "
                 "and was stopped") % _size(limits.memory_bytes)
    setup = {**landlock.SETUP_FAILURES, namespaces.SETUP_FAILED: "mount",
             fallback.SWITCH_FAILED: "setresuid"}
    if code in setup and not in_bubblewrap:
        return _("the sandbox could not be set up (%s failed): a problem of the grading "
                 "machine, not of this submission") % setup[code]
    if code is None or code >= 0:
        return _("the worker process exited with code %s in the middle of the call "
                 "(sys.exit or os._exit ends grading of this call, not with a pass)") % code
    names = {signal.SIGKILL: _("it was killed (SIGKILL): out of time or memory"),
             signal.SIGXCPU: _("it went over the CPU time limit"),
             signal.SIGXFSZ: _("it went over the file size limit (too much output written)"),
             signal.SIGSEGV: _("it crashed (segmentation fault)")}
    return names.get(-code, _("it was ended by signal %d") % -code)


def _size(number):
    return "%g GiB" % (number / (1 << 30)) if number >= 1 << 30 else "%g MiB" % (number >> 20)
