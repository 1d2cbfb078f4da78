"""Hostile submissions, graded in one class beside honest ones: each gets its honest score
and changes nothing else.

Every submission starts as a copy of solutions/ (full marks) and is then edited: code added
before or after a module, a module replaced by its stub, extra files beside the modules, or
links and broken zips in place of files. `HOSTILE` lists exactly the cases each edit should
cost; `LIMIT_ATTACKS` push on the limits that hold for a whole submission and may cost their
own tutorial, never another; the probe submission checks from inside that the sandbox holds.

The batch runs as the first process of a PID namespace of its own (tests/contained.py), with
lures set around it, so an attack that escapes can harm nothing outside. A missing
protection makes these tests fail, never skip.
"""

import csv
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest

from graders.model import spec
from tests.contained import contained, lure_addresses
from tests.helpers import KIT, SOLUTIONS, failed, failed_modules, kit_files

MARKER = "98765"  # the sleep a detached child runs; no process with it may survive grading
# Honest submissions: one in full, and under a name like an output file or names alike, each
# of the others with one tutorial of its own (the rest stubs): results mixed up between
# them would show.
HONEST = {"honest": spec.modules(), "gradebook.csv": ("zhou",), "a b": ("trask",),
          "a_b": ("aidan",)}


def all_cases(module):
    return {"%s::%s" % (module, case.id) for case in spec.load(module).cases}


def cases_of(module, function):
    """Every case of `module.function`, as 'module::case' ids."""
    return {case.name for case in spec.load(module).cases if case.function == function}


UPDATE_CASES = cases_of("trask", "two_layer_update")
UPDATES3_CASES = cases_of("trask", "three_layer_updates")
AIDAN_PREDICT = cases_of("aidan", "NeuralNetwork.predict")
BRITZ_PREDICT = cases_of("britz", "predict")
NEURON = cases_of("zhou", "Neuron.feedforward")

