"""What one submission's worker may use, and how those limits are set in its process."""

import resource
from dataclasses import dataclass

from graders.sandbox import stopping

WALL_FACTOR = 3  # a call limited by CPU time may take this many times as long on the clock


@dataclass
class Limits:
    """Limits for one submission's worker. Times in seconds, sizes in bytes.

    call_seconds: one call; counted in CPU time of all the worker's processes where a control
        group measures it (so a busy machine does not make an honest call miss it), with a
        wall-clock backstop of WALL_FACTOR times as much; wall-clock time otherwise.
    tutorial_seconds: all calls into one tutorial's module, wall-clock.
    memory_bytes: all the worker's processes together (control group), and each process
        (address space). processes: processes and threads together.
    folder_bytes: each writable folder of the sandbox (/work, /tmp, /dev/shm).
    cpu_seconds, file_bytes, open_files: each process's CPU time, file size and open files.
    cpus: the processors all the worker's processes may keep busy together.
    """
    call_seconds: float = 20.0
    tutorial_seconds: float = 120.0
    cpu_seconds: int = 600
    memory_bytes: int = 2 << 30
    processes: int = 64
    folder_bytes: int = 64 << 20
    file_bytes: int = 16 << 20
    open_files: int = 64
    cpus: float = 1.0

    def grading_seconds(self, tutorials):
        """The longest a grading run of that many tutorials can take: every tutorial's
        budget, and a minute for everything else."""
        return self.tutorial_seconds * tutorials + 60


def set_in_child(limits, group):
    """Runs in the child between fork and exec: limits, control group, dying with the grader."""
    for limit, value in ((resource.RLIMIT_CPU, limits.cpu_seconds),
                         (resource.RLIMIT_AS, limits.memory_bytes),
                         (resource.RLIMIT_FSIZE, limits.file_bytes),
                         (resource.RLIMIT_NOFILE, limits.open_files),
                         (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):  # macOS refuses some limits; Linux takes them all
            pass
    if group is not None:
        group.join()
    stopping.die_with_parent()
