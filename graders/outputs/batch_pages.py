"""The pages of a batch, drawn as it goes and never at the cost of a grade."""

import os
import signal
import sys
import time

from graders.outputs import pages
from graders.outputs import reference_curves
from graders.outputs.files import WRITE_ERRORS


class BatchPages:
    """report.html as each submission is finished, class.html now and then (at most every
    `every` seconds) and at the end; `seconds` is what rendering cost."""

    def __init__(self, out, assignment, every=10.0):
        self.out, self.assignment, self.every = out, assignment, every
        # Before any grader is forked: the batch reaps and ends every other child process.
        # Once per machine and version of the kit (a few seconds), then read from the cache.
        began = time.perf_counter()
        self.reference = reference_curves.reference_results()
        self.reference_seconds = time.perf_counter() - began
        self.seconds, self.reports, self.written = 0.0, 0, 0.0

    def report(self, graded):
        """report.html of a finished submission (gradebook.Graded)."""
        began = time.perf_counter()
        guarded("report.html of %s" % graded.name, pages.write_report,
                os.path.join(self.out, graded.name), graded, self.reference)
        self.reports += 1
        self.seconds += time.perf_counter() - began

    def class_page(self, graded, pending, final=False):
        """class.html of `graded` ([gradebook.Graded]), `pending` still to grade."""
        if final or time.monotonic() - self.written >= self.every:
            began = time.perf_counter()
            guarded("class.html", pages.write_class, self.out, graded, self.assignment,
                    pending)
            self.written = time.monotonic()
            self.seconds += time.perf_counter() - began


PAGE_SECONDS = 60  # the most drawing one page may take (a report takes under a second)


class TooSlow(Exception):
    """Drawing a page took longer than PAGE_SECONDS."""


def guarded(what, draw, *args):
    """Draws a page; whatever the values in it do to matplotlib or jinja2 (an exception, a
    drawing that never ends), it costs that page alone, with a note: never a grade or the
    batch. Write errors of the batch's own disk still stop it, as everywhere."""
    def expire(_signal, _frame):
        raise TooSlow("it took more than %d s" % PAGE_SECONDS)
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, PAGE_SECONDS)
    try:
        draw(*args)
    except OSError as error:
        if error.errno in WRITE_ERRORS:
            raise
        note(what, error)
    except Exception as error:
        note(what, error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def note(what, error):
    print("note: %s was not drawn (%s: %s); the grades are kept"
          % (what, type(error).__name__, str(error)[:200]), file=sys.stderr)
