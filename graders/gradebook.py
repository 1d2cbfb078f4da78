"""What a batch writes for people: gradebook.csv, feedback.md and the summary table."""

import csv
import io
import json
import os

from graders import results as results_data
from graders import spec
from graders.report import write_atomically

STATUS_GRADED = "graded"


def status(results, problems):
    if results.get("error"):
        return "error: " + results["error"]
    if results_data.kit_errors(results):
        return "error: kit error in %s" % ", ".join(results_data.kit_errors(results))
    if problems:
        return "incomplete: " + "; ".join(problems)
    return STATUS_GRADED


def row(name, results, problems, modules):
    points, _ = results_data.points(results, modules)
    return [name] + ["%g" % points[m] for m in modules] + [
        "%g" % sum(points.values()), status(results, problems)]


def write(out, names, modules):
    """Rewrites out/gradebook.csv from the finished submission folders among `names`."""
    rows = []
    for name in names:
        try:
            with open(os.path.join(out, name, "results.json"), encoding="utf-8") as handle:
                results = json.load(handle)
            with open(os.path.join(out, name, "grading.json"), encoding="utf-8") as handle:
                problems = json.load(handle)["problems"]
        except (OSError, ValueError, KeyError):
            continue  # not graded yet, or interrupted before its folder was complete
        rows.append(row(name, results, problems, modules))
    write_atomically(os.path.join(out, "gradebook.csv"), csv_text(rows, modules))
    return rows


def csv_text(rows, modules):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submission"] + list(modules) + ["total", "status"])
    writer.writerows(rows)
    return out.getvalue()


def points_possible(modules):
    return {module: sum(case.points for case in spec.load(module).cases) for module in modules}


def summary(rows, modules, possible):
    """A plain-text table of the gradebook for the terminal."""
    width = max([len("submission")] + [len(r[0]) for r in rows])
    lines = ["%-*s %s %8s  %s" % (width, "submission", " ".join("%7s" % m for m in modules),
                                  "total", "status")]
    for r in rows:
        lines.append("%-*s %s %8s  %s" % (width, r[0], " ".join("%7s" % p for p in r[1:-2]),
                                          r[-2], r[-1]))
    lines.append("%-*s %s %8g" % (width, "(possible)", " ".join(
        "%7g" % possible[m] for m in modules), sum(possible.values())))
    return "\n".join(lines)


def feedback(name, results, problems, modules):
    """feedback.md: the student's score per tutorial and what to fix, case by case."""
    points, possible = results_data.points(results, modules)
    total, most = sum(points.values()), sum(possible.values())
    lines = ["# Feedback for %s" % name, "",
             "Score: **%g / %g**" % (total, most), ""]
    if results.get("error"):
        lines += ["Grading could not finish: %s" % results["error"], ""]
    lines += ["Problems with the files handed in: " + "; ".join(problems), ""] if problems else []
    lines += ["| tutorial | points | of |", "|---|---:|---:|"]
    lines += ["| %s | %g | %g |" % (m, points[m], possible[m]) for m in modules]
    for module, tests in results_data.by_module(results, modules).items():
        if not tests:
            continue
        lines += ["", "## %s" % module, ""]
        for test in tests:
            case, kind = test["extra_data"]["case"], test["extra_data"]["kind"]
            mark = "passed" if test["status"] == "passed" else "FAILED"
            lines.append("- %s %s (%s, %g/%g)" % (mark, case, kind, test["score"],
                                                  test["max_score"]))
            if test["status"] == "passed":
                continue
            if test["visibility"] == "visible":
                lines += ["", "  ```", *("  " + line for line in test["output"].splitlines()),
                          "  ```", ""]
            elif kind == spec.GENERALITY:
                lines.append("  " + test["output"].partition("\n")[0])  # its requirement
            else:
                lines.append("  A hidden case (the tutorial's procedure on new numbers): the "
                             "public checks of the same function show what to fix.")
    lines += ["", results.get("output", "")]
    return "\n".join(lines).rstrip() + "\n"
