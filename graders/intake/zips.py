"""Reading a submission handed in as a zip, without extracting anything: its modules at the
top or under exercises/, either possibly in one folder, and its rebuild history. A member is
read only up to its limit, so a bounded part of the zip; a defect costs this submission only."""

import os
import re
import stat
import zipfile

from graders.intake import files
from graders.intake import problems
from graders.intake.problems import Problem
from graders.recall import history as recall_history

# Methods whose unpacking stops at the bytes asked for. Python unpacks bzip2 and LZMA a whole
# block at a time, whatever the zip declares, so a tiny member could fill the grader's memory.
UNPACKED_IN_BOUNDS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def read_zip(handle, modules):
    """({module: source bytes}, {module: why not}) for a zip open as the descriptor `handle`.
    Under the key "" a problem on unsafe members that are not modules."""
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        return {}, dict.fromkeys(modules, problems.not_plain("the zip file"))
    try:
        with open(handle, "rb", closefd=False) as file, zipfile.ZipFile(file) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            found, why_not = {}, {}
            for module in modules:
                source, why = files.module_source(
                    lambda filename, limit: _read_member(archive, members, filename, limit),
                    module)
                if why is None:
                    found[module] = source
                else:
                    why_not[module] = why
            named = {module + suffix for module in modules for suffix in files.SUFFIXES}
            unsafe = [info.filename for info in members if (info.filename != _within(
                info.filename) or stat.S_ISLNK(info.external_attr >> 16)) and
                info.filename.rsplit("/", 1)[-1] not in named]
            if unsafe:  # not modules, but a sign of a zip made to attack: the gradebook says so
                why_not[""] = Problem(problems.ZIP, "the zip holds %d member(s) with a link or a "
                                      "path leading outside it (%s), which were ignored"
                                      % (len(unsafe), unsafe[0]))
            return found, why_not
    except Exception as error:  # any defect of the zip as a whole costs this submission only
        return {}, dict.fromkeys(modules, Problem(problems.ZIP, "the zip file cannot be read "
                                                  "(%s)" % error))


def read_history(handle):
    """(bytes or None, why not or None) of .recall/history.csv in a zip open as `handle`:
    at its top or in one folder. A history that is not there is no problem."""
    try:
        with open(handle, "rb", closefd=False) as file, zipfile.ZipFile(file) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()
                       and not info.filename.startswith("exercises/")]
            source, why = _read_member(archive, members, recall_history.SHOWN)
    except Exception:  # a broken zip is named where its modules are read
        return None, None
    if why is not None and why.code == problems.MISSING:
        return None, None
    return source, why


def _read_member(archive, members, filename, limit=files.MODULE_LIMIT):
    """(bytes, None) or (None, why not) for `filename` in the zip, at its top, under
    exercises/, or either in one folder."""
    layout = re.compile(r"([^/]+/)?(exercises/)?" + re.escape(filename))
    choices = sorted((info for info in members if layout.fullmatch(_within(info.filename))),
                     key=lambda info: (len(_within(info.filename)), info.filename))
    if not choices:
        return None, problems.missing(filename)
    names = [_within(info.filename) for info in choices]
    if len(set(names)) < len(names):  # one name twice: tools disagree on which one counts
        return None, Problem(problems.ZIP, "the zip holds %s twice (%s): zip it again with one "
                             "copy" % (filename, sorted(n for n in names if names.count(n) > 1)[0]))
    escaping = [info.filename for info in choices if info.filename != _within(info.filename)]
    if escaping:
        return None, Problem(problems.ZIP, "%s in the zip has the path %r, which leads outside "
                             "the zip: such paths are refused" % (filename, escaping[0]))
    info = choices[0]
    if stat.S_ISLNK(info.external_attr >> 16):
        return None, problems.link(filename + " in the zip", "file")
    if info.flag_bits & 0x1:
        return None, Problem(problems.ZIP, "the zip is encrypted: hand in a zip without a "
                             "password")
    if info.file_size > limit:
        return None, problems.too_large(filename, limit)
    if info.compress_type not in UNPACKED_IN_BOUNDS:
        return None, Problem(problems.ZIP, "%s in the zip is packed with a method the grader "
                             "cannot unpack (method %d): zip it again with the usual settings"
                             % (filename, info.compress_type))
    corrupt = "%s in the zip is corrupt (%%s)" % filename
    try:
        with archive.open(info) as member:
            source = member.read(limit + 1)  # never more than the zip declares
    except zipfile.BadZipFile as error:  # zipfile says which check failed only in its words
        return None, Problem(problems.ZIP, corrupt % (
            "CRC check failed" if "CRC" in str(error) else error))
    except Exception:  # zlib.error, EOFError, ...: the packed data is damaged
        return None, Problem(problems.ZIP, corrupt % "its packed data cannot be unpacked")
    if len(source) != info.file_size:
        return None, Problem(problems.ZIP, corrupt % "it is not as long as the zip says")
    return source, None


def _within(name):
    """A member's name without a leading "/" or ".." parts: the same name when it is safe."""
    return "/".join(part for part in name.split("/") if part not in ("", ".."))
