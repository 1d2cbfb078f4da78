"""Runs a command as the first process of a PID namespace of its own, with lures around it.

    unshare --pid --fork --mount-proc python tests/contained.py REPORT LURES -- COMMAND...

Hostile tests grade through this, so that an attack that escapes the sandbox can harm only
processes of this namespace, never the machine's. Around the command it sets lures that no
sandboxed worker may reach, at the addresses in the JSON file LURES (see `lure_addresses`):
a TCP and a UDP listener on 127.0.0.1, a UNIX socket by path and one by abstract name, a
SysV shared memory segment and a POSIX one. Afterwards it
collects orphans that have ended, as an init process does, and writes REPORT (JSON): the
command's exit status and output, what reached a lure, and the processes still alive in the
namespace (there must be none: a worker's processes end with it).
"""

import ctypes
import json
import os
import socket
import subprocess
import sys
import threading

IPC_CREAT, IPC_RMID = 0o1000, 0


class Lures:
    """Listeners that record every contact; the addresses are for the attacks to try."""

    def __init__(self, where):
        self.contacts = []
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", where["tcp_port"]))
        self.tcp.listen()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", where["udp_port"]))
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind(where["unix_path"])
        self.unix.listen()
        self.abstract = socket.socket(socket.AF_UNIX)
        self.abstract.bind("\0" + where["abstract_name"])
        self.abstract.listen()
        self.shm_id = ctypes.CDLL(None).shmget(where["shm_key"], 4096, IPC_CREAT | 0o666)
        self.posix_shm = where["posix_shm"]
        with open(self.posix_shm, "w") as handle:
            handle.write("lure")
        for name, sock in (("tcp", self.tcp), ("unix", self.unix), ("abstract", self.abstract)):
            threading.Thread(target=self._accept, args=(name, sock), daemon=True).start()
        threading.Thread(target=self._receive, daemon=True).start()

    def _accept(self, name, sock):
        while True:
            connection, _ = sock.accept()
            self.contacts.append(name)
            connection.close()

    def _receive(self):
        while True:
            self.udp.recv(65536)
            self.contacts.append("udp")

    def close(self):
        ctypes.CDLL(None).shmctl(self.shm_id, IPC_RMID, None)
        os.unlink(self.posix_shm)
        os.unlink(self.unix.getsockname())


def contained(command, report, lures):
    """`command` run through this file as the first process of a new PID namespace."""
    unshare = ["unshare", "--pid", "--fork", "--mount-proc"]
    if os.geteuid() != 0:
        unshare[1:1] = ["--user", "--map-root-user"]
    return unshare + [sys.executable, os.path.abspath(__file__), str(report), str(lures), "--",
                      *command]


def lure_addresses(folder):
    """Free addresses for the lures: ports, a socket path in `folder`, unique names."""
    ports = []
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    tag = os.urandom(4).hex()
    return {"tcp_port": ports[0], "udp_port": ports[1],
            "unix_path": os.path.join(folder, "lure.sock"), "abstract_name": "nnkit-lure-" + tag,
            "shm_key": int(tag, 16) & 0x7FFFFFFF, "posix_shm": "/dev/shm/nnkit-lure-" + tag}


def reap_orphans():
    """Collects the exit status of orphans that already ended, as an init process does."""
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def survivors():
    """(pid, its /proc/PID/stat: name, state, parent...) of every process in this namespace
    but this one."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/stat" % pid) as handle:
                found.append((int(pid), handle.read()[:200]))
        except OSError:
            pass
    return found


def main():
    report, lures_file, command = sys.argv[1], sys.argv[2], sys.argv[4:]
    assert os.getpid() == 1, "run me with unshare --pid --fork --mount-proc"
    with open(lures_file) as handle:
        lures = Lures(json.load(handle))
    run = subprocess.run(command, capture_output=True, text=True)
    reap_orphans()
    left = survivors()
    lures.close()
    with open(report, "w") as handle:
        json.dump({"returncode": run.returncode, "stdout": run.stdout, "stderr": run.stderr,
                   "contacts": lures.contacts, "survivors": left}, handle)


if __name__ == "__main__":
    main()
