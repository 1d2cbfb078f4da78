"""Which confinements this machine gives a worker, found once, and what the results list.

One of two confinements is chosen once per grading process:

- bubblewrap (graders/sandbox/bubblewrap.py, with graders/sandbox/seccomp.py), where `bwrap`
  is installed and may create namespaces: its own PID, user, IPC, hostname and network
  namespaces, no capabilities, a private read-only mount view with size-limited writable
  folders, and a seccomp filter. This is what the kit's own tests require.
- otherwise the weaker fallback of graders/sandbox/fallback.py: Landlock, a uid of its own
  and PID, IPC and mount namespaces (graders/sandbox/namespaces.py) where the grader is root,
  a network namespace; what it lists is what a probe inside found, and where student code
  could read solutions/ no worker starts.

NNKIT_SANDBOX (read here only) makes a machine look like a more limited platform, for the
kit's tests: a comma-separated list of `no-bubblewrap` (as where bubblewrap is missing or
refused), `no-landlock` (as on kernels before 5.13 or where its calls are refused) and
`not-root` (as where the grader runs as an ordinary user: no uid switch).

Where control groups are available (root, or a delegated cgroup v2 subtree), a worker's
memory, processes and CPU are limited for all its processes together
(graders/sandbox/cgroups.py). `protections()` lists what is active on this machine; every
results.json and the batch summary carry that list.
"""

import os
import sys

from graders.sandbox import bubblewrap
from graders.sandbox import cgroups
from graders.sandbox import fallback
from graders.sandbox import homes
from graders.sandbox import landlock
from graders.sandbox import namespaces
from graders.sandbox import seccomp
from graders.sandbox.limits import Limits, set_in_child

SIMULATIONS = ("no-bubblewrap", "no-landlock", "not-root")
SandboxUnavailable = fallback.Unavailable


def simulated():
    """The platform limits NNKIT_SANDBOX asks to simulate (see the module's docstring)."""
    names = {name for name in os.environ.get("NNKIT_SANDBOX", "").split(",") if name}
    unknown = sorted(names - set(SIMULATIONS))
    if unknown:
        raise SandboxUnavailable("NNKIT_SANDBOX: %s is not one of %s"
                                 % (unknown[0], ", ".join(SIMULATIONS)))
    return names


def use_bubblewrap():
    """Whether workers run in bubblewrap here: installed, and able to make its namespaces."""
    if not hasattr(use_bubblewrap, "cached"):
        use_bubblewrap.cached = landlock.LINUX and "no-bubblewrap" not in simulated() and \
            bubblewrap.probe()
    return use_bubblewrap.cached


def landlock_abi():
    """The Landlock ABI the fallback uses (0: none)."""
    return 0 if "no-landlock" in simulated() else landlock.abi()


def fallback_uid():
    """The uid of the fallback's workers, or None where the grader cannot switch (not root)."""
    if os.geteuid() != 0 or "not-root" in simulated() or not hasattr(os, "setresuid") or \
            getattr(fallback_uid, "refused", None):
        return None
    return fallback.worker_uid()


def fallback_namespaces():
    """Whether fallback workers get PID, IPC and mount namespaces of their own: where the
    grader is root, the kernel lets it make them (graders/sandbox/namespaces.py), and a worker
    started in them could run the probe."""
    return landlock.LINUX and os.geteuid() == 0 and "not-root" not in simulated() and \
        not getattr(fallback_namespaces, "refused", None) and namespaces.available()


def fallback_start(home, limits, group):
    """(argv, preexec) of a fallback worker's interpreter; as root, hides the kit first."""
    uid, kit, roots = fallback_uid(), bubblewrap.KIT_FOLDER, landlock.readable_roots()
    if uid is not None:
        if not (fallback_namespaces() and namespaces.hides(kit, roots)):
            # no mount view of its own leaves the kit out: other users may not read it
            fallback_start.hidden = getattr(fallback_start, "hidden", []) + fallback.hide_kit(
                kit, roots)
        fallback.open_home(home, uid)
    net_flags, version = landlock.network_namespace_flags(), landlock_abi()
    rules = seccomp_filter()
    interpreter = [sys.executable, "-I", "-B"]
    if fallback_namespaces():  # namespaces.py confines the worker after its mount view
        config = {"home": home, "net": net_flags is not None, "version": version, "uid": uid,
                  "processes": limits.processes, "roots": roots,
                  "rules": rules and rules.hex()}
        return namespaces.command(config, interpreter), lambda: set_in_child(limits, group)

    def preexec():
        set_in_child(limits, group)
        fallback.confine(home, net_flags, version, uid, limits.processes, rules)
    return interpreter, preexec


