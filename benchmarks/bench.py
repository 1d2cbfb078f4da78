"""Grading cost on the example class: per submission next to bare compute, and throughput.

    python benchmarks/bench.py [--copies N]      (nox -s bench)

1. Grades examples/submissions with --jobs 1 and prints, per submission, the grading wall time
   (from its grading.json) next to the bare compute of its own training loops, run alone in
   a fresh process (benchmarks/bare_compute.py), and the difference: what grading adds. Each
   is the best of --repeat runs, as timeit does: the least disturbed by whatever else the
   machine is doing.
2. Grades N copies of the class with --jobs 1 and --jobs 2 without pages (the speed-up of
   grading itself), and with --jobs 2 and pages (what a default batch takes), and prints
   the throughput of each.
3. Times drawing the pages (graders/outputs/pages.py) of the class graded in part 1: report.html per
   submission and class.html (best of --repeat), and the reference's curves, drawn once per
   machine and version of the kit (cached). The batch draws them after a submission's folder
   is in place, so they never hold up a grade; a batch with --no-pages draws none.
4. Times `nox -s check`'s grading of a complete implementation (solutions/ copied into a
   folder of its own, so it runs sandboxed as a student's would), serially and with the
   tutorials at once (`--at-once`: a forked child per CPU, at most one per tutorial), side
   by side (best of --repeat), next to the serial floor of its training loops (their sum,
   run alone) and the longest tutorial's loops.
5. Times alice's grading by parts, forked as the batch forks it (benchmarks/grading_parts.py):
   pytest's start, the published training runs, the other calls, the grader's own work.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, KIT)
from graders.model import spec  # noqa: E402
EXAMPLES = os.path.join(KIT, "examples", "submissions")
ENV = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")


def batch(submissions, out, jobs, *options):
    """Runs the batch grader; returns its wall time in seconds."""
    begin = time.perf_counter()
    subprocess.run([sys.executable, "-m", "graders.batch", submissions, "--out", out,
                    "--jobs", str(jobs), "--regrade", *options], cwd=KIT, env=ENV, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - begin


def bare_compute(folder):
    run = subprocess.run([sys.executable, os.path.join(KIT, "benchmarks", "bare_compute.py"),
                          folder], env=ENV, capture_output=True, text=True, check=True)
    result = json.loads(run.stdout)
    return sum(result["loops"].values()) + result["numpy_import"]


def modules_folder(path, scratch):
    """The folder holding a submission's modules (unpacking a zip into `scratch`)."""
    if path.endswith(".zip"):
        shutil.unpack_archive(path, scratch)
        path = scratch
    for root, _, files in os.walk(path):
        if any(module + ".py" in files for module in spec.modules()):
            return root
    return path


def per_submission(scratch, repeat):
    grading = {}
    for run in range(repeat):
        out = os.path.join(scratch, "grades-%d" % run)
        batch(EXAMPLES, out, 1)
        for name in os.listdir(out):
            if os.path.isfile(os.path.join(out, name, "grading.json")):
                with open(os.path.join(out, name, "grading.json"), encoding="utf-8") as handle:
                    seconds = json.load(handle)["seconds"]
                grading[name] = min(grading.get(name, seconds), seconds)
    print("%-10s %12s %12s %8s %12s" % ("submission", "grading s", "bare s", "ratio",
                                        "overhead s"))
    for item in sorted(os.listdir(EXAMPLES)):
        name = item[:-4] if item.endswith(".zip") else item
        folder = modules_folder(os.path.join(EXAMPLES, item),
                                os.path.join(scratch, "unzipped-" + name))
        bare = min(bare_compute(folder) for _ in range(repeat))
        print("%-10s %12.2f %12.2f %7.2fx %12.2f" % (name, grading[name], bare,
                                                   grading[name] / bare, grading[name] - bare))


