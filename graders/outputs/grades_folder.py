"""The batch's output folder: what it may replace, its lock, what is graded already, and how
a graded submission's folder is finished and put in place (all or nothing)."""

import fcntl
import json
import os

from graders.outputs import gradebook
from graders.outputs.files import json_text, write_atomically
from graders.platforms import junit
from graders.recall import history as recall_history
from graders.sandbox import process as sandbox

LOCK = ".lock"  # in --out: held by the batch writing there, for as long as it runs


class WriteError(Exception):
    """The batch could not write its own files (disk full, file too large, ...)."""


class OutputBusy(Exception):
    """Another batch is grading into the same output folder."""


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


def check_writable(work):
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


def finish(out, work, entry, results, meta, modules):
    """Writes junit.xml, feedback.md, grading.json (`meta` and the entry's) and recall.json
    into `work`, the staging folder of collect.Entry `entry`, then moves it to out/<name>
    atomically; returns its gradebook.Graded. `results` (SubmissionResults) is written as
    results.json too where the grading run wrote none (it could not finish)."""
    if results.error is not None:
        write_atomically(os.path.join(work, "results.json"), json_text(results.to_json()))
    write_atomically(os.path.join(work, "junit.xml"), junit.junit_xml(results))
    sandbox.remove_tree(os.path.join(work, "modules"))
    graded = gradebook.Graded(entry.name, results, entry.problems)
    write_atomically(os.path.join(work, "feedback.md"), gradebook.feedback(
        entry.name, results, entry.problems, modules))
    meta = dict({"submission": entry.name, "source": os.path.basename(entry.path),
                 "fingerprint": entry.fingerprint, "status": graded.status,
                 "problems": entry.problems, "note": entry.note}, **meta)
    write_atomically(os.path.join(work, "grading.json"), json_text(meta))
    if entry.history is not None or entry.history_problem:
        recall = recall_history.summary((entry.history or b"").decode("utf-8", "replace"))
        recall["problems"] += [entry.history_problem] if entry.history_problem else []
        write_atomically(os.path.join(work, recall_history.SUMMARY), json_text(recall))
    target = os.path.join(out, entry.name)
    if os.path.exists(target):
        retired = work + ".old"
        os.replace(target, retired)
        os.replace(work, target)
        sandbox.remove_tree(retired)
    else:
        os.replace(work, target)
    return graded
