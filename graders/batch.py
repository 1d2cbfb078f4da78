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
import fcntl  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from graders.intake import collect  # noqa: E402
from graders.outputs import gradebook  # noqa: E402
from graders.model import i18n  # noqa: E402
from graders.grading import pytest_command  # noqa: E402
from graders.recall import history as recall_history  # noqa: E402
from graders.sandbox import process as sandbox  # noqa: E402
from graders.model import spec  # noqa: E402
from graders.model import results as results_data  # noqa: E402
from graders.grading.scoreboard import WRITE_ERRORS, write_atomically  # noqa: E402

KIT = spec.KIT
# What a grading run does not use from pytest: these plugins (the last two run gc.collect at
# the end) and assertion rewriting (the graders fail cases through graders.grading.checks). Leaving
# them out saves about 0.2 s a submission.
UNUSED_PLUGINS = ("cacheprovider", "doctest", "pastebin", "legacypath", "debugging",
                  "setuponly", "setupplan", "stepwise", "warnings", "logging",
                  "unraisableexception", "threadexception")
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
    defaults = sandbox.Limits()
    parser.add_argument("--call-timeout", type=float, default=defaults.call_seconds,
                        help="seconds one call into student code may take (default %g)"
                             % defaults.call_seconds)
    parser.add_argument("--time-budget", type=float, default=defaults.tutorial_seconds,
                        help="seconds all calls into one tutorial's module may take "
                             "(default %g)" % defaults.tutorial_seconds)
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
    for option in ("call_timeout", "time_budget"):
        if not getattr(args, option) > 0:
            parser.error("--%s must be a number of seconds above 0" % option.replace("_", "-"))
    try:
        args.shard_index, args.shard_count = (int(n) for n in args.shard.split("/"))
        assert 1 <= args.shard_index <= args.shard_count
    except (ValueError, AssertionError):
        parser.error("--shard takes I/N with 1 <= I <= N, such as 2/3")
    if not os.path.isdir(args.submissions):
        parser.error("no such folder: %s" % args.submissions)
    return args


def already_graded(out, entry):
    """Whether `out` holds results for these very files; a grading error is tried again."""
    try:
        with open(os.path.join(out, entry.name, "grading.json"), encoding="utf-8") as handle:
            meta = json.load(handle)
    except (OSError, ValueError):
        return False
    return meta.get("fingerprint") == entry.fingerprint and \
        meta.get("status") != gradebook.STATUS_ERROR


def check_output_folder(submissions, out, names):
    """Refuses an output folder where writing results could replace a student's files."""
    inside = os.path.commonpath([os.path.realpath(submissions), os.path.realpath(out)])
    if inside in (os.path.realpath(submissions), os.path.realpath(out)):
        raise ValueError("the output folder %s and the submissions folder %s must not hold "
                         "one another" % (out, submissions))
    for name in names:
        folder = os.path.join(out, name)
        if os.path.exists(folder) and not os.path.isfile(os.path.join(folder, "grading.json")):
            raise ValueError("%s exists and was not written by the kit: refusing to replace it"
                             % folder)


