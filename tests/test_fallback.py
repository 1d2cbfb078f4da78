"""The fallback sandbox in each platform's shape, simulated with NNKIT_SANDBOX: no
bubblewrap with Landlock; no bubblewrap and no Landlock as root (a uid of its own); and no
bubblewrap, no Landlock, not root, where no worker may start.

A hostile class (one submission reading solutions/ by path and by a walk up from its folder,
one writing into the kit and the platform's results folder, one honest) is graded once per
mode by the batch; every mode either grades each to exactly what it earns with true
protections, or refuses to grade at all. The uid mode needs root, as the platforms that use it
have: the test fails, it does not skip, elsewhere.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

from graders import spec
from tests.helpers import KIT, SOLUTIONS, copy_kit

# Python may lie under a folder only root may enter (/root/.pyenv): a private mount view,
# this test's own, makes that folder passable, as a system Python is on the platforms.
PASSABLE_ROOT = textwrap.dedent("""
    set -e
    python=$(readlink -f "$1"); shift
    mount --make-rprivate /
    top=/$(echo "$python" | cut -d/ -f2)
    if [ "$top" = /root ]; then
        stage=$(mktemp -d); inner=$(echo "$python" | cut -d/ -f3)
        mount --bind "/root/$inner" "$stage"
        mount -t tmpfs -o mode=0755 tmpfs /root
        mkdir "/root/$inner"; mount --bind "$stage" "/root/$inner"
    fi
    exec "$@"
    """)
NAMES = ("reader", "writer", "honest")
MODES = {"landlock": "no-bubblewrap,not-root", "uid": "no-bubblewrap,no-landlock",
         "none": "no-bubblewrap,no-landlock,not-root"}
READ_SOLUTIONS = '''
import os
LEAKED = []
for _path in [%(solutions)r, "/proc/%%d/cwd/solutions/trask.py" %% os.getppid()]:
    try:
        LEAKED.append(open(_path).read()[:40])
    except OSError:
        pass
'''
WRITE_KIT = '''
import os
for target in [%(kit)r, %(results)r]:
    try:
        with open(os.path.join(target, "planted.txt"), "w") as handle:
            handle.write("planted")
    except OSError:
        pass
'''


def hostile_class(folder, results_folder, kit):
    """{name: expected total} for a class written into `folder`, graded by the kit in `kit`:
    each earns full marks."""
    full = sum(case.points for m in spec.modules() for case in spec.load(m).cases)
    for name in NAMES:
        os.makedirs(folder / name)
        for module in spec.modules():
            shutil.copy(os.path.join(SOLUTIONS, module + ".py"), folder / name)
    with open(folder / "reader" / "trask.py", "a") as handle:
        handle.write(READ_SOLUTIONS % {"solutions": os.path.join(kit, "solutions", "trask.py")})
        handle.write("if LEAKED:\n    raise ImportError('LEAKED %r' % LEAKED)\n")
    with open(folder / "writer" / "zhou.py", "a") as handle:
        handle.write(WRITE_KIT % {"kit": os.path.join(kit, "solutions"),
                                  "results": str(results_folder)})
    return dict.fromkeys(NAMES, full)


@pytest.fixture(scope="module", params=sorted(MODES))
def graded(request, tmp_path_factory):
    """The hostile class graded in one mode by a copy of the kit, which the uid mode may
    chmod: the checkout itself, which other tests fingerprint, is never touched. The copy
    lies in a folder every user may pass (pytest's own are 0700), as a platform's kit does."""
    mode = request.param
    if mode == "uid":
        assert os.geteuid() == 0, "the uid fallback is tested as root, as platforms run it"
    tmp = tmp_path_factory.mktemp("fallback-" + mode)
    kit = tempfile.mkdtemp(prefix="nnkit-fallback-kit-")
    os.chmod(kit, 0o755)
    copy_kit(kit)
    results_folder = tmp / "platform-results"
    results_folder.mkdir()
    expected = hostile_class(tmp / "class", results_folder, kit)
    command = [sys.executable, "-m", "graders.batch", str(tmp / "class"), "--out",
               str(tmp / "grades"), "--jobs", "2"]
    if os.geteuid() == 0:
        command = ["unshare", "--mount", "--pid", "--fork", "--mount-proc", "bash", "-c",
                   PASSABLE_ROOT, "-", sys.executable, *command]
    try:
        run = subprocess.run(command, cwd=kit, capture_output=True, text=True, timeout=900,
                             env=dict(os.environ, NNKIT_SANDBOX=MODES[mode]))
        yield mode, run, tmp, expected, results_folder, kit
    finally:
        shutil.rmtree(kit, ignore_errors=True)


def test_each_mode_grades_to_what_was_earned_or_refuses(graded):
    mode, run, tmp, expected, results_folder, kit = graded
    assert os.listdir(results_folder) == []
    assert not os.path.exists(os.path.join(kit, "solutions", "planted.txt"))
    if mode == "none":
        assert run.returncode == 2, run.stderr
        assert "student code could read the kit's solutions/" in run.stderr
        assert not (tmp / "grades" / "gradebook.csv").exists()
        return
    assert run.returncode == 0, run.stderr
    with open(tmp / "grades" / "gradebook.csv", newline="") as handle:
        totals = {row["submission"]: float(row["total"]) for row in csv.DictReader(handle)}
    assert totals == expected
    assert "LEAKED" not in (tmp / "grades" / "reader" / "results.json").read_text()


def test_the_protections_listed_are_the_ones_the_probe_found(graded):
    mode, run, tmp, _, _, kit = graded
    if mode == "none":
        return
    with open(tmp / "grades" / "honest" / "grading.json") as handle:
        protections = json.load(handle)["protections"]
    assert not any("bubblewrap" in p for p in protections)
    assert "the kit (%s) cannot be read by student code, verified" % kit in protections
    landlock = any(p.startswith("Landlock filesystem confinement") for p in protections)
    uid = any(p.startswith("runs as an unprivileged uid of its own") for p in protections)
    assert (landlock, uid) == ((True, False) if mode == "landlock" else (False, True))


def test_prairielearn_says_gradable_false_where_no_worker_may_start(tmp_path):
    root = tmp_path / "grade"
    os.makedirs(root / "student")
    for module in spec.modules():
        shutil.copy(os.path.join(SOLUTIONS, module + ".py"), root / "student")
    run = subprocess.run([sys.executable, os.path.join(KIT, "graders", "prairielearn.py")],
                         cwd=tmp_path, env=dict(os.environ, GRADE_ROOT=str(root),
                                                NNKIT_SANDBOX=MODES["none"]),
                         capture_output=True, text=True, timeout=600)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["gradable"] is False and run.returncode == 3
    assert "student code could read the kit's solutions/" in results["output"]
