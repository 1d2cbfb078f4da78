"""The reference's curves for report.html: solutions/ graded on the public cases once per
machine and version of the kit, kept in the grading user's own cache folder."""

import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile

from graders.model import kit_files, spec
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


def private_folder():
    """The grading user's own cache folder in the temporary folder (mode 0700), made if need
    be. One that another user made, or that anyone else may write, is not trusted: a fresh
    folder of this run's stands in (the reference's curves are then drawn once more)."""
    path = os.path.join(tempfile.gettempdir(), "nnkit-cache-%d" % os.geteuid())
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return tempfile.mkdtemp(prefix="nnkit-cache-")
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        return tempfile.mkdtemp(prefix="nnkit-cache-")
    return path


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