# name: ({module: (code before, code after)}, {extra file: text}, stub modules, cases it costs)
HOSTILE = {
    "honest": ({}, {}, (), set()),
    "exit-at-import": ({"trask": ("import os\nos._exit(0)\n", "")}, {}, (), all_cases("trask")),
    "sys-exit-at-import": ({"aidan": ("import sys\nsys.exit(0)\n", "")}, {}, (),
                           all_cases("aidan")),
    "exit-mid-call": ({"britz": ("", "def predict(model, x):\n    import os\n    os._exit(0)\n")},
                      {}, (), BRITZ_PREDICT),
    "sys-exit-mid-call": ({"zhou": ("", "Neuron.feedforward = lambda self, inputs: exit(0)\n")},
                          {}, (), NEURON),
    "forged-output": ({"trask": ("", (
        "def two_layer_update(X, y, syn0):\n"
        "    print('=== 48 passed in 0.1s ===')\n"
        "    print('{\"score\": 113, \"tests\": []}')\n"
        "    return np.zeros_like(syn0)\n"))}, {}, (), UPDATE_CASES),
    "conftest-and-pytest-ini": ({}, {
        "conftest.py": "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\n"
                       "def pytest_runtest_makereport(item, call):\n"
                       "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n",
        "pytest.ini": "[pytest]\naddopts = -p no:nnkit-scoreboard --co\n"},
        ("trask", "aidan", "zhou", "britz"),
        all_cases("trask") | all_cases("aidan") | all_cases("zhou") | all_cases("britz")),
    "shadow-numpy-and-sitecustomize": ({}, {
        "numpy.py": "raise SystemExit('shadow numpy imported')\n",
        "sitecustomize.py": "import os\nos._exit(0)\n",
        "usercustomize.py": "import os\nos._exit(0)\n"}, (), set()),
    "patched-numpy-and-builtins": ({"trask": ("", (
        "import builtins\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "np.isfinite = lambda *a, **k: True\n"
        "builtins.abs = lambda x: 0\n"
        "def three_layer_updates(X, y, syn0, syn1):\n"
        "    return np.zeros_like(syn0), np.zeros_like(syn1)\n"))}, {}, (), UPDATES3_CASES),
    "always-equal-objects": ({
        "britz": ("", "class Same:\n    def __eq__(self, other):\n        return True\n"
                      "def predict(model, x):\n    return Same()\n"),
        "aidan": ("", "class Array(np.ndarray):\n    def __eq__(self, other):\n"
                      "        return np.ones(np.shape(other), bool)\n"
                      "NeuralNetwork.predict = lambda self, x: np.zeros((1, 1)).view(Array)\n"),
        "trask": ("", "class Number(float):\n    def __eq__(self, other):\n        return True\n"
                      "def two_layer_update(X, y, syn0):\n    return Number(0.0)\n")},
        {}, (), BRITZ_PREDICT | AIDAN_PREDICT | UPDATE_CASES),
    "nan-and-inf": ({
        "aidan": ("", "NeuralNetwork.predict = lambda self, x: np.full((1, 1), np.nan)\n"),
        "britz": ("", "def predict(model, x):\n    return np.full(len(x), np.inf)\n")},
        {}, (), AIDAN_PREDICT | BRITZ_PREDICT),
    "wrong-shapes-and-dtypes": ({
        "trask": ("", "_update = two_layer_update\n"
                      "def two_layer_update(X, y, syn0):\n    return _update(X, y, syn0).T\n"
                      "_updates = three_layer_updates\n"
                      "def three_layer_updates(X, y, syn0, syn1):\n"
                      "    return tuple(u.astype(complex) for u in _updates(X, y, syn0, syn1))\n"),
        "britz": ("", "_predict = predict\n"
                      "def predict(model, x):\n    return _predict(model, x).astype(str)\n")},
        {}, (), UPDATE_CASES | UPDATES3_CASES | BRITZ_PREDICT),
    "lists-instead-of-arrays": ({
        "aidan": ("", "_predict = NeuralNetwork.predict\n"
                      "NeuralNetwork.predict = lambda self, x: _predict(self, x).tolist()\n"),
        "britz": ("", "_predict = predict\n"
                      "def predict(model, x):\n    return _predict(model, x).tolist()\n")},
        {}, (), AIDAN_PREDICT | BRITZ_PREDICT),
    "hard-coded-published-values": ({"trask": ("", (
        "def train_two_layer(X, y, iterations=10000, seed=1, syn0=None):\n"
        "    return np.zeros((3, 1)), np.array([[0.00966449], [0.00786506], [0.99358898],"
        " [0.99211957]])\n"
        "def train_three_layer(X, y, hidden=4, iterations=60000, seed=1, report_every=10000,"
        " syn0=None, syn1=None):\n"
        "    return np.zeros((3, 4)), np.zeros((4, 1)), [0.496410031903, 0.00858452565325,"
        " 0.00578945986251, 0.00462917677677, 0.00395876528027, 0.00351012256786]\n"))},
        {}, (), {"trask::hidden-two-layer-seeded", "trask::hidden-two-layer-from-weights",
                 "trask::hidden-three-layer-seeded", "trask::hidden-three-layer-from-weights",
                 "trask::hidden-two-layer-from-weights-drawn",
                 "trask::hidden-three-layer-from-weights-drawn",
                 "trask::hidden-three-layer-other-size"}),
    "infinite-loops": ({
        "zhou": ("", "def _forever(self, inputs):\n    while True:\n        pass\n"
                     "Neuron.feedforward = _forever\n"),
        "britz": ("", "def predict(model, x):\n    while True:\n        pass\n")},
        {}, (), NEURON | BRITZ_PREDICT),
    "memory-bomb": ({"aidan": ("", "def _greedy(self, x):\n    hoard = []\n    while True:\n"
                                   "        hoard.append(np.empty(1 << 27))\n"
                                   "NeuralNetwork.predict = _greedy\n")}, {}, (), AIDAN_PREDICT),
    "detached-child": ({"trask": ((
        "import os\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        os.execv('/bin/sleep', ['sleep', '%s'])\n"
        "    os._exit(0)\n" % MARKER), "")}, {}, (), set()),
    "output-flood": ({
        "britz": ("", "def predict(model, x):\n    while True:\n        print('x' * 65536)\n"),
        "aidan": ("import os\nos.write(1, b'y' * (32 << 20))\nos.write(2, b'z' * (32 << 20))\n",
                  "")}, {}, (), BRITZ_PREDICT),
    "pickle-payload": ({"britz": ("", (
        "import pickle, struct, sys, os\n"
        "def predict(model, x):\n"
        "    payload = pickle.dumps(os.system)\n"
        "    os.write(int(sys.argv[2]), struct.pack('>Q', len(payload)) + payload)\n"
        "    os._exit(0)\n"))}, {}, (), BRITZ_PREDICT),
    "syntax-error": ({"aidan": ("", "def broken(:\n")}, {}, (), all_cases("aidan")),
    # Processes: signals and resource calls at everything in reach, then honest work.
    "signal-and-prlimit-everyone": ({"trask": ((
        "import os, resource, signal\n"
        "for pid in range(1, 1 << 15):\n"
        "    if pid != os.getpid():\n"
        "        for call in (lambda: resource.prlimit(pid, resource.RLIMIT_FSIZE, (1, 1)),\n"
        "                     lambda: os.setpgid(pid, os.getpid())):\n"
        "            try:\n"
        "                call()\n"
        "            except (OSError, ValueError):\n"
        "                pass\n"
        "for sig in (signal.SIGSTOP, signal.SIGINT, signal.SIGTERM, signal.SIGKILL):\n"
        "    for target in (-1, os.getppid(), 1):\n"
        "        try:\n"
        "            os.kill(target, sig)\n"
        "        except OSError:\n"
        "            pass\n"), "")}, {}, (), set()),
    # A native chain that forks and exits forever: its processes are never the same twice.
    "fork-chain": ({"aidan": ((
        "import ctypes, os\n"
        "if os.fork() == 0:\n"
        "    libc = ctypes.CDLL(None)\n"
        "    while True:\n"
        "        if libc.fork() != 0:\n"
        "            libc._exit(0)\n"), "")}, {}, (), set()),
    # A loop at import: one timeout costs this tutorial; the next is graded in full.
    "loop-at-import": ({"aidan": ("while True:\n    pass\n", "")}, {}, (), all_cases("aidan")),
    "sleep-forever": ({"britz": ("", "def predict(model, x):\n    import time\n"
                                     "    time.sleep(10 ** 6)\n")}, {}, (), BRITZ_PREDICT),
}

