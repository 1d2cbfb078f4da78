"""The kit's own tests grade many classes: only the example class that tests/test_pages.py and
tests/test_batch.py share (`example_class`) has its pages drawn, so the other batches leave
out report.html and class.html (graders/batch.py reads NNKIT_NO_PAGES).

Under pytest-xdist's `--dist loadscope` (as nox -s tests runs), a test file that defines a
fixture of module scope or wider (a class graded once and asserted on many times) keeps its
tests on one worker, so that the class is graded once; every other test goes to whichever
worker is free."""

import functools
import os
import re

import pytest

os.environ["NNKIT_NO_PAGES"] = "1"

SHARED_FIXTURE = re.compile(r"@pytest\.fixture\([^)]*scope\s*=\s*[\"'](module|package|session)[\"']")


@functools.lru_cache(maxsize=None)
def shares_a_fixture(path):
    with open(path, encoding="utf-8") as handle:
        return bool(SHARED_FIXTURE.search(handle.read()))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixturesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::")[0]
            return path if shares_a_fixture(str(config.rootpath / path)) else nodeid

    return SharedFixturesTogether(config, log)


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory):
    """A folder of this run that every pytest-xdist worker shares."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder every worker's own one is in
    return base


@pytest.fixture(scope="session")
def shared_gradings(shared_folder):
    """Gradings made once for the whole run, on whichever worker asks first (tests/shared.py)."""
    from tests.shared import SharedGradings

    return SharedGradings(str(shared_folder / "shared-gradings"))


@pytest.fixture(scope="session")
def example_class(shared_folder):
    """The example class graded once for the whole run, with its pages (tests/shared.py):
    (its output folder as a Path, the completed process, with `reads`)."""
    import pathlib

    from tests.shared import example_class

    out, run = example_class(str(shared_folder / "example-class"))
    assert run.returncode == 0, run.stderr[-3000:]
    return pathlib.Path(out), run


@pytest.fixture(scope="session")
def shared_venvs(shared_folder):
    """link(kit): the kit copy's venvs are the run's shared ones (tests/shared.py)."""
    from tests.shared import link_venvs

    return functools.partial(link_venvs, str(shared_folder / "shared-venvs"))
