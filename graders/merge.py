"""Merge the outputs of sharded batches into one gradebook, as if graded in one run.

    python -m graders.merge SHARD_OUT [SHARD_OUT ...] --out DIR
    nox -s merge -- SHARD_OUT [SHARD_OUT ...] --out DIR

Each SHARD_OUT is the --out folder of `python -m graders.batch --shard I/N`. Every finished
submission folder is copied into DIR (atomically, one by one) and DIR/gradebook.csv is
written for all of them, sorted by name like a single run's.
"""

import argparse
import os
import shutil
import sys

from graders.model import spec
from graders.model.assignment import Assignment
from graders.outputs import gradebook


def finished(folder):
    """The names of the submission folders in a batch output that are complete."""
    return sorted(name for name in os.listdir(folder)
                  if os.path.isfile(os.path.join(folder, name, "grading.json")))


def graded_cases(shard, assignment):
    """{case id: (kind, points)} over the results of every finished submission in `shard`."""
    cases = {}
    for name in finished(shard):
        try:
            cases.update(assignment.read(os.path.join(shard, name, "results.json"))
                         .graded_cases())
        except (OSError, ValueError):
            continue  # a submission whose grading stopped has no tests to compare
    return cases


def class_warnings(shards, assignment):
    """Sentences for each shard graded on other cases than this kit's specs say."""
    expected = assignment.graded_cases()
    warnings = []
    for shard in shards:
        graded = graded_cases(shard, assignment)
        differ = sorted(set(graded) ^ set(expected) | {
            name for name in set(graded) & set(expected) if graded[name] != expected[name]})
        if graded and differ:
            warnings.append("%s was graded on other cases than this kit's specs (%d differ, "
                            "such as %s): the shards do not cover the same class and "
                            "assignment" % (shard, len(differ), ", ".join(differ[:3])))
    return warnings


def merge(shards, out, assignment):
    """Copies every finished submission of `shards` into `out` and writes its gradebook;
    returns the finished submissions there ([gradebook.Graded])."""
    sources = {}
    for shard in shards:
        for name in finished(shard):
            if name in sources:
                raise ValueError("%s was graded in both %s and %s" % (name, sources[name], shard))
            sources[name] = shard
    os.makedirs(out, exist_ok=True)
    for name, shard in sorted(sources.items()):
        staging = os.path.join(out, ".merging-" + name)
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(os.path.join(shard, name), staging)
        target = os.path.join(out, name)
        if os.path.exists(target):
            if not os.path.isfile(os.path.join(target, "grading.json")):
                raise ValueError("%s exists and was not written by the kit: refusing to "
                                 "replace it" % target)
            shutil.rmtree(target)
        os.replace(staging, target)
    names = sorted(set(sources) | set(finished(out)))
    graded = [found for found in (gradebook.read(out, name, assignment) for name in names)
              if found is not None]
    if os.environ.get("NNKIT_NO_PAGES") != "1":
        from graders.outputs import pages  # matplotlib and jinja2: only for the pages
        if not pages.missing():  # the reports came with their folders
            pages.write_class(out, graded, assignment, len(names) - len(graded))
    gradebook.write(out, graded, list(assignment.modules))
    return graded


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m graders.merge",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("shards", nargs="+", help="output folders of sharded batches")
    parser.add_argument("--out", required=True, help="folder for the merged gradebook")
    args = parser.parse_args(argv)
    for shard in args.shards:
        if not os.path.isdir(shard):
            parser.error("no such folder: %s" % shard)
    try:
        assignment = Assignment.load()
    except spec.SpecError as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    for warning in class_warnings(args.shards, assignment):
        print("warning: %s" % warning, file=sys.stderr)
    try:
        graded = merge(args.shards, args.out, assignment)
    except ValueError as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    print(gradebook.summary(graded, list(assignment.modules), assignment.possible()))
    print("\nWrote %s" % os.path.join(args.out, "gradebook.csv"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