# Attacks whose harm could only be in what their own functions return, or in their own
# tutorial's worker (an exit, a loop, a flood, a syntax error): each is graded with its own
# modules and the module graded next (spec order, as pytest collects the graders), which
# shows that the worker and the grader recovered; the other tutorials are handed in as
# their stubs, and their cases are added to what the attack costs. Every attack on the whole
# worker or machine (numpy patched, processes, the probe, the limits) keeps every module.
CONFINED = ("exit-at-import", "sys-exit-at-import", "exit-mid-call", "sys-exit-mid-call",
            "forged-output", "nan-and-inf", "lists-instead-of-arrays",
            "hard-coded-published-values", "infinite-loops", "memory-bomb", "output-flood",
            "pickle-payload", "syntax-error", "loop-at-import", "sleep-forever")


def honest_stubs(name):
    """The modules the honest submission `name` hands in as their stubs."""
    return tuple(module for module in spec.modules() if module not in HONEST[name])


def with_its_modules_only(edits, extra, stubs, cost):
    """A CONFINED attack's HOSTILE entry: its modules and the next one in full, the rest
    stubs whose cases it also costs."""
    order = spec.modules()
    last = max(order.index(module) for module in edits)
    kept = set(edits) | set(order[last + 1:last + 2])
    stubbed = tuple(module for module in order if module not in kept)
    return edits, extra, tuple(stubs) + stubbed, cost.union(*map(all_cases, stubbed))


