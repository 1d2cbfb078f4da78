"""Gradings and venvs that several test files need, made once per test run and shared by
every pytest-xdist worker (the `shared_gradings`, `example_class` and `shared_venvs` fixtures
of tests/conftest.py).

The first test that asks for a grading makes it; a test on another worker that asks for the
same one meanwhile waits for it (a lock file per grading), then reads the same results. A
grading is the same when the folder (its path and every file's bytes), the options and the
hidden flag are: grading is deterministic (tests/test_drift.py checks it), so the tests read
what each would have made itself.
"""

import hashlib
import json
import os
import subprocess
import sys

from tests.helpers import KIT, grade

try:
    import fcntl
except ImportError:  # Windows: no lock; two workers may then both grade, each writes whole
    fcntl = None

EXAMPLES = os.path.join(KIT, "examples", "submissions")
RECORD = "record.json"  # where tests/record_reference.py writes, in a grading's folder


def fingerprint(impl, options, hidden):
    """A digest of what makes a grading: the folder's path and files, the options."""
    folder = os.path.join(KIT, str(impl))
    digest = hashlib.sha256(json.dumps([os.path.abspath(folder), list(options), hidden]).encode())
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(root, name)
            digest.update(os.path.relpath(path, folder).encode() + b"\0")
            with open(path, "rb") as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()[:16]


def made_once(path, make):
    """The JSON at `path`, written from make() by the first caller; a caller on another
    worker meanwhile waits for it (the lock beside it), then reads the same."""
    with open(path + ".lock", "w") as lock:
        if fcntl:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.isfile(path):
            with open(path + ".tmp", "w", encoding="utf-8") as handle:
                json.dump(make(), handle)
            os.replace(path + ".tmp", path)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def process(run):
    """A completed process as data for made_once, and back (`completed`)."""
    return {"args": run.args, "returncode": run.returncode, "stdout": run.stdout,
            "stderr": run.stderr}


def completed(made):
    return subprocess.CompletedProcess(made["args"], made["returncode"], made["stdout"],
                                       made["stderr"])


class SharedGradings:
    """helpers.grade, made once per distinct grading for the whole run. Each also loads
    tests/record_reference.py, which only watches: `recorded` gives what it recorded."""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def grade(self, impl, *options, hidden=True):
        """(results.json as a dict, the completed process), as helpers.grade gives them."""
        made = self._made(impl, options, hidden)[1]
        return made["results"], completed(made)

    def recorded(self, impl, *options, hidden=True):
        """Every number `impl` exchanged with the graders in the hidden cases of that
        grading (tests/record_reference.py)."""
        with open(os.path.join(self._made(impl, options, hidden)[0], RECORD),
                  encoding="utf-8") as handle:
            return json.load(handle)

    def _made(self, impl, options, hidden):
        """(the grading's folder, what it made), once made (by this call or another)."""
        where = os.path.join(self.folder, fingerprint(impl, options, hidden))

        def make():
            os.makedirs(where, exist_ok=True)
            env = dict(os.environ, NNKIT_RECORD=os.path.join(where, RECORD))
            results, run = grade(impl, "-p", "tests.record_reference", *options,
                                 hidden=hidden, tmp_path=where, env=env)
            return dict(process(run), results=results)

        return where, made_once(where + ".json", make)


# The batch as `python -m graders.batch` runs it, counting each results.json it reads.
COUNTING = """
import collections, json, sys
from graders.model import assignment
reads, read = collections.Counter(), assignment.Assignment.read
def counted(self, path):
    found = read(self, path)  # counted once read: a folder not graded yet is only looked for
    reads[path] += 1
    return found
assignment.Assignment.read = counted
from graders import batch
try:
    code = batch.main(sys.argv[2:])
finally:
    with open(sys.argv[1], "w") as handle:
        json.dump(reads, handle)
sys.exit(code)
"""


def example_class(folder):
    """The example class graded once for the whole run, pages and all, two at a time, by the
    batch as `python -m graders.batch` runs it: (the output folder, the completed process,
    with `reads`: {results.json path: times the batch read it}), made once (made_once)."""
    out, reads = os.path.join(folder, "grades"), os.path.join(folder, "reads.json")
    os.makedirs(folder, exist_ok=True)

    def make():
        env = dict(os.environ)
        env.pop("NNKIT_NO_PAGES", None)  # tests/conftest.py leaves pages out elsewhere
        run = subprocess.run([sys.executable, "-c", COUNTING, reads, EXAMPLES, "--out", out,
                              "--jobs", "2"], cwd=KIT, env=env, capture_output=True, text=True,
                             timeout=600)
        with open(reads, encoding="utf-8") as handle:
            return dict(process(run), reads=json.load(handle))

    made = made_once(os.path.join(folder, "batch.json"), make)
    run = completed(made)
    run.reads = made["reads"]
    return out, run


def link_venvs(folder, kit):
    """Makes `kit`/.nox, where the kit's noxfile builds its venvs, a link to one folder under
    `folder` for every copy of the kit with the same noxfile.py and pyproject.toml: the first
    session that needs a venv builds it there (the noxfile's own lock makes a second wait)
    and every later one, in any copy, finds it built, as on one machine."""
    digest = hashlib.sha256()
    for name in ("noxfile.py", "pyproject.toml"):
        with open(os.path.join(str(kit), name), "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    shared = os.path.join(str(folder), digest.hexdigest()[:16])
    os.makedirs(shared, exist_ok=True)
    os.symlink(shared, os.path.join(str(kit), ".nox"))
