"""Intake of hostile submissions: links, defective zips, clashing names, unreadable files.

Each test builds its hostile class in tmp_path; a defect must cost only its own submission.
"""

import errno
import hashlib
import itertools
import os
import socket
import stat
import struct
import threading
import zipfile
import zlib

import pytest

from graders.intake import collect

MODULES = ["trask", "aidan", "zhou", "britz"]
SECRET = b"SOLUTION = 'from the kit'\n"


def honest(folder):
    folder.mkdir(parents=True)
    for module in MODULES:
        (folder / (module + ".py")).write_text(module)
    return folder


def solutions(tmp_path):
    """A stand-in for the kit's solutions/, outside the class folder."""
    kit = tmp_path / "kit" / "solutions"
    kit.mkdir(parents=True)
    for module in MODULES:
        (kit / (module + ".py")).write_bytes(SECRET)
    return kit


def entries(folder):
    return {entry.name: entry for entry in collect.discover(str(folder), MODULES)}


def assert_no_secret(entry):
    assert SECRET not in entry.modules.values()


# -- links -------------------------------------------------------------------------------

def test_a_linked_module_is_refused_and_the_others_are_read(tmp_path):
    kit = solutions(tmp_path)
    honest(tmp_path / "class" / "sam")
    (tmp_path / "class" / "sam" / "trask.py").unlink()
    (tmp_path / "class" / "sam" / "trask.py").symlink_to(kit / "trask.py")
    sam = entries(tmp_path / "class")["sam"]
    assert sorted(sam.modules) == ["aidan", "britz", "zhou"]
    assert sam.problems == ["trask.py is a symbolic link: links are refused, hand in the file "
                            "itself"]


def test_a_linked_module_under_exercises_is_refused(tmp_path):
    kit = solutions(tmp_path)
    exercises = honest(tmp_path / "class" / "sam" / "exercises")
    (exercises / "zhou.py").unlink()
    (exercises / "zhou.py").symlink_to(kit / "zhou.py")
    sam = entries(tmp_path / "class")["sam"]
    assert "zhou" not in sam.modules and len(sam.modules) == 3
    assert sam.problems == ["zhou.py is a symbolic link: links are refused, hand in the file "
                            "itself"]


def test_a_submission_holding_only_a_linked_exercises_folder_gets_nothing(tmp_path):
    kit = solutions(tmp_path)
    (tmp_path / "class" / "sam").mkdir(parents=True)
    (tmp_path / "class" / "sam" / "exercises").symlink_to(kit)
    sam = entries(tmp_path / "class")["sam"]
    assert sam.modules == {}
    assert sam.problems == ["%s.py is missing because exercises/ is a symbolic link: links are "
                            "refused, hand in the folder itself" % m for m in MODULES]
    found, problems = collect.read_folder(str(tmp_path / "class" / "sam"), MODULES)
    assert found == {} and set(problems) == set(MODULES)


@pytest.mark.parametrize("item", ["sam", "sam.zip"])
def test_a_submission_that_is_itself_a_link_gets_nothing(tmp_path, item):
    kit = solutions(tmp_path)
    with zipfile.ZipFile(tmp_path / "kit.zip", "w") as archive:
        for module in MODULES:
            archive.writestr(module + ".py", SECRET)
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / item).symlink_to(tmp_path / "kit.zip" if item.endswith(".zip") else kit)
    sam = entries(tmp_path / "class")["sam"]
    what = "zip" if item.endswith(".zip") else "folder"
    assert sam.modules == {}
    assert sam.problems == ["the submission is a symbolic link: links are refused, hand in the "
                            "%s itself" % what]


@pytest.mark.parametrize("swapped", ["trask.py", "exercises"])
def test_a_link_swapped_in_between_listing_and_opening_is_refused(tmp_path, monkeypatch, swapped):
    """The check is the open itself (O_NOFOLLOW), so a swap just before it cannot slip in."""
    kit = solutions(tmp_path)
    exercises = honest(tmp_path / "class" / "sam" / "exercises")
    real_open = os.open

    def swapping_open(path, flags, *args, **kwargs):
        if path == swapped and (exercises / "trask.py").exists():
            target = exercises / swapped if swapped == "trask.py" else exercises
            os.rename(target, tmp_path / "moved")
            target.symlink_to(kit / swapped if swapped == "trask.py" else kit)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(collect.os, "open", swapping_open)
    sam = entries(tmp_path / "class")["sam"]
    monkeypatch.undo()
    assert_no_secret(sam)
    assert "trask" not in sam.modules
    assert "symbolic link" in sam.problems[0]


