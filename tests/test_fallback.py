"""The fallback sandbox in each platform's shape, simulated with NNKIT_SANDBOX: no
bubblewrap with Landlock; no bubblewrap and no Landlock as root (a uid of its own and
namespaces); all of it as root; and no bubblewrap, no Landlock, not root, where no worker may
start.

A hostile class (one submission reading solutions/ by path and by a walk up from its folder,
and a classmate's work that anyone may read; one writing into the kit, the platform's results
folder and the machine's /tmp and /dev/shm, and changing the mode, owner, times and extended
attributes of a kit file and of a classmate's; one signalling and limiting
processes outside and, as root, reaching SysV IPC outside, one honest) is graded once per
mode by the batch; every mode either grades each to exactly what it earns with true
protections, or refuses to grade at all. The uid and root modes need root, as the platforms
that use them have: the test fails, it does not skip, elsewhere.
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

from graders.model import spec
from tests.helpers import KIT, SOLUTIONS, copy_kit

# The batch runs as the first process of PID and IPC namespaces of this test's own (as root),
# beside a victim process and a SysV message queue of the grader's that no worker may reach:
# the victim is the namespace's third process (after this script and /bin/true), so student
# code knows its pid.
CONTAINED = textwrap.dedent("""
    report=$1; python=$2; shift 2
    /bin/true
    sleep 600 & victim=$!
    "$python" -c "import ctypes; ctypes.CDLL(None).msgget(%(grader_key)d, 0o1666)"
    status=0; "$@" || status=$?
    { echo "victim $victim"; kill -0 $victim && echo "victim alive"
      grep "Max open files" /proc/$victim/limits; ipcs -q; } > "$report" 2>&1
    kill $victim
    exit $status
    """)
VICTIM, GRADER_KEY, STUDENT_KEY = 3, 0x6e6e6b01, 0x6e6e6b02
NAMES = ("reader", "writer", "signaller", "honest")
MODES = {"landlock": "no-bubblewrap,not-root", "uid": "no-bubblewrap,no-landlock",
         "root": "no-bubblewrap", "none": "no-bubblewrap,no-landlock,not-root"}


def as_root(mode):
    """Whether the mode's grader is root, who can give workers namespaces of their own."""
    return "not-root" not in MODES[mode]
READ_SOLUTIONS = '''
import os
LEAKED = []
for _path in [%(solutions)r, "/proc/%%d/cwd/solutions/trask.py" %% os.getppid(), %(classmate)r]:
    try:
        LEAKED.append(open(_path).read()[:40])
    except OSError:
        pass
'''
WRITE_KIT = '''
import os
for target in [os.path.join(%(kit)r, "planted.txt"), os.path.join(%(results)r, "planted.txt"),
               *%(planted)r]:
    try:
        with open(target, "w") as handle:
            handle.write("planted")
    except OSError:
        pass
'''
# A file's mode, owner, times and extended attributes, which Landlock does not guard: the
# kit's spec and a classmate's module, both outside the worker's folder.
RETOUCH = '''
import os
RETOUCHED = []
for _path in %(targets)r:
    for _name, _change in (("chmod", lambda: os.chmod(_path, 0o4777)),
                           ("chown", lambda: os.chown(_path, 65534, 65534)),
                           ("utime", lambda: os.utime(_path, (0, 0))),
                           ("setxattr", lambda: os.setxattr(_path, "user.nnkit", b"1"))):
        try:
            _change()
            RETOUCHED.append("%%s %%s" %% (_name, _path))
        except OSError:
            pass
if RETOUCHED:
    raise ImportError("RETOUCHED %%r" %% RETOUCHED)
'''

