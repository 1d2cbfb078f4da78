"""Rebuild a tutorial from memory: start over on a fresh file, keep the old one, time it.

    python -m graders.recall MODULE [--hints contract|signatures|names]
    python -m graders.recall MODULE --abandon
    python -m graders.recall --status
    (python -m nox -s recall -- ...)

Starting a rebuild moves exercises/MODULE.py (or .ipynb) to .recall/MODULE/<date-time>.py,
writes a fresh file with only what the hints level shows, and records a `start` row in
.recall/history.csv (graders/recall/history.py). Each `nox -s check` while it is under way
records a `check` row (`after_check`, called by graders/grading/scoreboard.py); a full public score ends
it. `--status` says, per tutorial, the rebuilds so far and when the next one is due
(graders/recall/schedule.py). No command here deletes or overwrites a file: the student's file
is moved by a hard link (or an exclusive copy checked byte for byte) into a name that did not
exist, and a command that cannot keep it refuses before changing anything.
"""

import argparse
import ast
import errno
import os
import stat
import sys
from datetime import datetime, timezone

from graders.outputs import exercise_notebooks
from graders.model import i18n
from graders.model import spec
from graders.recall import history as history
from graders.model.i18n import _

ROOT = spec.KIT  # the student's repository: exercises/, .recall/ and graders/ side by side
STUBS = os.path.join("graders", "stubs")  # the stubs as handed out (graders/handout.py)
CLOCK = "NNKIT_RECALL_NOW"  # a time such as 2026-01-31T09:30:00Z to use as now (for tests)
SUFFIXES = (".py", ".ipynb")  # the file that is graded first


class Refused(Exception):
    """A command that cannot be done as asked; nothing was changed."""


def now():
    fixed = os.environ.get(CLOCK)
    return history.parse_time(fixed) if fixed else datetime.now(timezone.utc).replace(
        microsecond=0)


def minutes_since(rebuild, moment):
    return max(0.0, (moment - rebuild.start.time).total_seconds() / 60.0)


# -- the fresh file --------------------------------------------------------------------------