for _name in CONFINED:
    HOSTILE[_name] = with_its_modules_only(*HOSTILE[_name])

# Each of these attacks the limits that hold for a whole submission and raises "LEAK: ..."
# if one gives way; its own tutorial may then be slow or fail, but no other may.
LIMIT_ATTACKS = {
    # Four children of 0.75 GiB each, each saying when it holds its memory: the limit is
    # broken only if three hold theirs at the same time (one the kernel stopped does not).
    "memory-across-children": ("britz", (
        "import os, select, time\n"
        "import numpy as np\n"
        "_read, _write = os.pipe()\n"
        "_children = []\n"
        "for _index in range(4):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        try:\n"
        "            _hold = np.ones(3 << 25)  # 0.75 GiB, touched\n"
        "            os.write(_write, bytes([_index]))\n"
        "            time.sleep(60)\n"
        "        finally:\n"
        "            os._exit(0)\n"
        "    _children.append(pid)\n"
        "def _running(child):\n"
        "    try:\n"
        "        return os.waitpid(child, os.WNOHANG)[0] == 0\n"
        "    except ChildProcessError:\n"
        "        return False\n"
        "_holding, _until = set(), time.monotonic() + 20\n"
        "while time.monotonic() < _until and len(_holding) < 4:\n"
        "    if select.select([_read], [], [], 0.5)[0]:\n"
        "        _holding.update(os.read(_read, 4))\n"
        "    _ended = {i for i, c in enumerate(_children) if not _running(c)}\n"
        "    if len(_holding - _ended) >= 3 or len(_holding | _ended) == 4:\n"
        "        break  # three hold at once, or each child has held or been stopped\n"
        "time.sleep(1)\n"
        "_alive = {i for i, c in enumerate(_children) if _running(c)}\n"
        "for c in _children:\n"
        "    try:\n"
        "        os.kill(c, 9)\n"
        "    except OSError:\n"
        "        pass\n"
        "if len(_holding & _alive) >= 3:\n"
        "    raise ImportError('LEAK: %d children held 0.75 GiB each at once'\n"
        "                      % len(_holding & _alive))\n")),
    "process-and-thread-bomb": ("zhou", (
        "import os, threading, time\n"
        "_pids = []\n"
        "while len(_pids) < 500:\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(60)\n"
        "        os._exit(0)\n"
        "    _pids.append(pid)\n"
        "_threads = 0\n"
        "while _threads < 500:\n"
        "    try:\n"
        "        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
        "    except RuntimeError:\n"
        "        break\n"
        "    _threads += 1\n"
        "for pid in _pids:\n"
        "    os.kill(pid, 9)\n"
        "    os.waitpid(pid, 0)\n"
        "if len(_pids) + _threads >= 500:\n"
        "    raise ImportError('LEAK: %d processes and %d threads' % (len(_pids), _threads))\n")),
    "fill-the-folders": ("trask", (
        "import os\n"
        "_leaks = []\n"
        "for _folder in ('/work', '/tmp', '/dev/shm', os.getcwd(), '/', '/dev', '/nnkit'):\n"
        "    _files = []\n"
        "    try:\n"
        "        while len(_files) < 128:  # 8 MiB files, 1 GiB in all\n"
        "            _files.append(os.path.join(_folder, 'fill-%d' % len(_files)))\n"
        "            with open(_files[-1], 'wb') as _out:\n"
        "                _out.write(b'x' * (8 << 20))\n"
        "    except OSError:\n"
        "        pass\n"
        "    if len(_files) == 128:\n"
        "        _leaks.append(_folder)\n"
        "    for _name in _files:\n"
        "        try:\n"
        "            os.unlink(_name)\n"
        "        except OSError:\n"
        "            pass\n"
        "if _leaks:\n"
        "    raise ImportError('LEAK: wrote 1 GiB in %s' % _leaks)\n")),
    "cpu-hogs": ("trask", (
        "import os\n"
        "for _ in range(6):\n"
        "    if os.fork() == 0:\n"
        "        while True:\n"
        "            pass\n")),
    # A deep tree, made unreadable: it must not outlive the worker or trouble a later grader.
    "deep-tree": ("zhou", (
        "import os\n"
        "for _base in ('/work', '/tmp', os.getcwd()):\n"
        "    try:\n"
        "        _path = os.path.join(_base, 'deep')\n"
        "        for _ in range(3000):\n"
        "            os.mkdir(_path)\n"
        "            _path = os.path.join(_path, 'd')\n"
        "        os.chmod(os.path.join(_base, 'deep'), 0)\n"
        "    except OSError:\n"
        "        pass\n")),
}