def rendering(scratch, repeat):
    from graders.model.assignment import Assignment
    from graders.outputs import gradebook, pages, reference_curves
    if pages.missing():
        print(pages.missing())
        return
    out = os.path.join(scratch, "grades-0")
    assignment = Assignment.load()
    graded = [found for found in (gradebook.read(out, name, assignment)
                                  for name in sorted(os.listdir(out))) if found is not None]
    began = time.perf_counter()
    reference = reference_curves.reference_results()
    print("reference curves: %.2f s (graded once, then cached in %s)" % (
        time.perf_counter() - began, reference_curves.reference_cache()))
    print("%-10s %12s" % ("submission", "report.html s"))
    seconds = {}
    for entry in graded:
        for _ in range(repeat):
            began = time.perf_counter()
            pages.write_report(os.path.join(out, entry.name), entry, reference)
            took = time.perf_counter() - began
            seconds[entry.name] = min(seconds.get(entry.name, took), took)
        print("%-10s %12.3f" % (entry.name, seconds[entry.name]))
    began = time.perf_counter()
    pages.write_class(out, graded, assignment)
    print("mean report.html: %.3f s a submission; class.html for %d submissions: %.3f s" % (
        sum(seconds.values()) / len(seconds), len(graded), time.perf_counter() - began))


def throughput(scratch, copies):
    many = os.path.join(scratch, "class")
    os.makedirs(many)
    for n in range(copies):
        for item in os.listdir(EXAMPLES):
            source, target = os.path.join(EXAMPLES, item), os.path.join(many, "%d-%s" % (n, item))
            (shutil.copytree if os.path.isdir(source) else shutil.copyfile)(source, target)
    count = len(os.listdir(many))
    runs = {"--jobs 1 --no-pages": (1, "--no-pages"), "--jobs 2 --no-pages": (2, "--no-pages"),
            "--jobs 2, with pages": (2,)}
    walls = {name: batch(many, os.path.join(scratch, "grades-%d" % n), *run)
             for n, (name, run) in enumerate(runs.items())}
    for name, wall in walls.items():
        print("%s: %d submissions in %.1f s, %.2f submissions/s" % (
            name, count, wall, count / wall))
    print("speed-up of grading with --jobs 2: %.2fx on %d CPUs" % (
        walls["--jobs 1 --no-pages"] / walls["--jobs 2 --no-pages"], os.cpu_count()))


def check_workers():
    """The children `nox -s check` forks: a CPU each, at most one per tutorial."""
    return max(1, min(os.cpu_count() or 1, len(spec.modules())))


def check(scratch, repeat):
    folder = os.path.join(scratch, "complete")
    shutil.copytree(os.path.join(KIT, "solutions"), folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    loops = json.loads(subprocess.run(
        [sys.executable, os.path.join(KIT, "benchmarks", "bare_compute.py"), folder], env=ENV,
        capture_output=True, text=True, check=True).stdout)["loops"]
    per_tutorial = {}
    for name, seconds in loops.items():
        module = name.split()[0]
        per_tutorial[module] = per_tutorial.get(module, 0.0) + seconds
    floor, longest = sum(loops.values()), max(per_tutorial.values())
    command = [sys.executable, "-m", "pytest", "graders", "--impl=" + folder, "-q",
               "-p", "no:cacheprovider"]
    workers = check_workers()
    walls = {"serial": [], "parallel": []}
    for _ in range(repeat):  # alternated, so that both see the same machine
        for kind, extra in (("serial", []), ("parallel", ["--at-once=%d" % workers])):
            begin = time.perf_counter()
            subprocess.run(command + extra, cwd=KIT, env=ENV, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True)
            walls[kind].append(time.perf_counter() - begin)
    serial, parallel = min(walls["serial"]), min(walls["parallel"])
    print("check of a complete implementation: serial %.2f s, %d workers %.2f s (%.2fx)" % (
        serial, workers, parallel, serial / parallel))
    print("training loops alone: serial floor %.2f s, longest tutorial %.2f s; parallel check"
          " = %.2fx the floor" % (floor, longest, parallel / floor))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4,
                        help="copies of the example class for the throughput run (default 4)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per timing in part 1, the best one counts (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nnkit-bench-") as scratch:
        per_submission(scratch, args.repeat)
        print()
        rendering(scratch, args.repeat)
        print()
        throughput(scratch, args.copies)
        print()
        check(scratch, args.repeat)
        print()
        subprocess.run([sys.executable, os.path.join(KIT, "benchmarks", "grading_parts.py"),
                        os.path.join(EXAMPLES, "alice"), "--repeat", str(args.repeat)],
                       env=ENV, check=True)


if __name__ == "__main__":
    main()
