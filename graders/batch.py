"""Grade a class: every submission in a folder, each in its own grading process.

    python -m graders.batch [SUBMISSIONS] [--out DIR] [--jobs N] [--regrade]
    nox -s grade -- [SUBMISSIONS] [--out DIR] [--jobs N] [--regrade]

With no SUBMISSIONS it grades the example class in examples/submissions/. Each submission is
graded by pytest (the graders, public and hidden cases) in a forked child of this process;
its student code runs further out, in a sandboxed worker (graders/sandbox/process.py). Its results go
to DIR/<name>/ (results.json, junit.xml, feedback.md, grading.json) by an atomic rename once
complete, and DIR/gradebook.csv is rewritten after each one, so an interrupted batch keeps
everything it finished and a rerun grades only what is missing or changed.
"""

import os

# One BLAS thread per grading process: jobs run side by side, and results do not depend on
# how many run at once. Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from graders.grading import options  # noqa: E402
from graders.grading import procedures  # noqa: E402
from graders.grading.child import grade_in_child  # noqa: E402
from graders.intake import collect  # noqa: E402
from graders.model import i18n  # noqa: E402
from graders.model import spec  # noqa: E402
from graders.model.assignment import Assignment  # noqa: E402
from graders.model.results import SubmissionResults  # noqa: E402
from graders.outputs import gradebook  # noqa: E402
from graders.outputs import grades_folder  # noqa: E402
from graders.outputs.files import WRITE_ERRORS  # noqa: E402
from graders.outputs.grades_folder import OutputBusy, WriteError  # noqa: E402
from graders.sandbox import process as sandbox  # noqa: E402

KIT = spec.KIT
EXAMPLES = os.path.join(KIT, "examples", "submissions")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m graders.batch", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("submissions", nargs="?", default=EXAMPLES,
                        help="folder of submissions, one folder or .zip each "
                             "(default: examples/submissions)")
    parser.add_argument("--out", default="grades", help="output folder (default: grades/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: the number of CPUs)")
    parser.add_argument("--regrade", action="store_true",
                        help="grade again submissions that already have results")
    parser.add_argument("--no-pages", action="store_true",
                        default=os.environ.get("NNKIT_NO_PAGES") == "1",
                        help="write no report.html and class.html (default: write them where "
                             "matplotlib and jinja2 are installed; NNKIT_NO_PAGES=1 too)")
    options.add_limits(parser.add_argument)
    parser.add_argument("--shard", default="1/1", metavar="I/N",
                        help="grade only shard I of N (submissions sorted by name, every Nth "
                             "from the Ith); merge shards with python -m graders.merge")
    parser.add_argument("--lang", choices=i18n.languages(),
                        help="language of the feedback students read (default: from LANG, "
                             "else en); the gradebook is the same in every language")
    args = parser.parse_args(argv)
    args.lang = i18n.set_language(args.lang)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    try:
        args.limits = options.limits_from(lambda dest: getattr(args, dest))
    except ValueError as error:
        parser.error(str(error))
    try:
        args.shard_index, args.shard_count = (int(n) for n in args.shard.split("/"))
        assert 1 <= args.shard_index <= args.shard_count
    except (ValueError, AssertionError):
        parser.error("--shard takes I/N with 1 <= I <= N, such as 2/3")
    if not os.path.isdir(args.submissions):
        parser.error("no such folder: %s" % args.submissions)
    return args


