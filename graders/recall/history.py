""".recall/history.csv: the record of rebuilds from memory, one row per event.

A rebuild is a `start` row (when `python -m graders.recall MODULE` moved the work aside), a
`check` row for each `nox -s check` while it is under way, and at most one end: `done` (a full
public score) or `abandon` (`--abandon`). Rows of one rebuild share `module` and `started`.
The kit only ever appends to the file, so a row a student edits by hand or breaks is named
with its line and left as it is, never lost. Standard library only: the GitHub workflow's
summary (graders/platforms/classroom.py) reads it on the runner's bare Python.
"""

import csv
import io
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone

from graders.model.i18n import _

FOLDER = ".recall"
FILE = "history.csv"
SHOWN = FOLDER + "/" + FILE  # as messages name it
SUMMARY = "recall.json"  # what the batch keeps of a submission's history, beside results.json
COLUMNS = ("module", "level", "event", "started", "time", "minutes", "public_points",
           "possible_points", "failed_cases", "diagnosis_codes", "checks", "kept")
EVENTS = ("start", "check", "done", "abandon")
LEVELS = ("contract", "signatures", "names")  # most help first
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
SIZE_LIMIT = 1 << 20  # bytes of history read; a year of daily rebuilds is a few hundred KiB
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class HistoryError(Exception):
    """The history cannot be read or appended to at all (a link, a folder, a write error)."""


@dataclass
class Row:
    module: str
    level: str
    event: str
    started: datetime
    time: datetime
    minutes: float = 0.0
    public_points: float = 0.0
    possible_points: float = 0.0
    failed_cases: tuple = ()
    diagnosis_codes: tuple = ()
    checks: int = 0
    kept: str = ""
    line: int = 0  # where the row is in the file, to name it; not a column

    def cells(self):
        return [self.module, self.level, self.event, stamp(self.started), stamp(self.time),
                "%.1f" % self.minutes, "%g" % self.public_points, "%g" % self.possible_points,
                " ".join(self.failed_cases), " ".join(self.diagnosis_codes), str(self.checks),
                self.kept]


@dataclass
class Rebuild:
    """One rebuild: its start row, its check rows in order, and its end row if it ended."""
    start: Row
    checks: list = field(default_factory=list)
    end: Row = None

    @property
    def module(self):
        return self.start.module

    @property
    def level(self):
        return self.start.level

    @property
    def outcome(self):
        return "under way" if self.end is None else self.end.event

    def summary(self):
        """The rebuild as plain data, for report.html and the batch's recall.json."""
        return {"module": self.module, "level": self.level, "started": stamp(self.start.time),
                "outcome": self.outcome, "kept": self.start.kept,
                "minutes": self.end.minutes if self.end else
                (self.checks[-1].minutes if self.checks else 0.0),
                "checks": len(self.checks),
                "scores": [[row.minutes, row.public_points, row.possible_points]
                           for row in self.checks]}


def stamp(moment):
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


def parse_time(text):
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=timezone.utc)


def path(root):
    return os.path.join(root, FOLDER, FILE)


def parse(text):
    """(rows, problems) of a history's text; each problem names its line."""
    rows, problems = [], []
    reader = csv.reader(io.StringIO(text))
    header, line = None, 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(_("%s, line %d: %s") % (SHOWN, reader.line_num, error))
            break
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            lacking = [name for name in COLUMNS if name not in header]
            if lacking:
                problems.append(_("%s, line %d: the header lacks the column(s) %s, so no "
                                  "row can be read; it should be: %s") % (
                                    SHOWN, start, ", ".join(lacking), ",".join(COLUMNS)))
                return rows, problems
            continue
        if len(cells) != len(header):
            problems.append(_("%s, line %d: %d fields where the header has %d") % (
                SHOWN, start, len(cells), len(header)))
            continue
        try:
            rows.append(parse_row(dict(zip(header, cells)), start))
        except ValueError as error:
            problems.append(_("%s, line %d: %s") % (SHOWN, start, error))
    return rows, problems