def stub(module, root=ROOT):
    try:
        with open(os.path.join(root, STUBS, module + ".py"), encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        raise Refused(_("The stubs as handed out are not in %s: rebuilds from memory work in "
                        "the student handout (python -m nox -s handout -- OUT), which carries "
                        "them.") % os.path.join(STUBS, module + ".py")) from None


def headers(source, node, indent=""):
    """The `def` or `class` line(s) of `node` with its arguments, up to its body."""
    lines = source.splitlines()
    end = node.body[0].lineno - 1 if node.body else node.lineno
    return [indent + line.strip() if i == node.lineno - 1 else line
            for i, line in enumerate(lines[node.lineno - 1:end], node.lineno - 1)]


def definitions(tree):
    """[(top-level function or class node, [its methods])] in the order of the file."""
    return [(node, [item for item in node.body if isinstance(item, ast.FunctionDef)]
             if isinstance(node, ast.ClassDef) else [])
            for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def fresh_text(module, level, root=ROOT):
    """What a rebuild at `level` starts from: `contract`, the stubs as handed out;
    `signatures`, their def and class lines with the arguments and nothing else; `names`,
    only the names to define, as a comment."""
    source = stub(module, root)
    if level == "contract":
        return source
    tree = ast.parse(source)
    if level == "signatures":
        lines = []
        for node, methods in definitions(tree):
            lines += headers(source, node)
            for method in methods:
                lines += headers(source, method, "    ")
        return "\n".join(lines) + "\n"
    names = [node.name + (_(", with the methods %s") % ", ".join(m.name for m in methods)
                          if methods else "") for node, methods in definitions(tree)]
    return _("# %s, rebuilt from memory. Define:\n") % module + "".join(
        "#   %s\n" % name for name in names)


def fresh_file(module, level, suffix, root=ROOT):
    """The fresh file's text for a module handed in as `suffix` (.py or .ipynb)."""
    text = fresh_text(module, level, root)
    if suffix == ".py":
        return text
    if level == "contract":
        return exercise_notebooks.notebook(module, text)
    return exercise_notebooks.as_notebook([exercise_notebooks.cell("code", text)])


# -- moving the student's file aside ----------------------------------------------------------

def current_file(module, root=ROOT):
    """(path, suffix) of the file graded for `module`, or (None, ".py") when there is none;
    Refused when it is not a plain file that can be read."""
    for suffix in SUFFIXES:
        path = os.path.join(root, "exercises", module + suffix)
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        shown = os.path.join("exercises", module + suffix)
        if stat.S_ISLNK(mode):
            raise Refused(_("%s is a symbolic link, so its changes cannot be kept under "
                            ".recall/: put the file itself there.") % shown)
        if not stat.S_ISREG(mode) or not os.access(path, os.R_OK):
            raise Refused(_("%s is not a plain file that can be read, so it cannot be kept "
                            "under .recall/.") % shown)
        return path, suffix
    return None, ".py"


def folder_for(module, root=ROOT):
    """.recall/MODULE, made if missing; Refused when it is not a folder that can be written."""
    parts = [history.FOLDER, module]
    path = root
    for part in parts:
        path = os.path.join(path, part)
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        except OSError as error:
            raise Refused(_("%s cannot be made (%s), so your file cannot be kept.") % (
                os.path.relpath(path, root), plain(error))) from None
        if os.path.islink(path) or not os.path.isdir(path) or not os.access(path, os.W_OK):
            raise Refused(_("%s is not a folder that can be written, so your file cannot be "
                            "kept.") % os.path.relpath(path, root))
    return path


def keep(path, folder, moment):
    """Moves the file at `path` into `folder` under a name of `moment` that was free; returns
    the new path. The file is linked there first (or copied without replacing anything and
    compared byte for byte), and only then removed from where it was."""
    suffix = os.path.splitext(path)[1]
    base = moment.strftime("%Y-%m-%dT%H-%M-%S")
    for number in range(1, 1000):
        target = os.path.join(folder, base + ("" if number == 1 else "-%d" % number) + suffix)
        try:
            os.link(path, target, follow_symlinks=False)
            break
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK,
                                   errno.EACCES):
                raise
            if copy_exclusive(path, target):
                break
    else:
        raise Refused(_("No free name for your file in %s.") % folder)
    os.unlink(path)
    return target


def copy_exclusive(path, target):
    """Copies `path` to `target`, which must not exist; False when it does. The copy is
    checked against the file before the caller removes it."""
    with open(path, "rb") as source:
        data = source.read()
    try:
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(handle, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    with open(path, "rb") as source, open(target, "rb") as copied:
        if source.read() != data or copied.read() != data:
            raise Refused(_("Your file changed while it was copied: try again (both copies "
                            "are kept: %s).") % target)
    return True


def write_new(path, text):
    """Writes a file that must not exist yet."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)


def plain(error):
    return (error.strerror or str(error)).lower()


# -- the commands ------------------------------------------------------------------------------

def read(root):
    """(rebuilds, problems) of the history; Refused where it cannot be read at all."""
    try:
        rows, problems = history.read(root)
    except history.HistoryError as error:
        raise Refused(str(error)) from None
    return history.rebuilds(rows, problems), problems


def start(module, level, root=ROOT, moment=None):
    """Starts a rebuild of `module`; returns what to print."""
    moment = moment or now()
    found, problems = read(root)
    going = history.under_way(found, module)
    if going:
        raise Refused(_("A rebuild of %s is already under way (started %s, hints %s). Finish "
                        "it with a full score in python -m nox -s check, or end it with: "
                        "python -m nox -s recall -- %s --abandon") % (
            module, history.stamp(going.start.time), going.level, module))
    path, suffix = current_file(module, root)
    text = fresh_file(module, level, suffix, root)
    kept = ""
    try:
        if path:
            kept = os.path.relpath(keep(path, folder_for(module, root), moment), root)
        write_new(os.path.join(root, "exercises", module + suffix), text)
    except OSError as error:
        raise Refused(_("%s (%s). Your work is kept in %s.") % (
            error.filename, plain(error), kept or os.path.relpath(path or "-", root))) from None
    try:
        history.append(root, history.Row(module, level, "start", moment, moment, kept=kept))
    except history.HistoryError as error:
        raise Refused(_("%s. The rebuild was not recorded; your work is kept in %s.") % (
            error, kept or "-")) from None
    lines = problems + [_("Rebuild of %s started with hints %s; the clock runs.") % (
        module, level)]
    if kept:
        lines.append(_("Your previous work is kept in %s.") % kept)
    lines.append(_("Write exercises/%s%s again and run python -m nox -s check: a full public "
                   "score ends the rebuild.") % (module, suffix))
    return lines


def abandon(module, root=ROOT, moment=None):
    moment = moment or now()
    found, problems = read(root)
    going = history.under_way(found, module)
    if not going:
        raise Refused(_("No rebuild of %s is under way, so there is none to abandon.")
                      % module)
    minutes = minutes_since(going, moment)
    try:
        history.append(root, history.Row(module, going.level, "abandon", going.start.started,
                                         moment, minutes=minutes, checks=len(going.checks)))
    except history.HistoryError as error:
        raise Refused(str(error)) from None
    return problems + [_("Rebuild of %s abandoned after %.1f minutes and %d check(s); your "
                         "attempt stays in exercises/ and in the history.") % (
        module, minutes, len(going.checks))]


def status(root=ROOT, moment=None):
    try:
        from graders.recall import schedule as recall_schedule  # fsrs: only where a date is asked for
    except ImportError as error:
        raise Refused(_("%s: install the recall group of pyproject.toml (pip install fsrs), "
                        "or run python -m nox -s recall -- --status.") % error) from None
    moment = moment or now()
    found, problems = read(root)
    lines = []
    for module in spec.modules():
        mine = [rebuild for rebuild in found if rebuild.module == module]
        ended = [rebuild for rebuild in mine if rebuild.end is not None]
        done = [rebuild for rebuild in ended if rebuild.outcome == "done"]
        going = history.under_way(found, module)
        if not mine:
            lines.append(_("%s: no rebuild yet (start one: python -m nox -s recall -- %s)")
                         % (module, module))
            continue
        line = _("%s: %d rebuild(s) done, %d abandoned") % (
            module, len(done), len(ended) - len(done))
        if done:
            latest = done[-1]
            line += _("; the latest took %.1f minutes and %d check(s) with hints %s") % (
                latest.end.minutes, len(latest.checks), latest.level)
        if going:
            line += _("; one under way since %s (hints %s, %d check(s) so far)") % (
                history.stamp(going.start.time), going.level, len(going.checks))
        due = recall_schedule.next_due(mine)
        if due and not going:
            line += (_("; next due %s (now)") if due <= moment else _("; next due %s")) % (
                due.strftime("%Y-%m-%d"))
        lines.append(line)
    return lines + problems


def outcome_of(tests, specs, kit_errors=()):
    """{module: (points, possible, failed case ids, diagnosis codes)} of a check's CaseResults
    (graders/model/results.py), for the tutorials whose public cases all ran and none of which
    the grader itself failed on."""
    found = {}
    ran = {test.id: test for test in tests if test.visible}
    for module, tutorial in specs.items():
        public = [case.name for case in tutorial.cases if not case.hidden]
        if not public or any(name not in ran or name in kit_errors for name in public):
            continue
        mine = [ran[name] for name in public]
        found[module] = (sum(test.score for test in mine), sum(test.max_score for test in mine),
                         [test.case for test in mine if not test.passed],
                         sorted({test.diagnosis for test in mine if test.diagnosis}))
    return found


def after_check(outcome, root=ROOT, moment=None):
    """Records a `check` row for each rebuild under way whose public cases all ran, and a
    `done` row where they all passed; returns what to print.

    `outcome`: {module: (points, possible, failed case ids, diagnosis codes)}.
    """
    moment = moment or now()
    found, problems = read(root)
    lines = list(problems)
    for module, (points, possible, failed, codes) in sorted(outcome.items()):
        going = history.under_way(found, module)
        if not going:
            continue
        minutes = minutes_since(going, moment)
        checks = len(going.checks) + 1
        try:
            history.append(root, history.Row(
                module, going.level, "check", going.start.started, moment, minutes, points,
                possible, tuple(failed), tuple(codes), checks))
            if points >= possible:
                history.append(root, history.Row(
                    module, going.level, "done", going.start.started, moment, minutes, points,
                    possible, checks=checks))
        except history.HistoryError as error:
            lines.append(str(error))
            continue
        if points >= possible:
            lines.append(_("Rebuild of %s done: %.1f minutes, %d check(s), hints %s.") % (
                module, minutes, checks, going.level))
        else:
            lines.append(_("Rebuild of %s: check %d at %.1f minutes, %g of %g public "
                           "points.") % (module, checks, minutes, points, possible))
    return lines


def due_line(root=ROOT, moment=None):
    """One line naming the tutorials whose next rebuild is due, or None."""
    try:
        from graders.recall import schedule as recall_schedule
    except ImportError:
        return None  # fsrs is not installed: nothing can be due
    moment = moment or now()
    try:
        found, _problems = read(root)
    except Refused:
        return None
    due = []
    for module in spec.modules():
        mine = [rebuild for rebuild in found if rebuild.module == module]
        when = recall_schedule.next_due(mine)
        if when and when <= moment and not history.under_way(found, module):
            due.append("%s (%s)" % (module, when.strftime("%Y-%m-%d")))
    if not due:
        return None
    return _("A rebuild from memory is due: %s. Start it with python -m nox -s recall -- "
             "MODULE.") % ", ".join(due)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m graders.recall", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("module", nargs="?", choices=spec.modules(),
                        help="the tutorial to rebuild")
    parser.add_argument("--hints", choices=history.LEVELS, default="contract",
                        help="what the fresh file shows: contract (the stubs as handed out, "
                             "the default), signatures (the def and class lines), names (only "
                             "the names to define)")
    parser.add_argument("--abandon", action="store_true",
                        help="end the rebuild under way, keeping the attempt")
    parser.add_argument("--status", action="store_true",
                        help="the rebuilds so far and when the next one is due, per tutorial")
    parser.add_argument("--lang", choices=i18n.languages(),
                        help="language of the messages (default: from LANG)")
    args = parser.parse_args(argv)
    if args.status == bool(args.module):
        parser.error("name a MODULE to rebuild (or to --abandon), or ask for --status")
    if args.abandon and args.status:
        parser.error("--abandon takes a MODULE, not --status")
    return args


def main(argv=None, root=ROOT):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    i18n.set_language(args.lang)
    try:
        if args.status:
            lines = status(root)
        elif args.abandon:
            lines = abandon(args.module, root)
        else:
            lines = start(args.module, args.hints, root)
    except Refused as error:
        print(_("Refused: %s") % error, file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0