class Batch:
    """Schedules the children, finishes each submission's folder and keeps the gradebook."""

    def __init__(self, args):
        self.args = args
        self.assignment = Assignment.load(procedures.load)  # specs that fit their graders
        self.modules = list(self.assignment.modules)
        found = collect.discover(args.submissions, self.modules)
        if not found:
            raise ValueError("the submissions folder %s is empty: it should hold one folder or "
                             ".zip per student" % args.submissions)
        self.entries = found[args.shard_index - 1::args.shard_count]
        self.out = os.path.abspath(args.out)
        self.staging = os.path.join(self.out, ".in-progress")
        grades_folder.check_output_folder(args.submissions, self.out,
                                          [e.name for e in self.entries])
        self.graded = {}  # name -> gradebook.Graded: what the gradebook and class.html show
        self.protections = sandbox.protections()  # probed once, before the children fork
        # A grader that outlives every tutorial's time budget is stuck: it is killed.
        self.watchdog = args.limits.grading_seconds(len(self.modules))

    def run(self):
        """Grades what is not graded yet; returns the exit status (1 after a write error, 2
        when another batch holds the output folder)."""
        try:
            self.grade_all()
        except OutputBusy as error:
            print("error: %s" % error, file=sys.stderr)
            return 2
        except WriteError as error:
            print("\nerror: %s. The batch stopped; the submissions finished so far are kept "
                  "in %s, and running it again grades the rest." % (error, self.out),
                  file=sys.stderr)
            return 1
        return 0

    def grade_all(self):
        try:
            os.makedirs(self.out, exist_ok=True)
            self.lock = grades_folder.lock_output(self.out)
            sandbox.remove_tree(self.staging)  # leftovers of an interrupted run
        except OSError as error:
            raise WriteError("cannot write in %s: %s" % (self.out, error.strerror)) from None
        todo = [e for e in self.entries
                if self.args.regrade or not grades_folder.already_graded(self.out, e)]
        skipped = len(self.entries) - len(todo)
        if skipped:
            print("%d submission(s) already graded (use --regrade to grade them again)" % skipped,
                  file=sys.stderr)
        for entry in self.entries:
            if entry.note:
                print("note: %s" % entry.note, file=sys.stderr)
        for item in collect.hidden_items(self.args.submissions):
            print("note: %r is not graded: names starting with '.' are hidden, not submissions"
                  % item, file=sys.stderr)
        self.pages = None
        if not self.args.no_pages:
            from graders.outputs import batch_pages, pages  # matplotlib and jinja2: for pages
            if pages.missing():
                print("note: %s" % pages.missing(), file=sys.stderr)
            else:
                self.pages = batch_pages.BatchPages(self.out, self.assignment)
        sandbox.become_subreaper()
        running = {}  # pid -> (entry, work folder, start time, attempt)
        done, started = 0, time.monotonic()
        for entry in self.entries:  # what earlier runs finished: read once, then kept
            found = gradebook.read(self.out, entry.name, self.assignment)
            if found is not None:
                self.graded[entry.name] = found
        self.write_gradebook()
        queue = [(entry, 1) for entry in todo]
        try:
            while queue or running:
                self.start_more(queue, running)
                pid, status = self.wait(running)
                entry, work, began, attempt = running.pop(pid)
                sandbox.kill_orphans(keep=set(running))  # whatever a killed grader left
                results, reason = self.collect(work, status)
                if reason:
                    grades_folder.check_writable(work)
                if reason and attempt == 1:
                    print("\n%s: %s; grading it once more" % (entry.name, reason),
                          file=sys.stderr)
                    queue.insert(0, (entry, 2))
                    continue
                seconds = time.monotonic() - began
                self.start_more(queue, running)  # before this one's pages are drawn
                self.finish(entry, work, results, reason, seconds)
                done += 1
                self.progress(done, len(todo), entry.name, started)
        except OSError as error:
            if error.errno not in WRITE_ERRORS:
                raise
            raise WriteError("cannot write %s: %s" % (error.filename or self.out,
                                                     error.strerror)) from None
        finally:
            for pid in running:  # only after an error: the graders still at work
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        sandbox.remove_tree(self.staging)
        self.write_gradebook()
        if self.pages:
            self.class_page(final=True)
        print("\n" + gradebook.summary(self.finished(), self.modules,
                                       self.assignment.possible()))
        print("\nProtections active: %s." % "; ".join(self.protections))
        print("Wrote %s and a folder per submission in %s" % (
            os.path.join(self.out, "gradebook.csv"), self.out))
        if self.pages:
            print("Wrote %s and a report.html per submission (rendering took %.2f s a "
                  "submission)" % (os.path.join(self.out, "class.html"),
                                   self.pages.seconds / max(self.pages.reports, 1)))

    def start_more(self, queue, running):
        """Starts graders from the front of `queue` until --jobs of them are running."""
        while queue and len(running) < self.args.jobs:
            entry, attempt = queue.pop(0)
            running[self.start(entry)] = (entry, self.work(entry), time.monotonic(), attempt)

    def work(self, entry):
        return os.path.join(self.staging, entry.name)

    def start(self, entry):
        """Forks the grading process of one submission into a fresh staging folder."""
        work = self.work(entry)
        sandbox.remove_tree(work)
        os.makedirs(work)
        pid = os.fork()
        if pid == 0:
            grade_in_child(entry, work, self.args.limits, self.args.lang)
        return pid

    def wait(self, running):
        """Waits for a child to end; kills one that outlived every time budget."""
        while True:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid in running:
                return pid, status
            if pid:
                continue  # an orphan inherited as subreaper
            now = time.monotonic()
            for child, (_, _, began, _) in running.items():
                if now - began > self.watchdog:
                    os.killpg(child, signal.SIGKILL)
            time.sleep(0.02)

    def collect(self, work, status):
        """(results, None) for a complete grading run, or (None, why it is not complete).

        Only a pytest that ended with pass or fail (exit status 0 or 1) and results for
        every case of the specs count: anything else was stopped or cut short.
        """
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            return None, ("the grading process was ended by signal %d" % -code if code < 0
                          else "the grading process exited with status %d" % code)
        try:
            results = self.assignment.read(os.path.join(work, "results.json"))
        except (OSError, ValueError):
            return None, "the grading process wrote no readable results.json"
        graded, expected = results.case_ids(), set(self.assignment.expected())
        if graded != expected:
            return None, "the results cover %d of the %d cases" % (
                len(graded & expected), len(expected))
        return results, None

    def finish(self, entry, work, results, reason, seconds):
        """Finishes the submission's folder and puts it in place; then the gradebook and pages,
        from what this batch keeps (no results.json is read again)."""
        if reason:
            results = SubmissionResults.failed(reason + " (twice)")
        self.graded[entry.name] = grades_folder.finish(
            self.out, work, entry, results,
            {"seconds": round(seconds, 3), "protections": self.protections}, self.modules)
        self.write_gradebook()
        if self.pages:  # after the folder is in place: the pictures never hold up a grade
            self.pages.report(self.graded[entry.name])
            self.class_page()

    def finished(self):
        """The Graded of the submissions finished so far, in the order of the entries."""
        return [self.graded[e.name] for e in self.entries if e.name in self.graded]

    def write_gradebook(self):
        gradebook.write(self.out, self.finished(), self.modules)

    def class_page(self, final=False):
        finished = self.finished()
        self.pages.class_page(finished, len(self.entries) - len(finished), final)

    def progress(self, done, total, name, started):
        width = 30
        filled = width * done // max(total, 1)
        line = "[%s%s] %d/%d graded, last: %s (%.1f s elapsed)" % (
            "#" * filled, "." * (width - filled), done, total, name, time.monotonic() - started)
        if sys.stderr.isatty():
            print("\r" + line, end="" if done < total else "\n", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)


def main(argv=None):
    args = parse_args(argv)
    try:
        batch = Batch(args)
    except (ValueError, spec.SpecError, sandbox.SandboxUnavailable) as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    return batch.run()


if __name__ == "__main__":
    sys.exit(main())
