"""Grade a class: every submission in a folder, each in its own grading process.

    python -m graders.batch [SUBMISSIONS] [--out DIR] [--jobs N] [--regrade]
    nox -s grade -- [SUBMISSIONS] [--out DIR] [--jobs N] [--regrade]

With no SUBMISSIONS it grades the example class in examples/submissions/. Each submission is
graded by pytest (the graders, public and hidden cases) in a forked child of this process;
its student code runs further out, in a sandboxed worker (graders/sandbox.py). Its results go
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
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from graders import collect, gradebook, sandbox, spec  # noqa: E402
from graders.report import write_atomically  # noqa: E402

KIT = spec.KIT
# What a grading run does not use from pytest: these plugins (the last two run gc.collect at
# the end) and assertion rewriting (the graders fail cases through graders.checks). Leaving
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
    defaults = sandbox.Limits()
    parser.add_argument("--call-timeout", type=float, default=defaults.call_seconds,
                        help="seconds one call into student code may take (default %g)"
                             % defaults.call_seconds)
    parser.add_argument("--time-budget", type=float, default=defaults.submission_seconds,
                        help="seconds all calls of one submission may take (default %g)"
                             % defaults.submission_seconds)
    parser.add_argument("--shard", default="1/1", metavar="I/N",
                        help="grade only shard I of N (submissions sorted by name, every Nth "
                             "from the Ith); merge shards with python -m graders.merge")
    args = parser.parse_args(argv)
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
    try:
        with open(os.path.join(out, entry.name, "grading.json"), encoding="utf-8") as handle:
            return json.load(handle).get("fingerprint") == entry.fingerprint
    except (OSError, ValueError):
        return False


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
            os.path.join(KIT, "graders"), "--rootdir", KIT, "-q", "--assert=plain",
            *("-pno:" + name for name in UNUSED_PLUGINS), "--impl", os.path.join(work, "modules"), "--hidden",
            "--results-json", os.path.join(work, "results.json"),
            "--junitxml", os.path.join(work, "junit.xml"),
            "--call-timeout", str(args.call_timeout), "--time-budget", str(args.time_budget)])
        sys.stdout.flush()
    finally:
        os._exit(int(code))


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
        self.protections = sandbox.protections()  # probed once, before the children fork

    def run(self):
        os.makedirs(self.out, exist_ok=True)
        shutil.rmtree(self.staging, ignore_errors=True)  # leftovers of an interrupted run
        todo = [e for e in self.entries if self.args.regrade or not already_graded(self.out, e)]
        skipped = len(self.entries) - len(todo)
        if skipped:
            print("%d submission(s) already graded (use --regrade to grade them again)" % skipped,
                  file=sys.stderr)
        sandbox.become_subreaper()
        running = {}  # pid -> (entry, work folder, start time)
        done, started = 0, time.monotonic()
        self.write_gradebook()
        queue = list(todo)
        while queue or running:
            while queue and len(running) < self.args.jobs:
                entry = queue.pop(0)
                work = os.path.join(self.staging, entry.name)
                os.makedirs(work)
                pid = os.fork()
                if pid == 0:
                    grade_in_child(entry, work, self.args)
                running[pid] = (entry, work, time.monotonic())
            pid, status = self.wait(running)
            if pid is None:
                continue
            entry, work, began = running.pop(pid)
            sandbox.kill_orphans(keep=set(running))  # whatever a killed grader left behind
            self.finish(entry, work, status, time.monotonic() - began)
            done += 1
            self.progress(done, len(todo), entry.name, started)
        shutil.rmtree(self.staging, ignore_errors=True)
        rows = self.write_gradebook()
        print("\n" + gradebook.summary(rows, self.modules, self.possible))
        print("\nWrote %s and a folder per submission in %s" % (
            os.path.join(self.out, "gradebook.csv"), self.out))

    def wait(self, running):
        """Waits for a child to end; kills one that ran past the time budget with a margin."""
        limit = self.args.time_budget + 60
        while True:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid in running:
                return pid, status
            if pid:
                continue  # an orphan inherited as subreaper
            now = time.monotonic()
            for child, (_, _, began) in running.items():
                if now - began > limit:
                    os.killpg(child, signal.SIGKILL)
            time.sleep(0.02)

    def finish(self, entry, work, status, seconds):
        """Writes feedback.md and grading.json, then moves the folder into place atomically."""
        results_path = os.path.join(work, "results.json")
        try:
            with open(results_path, encoding="utf-8") as handle:
                results = json.load(handle)
        except (OSError, ValueError):
            results = {"score": 0.0, "tests": [], "error": "the grader stopped (exit status %d)"
                       % os.waitstatus_to_exitcode(status)}
            write_atomically(results_path, json.dumps(results, indent=2) + "\n")
        shutil.rmtree(os.path.join(work, "modules"), ignore_errors=True)
        with open(os.path.join(work, "feedback.md"), "w", encoding="utf-8") as handle:
            handle.write(gradebook.feedback(entry.name, results, entry.problems, self.modules))
        meta = {"submission": entry.name, "fingerprint": entry.fingerprint,
                "problems": entry.problems, "seconds": round(seconds, 3),
                "protections": self.protections}
        with open(os.path.join(work, "grading.json"), "w", encoding="utf-8") as handle:
            json.dump(meta, handle, indent=2)
        target = os.path.join(self.out, entry.name)
        if os.path.exists(target):
            retired = os.path.join(self.staging, entry.name + ".old")
            os.replace(target, retired)
            os.replace(work, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(work, target)
        self.write_gradebook()

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
    except (ValueError, spec.SpecError) as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    batch.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
