"""The pytest command line that grades a folder of modules the kit wrote, for every caller.

Each option and its value are one argument (`--impl=PATH`): pytest reads its command line
before the kit's conftest declares --impl, so with `--impl PATH` it would take PATH for tests
to collect and import a conftest.py from it, in the trusted grading process. `-c` fixes the
settings file and `--rootdir` the root, so no pytest.ini, tox.ini, setup.cfg or pyproject.toml
found elsewhere is read.
"""

import os

from graders.model import spec


def options(modules):
    """The kit's graders, settings and root, and `modules` as the implementation to grade."""
    return [os.path.join(spec.KIT, "graders"), "-c", os.path.join(spec.KIT, "pyproject.toml"),
            "--rootdir=" + spec.KIT, "--impl=" + modules]