# Signals, prlimit and setpriority at a process outside the sandbox, and at every process it
# may see, and (as root, where the worker has an IPC namespace of its own) a SysV message
# queue of the grader: any that is reached is recorded and costs trask its points.
REACH_OUTSIDE = '''
import ctypes, os, resource, signal
REACHED = []
_libc = ctypes.CDLL(None, use_errno=True)
for _pid in (%(victim)d,):
    try:
        resource.prlimit(_pid, resource.RLIMIT_NOFILE, (1, 1))
        REACHED.append("prlimit %%d" %% _pid)
    except OSError:
        pass
try:
    os.kill(%(victim)d, signal.SIGKILL)
    REACHED.append("kill %(victim)d")
except OSError:
    pass
try:
    os.kill(-1, signal.SIGKILL)  # says 0 even where every signal was refused: the victim
except OSError:                  # alive and the class graded say whether one landed
    pass
for _who in ((os.PRIO_PROCESS, %(victim)d), (os.PRIO_USER, 0)):
    try:
        os.setpriority(*_who, 19)
        REACHED.append("setpriority %%r" %% (_who,))
    except OSError:
        pass
if %(ipc)s and _libc.msgget(%(grader_key)d, 0) >= 0:
    REACHED.append("the grader's message queue")
if %(ipc)s:
    _libc.msgget(%(student_key)d, 0o1666)
if REACHED:
    raise ImportError("REACHED %%r" %% REACHED)
'''


# The tutorials the attackers hand in: the two their attacks are in (at import), trask
# graded before zhou; the honest submission hands in every tutorial.
ATTACKED = ("trask", "zhou")


def points(modules):
    return sum(case.points for m in modules for case in spec.load(m).cases)


def hostile_class(folder, results_folder, kit, grader_is_root, classmate, planted):
    """{name: expected total} for a class written into `folder`, graded by the kit in `kit`:
    each earns full marks on what it hands in. The signaller attacks in every mode (the batch
    runs in a PID namespace of this test's own, so what it reaches is the test's victim), and
    the grader's message queue only where `grader_is_root`."""
    handed_in = {name: spec.modules() if name == "honest" else ATTACKED for name in NAMES}
    for name, modules in handed_in.items():
        os.makedirs(folder / name)
        for module in modules:
            shutil.copy(os.path.join(SOLUTIONS, module + ".py"), folder / name)
    expected = {name: points(modules) for name, modules in handed_in.items()}
    with open(folder / "reader" / "trask.py", "a") as handle:
        handle.write(READ_SOLUTIONS % {"solutions": os.path.join(kit, "solutions", "trask.py"),
                                       "classmate": classmate})
        handle.write("if LEAKED:\n    raise ImportError('LEAKED %r' % LEAKED)\n")
    with open(folder / "writer" / "zhou.py", "a") as handle:
        handle.write(WRITE_KIT % {"kit": os.path.join(kit, "solutions"),
                                  "results": str(results_folder), "planted": planted})
        handle.write(RETOUCH % {"targets": retouched_files(kit, classmate)})
    with open(folder / "signaller" / "trask.py", "a") as handle:
        handle.write(REACH_OUTSIDE % {"victim": VICTIM, "grader_key": GRADER_KEY,
                                      "student_key": STUDENT_KEY, "ipc": grader_is_root})
    return expected


def retouched_files(kit, classmate):
    """The files the writer tries to change the mode, owner, times and attributes of."""
    return [os.path.join(kit, "spec", "zhou.yaml"), classmate]


def metadata(path):
    """What the writer must leave as it was: mode, owner, times and extended attributes."""
    found = os.stat(path)
    return (found.st_mode, found.st_uid, found.st_gid, found.st_mtime_ns,
            sorted(os.listxattr(path)))