def parse_row(cells, line=0):
    """A Row from {column: text}; ValueError names the column at fault."""
    def number(name, kind=float):
        try:
            value = kind(cells[name] or 0)
        except ValueError:
            raise ValueError(_("%s is %r, not a number") % (name, cells[name])) from None
        if value < 0 or value != value:
            raise ValueError(_("%s is %r, below 0") % (name, cells[name]))
        return value

    def moment(name):
        try:
            return parse_time(cells[name])
        except ValueError:
            raise ValueError(_("%s is %r, not a time such as 2026-01-31T09:30:00Z") % (
                name, cells[name])) from None

    if not NAME.match(cells["module"]):
        raise ValueError(_("module is %r, not a tutorial's name") % cells["module"])
    if cells["event"] not in EVENTS:
        raise ValueError(_("event is %r, not one of %s") % (cells["event"], ", ".join(EVENTS)))
    if cells["level"] not in LEVELS:
        raise ValueError(_("level is %r, not one of %s") % (cells["level"], ", ".join(LEVELS)))
    return Row(cells["module"], cells["level"], cells["event"], moment("started"),
               moment("time"), number("minutes"), number("public_points"),
               number("possible_points"), tuple(cells["failed_cases"].split()),
               tuple(cells["diagnosis_codes"].split()), number("checks", int), cells["kept"], line)


def read_text(root):
    """The history's text ('' where there is none); it is never followed through a link."""
    try:
        handle = os.open(path(root), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return ""
    except OSError as error:
        raise HistoryError(_("%s cannot be read (%s)") % (
            SHOWN, (error.strerror or str(error)).lower())) from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise HistoryError(_("%s is not a plain file") % SHOWN)
        data = os.read(handle, SIZE_LIMIT + 1)
    finally:
        os.close(handle)
    if len(data) > SIZE_LIMIT:
        raise HistoryError(_("%s is larger than %d bytes") % (SHOWN,
                                                               SIZE_LIMIT))
    return data.decode("utf-8", "replace")


def read(root):
    """(rows, problems) of the history under `root` (the repository's folder)."""
    return parse(read_text(root))


def rebuilds(rows, problems=None):
    """The rebuilds the rows tell of, in the order they started. A check or end row whose
    start row is missing is named in `problems`; rows after an end are left out and named."""
    found, open_ = [], {}
    for row in rows:
        key = (row.module, row.started)
        if row.event == "start":
            open_[key] = Rebuild(row)
            found.append(open_[key])
            continue
        rebuild = open_.get(key)
        if rebuild is None or rebuild.end is not None:
            if problems is not None:
                problems.append(_("%s, line %d: a %s row of %s started %s belongs to no rebuild "
                                  "under way") % (SHOWN, row.line, row.event, row.module,
                                                  stamp(row.started)))
            continue
        if row.event == "check":
            rebuild.checks.append(row)
        else:
            rebuild.end = row
    return found


def under_way(found, module):
    """The rebuild of `module` that has not ended, or None."""
    for rebuild in reversed(found):
        if rebuild.module == module and rebuild.end is None:
            return rebuild
    return None


def append(root, row):
    """Appends `row` (and the header to a new file), never rewriting what is there."""
    folder = os.path.join(root, FOLDER)
    try:
        if not os.path.lexists(folder):
            os.mkdir(folder)
        if os.path.islink(folder) or not os.path.isdir(folder):
            raise HistoryError(_("%s is not a folder") % FOLDER)
        handle = os.open(path(root), os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW,
                         0o644)
    except OSError as error:
        raise HistoryError(_("%s cannot be written (%s)") % (
            SHOWN, (error.strerror or str(error)).lower())) from None
    try:
        size = os.fstat(handle).st_size
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise HistoryError(_("%s is not a plain file") % SHOWN)
        out = io.StringIO()
        if size == 0:
            csv.writer(out, lineterminator="\n").writerow(COLUMNS)
        elif os.pread(handle, 1, size - 1) != b"\n":
            out.write("\n")  # a hand-edited last line without its newline keeps its row
        csv.writer(out, lineterminator="\n").writerow(row.cells())
        os.write(handle, out.getvalue().encode("utf-8"))
        os.fsync(handle)
    except OSError as error:
        raise HistoryError(_("%s cannot be written (%s)") % (
            SHOWN, (error.strerror or str(error)).lower())) from None
    finally:
        os.close(handle)


def summary(text):
    """{"rebuilds": [...], "problems": [...]} of a history's text, as plain data."""
    rows, problems = parse(text)
    return {"rebuilds": [r.summary() for r in rebuilds(rows, problems)], "problems": problems}
