"""The sandbox's own promises, each tried directly: processes end with their worker, sandbox
folders are swept only when their grader is gone, and the batch survives graders that are
cut short and disks that fill up. Run as hostile tests are: in namespaces of their own."""

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from graders.sandbox import homes
from graders.sandbox import stopping
from graders.model import spec
from tests import hold
from tests.contained import contained, lure_addresses
from tests.helpers import KIT, copy_solutions

EXAMPLES = os.path.join(KIT, "examples", "submissions")


def namespaced(*flags):
    """unshare with `flags`, through a user namespace where this is not root."""
    return ["unshare", *(() if os.geteuid() == 0 else ("--user", "--map-root-user")), *flags]


def run_contained(tmp_path, script, folder):
    """Runs `script` on `folder` as the first process of a PID namespace of its own
    (tests/contained.py), with lures beside it; returns contained.py's report of it."""
    lures = tmp_path / "lures.json"
    lures.write_text(json.dumps(lure_addresses(str(tmp_path))))
    run = subprocess.run(contained([sys.executable, "-c", script, folder],
                                   tmp_path / "report.json", lures),
                         cwd=KIT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads((tmp_path / "report.json").read_text())


def test_every_process_a_worker_started_ends_with_it(tmp_path):
    """A chain that forks and exits faster than it can be listed, and a double-forked
    sleeper: when the worker stops, nothing it started is left (run in a PID namespace of
    its own, whose processes are all this test's), and its control group is gone."""
    folder = copy_solutions(tmp_path)
    with open(os.path.join(folder, "trask.py"), "a") as module:
        module.write(textwrap.dedent("""
            import ctypes, os, time
            if os.fork() == 0:
                libc = ctypes.CDLL(None)
                while True:
                    if libc.fork() != 0:
                        libc._exit(0)
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(1000)
                os._exit(0)
            """))
    script = textwrap.dedent("""
        import os, sys
        from graders.model import spec
        from graders.sandbox.submission import Submission
        submission = Submission(sys.argv[1], spec.modules())
        assert submission.call("trask.nonlin", 0.0) == 0.5
        folders = set(submission.channel.process.group.folders.values())
        assert all(os.path.isdir(folder) for folder in folders)
        submission.close()
        print(any(os.path.exists(folder) for folder in folders))
        """)
    report = run_contained(tmp_path, script, folder)
    assert report["returncode"] == 0 and report["stdout"] == "False\n", report["stderr"]
    assert report["survivors"] == []


def test_inside_the_sandbox_work_holds_the_modules_only_and_the_kit_is_nowhere(tmp_path):
    """The worker's own files lie in a folder of the sandbox's own, not at the kit's path:
    a student sees in /work only the modules handed in, and nothing where the kit lies."""
    folder = copy_solutions(tmp_path)
    with open(os.path.join(folder, "trask.py"), "a") as module:
        module.write(textwrap.dedent("""
            def nonlin(x, deriv=False):
                import os, sys
                kit = sys.argv[-1]
                return [sorted(os.listdir("/work")), [os.path.lexists(path) for path in (
                    kit, os.path.join(kit, "graders"), os.path.join(kit, "solutions"))]]
            """).replace("sys.argv[-1]", repr(KIT)))
    script = textwrap.dedent("""
        import json, sys
        from graders.sandbox.submission import Submission
        submission = Submission(sys.argv[1], ["trask", "zhou"])
        print(json.dumps(submission.call("trask.nonlin", 0.0)))
        submission.close()
        """)
    report = run_contained(tmp_path, script, folder)
    assert report["returncode"] == 0, report["stderr"]
    assert json.loads(report["stdout"]) == [["trask.py", "zhou.py"], [False, False, False]]


@pytest.mark.parametrize("mode", ["", "no-bubblewrap", "no-bubblewrap,not-root"],
                         ids=["bubblewrap", "fallback-namespaces", "fallback-landlock"])
def test_tutorials_share_a_worker_unless_one_leaves_something_running(tmp_path, mode):
    """In every sandbox mode, honest calls into each tutorial in turn are answered by the
    worker started first; a tutorial whose import leaves a thread running makes the next
    tutorial's calls start a fresh worker, so none of its CPU time is charged there."""
    folder = copy_solutions(tmp_path)
    with open(os.path.join(folder, "zhou.py"), "a") as module:
        module.write("import threading, time\n"
                     "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n")
    script = textwrap.dedent("""
        import os, sys
        os.environ["NNKIT_SANDBOX"] = %r
        from graders.sandbox.submission import Submission
        submission = Submission(sys.argv[1], ["trask", "britz", "aidan", "zhou"])
        import numpy as np
        model = {"W1": np.zeros((1, 1)), "b1": np.zeros((1, 1)), "W2": np.zeros((1, 2)),
                 "b2": np.zeros((1, 2))}
        starts = []
        for call in (lambda: submission.call("trask.nonlin", 0.0),
                     lambda: submission.call("britz.predict", model, np.ones((1, 1))),
                     lambda: submission.new("aidan.NeuralNetwork", np.zeros((1, 1)),
                                            np.zeros((1, 1))),
                     lambda: submission.call("zhou.sigmoid", 0.0),
                     lambda: submission.call("trask.nonlin", 0.0)):
            call()
            starts.append(submission.generation)
        submission.close()
        from graders.sandbox import protections
        print([protections.use_bubblewrap(), protections.fallback_namespaces()], starts)
        """ % mode)
    report = run_contained(tmp_path, script, folder)
    assert report["returncode"] == 0, report["stderr"]
    confinement = {"": [True, True], "no-bubblewrap": [False, True],
                   "no-bubblewrap,not-root": [False, False]}[mode]
    assert report["stdout"] == "%s [1, 1, 1, 1, 2]\n" % confinement, \
        "[bubblewrap, fallback namespaces] worker starts after each call"


def test_a_limit_is_told_by_the_error_number_not_by_its_words(tmp_path):
    """A submission that fills its writable folder gets the operating system's ENOSPC and the
    gradebook's "folder size limit"; one that raises an OSError of its own with the same
    words but no error number gets neither."""
    folder = copy_solutions(tmp_path)
    with open(os.path.join(folder, "zhou.py"), "a") as module:
        module.write(textwrap.dedent("""
            def mse_loss(y_true, y_pred):
                for number in range(64):  # 8 MiB files, under the file size limit
                    with open("/tmp/fill-%d" % number, "wb") as out:
                        out.write(b"x" * (8 << 20))

            def sigmoid(x):
                raise OSError("[Errno 28] No space left on device")
            """))
    script = textwrap.dedent("""
        import json, sys
        from graders.sandbox.submission import StudentError, Submission
        submission = Submission(sys.argv[1], ["zhou"])
        said = []
        for function, args in (("zhou.sigmoid", (0.0,)), ("zhou.mse_loss", ([1.0], [0.0]))):
            try:
                submission.call(function, *args)
            except StudentError as error:
                said.append(error.msg)
                print(json.dumps([said[-1], submission.problems.get("zhou", [])]))
        submission.close()
        """)
    report = run_contained(tmp_path, script, folder)
    assert report["returncode"] == 0, report["stderr"]
    own, full = [json.loads(line) for line in report["stdout"].splitlines()]
    assert own[0].startswith("zhou.sigmoid(0.0) raised OSError: [Errno 28] No space left")
    assert "limited number of bytes" not in own[0] and own[1] == []
    assert full[0].startswith("zhou.mse_loss([1.0], [0.0]) raised OSError: [Errno 28]")
    assert full[0].endswith("; the sandbox's writable folders (/work, /tmp) hold a limited "
                            "number of bytes") and full[1] == ["folder size limit"]


def test_a_live_graders_sandbox_is_kept_whatever_namespace_it_runs_in(tmp_path):
    holder = subprocess.Popen(
        namespaced("--pid", "--fork", "--mount-proc") + [
            sys.executable, "-c", "import sys; from graders.sandbox import homes; "
            "print(homes.new_home(), flush=True); sys.stdin.read()"],
        cwd=KIT, env=dict(os.environ, TMPDIR=str(tmp_path)), stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True)
    try:
        home = holder.stdout.readline().strip()
        assert os.path.isdir(home)
        homes.sweep(str(tmp_path))  # its grader's pid means nothing here
        assert os.path.isdir(home)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    homes.sweep(str(tmp_path))
    assert not os.path.exists(home)


def test_an_undeletable_leftover_is_reported_and_grading_goes_on(tmp_path):
    """A dead grader's folder holding a 3000-level tree and a mount point that cannot be
    removed: the sweep deletes what it can, says what it cannot, and raises nothing."""
    script = textwrap.dedent("""
        import os, subprocess, sys
        from graders.sandbox import homes
        parent = sys.argv[1]
        dead = os.path.join(parent, "nnkit-sandbox-dead")
        os.makedirs(os.path.join(dead, "deep"))
        open(os.path.join(dead, ".lock"), "w").close()
        os.chdir(os.path.join(dead, "deep"))
        for _ in range(3000):
            os.mkdir("d")
            os.chdir("d")
        os.chdir(parent)
        os.chmod(os.path.join(dead, "deep"), 0)
        os.mkdir(os.path.join(dead, "busy"))
        subprocess.run(["mount", "-t", "tmpfs", "tmpfs", os.path.join(dead, "busy")], check=True)
        homes.sweep(parent)
        print(sorted(os.listdir(dead)))
        home = homes.new_home()
        print(os.path.isdir(home))
        """)
    try:
        run = subprocess.run(namespaced("--mount") + [sys.executable, "-c", script,
                                                     str(tmp_path)],
                             cwd=KIT, capture_output=True, text=True, timeout=300)
    finally:  # pytest's own clean-up of tmp_path recurses, and fails on a deep tree
        homes.remove_tree(str(tmp_path / "nnkit-sandbox-dead"))
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split("\n")[:2] == ["['busy']", "True"]
    assert "could not delete the old sandbox folder %s" % (
        tmp_path / "nnkit-sandbox-dead") in run.stderr


def test_a_grader_cut_short_is_graded_again(tmp_path):
    """A grading process interrupted mid-run (it writes partial results) is not trusted: it
    is graded once more, and the class ends complete. The grader waits, held by
    tests/hold.py after its first case, until the test has interrupted it."""
    submissions = tmp_path / "class"
    os.makedirs(submissions)
    for name in ("one", "two"):
        copy_solutions(submissions, name)
    out = tmp_path / "grades"
    # SIGINT as a terminal sends it: a suite started in the background (`&`) would
    # otherwise hand the batch, and its graders, SIGINT ignored.
    batch = subprocess.Popen([sys.executable, "-m", "graders.batch", str(submissions), "--out",
                              str(out), "--jobs", "1"], cwd=KIT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             env=hold.environment(tmp_path, "one"),
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        grader = hold.wait_for_pid(tmp_path, "one")
        assert grader in stopping.children_of(batch.pid)
        os.kill(grader, signal.SIGINT)
        hold.wait_for_end(grader)
        stdout, stderr = batch.communicate(timeout=600)
    finally:
        hold.release(tmp_path, "one")  # a grader the signal did not end waits no longer
        batch.kill()  # the batch ends its graders with it
        batch.wait()
    assert batch.returncode == 0, stderr
    assert "grading it once more" in stderr
    with open(out / "gradebook.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["status"] for row in rows] == ["graded", "graded"]
    assert all(row["total"] == "%g" % sum(sum(c.points for c in spec.load(m).cases)
                                           for m in spec.modules()) for row in rows)


def test_a_full_disk_stops_the_batch_and_keeps_what_was_finished(tmp_path):
    script = textwrap.dedent("""
        import os, subprocess, sys
        out = sys.argv[2]
        os.makedirs(out)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", out], check=True)
        run = subprocess.run([sys.executable, "-m", "graders.batch", sys.argv[1], "--out", out,
                              "--jobs", "1"], capture_output=True, text=True)
        kept = sorted(n for n in os.listdir(out)
                      if os.path.isfile(os.path.join(out, n, "grading.json")))
        with open(os.path.join(out, "gradebook.csv")) as handle:
            listed = [line.split(",")[0] for line in handle.read().splitlines()[1:]]
        print(run.returncode, kept == listed and len(kept) > 0)
        print(run.stderr)
        """)
    run = subprocess.run(namespaced("--mount") + [sys.executable, "-c", script, EXAMPLES,
                                                 str(tmp_path / "grades")],
                         cwd=KIT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("1 True\n"), run.stdout
    assert "No space left on device" in run.stdout and "The batch stopped" in run.stdout


def test_results_of_a_run_that_does_not_cover_every_case_are_not_trusted(tmp_path):
    from graders import batch
    args = batch.parse_args([EXAMPLES, "--out", str(tmp_path / "grades")])
    grader = batch.Batch(args)
    work = tmp_path / "work"
    work.mkdir()
    with open(os.path.join(KIT, "tests", "golden", "results", "alice.json")) as handle:
        complete = json.load(handle)  # a run that graded every case
    (work / "results.json").write_text(json.dumps(complete))
    assert grader.collect(str(work), 0)[1] is None
    assert "exited with status 2" in grader.collect(str(work), 2 << 8)[1]
    assert "ended by signal 9" in grader.collect(str(work), signal.SIGKILL)[1]
    partial = dict(complete, tests=complete["tests"][:10])
    (work / "results.json").write_text(json.dumps(partial))
    assert "cover 10 of the %d cases" % len(grader.assignment.expected()) in \
        grader.collect(str(work), 1 << 8)[1]


def test_control_groups_are_found_in_every_layout(tmp_path, monkeypatch):
    """cgroup v1 with cpu and cpuacct mounted together (as systemd does), and cgroup v2 where
    the parent of the grader's group enables the controllers: fake hierarchies in folders."""
    from graders.sandbox import cgroups
    v1 = tmp_path / "v1"
    for mount in ("cpu,cpuacct", "memory", "pids"):
        (v1 / mount / "grader").mkdir(parents=True)
    mountinfo = "".join("3%d 25 0:2%d / %s rw - cgroup cgroup rw,%s\n" % (n, n, v1 / m, m)
                        for n, m in enumerate(("cpu,cpuacct", "memory", "pids")))
    membership = "4:cpu,cpuacct:/grader\n5:memory:/grader\n6:pids:/grader\n"
    find = cgroups.hierarchies
    found = find(mountinfo, membership)
    assert found["cpu"] == found["cpuacct"] == str(v1 / "cpu,cpuacct" / "grader")
    monkeypatch.setattr(cgroups, "hierarchies", lambda: found)
    group = cgroups.Group.create(1 << 30, 64, 1.0)
    assert group is not None and len(set(group.folders.values())) == 3
    assert all(os.path.isdir(folder) for folder in group.folders.values())
    group.remove()
    assert not any(os.path.exists(folder) for folder in group.folders.values())

    v2 = tmp_path / "v2"
    (v2 / "service" / "grader").mkdir(parents=True)
    (v2 / "service" / "cgroup.subtree_control").write_text("cpu memory pids\n")
    found = find("40 25 0:30 / %s rw - cgroup2 cgroup2 rw\n" % v2, "0::/service/grader\n")
    assert found == {"": str(v2 / "service")}
    (v2 / "service" / "cgroup.subtree_control").write_text("memory\n")
    assert find("40 25 0:30 / %s rw - cgroup2 cgroup2 rw\n" % v2, "0::/service/grader\n") == {}