# -- zips --------------------------------------------------------------------------------

def make_zip(path, members, method=zipfile.ZIP_STORED):
    """Writes `members` ({name or ZipInfo: bytes}) and returns the zip's bytes."""
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path.read_bytes()


def patch_headers(data, name, **fields):
    """`data` with the fields of `name`'s local and central headers set (struct offsets)."""
    local = {"flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "size": (22, "<I")}
    central = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "size": (24, "<I")}
    data = bytearray(data)
    for signature, offsets, name_at in ((b"PK\3\4", local, 30), (b"PK\1\2", central, 46)):
        start = data.find(signature)
        while data[start + name_at:start + name_at + len(name)] != name.encode():
            start = data.find(signature, start + 1)
        for field, value in fields.items():
            offset, layout = offsets[field]
            struct.pack_into(layout, data, start + offset, value)
    return bytes(data)


def zip_class(tmp_path, defective):
    """A class of one honest folder and `defective` ({item: zip bytes}); returns its entries."""
    honest(tmp_path / "class" / "honest")
    for item, data in defective.items():
        (tmp_path / "class" / item).write_bytes(data)
    found = entries(tmp_path / "class")
    assert found["honest"].modules == {m: m.encode() for m in MODULES}
    return found


def four(tmp_path, method=zipfile.ZIP_STORED):
    """The bytes of a zip of the four modules, each its name 50 times (trask.py: 250 bytes)."""
    return make_zip(tmp_path / "tmp.zip", {m + ".py": (m * 50).encode() for m in MODULES}, method)


def test_zip_defects_cost_only_their_module_with_a_plain_reason(tmp_path):
    plain = four(tmp_path)
    bad_crc = plain.replace(b"trask" * 50, b"TRASK" * 50)
    deflated = four(tmp_path, zipfile.ZIP_DEFLATED)
    start = deflated.index(b"PK\3\4") + 30 + len("trask.py")
    corrupt = deflated[:start] + b"\xff" * 8 + deflated[start + 8:]
    found = zip_class(tmp_path, {
        "encrypted.zip": patch_headers(plain, "trask.py", flags=1),
        "crc.zip": bad_crc,
        "method.zip": patch_headers(plain, "trask.py", method=77),
        "deflate.zip": corrupt,
        "short.zip": patch_headers(plain, "trask.py", size=350),
    })
    expected = {
        "encrypted": "the zip is encrypted: hand in a zip without a password",
        "crc": "trask.py in the zip is corrupt (CRC check failed)",
        "method": "trask.py in the zip is packed with a method the grader cannot unpack "
                  "(method 77): zip it again with the usual settings",
        "deflate": "trask.py in the zip is corrupt (its packed data cannot be unpacked)",
        "short": "trask.py in the zip is corrupt (it is not as long as the zip says)",
    }
    for name, problem in expected.items():
        assert found[name].problems == [problem], name
        assert sorted(found[name].modules) == ["aidan", "britz", "zhou"], name


def test_a_member_longer_than_it_declares_is_never_read_past_its_size(tmp_path):
    bomb = make_zip(tmp_path / "tmp.zip", {"trask.py": b"#" * (50 * collect.MODULE_LIMIT)},
                    zipfile.ZIP_DEFLATED)
    found = zip_class(tmp_path, {
        "lying.zip": patch_headers(bomb, "trask.py", size=100),
        "consistent.zip": patch_headers(bomb, "trask.py", size=100, crc=zlib.crc32(b"#" * 100)),
    })
    assert found["lying"].problems[0] == ("trask.py in the zip is corrupt (CRC check failed)")
    assert found["consistent"].modules == {"trask": b"#" * 100}


def test_a_zip_bomb_is_refused_without_unpacking_it(tmp_path, monkeypatch):
    bomb = make_zip(tmp_path / "tmp.zip", {m + ".py": bytes(4 * collect.MODULE_LIMIT)
                                           for m in MODULES}, zipfile.ZIP_DEFLATED)
    assert len(bomb) < collect.MODULE_LIMIT
    monkeypatch.setattr(zipfile.ZipFile, "open", None)  # any unpacking fails the test
    found = zip_class(tmp_path, {"bomb.zip": bomb})
    assert found["bomb"].modules == {}
    assert found["bomb"].problems == ["%s.py is larger than %d bytes" % (m, collect.MODULE_LIMIT)
                                      for m in MODULES]


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_methods_that_unpack_whole_blocks_are_refused_without_unpacking(tmp_path, monkeypatch,
                                                                       method):
    """bzip2 and LZMA unpack a block at a time, whatever size the zip declares: a member of
    a few hundred bytes that says 100 could still fill memory."""
    packed = make_zip(tmp_path / "tmp.zip", {"trask.py": bytes(8 * collect.MODULE_LIMIT)}, method)
    monkeypatch.setattr(zipfile.ZipFile, "open", None)  # any unpacking fails the test
    found = zip_class(tmp_path, {"blocks.zip": patch_headers(packed, "trask.py", size=100)})
    assert found["blocks"].modules == {}
    assert found["blocks"].problems[0] == (
        "trask.py in the zip is packed with a method the grader cannot unpack (method %d): zip "
        "it again with the usual settings" % method)


