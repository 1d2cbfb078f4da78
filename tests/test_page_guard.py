"""A picture never costs a grade or the batch: whatever drawing a page raises, or however long
it runs, costs that page with a note; the reference-curve cache is trusted only in a folder of
the grading user's own that nobody else may write."""

import os
import tempfile

import pytest

from graders.model import private_cache
from graders.outputs import batch_pages  # its drawing libraries are imported only when it draws
from graders.outputs import reference_curves


def test_an_error_while_drawing_costs_the_page_alone(capsys):
    def draw():
        raise OverflowError("cannot convert float infinity to integer")
    batch_pages.guarded("report.html of mallory", draw)
    assert "note: report.html of mallory was not drawn (OverflowError" in capsys.readouterr().err


def test_a_drawing_that_never_ends_is_cut_short(capsys, monkeypatch):
    monkeypatch.setattr(batch_pages, "PAGE_SECONDS", 0.2)

    def draw():
        while True:
            pass
    batch_pages.guarded("class.html", draw)
    assert "class.html was not drawn (TooSlow" in capsys.readouterr().err


def test_a_write_error_of_the_disk_still_stops_the_batch():
    def draw():
        raise OSError(28, "No space left on device")
    with pytest.raises(OSError):
        batch_pages.guarded("class.html", draw)


@pytest.mark.parametrize("planted", ["open to all", "a link", "a file"])
def test_a_cache_folder_planted_by_someone_else_is_not_used(planted, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = tmp_path / ("nnkit-cache-%d" % os.geteuid())
    if planted == "open to all":
        path.mkdir()
        os.chmod(path, 0o777)
    elif planted == "a link":
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        path.symlink_to(tmp_path / "elsewhere")
    else:
        path.write_text("{}")
    folder = private_cache.private_folder()
    assert os.path.realpath(folder) not in (str(path), str(tmp_path / "elsewhere"))
    assert os.stat(folder).st_mode & 0o077 == 0


def test_the_own_private_cache_folder_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert private_cache.private_folder() == private_cache.private_folder() == str(
        tmp_path / ("nnkit-cache-%d" % os.geteuid()))


def test_a_planted_cache_that_is_not_results_reads_as_no_curves(tmp_path):
    cache = tmp_path / "cache.json"
    cache.write_text('{"tests": {"not": "a list"}}')
    assert reference_curves.reference_results(str(cache)).tests == []  # a file there: not redrawn