def fallback_protections():
    """What the fallback gives here, found by a probe started as a worker is (once)."""
    if not hasattr(fallback_protections, "cached"):
        kit, found, errors = bubblewrap.KIT_FOLDER, None, {}  # layer: its last probe's error
        usable = {fallback_uid: fallback_uid() is not None,
                  fallback_namespaces: fallback_namespaces()}
        # Both as far as they hold; then without the uid switch (Python may lie where the
        # uid cannot read it), without the namespaces, without either.
        for refused in ((), (fallback_uid,), (fallback_namespaces,),
                        (fallback_uid, fallback_namespaces)):
            if not all(usable[layer] for layer in refused):
                continue
            fallback_uid.refused = fallback_namespaces.refused = None
            for layer in refused:
                layer.refused = errors[layer]
            fallback.restore(getattr(fallback_start, "hidden", []))  # the kit as it was
            fallback_start.hidden = []
            try:
                found = _probe(kit)
                break
            except SandboxUnavailable as error:
                last = error
                errors.update((layer, str(error)) for layer in usable if layer not in refused)
        if found is None:
            raise last
        fallback_protections.found = found
        fallback_protections.cached = fallback.phrases(found, landlock_abi(), kit) + [
            "no %s (%s)" % (what, refused.refused) for what, refused in (
                ("uid switch", fallback_uid), ("namespaces of its own", fallback_namespaces))
            if getattr(refused, "refused", None)]
    return fallback_protections.cached


def fallback_warning():
    """The fallback's phrase saying what of the kit student code can read here, or None
    where its probe found that it can read nothing of it."""
    fallback_protections()
    return fallback.warning(fallback_protections.found)


def _probe(kit):
    home = homes.new_home()
    try:
        work = homes.prepare(home)
        argv, preexec = fallback_start(home, Limits(), None)
        return fallback.probe(argv, work, environment(home, Limits()), preexec, kit)
    finally:
        homes.remove_home(home)


def environment(home, limits):
    """The scrubbed environment a worker starts with: nothing of the grader's but a few
    settings some CPUs' OpenBLAS needs."""
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "TMPDIR": home,
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if use_bubblewrap():  # the worker caps its processes inside its own user namespace
        env.update(HOME=bubblewrap.WORK, TMPDIR="/tmp", NNKIT_PROCESSES=str(limits.processes))
    elif fallback_uid() is not None:  # a uid of its own writes only in work/
        env.update(HOME=os.path.join(home, "work"), TMPDIR=os.path.join(home, "work"))
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def seccomp_filter():
    """The compiled seccomp filter (bytes), or None without libseccomp; built once."""
    if not hasattr(seccomp_filter, "cached"):
        seccomp_filter.cached = seccomp.compile_filter() if landlock.LINUX else None
    return seccomp_filter.cached


def control_groups():
    """Whether per-worker control groups can be made here (probed once)."""
    if not hasattr(control_groups, "cached"):
        group = cgroups.Group.create(Limits.memory_bytes, Limits.processes, Limits.cpus)
        control_groups.cached = group is not None
        if group:
            group.remove()
    return control_groups.cached


def protections():
    """The confinements active on this machine, as short phrases for the results."""
    active = ["isolated interpreter (python -I)", "scrubbed environment",
              "per-process resource limits"]
    if use_bubblewrap():
        active += ["bubblewrap: own PID, user, IPC, hostname and network namespaces",
                   "no capabilities", "private read-only mount view (the kit, home and temp "
                   "folders are not visible)", "size-limited writable folders"]
        if seccomp_filter():
            active.append("seccomp filter")
    else:
        active += fallback_protections()
    if control_groups():
        active.append("control group: memory, processes and CPU limited per submission, "
                      "CPU time per call")
    return active