def test_unsafe_members_that_are_not_modules_are_named_in_the_problems(tmp_path):
    packed = make_zip(tmp_path / "tmp.zip", {**{m + ".py": m.encode() for m in MODULES},
                                             "../../etc/cron.d/x": b"x"})
    found = zip_class(tmp_path, {"extra.zip": packed})
    assert sorted(found["extra"].modules) == sorted(MODULES)
    assert found["extra"].problems == [
        "the zip holds 1 member(s) with a link or a path leading outside it "
        "(../../etc/cron.d/x), which were ignored"]


def test_link_and_escaping_members_are_refused(tmp_path):
    link = zipfile.ZipInfo("trask.py")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    found = zip_class(tmp_path, {
        "link.zip": make_zip(tmp_path / "tmp.zip", {link: b"../../kit/solutions/trask.py",
                                                   "zhou.py": b"zhou"}),
        "absolute.zip": make_zip(tmp_path / "tmp.zip", {"/trask.py": SECRET, "zhou.py": b"z"}),
        "dotdot.zip": make_zip(tmp_path / "tmp.zip", {"../exercises/trask.py": SECRET,
                                                     "me/trask.py": b"mine", "zhou.py": b"z"}),
    })
    assert found["link"].modules == {"zhou": b"zhou"}
    assert found["link"].problems[0] == ("trask.py in the zip is a symbolic link: links are "
                                         "refused, hand in the file itself")
    assert found["absolute"].problems[0] == ("trask.py in the zip has the path '/trask.py', "
                                             "which leads outside the zip: such paths are refused")
    assert found["dotdot"].problems[0].startswith(
        "trask.py in the zip has the path '../exercises/trask.py', which leads outside")
    for name in ("absolute", "dotdot"):
        assert found[name].modules == {"zhou": b"z"}