@pytest.fixture(scope="module", params=sorted(MODES))
def graded(request, tmp_path_factory):
    """The hostile class graded in one mode by a copy of the kit, which the uid mode may
    chmod: the checkout itself, which other tests fingerprint, is never touched. The copy
    lies in a folder every user may pass (pytest's own are 0700), as a platform's kit does."""
    mode = request.param
    if as_root(mode):
        assert os.geteuid() == 0, "the root fallback is tested as root, as platforms run it"
    tmp = tmp_path_factory.mktemp("fallback-" + mode)
    kit = tempfile.mkdtemp(prefix="nnkit-fallback-kit-")
    os.chmod(kit, 0o755)
    copy_kit(kit)
    results_folder = tmp / "platform-results"
    results_folder.mkdir()
    # A classmate's work where anyone may read it, and files no worker may leave behind in
    # the machine's /tmp and /dev/shm (names of this test's own).
    decoy = tempfile.mkdtemp(prefix="nnkit-fallback-classmate-")
    os.chmod(decoy, 0o755)
    classmate = os.path.join(decoy, "trask.py")
    shutil.copy(os.path.join(SOLUTIONS, "trask.py"), classmate)
    os.chmod(classmate, 0o644)
    planted = [os.path.join(folder, os.path.basename(decoy) + "-planted")
               for folder in ("/tmp", "/dev/shm")]
    expected = hostile_class(tmp / "class", results_folder, kit, as_root(mode), classmate,
                             planted)
    before = {path: metadata(path) for path in retouched_files(kit, classmate)}
    command = [sys.executable, "-m", "graders.batch", str(tmp / "class"), "--out",
               str(tmp / "grades"), "--jobs", "2"]
    report = tmp / "outside.txt"
    if os.geteuid() == 0:
        command = ["unshare", "--mount", "--pid", "--ipc", "--fork", "--mount-proc", "bash",
                   "-c", CONTAINED % {"grader_key": GRADER_KEY}, "-", str(report),
                   sys.executable, *command]
    try:
        run = subprocess.run(command, cwd=kit, capture_output=True, text=True, timeout=900,
                             env=dict(os.environ, NNKIT_SANDBOX=MODES[mode]))
        outside = report.read_text() if report.exists() else ""
        left = [path for path in planted if os.path.lexists(path)]
        left += [path for path in before if metadata(path) != before[path]]
        yield mode, run, tmp, expected, results_folder, kit, outside, left
    finally:
        shutil.rmtree(kit, ignore_errors=True)
        shutil.rmtree(decoy, ignore_errors=True)
        for path in planted:
            if os.path.lexists(path):
                os.remove(path)


def test_each_mode_grades_to_what_was_earned_or_refuses(graded):
    mode, run, tmp, expected, results_folder, kit, _, left = graded
    assert os.listdir(results_folder) == []
    assert left == []  # what a worker writes in /tmp or /dev/shm ends with it, and the
    # files it tried to retouch are as they were
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
    mode, run, tmp, _, _, kit, _, _ = graded
    if mode == "none":
        return
    with open(tmp / "grades" / "honest" / "grading.json") as handle:
        protections = json.load(handle)["protections"]
    assert not any("bubblewrap" in p for p in protections)
    assert "the kit (%s) cannot be read by student code, verified" % kit in protections
    landlock = any(p.startswith("Landlock filesystem confinement") for p in protections)
    uid = any(p.startswith("runs as an unprivileged uid of its own") for p in protections)
    assert (landlock, uid) == {"landlock": (True, False), "uid": (False, True),
                               "root": (True, True)}[mode]
    namespaces = ["own PID namespace: signals and prlimit reach no process outside, verified",
                  "own IPC namespace: no SysV shared memory or message queue outside, verified"]
    assert all((p in protections) == as_root(mode) for p in namespaces)
    scoping = "Landlock signal scoping: signals reach no process outside the worker, verified"
    assert (scoping in protections) == (mode == "landlock"), protections  # Linux 6.12 and later
    assert "seccomp filter: no kernel extensions, namespaces or tracing, no prlimit or " \
           "setpriority on other processes, no change to a file's owner, mode, times or " \
           "attributes, verified" in protections  # libseccomp's filter


def test_signals_prlimit_and_sysv_ipc_reach_nothing_outside_the_worker(graded):
    """In every mode that grades: as root through the worker's own PID and IPC namespaces;
    without root, where the worker is the grader's uid, through Landlock's scoping of
    signals and its bar on tracing (which prlimit needs) outside the worker."""
    mode, run, tmp, expected, _, _, outside, _ = graded
    if mode == "none":
        return
    assert "victim %d\nvictim alive" % VICTIM in outside, outside
    limits = [line.split() for line in outside.splitlines() if line.startswith("Max open")]
    assert limits and limits[0][3:5] != ["1", "1"], outside
    if as_root(mode):
        assert "%#x" % STUDENT_KEY not in outside and "%#x" % GRADER_KEY in outside, outside
    assert "REACHED" not in (tmp / "grades" / "signaller" / "results.json").read_text()


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