def grade_in_child(entry, work, args):
    """Runs in a forked child: grades one submission with pytest into `work`; never returns."""
    code = 3
    try:
        sandbox.die_with_parent()
        os.setpgid(0, 0)
        log = os.open(os.path.join(work, "grader.log"), os.O_WRONLY | os.O_CREAT, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        entry.write(os.path.join(work, "modules"))
        code = pytest.main([
            *pytest_command.options(os.path.join(work, "modules")), "-q", "--assert=plain",
            *("-pno:" + name for name in UNUSED_PLUGINS), "--hidden",
            "--results-json", os.path.join(work, "results.json"),
            "--junitxml", os.path.join(work, "junit.xml"),
            "--call-timeout", str(args.call_timeout), "--time-budget", str(args.time_budget),
            "--lang", args.lang])
        sys.stdout.flush()
    finally:
        os._exit(int(code))


class WriteError(Exception):
    """The batch could not write its own files (disk full, file too large, ...)."""


class OutputBusy(Exception):
    """Another batch is grading into the same output folder."""


LOCK = ".lock"  # in --out: held by the batch writing there, for as long as it runs


def lock_output(out):
    """Takes the output folder's lock (kept by the returned descriptor), or raises OutputBusy:
    two batches on one folder would remove each other's work in progress."""
    fd = os.open(os.path.join(out, LOCK), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputBusy("another batch is grading into %s: wait until it has finished (then "
                         "run this one again to grade what is left), or give another --out"
                         % out) from None
    return fd


class Batch:
    """Schedules the children, finishes each submission's folder and keeps the gradebook."""

    def __init__(self, args):
        self.args = args
        self.modules = spec.modules()
        found = collect.discover(args.submissions, self.modules)
        if not found:
            raise ValueError("the submissions folder %s is empty: it should hold one folder or "
                             ".zip per student" % args.submissions)
        self.entries = found[args.shard_index - 1::args.shard_count]
        self.out = os.path.abspath(args.out)
        self.staging = os.path.join(self.out, ".in-progress")
        check_output_folder(args.submissions, self.out, [e.name for e in self.entries])
        self.possible = gradebook.points_possible(self.modules)
        self.expected_cases = {case.name for module in self.modules
                               for case in spec.load(module).cases}
        self.protections = sandbox.protections()  # probed once, before the children fork
        # A grader that outlives every tutorial's time budget is stuck: it is killed.
        self.watchdog = sandbox.Limits(
            call_seconds=args.call_timeout, tutorial_seconds=args.time_budget).grading_seconds(
                len(self.modules))

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
            self.lock = lock_output(self.out)
            sandbox.remove_tree(self.staging)  # leftovers of an interrupted run
        except OSError as error:
            raise WriteError("cannot write in %s: %s" % (self.out, error.strerror)) from None
        todo = [e for e in self.entries if self.args.regrade or not already_graded(self.out, e)]
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
            from graders.outputs import pages  # matplotlib and jinja2: only for the pages
            if pages.missing():
                print("note: %s" % pages.missing(), file=sys.stderr)
            else:
                self.pages = pages.BatchPages(self.out)
        sandbox.become_subreaper()
        running = {}  # pid -> (entry, work folder, start time, attempt)
        done, started = 0, time.monotonic()
        self.write_gradebook()
        queue = [(entry, 1) for entry in todo]
        try:
            while queue or running:
                while queue and len(running) < self.args.jobs:
                    entry, attempt = queue.pop(0)
                    running[self.start(entry)] = (entry, self.work(entry), time.monotonic(),
                                                  attempt)
                pid, status = self.wait(running)
                entry, work, began, attempt = running.pop(pid)
                sandbox.kill_orphans(keep=set(running))  # whatever a killed grader left
                results, reason = self.collect(work, status)
                if reason:
                    self.check_writable(work)
                if reason and attempt == 1:
                    print("\n%s: %s; grading it once more" % (entry.name, reason),
                          file=sys.stderr)
                    queue.insert(0, (entry, 2))
                    continue
                self.finish(entry, work, results, reason, time.monotonic() - began)
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
        rows = self.write_gradebook()
        if self.pages:
            self.pages.class_page([entry.name for entry in self.entries], final=True)
        print("\n" + gradebook.summary(rows, self.modules, self.possible))
        print("\nProtections active: %s." % "; ".join(self.protections))
        print("Wrote %s and a folder per submission in %s" % (
            os.path.join(self.out, "gradebook.csv"), self.out))
        if self.pages:
            print("Wrote %s and a report.html per submission (rendering took %.2f s a "
                  "submission)" % (os.path.join(self.out, "class.html"),
                                   self.pages.seconds / max(self.pages.reports, 1)))

    def work(self, entry):
        return os.path.join(self.staging, entry.name)

    def start(self, entry):
        """Forks the grading process of one submission into a fresh staging folder."""
        work = self.work(entry)
        sandbox.remove_tree(work)
        os.makedirs(work)
        pid = os.fork()
        if pid == 0:
            grade_in_child(entry, work, self.args)
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
            with open(os.path.join(work, "results.json"), encoding="utf-8") as handle:
                results = json.load(handle)
            graded = results_data.case_ids(results)
        except (OSError, ValueError, KeyError, TypeError):
            return None, "the grading process wrote no readable results.json"
        if graded != self.expected_cases:
            return None, "the results cover %d of the %d cases" % (
                len(graded & self.expected_cases), len(self.expected_cases))
        return results, None

    def check_writable(self, work):
        """Raises the write error that may have cut a grading run short (a full disk)."""
        probe = os.path.join(work, ".write-check")
        try:
            with open(probe, "wb") as handle:
                handle.write(bytes(1 << 16))
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            if os.path.exists(probe):
                os.unlink(probe)

    def finish(self, entry, work, results, reason, seconds):
        """Writes feedback.md and grading.json, then moves the folder into place atomically."""
        if reason:
            results = {"score": 0.0, "tests": [], "error": reason + " (twice)"}
            write_atomically(os.path.join(work, "results.json"),
                             json.dumps(results, indent=2) + "\n")
        sandbox.remove_tree(os.path.join(work, "modules"))
        write_atomically(os.path.join(work, "feedback.md"), gradebook.feedback(
            entry.name, results, entry.problems, self.modules))
        status = gradebook.status(results, gradebook.problems(results, entry.problems))
        meta = {"submission": entry.name, "source": os.path.basename(entry.path),
                "fingerprint": entry.fingerprint, "status": status, "problems": entry.problems,
                "note": entry.note, "seconds": round(seconds, 3),
                "protections": self.protections}
        write_atomically(os.path.join(work, "grading.json"), json.dumps(meta, indent=2) + "\n")
        if entry.history is not None or entry.history_problem:
            recall = recall_history.summary((entry.history or b"").decode("utf-8", "replace"))
            recall["problems"] += [entry.history_problem] if entry.history_problem else []
            write_atomically(os.path.join(work, recall_history.SUMMARY), json.dumps(recall, indent=2) + "\n")
        target = os.path.join(self.out, entry.name)
        if os.path.exists(target):
            retired = os.path.join(self.staging, entry.name + ".old")
            os.replace(target, retired)
            os.replace(work, target)
            sandbox.remove_tree(retired)
        else:
            os.replace(work, target)
        self.write_gradebook()
        if self.pages:  # after the folder is in place: the pictures never hold up a grade
            self.pages.report(entry.name)
            self.pages.class_page([e.name for e in self.entries])

    def write_gradebook(self):
        return gradebook.write(self.out, [entry.name for entry in self.entries], self.modules)

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