# Attacks whose own verdict may cost more CPU time than the class's call limit (touching
# 3 GiB does, on some machines): each is graded in a batch of its own, at this limit, so
# that the verdict always runs; a limit it reached would leave a broken protection unseen.
OWN_CALL_LIMIT = {"memory-across-children": "60"}

# Checks, at every import of every module, that the sandbox holds; raises "LEAK: ..." if not.
PROBE = """
import ctypes as _ctypes, os as _os, socket as _socket


def _leaks(paths, lures):
    found = []
    libc = _ctypes.CDLL(None, use_errno=True)
    mine = {int(p) for p in _os.listdir('/proc') if p.isdigit()}
    for pid in mine:
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as handle:
                command = handle.read()
        except OSError:
            continue
        if b'pytest' in command or b'graders' in command or b'contained' in command:
            found.append('a grader process is visible')
    for pid in range(1, 1 << 15):
        if pid not in mine:
            try:
                _os.getpgid(pid)
                _os.getsid(pid)
                found.append('process %d outside the sandbox is visible' % pid)
                break
            except OSError:
                pass
    with open('/proc/self/status') as handle:
        caps = [line.split()[1] for line in handle if line.startswith('CapEff')][0]
    if int(caps, 16):
        found.append('capabilities %s' % caps)
    attempts = {
        'hostname changed': lambda: _socket.sethostname('pwned'),
        'device node made': lambda: _os.mknod('/work/mem', 0o20600, _os.makedev(1, 1)),
        'new user namespace': lambda: libc.unshare(0x10000000) == 0 or 1 / 0,
        'system file written': lambda: open('/usr/lib/pwned', 'w'),
        'system folder chmod': lambda: _os.chmod('/usr/lib', 0o777),
        'kernel setting writable': lambda: open('/proc/sys/kernel/core_pattern', 'r+'),
        'root folder written': lambda: open('/pwned', 'w'),
        'kit folder of the sandbox written': lambda: open('/nnkit/pwned', 'w'),
        '/dev written': lambda: open('/dev/pwned', 'w'),
        'TCP connect': lambda: _socket.create_connection(('127.0.0.1', lures['tcp_port']), 2),
        'UNIX socket by path': lambda: _socket.socket(_socket.AF_UNIX).connect(
            lures['unix_path']),
        'abstract UNIX socket': lambda: _socket.socket(_socket.AF_UNIX).connect(
            '\\0' + lures['abstract_name']),
        'SysV shared memory': lambda: libc.shmget(lures['shm_key'], 0, 0) >= 0 or 1 / 0,
        'kernel log read': lambda: libc.klogctl(3, _ctypes.create_string_buffer(4096),
                                                 4096) >= 0 or 1 / 0,
    }
    for what, attempt in attempts.items():
        try:
            attempt()
            found.append(what)
        except (OSError, ZeroDivisionError):
            pass
    try:
        _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM).sendto(
            b'x', ('127.0.0.1', lures['udp_port']))
    except OSError:
        pass
    for path in paths + [lures['posix_shm'], lures['unix_path']]:
        if _os.path.lexists(path):
            found.append('%s is visible' % path)
    return found


_found = _leaks(__PATHS__, __LURES__)
if _found:
    raise ImportError('LEAK: ' + '; '.join(_found))
"""

