"""Publish a results.json on GitHub: a score table in the job summary, and the points for
GitHub Classroom's autograding reporter.

    python -m graders.classroom results.json

Appends a Markdown table to $GITHUB_STEP_SUMMARY (with a line on the rebuilds from memory
when .recall/history.csv is there, graders/recall/rebuild.py) and sets the step output `result` to the
base64 JSON that the reporter (classroom-resources/autograding-grading-reporter) reads.
Without those variables it prints the table. Standard library only: it runs on the CI
runner's own Python.
"""

import base64
import json
import os

from graders.model import i18n
from graders.outputs import inert
from graders.recall import history as recall_history
from graders.model.results import SubmissionResults
from graders.model.i18n import _


def rebuilds_line(root):
    """A sentence on the rebuilds from memory in `root`/.recall/history.csv, or None."""
    try:
        rows, problems = recall_history.read(root)
    except recall_history.HistoryError as error:
        return str(error)
    found = recall_history.rebuilds(rows, problems)
    done = [rebuild for rebuild in found if rebuild.outcome == "done"]
    if not found and not problems:
        return None
    line = _("Rebuilds from memory: %d done.") % len(done)
    if done:
        line += " " + _("The latest (%s, hints %s) took %.1f minutes and %d check(s).") % (
            done[-1].module, done[-1].level, done[-1].end.minutes, len(done[-1].checks))
    return "\n\n".join([line] + [inert.markdown_text(problem) for problem in problems])


def markdown(results, root=None):
    """The job summary of SubmissionResults: a score table and what to fix."""
    points, possible = results.points()
    passed = sum(test.passed for test in results.tests)
    lines = ["## Public checks: %g / %g points" % (results.score, sum(possible.values())), "",
             "| tutorial | points | of |", "|---|---:|---:|"]
    lines += ["| %s | %g | %g |" % (m, points[m], possible[m]) for m in sorted(points)]
    lines += ["", "%d of %d public checks passed. Hidden checks (random inputs) run when your "
                  "instructor grades; this score is advisory." % (passed, len(results.tests))]
    rebuilds = rebuilds_line(root) if root else None
    if rebuilds:
        lines += ["", rebuilds]
    failures = [t for t in results.tests if not t.passed]
    if failures:
        lines += ["", "<details><summary>What to fix</summary>", ""]
        for test in failures:
            lines += ["**%s**" % test.name, "", *inert.fenced(test.output), ""]
        lines.append("</details>")
    return "\n".join(lines) + "\n"


def classroom(results):
    """The reporter's format: version, status, max_score and one entry per test."""
    tests = [{"name": t.name, "status": "pass" if t.passed else "fail", "score": t.score,
              "message": "" if t.passed else t.output} for t in results.tests]
    return {"version": 1, "max_score": sum(t.max_score for t in results.tests),
            "status": "pass" if all(t["status"] == "pass" for t in tests) else "fail",
            "tests": tests}


def main(path):
    with open(path, encoding="utf-8") as handle:
        results = SubmissionResults.from_json(json.load(handle))
    i18n.set_language()
    # results.json lies at the top of the student's repository, beside .recall/ (the checks
    # run from a copy of the graders elsewhere)
    table = markdown(results, os.path.dirname(os.path.abspath(path)))
    summary, output = os.environ.get("GITHUB_STEP_SUMMARY"), os.environ.get("GITHUB_OUTPUT")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(table)
    else:
        print(table)
    if output:
        encoded = base64.b64encode(json.dumps(classroom(results)).encode()).decode()
        with open(output, "a", encoding="utf-8") as handle:
            handle.write("result=%s\n" % encoded)