def test_a_zip_that_cannot_be_opened_is_reported(tmp_path):
    plain = four(tmp_path)
    zip_class(tmp_path, {"truncated.zip": plain[:len(plain) // 2],
                         "garbage.zip": plain[-30:] + b"\0" * 100})
    os.mkfifo(tmp_path / "class" / "pipe.zip")
    found = in_thread(entries, tmp_path / "class")
    for name in ("truncated", "garbage"):
        assert found[name].modules == {}
        assert found[name].problems[0].startswith("the zip file cannot be read (")
    assert found["pipe"].problems == ["the zip file is not a plain file: hand in the file itself"]


# -- names -------------------------------------------------------------------------------

def suffixed(base, item, digits=6):
    return base + "~" + hashlib.sha256(item.encode()).hexdigest()[:digits]


def test_names_that_sanitise_alike_get_distinct_stable_names(tmp_path):
    for item in ("a b", "a_b", "x"):
        honest(tmp_path / item)
    make_zip(tmp_path / "x.zip", {"trask.py": b"t"})
    found = entries(tmp_path)
    assert sorted(found) == sorted(["a_b", suffixed("a_b", "a b"), suffixed("x", "x"),
                                    suffixed("x", "x.zip")])
    assert found["a_b"].note == ""
    assert found[suffixed("a_b", "a b")].note == (
        "graded as %r: 'a b' has characters other than letters, digits, '.', '_' and '-'"
        % suffixed("a_b", "a b"))
    assert found[suffixed("x", "x.zip")].note == (
        "graded as %r: 'x.zip' and another submission would both be named 'x'"
        % suffixed("x", "x.zip"))
    assert found[suffixed("x", "x.zip")].modules == {"trask": b"t"}


def test_a_name_never_depends_on_the_other_submissions(tmp_path):
    honest(tmp_path / "a b")
    assert list(entries(tmp_path)) == [suffixed("a_b", "a b")]
    for item in ("a_b", "a!b", "0", "zz"):
        honest(tmp_path / item)
    assert suffixed("a_b", "a b") in entries(tmp_path)


def test_names_the_batch_writes_are_never_given_to_a_submission(tmp_path):
    for item in ("gradebook.csv", "Class.HTML", ".in-progress"):
        honest(tmp_path / item)
    make_zip(tmp_path / "gradebook.csv.zip", {"trask.py": b"t"})
    names = set(entries(tmp_path))
    assert names == {suffixed("gradebook.csv", "gradebook.csv"),
                     suffixed("Class.HTML", "Class.HTML"),
                     suffixed("gradebook.csv", "gradebook.csv.zip")}
    assert not names & collect.RESERVED_NAMES


def test_names_differing_only_in_case_or_in_a_short_hash_are_told_apart(tmp_path):
    """Two items whose six-digit suffixes clash (found by brute force) get full hashes."""
    seen = {}
    for middle in itertools.product("!@#%^&()+=,;", repeat=6):
        item = "a" + "".join(middle) + "b"
        prefix = hashlib.sha256(item.encode()).hexdigest()[:6]
        if prefix in seen:
            break
        seen[prefix] = item
    clash = [seen[prefix], item]
    for item in clash + ["Sam", "sam"]:
        honest(tmp_path / item)
    names = set(entries(tmp_path))
    assert names == {suffixed("a______b", clash[0], 64), suffixed("a______b", clash[1], 64),
                     suffixed("Sam", "Sam"), suffixed("sam", "sam")}


def test_a_long_name_is_shortened_and_kept_distinct(tmp_path):
    long = ["s" * 200, "s" * 201]
    for item in long:
        honest(tmp_path / item)
    names = sorted(entries(tmp_path))
    assert names == sorted(suffixed("s" * collect.NAME_LIMIT, item) for item in long)


# -- unreadable items --------------------------------------------------------------------

def in_thread(function, *args):
    """function(*args), or a failure if it blocks (a FIFO opened for reading waits forever)."""
    result = []
    thread = threading.Thread(target=lambda: result.append(function(*args)), daemon=True)
    thread.start()
    thread.join(30)
    assert result, "%s blocked" % function.__name__
    return result[0]


def test_a_fifo_or_socket_named_like_a_module_is_a_problem_not_a_hang(tmp_path, monkeypatch):
    sam = honest(tmp_path / "class" / "sam")
    for module in ("trask", "zhou"):
        (sam / (module + ".py")).unlink()
    os.mkfifo(sam / "trask.py")
    monkeypatch.chdir(sam)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind("zhou.py")
        found = in_thread(entries, tmp_path / "class")["sam"]
    assert sorted(found.modules) == ["aidan", "britz"]
    assert found.problems == ["trask.py is not a plain file: hand in the file itself",
                              "zhou.py is not a plain file: hand in the file itself"]


@pytest.mark.parametrize("failure, problem", [
    ("denied", "trask.py cannot be read (permission denied)"),
    ("vanished", "trask.py is missing"),
    ("read", "trask.py cannot be read (input/output error)"),
    ("folder", "the submission folder cannot be read (permission denied)"),
])
def test_an_unreadable_item_is_a_problem_not_a_crash(tmp_path, monkeypatch, failure, problem):
    """Simulated: grading as root, chmod 000 would not stop a read."""
    honest(tmp_path / "class" / "other")
    sam = honest(tmp_path / "class" / "sam")
    real_open, real_read = os.open, os.read
    opened = []  # sam's trask.py

    def failing_open(path, flags, dir_fd=None):
        ours = path == "trask.py" and os.readlink("/proc/self/fd/%d" % dir_fd) == str(sam)
        if failure == "denied" and ours or failure == "folder" and path == "sam":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        if failure == "vanished" and ours:
            (sam / "trask.py").unlink()
        handle = real_open(path, flags, dir_fd=dir_fd)
        opened.extend([handle] if ours else [])
        return handle

    def failing_read(handle, size):
        if failure == "read" and handle in opened:
            opened.remove(handle)  # the number is reused once closed
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_read(handle, size)

    monkeypatch.setattr(collect.os, "open", failing_open)
    monkeypatch.setattr(collect.os, "read", failing_read)
    found = entries(tmp_path / "class")
    monkeypatch.undo()
    assert found["sam"].problems == [problem]
    assert found["other"].modules == {m: m.encode() for m in MODULES}


def test_a_module_twice_in_a_zip_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "tmp.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for module in MODULES:
            archive.writestr(module + ".py", module)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("trask.py", "import os  # the copy one tool reads, not another")
    found = zip_class(tmp_path, {"twice.zip": path.read_bytes()})
    assert found["twice"].problems == [
        "the zip holds trask.py twice (trask.py): zip it again with one copy"]
    assert sorted(found["twice"].modules) == ["aidan", "britz", "zhou"]