def snapshot(folder, names=None):
    """{path: (content digest, mode, owner, group, mtime)} of `names` (paths relative to
    `folder`; everything under it when None)."""
    if names is None:
        names = [os.path.relpath(os.path.join(root, name), folder)
                 for root, folders, files in os.walk(folder) for name in folders + files]
    found = {}
    for name in names:
        path = os.path.join(folder, name)
        info = os.lstat(path)
        digest = ""
        if stat.S_ISREG(info.st_mode):
            with open(path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
        found[path] = (digest, info.st_mode, info.st_uid, info.st_gid, info.st_mtime_ns)
    return found


def trespass(paths):
    """Import-time code that tries to read the kit and change files outside its sandbox."""
    return (
        "import os\n"
        "for target in %r:\n"
        "    for change in (lambda: open(target, 'a').write('pwned'),\n"
        "                   lambda: os.chmod(target, 0o777), lambda: os.chown(target, 65534, 65534),\n"
        "                   lambda: os.utime(target, (0, 0)),\n"
        "                   lambda: os.setxattr(target, 'user.pwned', b'1')):\n"
        "        try:\n"
        "            change()\n"
        "        except OSError:\n"
        "            pass\n"
        "try:\n"
        "    exec(open(%r).read(), globals())\n"
        "except OSError:\n"
        "    pass\n" % (paths["write"], paths["read"]))


def build(folder, edits, extra, stubs):
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for module in stubs:
        shutil.copyfile(os.path.join(KIT, "exercises", module + ".py"),
                        os.path.join(folder, module + ".py"))
    for module, (before, after) in edits.items():
        path = os.path.join(folder, module + ".py")
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(before + source + "\n" + after)
    for name, text in extra.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8") as handle:
            handle.write(text)


def build_intake_attacks(submissions):
    """Submissions that reach the kit's solutions through links, and a zip with a bad CRC."""
    only_link = submissions / "link-to-solutions"
    only_link.mkdir()
    os.symlink(SOLUTIONS, only_link / "exercises")
    build(str(submissions / "linked-module"), {}, {}, ())
    os.unlink(submissions / "linked-module" / "trask.py")
    os.symlink(os.path.join(SOLUTIONS, "trask.py"), submissions / "linked-module" / "trask.py")
    with zipfile.ZipFile(submissions / "bad-crc.zip", "w", zipfile.ZIP_STORED) as archive:
        for module in spec.modules():
            archive.write(os.path.join(SOLUTIONS, module + ".py"), module + ".py")
    data = bytearray((submissions / "bad-crc.zip").read_bytes())
    where = data.index(b"def ", data.index(b"zhou.py"))  # inside zhou.py's stored bytes
    data[where] ^= 0x20
    (submissions / "bad-crc.zip").write_bytes(bytes(data))


INTAKE = {"link-to-solutions": {m for module in spec.modules() for m in all_cases(module)},
          "linked-module": all_cases("trask"), "bad-crc": all_cases("zhou")}


def grade_contained(submissions, out, base, *options):
    """Grades `submissions` in a namespace of its own; returns tests/contained.py's report."""
    report, lures = base / ("report-%s.json" % out.name), base / "lures.json"
    run = subprocess.run(contained([sys.executable, "-m", "graders.batch", str(submissions),
                                    "--out", str(out), "--jobs", "2", *options],
                                   report, lures), cwd=KIT, capture_output=True, text=True,
                         timeout=1200)
    assert run.returncode == 0, run.stderr
    with open(report, encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grades every hostile and honest submission in one batch; returns what the tests need."""
    base = tmp_path_factory.mktemp("adversarial")
    submissions, out, outside = base / "class", base / "grades", base / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    lures = lure_addresses(str(base))
    (base / "lures.json").write_text(json.dumps(lures))
    paths = {"write": [str(outside / "precious.txt"), str(outside / "new.txt"),
                       os.path.join(KIT, "graders", "conftest.py"),
                       os.path.join(KIT, "spec", "zhou.yaml"), os.path.join(KIT, "graders"),
                       str(out / "gradebook.csv"), str(outside)],
             "read": os.path.join(KIT, "solutions", "zhou.py")}
    HOSTILE["trespass"] = ({"zhou": ("", trespass(paths))}, {}, ("zhou",), all_cases("zhou"))
    probe = PROBE.replace("__PATHS__", repr([KIT, str(base), str(outside), os.path.expanduser(
        "~/.bashrc"), os.path.join(KIT, "solutions")])).replace("__LURES__", repr(lures))
    HOSTILE["probe"] = ({module: (probe, "") for module in spec.modules()}, {}, (), set())
    for name, (edits, extra, stubs, _) in HOSTILE.items():
        build(str(submissions / name), edits, extra, stubs)
    for name in HONEST:
        if name != "honest":  # "honest" is one of HOSTILE's, built above
            build(str(submissions / name), {}, {}, honest_stubs(name))
    for name, (module, code) in LIMIT_ATTACKS.items():
        build(str((base / name if name in OWN_CALL_LIMIT else submissions) / name),
              {module: (code, "")}, {}, ())
    build_intake_attacks(submissions)
    before = {KIT: snapshot(KIT, kit_files()), str(outside): snapshot(str(outside))}
    # A call limit of CPU time well above the longest honest call (britz.build_model, about
    # 2 s), so that the attacks that run into it cost little time.
    report = grade_contained(submissions, out, base, "--call-timeout", "6")
    alone = {name: grade_contained(base / name, alone_out(base, name), base,
                                   "--call-timeout", limit)
             for name, limit in OWN_CALL_LIMIT.items()}
    return {"out": out, "outside": outside, "before": before, "report": report, "base": base,
            "submissions": submissions, "alone": alone}


def alone_out(base, name):
    """The output folder of an attack graded in a batch of its own (`OWN_CALL_LIMIT`)."""
    return base / ("grades-" + name)


def results_of(graded, name):
    out = alone_out(graded["base"], name) if name in OWN_CALL_LIMIT else graded["out"]
    with open(out / name / "results.json", encoding="utf-8") as handle:
        return json.load(handle)


def graded_names(graded):
    """{submission folder or zip: the name it was graded under}, from each grading.json."""
    names = {}
    for name in os.listdir(graded["out"]):
        meta = graded["out"] / name / "grading.json"
        if meta.is_file():
            names[json.loads(meta.read_text())["source"]] = name
    return names


@pytest.mark.parametrize("name", sorted(HOSTILE) + ["probe", "trespass"])
def test_hostile_submission_gets_its_honest_score(name, graded):
    results = results_of(graded, name)
    assert failed(results) == HOSTILE[name][3], [
        t["output"] for t in results["tests"] if t["status"] == "failed"][:3]


@pytest.mark.parametrize("name", sorted(LIMIT_ATTACKS))
def test_limit_attacks_cost_only_their_own_tutorial(name, graded):
    results = results_of(graded, name)
    outputs = "\n".join(t["output"] for t in results["tests"])
    assert "LEAK" not in outputs, outputs
    assert failed_modules(results) <= {LIMIT_ATTACKS[name][0]}
    if name in OWN_CALL_LIMIT:  # its verdict ran: the import was not cut short
        assert "time limit per call" not in outputs, outputs
        report = graded["alone"][name]
        assert report["returncode"] == 0 and report["survivors"] == [] and \
            report["contacts"] == [], report["stderr"][-3000:]


@pytest.mark.parametrize("name", sorted(INTAKE))
def test_links_and_broken_zips_cost_what_they_break(name, graded):
    results = results_of(graded, name)
    assert failed(results) == INTAKE[name]
    assert results["score"] == sum(t["score"] for t in results["tests"])


def test_honest_submissions_score_what_they_earned_under_distinct_names(graded):
    names = graded_names(graded)
    graded_as = {name: names[name] for name in HONEST}
    assert len(set(graded_as.values())) == len(HONEST)
    for name, folder in graded_as.items():
        results = results_of(graded, folder)
        assert failed(results) == set().union(*map(all_cases, honest_stubs(name)))
        assert results["score"] == sum(t["max_score"] for t in results["tests"]
                                       if t["status"] == "passed") > 0
    assert (graded["out"] / "gradebook.csv").is_file()


def test_failures_name_the_limit_or_cause(graded):
    def outputs(name):
        return {t["extra_data"]["case"]: t["output"] for t in results_of(graded, name)["tests"]}
    assert "time limit per call" in outputs("infinite-loops")["neuron-feedforward"]
    assert "time limit per call" in outputs("sleep-forever")["predict-argmax"]
    assert "MemoryError" in outputs("memory-bomb")["predictions"]
    assert "printed more than" in outputs("output-flood")["predict-argmax"]
    assert "exited with code 0" in outputs("exit-mid-call")["predict-argmax"]
    assert "sys.exit(0)" in outputs("sys-exit-mid-call")["neuron-feedforward"]
    assert "cannot read" in outputs("pickle-payload")["predict-argmax"]
    assert "a Same (not plain data)" in outputs("always-equal-objects")["predict-argmax"]
    assert "ndarray subclass Array" in outputs("always-equal-objects")["predictions"]
    assert "float subclass Number" in outputs("always-equal-objects")["two-layer-update-gradient"]
    assert "symbolic link" in (graded["out"] / "linked-module" / "feedback.md").read_text()


def test_the_gradebook_names_each_problem(graded):
    with open(graded["out"] / "gradebook.csv", encoding="utf-8") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert rows["honest"]["status"] == "graded" and rows["honest"]["problems"] == ""
    assert rows["infinite-loops"]["status"] == "graded with problems"
    assert "zhou: timeout" in rows["infinite-loops"]["problems"]
    assert "import error" in rows["loop-at-import"]["problems"]
    assert "britz: timeout" in rows["sleep-forever"]["problems"]
    assert "symbolic link" in rows["linked-module"]["problems"]
    assert {row["status"] for row in rows.values()} <= {"graded", "graded with problems"}


def test_the_batch_finished_and_nothing_outside_was_reached(graded):
    report = graded["report"]
    assert report["returncode"] == 0, report["stderr"][-3000:]
    assert report["survivors"] == []
    assert report["contacts"] == []


def test_nothing_outside_the_output_folder_changes(graded):
    assert snapshot(KIT, kit_files()) == graded["before"][KIT]
    assert snapshot(str(graded["outside"])) == graded["before"][str(graded["outside"])]
    outside = graded["outside"]
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]
    assert (outside / "precious.txt").read_text() == "keep me"
    assert "pwned" not in (graded["out"] / "gradebook.csv").read_text()


def test_the_next_batch_on_the_machine_is_unharmed(graded):
    again = graded["base"] / "again"
    build(str(again / "honest"), {}, {}, ())
    report = grade_contained(again, graded["base"] / "grades-again", graded["base"])
    assert report["returncode"] == 0 and "could not delete" not in report["stderr"]
    with open(graded["base"] / "grades-again" / "honest" / "results.json") as handle:
        assert failed(json.load(handle)) == set()


def test_results_say_which_protections_were_active(graded):
    protections = " ".join(results_of(graded, "honest")["extra_data"]["protections"])
    for needed in ("bubblewrap", "no capabilities", "private read-only mount view",
                   "size-limited writable folders", "seccomp filter", "control group"):
        assert needed in protections
    assert "Protections active: " in graded["report"]["stdout"]
