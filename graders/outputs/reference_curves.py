"""The reference's curves for report.html: solutions/ graded on the public cases once per
machine and version of the kit, kept in the grading user's own cache folder."""

import hashlib
import json
import os
import subprocess
import sys

from graders.model import kit_files, spec
from graders.model.private_cache import private_folder
from graders.model.results import SubmissionResults


def reference_cache():
    """Where the reference's curves are kept: a file named by a hash of everything that
    draws them (solutions/, spec/, the graders), in the temporary folder of the grading user."""
    digest = hashlib.sha256()
    names = kit_files.grader_files() + sorted(
        os.path.join(folder, name) for folder in ("solutions", "spec", os.path.join("spec", "data"))
        if os.path.isdir(os.path.join(spec.KIT, folder))
        for name in os.listdir(os.path.join(spec.KIT, folder))
        if os.path.isfile(os.path.join(spec.KIT, folder, name)))
    for name in names:
        with open(os.path.join(spec.KIT, name), "rb") as handle:
            digest.update(name.encode() + b"\0" + handle.read())
    return os.path.join(private_folder(), "nnkit-reference-%s.json" % digest.hexdigest()[:16])


def start_reference(cache):
    """Starts grading solutions/ on the public cases into `cache`, unless it is there
    (or there is no solutions/, as in the student handout): a process, or None."""
    if os.path.isfile(cache) or not os.path.isdir(os.path.join(spec.KIT, "solutions")):
        return None
    return subprocess.Popen([sys.executable, "-m", "pytest", "graders", "--impl=solutions",
                             "-q", "-p", "no:cacheprovider", "--results-json", cache],
                            cwd=spec.KIT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def reference_results(cache=None, running=None):
    """SubmissionResults of solutions/ on the public cases; no tests where there is none."""
    cache = cache or reference_cache()
    if running is None:
        running = start_reference(cache)
    if running is not None:
        running.wait()
    try:
        with open(cache, encoding="utf-8") as handle:
            return SubmissionResults.from_json(json.load(handle))
    except (OSError, ValueError, RecursionError, KeyError, TypeError, AttributeError):
        return SubmissionResults()
