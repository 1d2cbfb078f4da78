"""Gradescope: the autograder zip, and the grading of one submission inside Gradescope.

    python -m graders.gradescope build OUT   (nox -s gradescope -- OUT) writes OUT/autograder.zip
    python -m graders.gradescope             what run_autograder runs, from the kit's folder

The zip holds setup.sh and run_autograder (from gradescope/) at its top and the kit beside
them, which Gradescope unpacks into /autograder/source: the graders, the specs, solutions/
(hidden cases are compared with it at grading time, in the grading process; student code runs
in the sandbox, where that folder does not exist) and pyproject.toml. Grading reads
$AUTOGRADER_ROOT/submission (default /autograder) in whatever shape it was uploaded and writes
$AUTOGRADER_ROOT/results/results.json in Gradescope's format
(https://gradescope-autograders.readthedocs.io/en/latest/specs/).
"""

import glob
import os
import sys
import tempfile
import zipfile

from graders.model import kit_files as kit_files_of
from graders.platforms import upload
from graders.outputs.files import write_json

KIT = upload.KIT
HIDDEN_NOTE = ("Hidden cases (new numbers and other sizes) are graded too; their details are "
               "shown when your instructor publishes the grades.")
SCRIPTS = {"setup.sh": "gradescope/setup.sh", "run_autograder": "gradescope/run_autograder"}
KIT_FILES = ["spec/*.yaml", "spec/data/*", "solutions/*.py", "pyproject.toml"]  # and graders/


def kit_files():
    """The kit's files the autograder needs, as paths relative to the kit: all of graders/
    (by rule, graders/model/kit_files.py), the specs, solutions/ and pyproject.toml."""
    return kit_files_of.grader_files() + sorted(
        os.path.relpath(path, KIT) for pattern in KIT_FILES
        for path in glob.glob(os.path.join(KIT, pattern)) if os.path.isfile(path))


def build(out):
    """Writes out/autograder.zip; returns its path."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "autograder.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in SCRIPTS.items():
            _add(archive, os.path.join(KIT, source), name, 0o755)
        for name in kit_files():
            _add(archive, os.path.join(KIT, name), name, 0o644)
    return path


def _add(archive, source, name, mode):
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same zip every time
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(source, "rb") as handle:
        archive.writestr(info, handle.read())


def gradescope_results(results, seconds):
    """The kit's results.json of SubmissionResults with what Gradescope shows besides: the time taken and a
    Markdown summary. Hidden cases already have visibility after_published; the summary,
    which students see at once, counts only the visible (public) cases."""
    return dict(results.to_json(), execution_time=int(round(seconds)),
                output=upload.summary(results, HIDDEN_NOTE, visible_only=True),
                output_format="md", visibility="visible")


def run(root):
    """Grades root/submission into root/results/results.json."""
    with tempfile.TemporaryDirectory(prefix="nnkit-gradescope-") as work:
        results, seconds = upload.grade(os.path.join(root, "submission"), work)
    write_json(os.path.join(root, "results", "results.json"),
               gradescope_results(results, seconds))
    print(upload.summary(results, HIDDEN_NOTE, visible_only=True))


def main(argv):
    if argv[:1] == ["build"] and len(argv) == 2:
        print("Wrote %s: upload it as the autograder of a Gradescope programming assignment."
              % build(argv[1]))
        return 0
    if argv:
        print("usage: python -m graders.gradescope build OUT\n"
              "       python -m graders.gradescope   (in run_autograder)", file=sys.stderr)
        return 2
    try:
        run(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    except upload.GradingFailed as error:
        print("error: %s" % error, file=sys.stderr)
        return 3
    return 0
