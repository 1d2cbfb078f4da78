"""Rebuild a tutorial from memory: start over on a fresh file, keep the old one, time it.

    python -m graders.recall MODULE [--hints contract|signatures|names]
    python -m graders.recall MODULE --abandon
    python -m graders.recall --status
    (python -m nox -s recall -- ...)

Starting a rebuild moves exercises/MODULE.py (or .ipynb) to .recall/MODULE/<date-time>.py
(graders/recall/keeping.py), writes a fresh file with only what the hints level shows
(graders/recall/fresh.py), and records a `start` row in
.recall/history.csv (graders/recall/history.py). Each `nox -s check` while it is under way
records a `check` row (`after_check`, called by graders/grading/scoreboard.py); a full public score ends
it. `--status` says, per tutorial, the rebuilds so far and when the next one is due
(graders/recall/schedule.py). No command here deletes or overwrites a file: the student's file
is moved by a hard link (or an exclusive copy checked byte for byte) into a name that did not
exist, and a command that cannot keep it refuses before changing anything.
"""

import argparse
import os
import sys
from datetime import datetime, timezone

from graders.model import i18n
from graders.model import spec
from graders.model.i18n import _
from graders.recall import history
from graders.recall.fresh import ROOT, STUBS, fresh_file  # noqa: F401  (STUBS: graders/handout.py)
from graders.recall.keeping import current_file, folder_for, keep, plain, write_new
from graders.recall.refused import Refused

CLOCK = "NNKIT_RECALL_NOW"  # a time such as 2026-01-31T09:30:00Z to use as now (for tests)


def now():
    fixed = os.environ.get(CLOCK)
    return history.parse_time(fixed) if fixed else datetime.now(timezone.utc).replace(
        microsecond=0)


def minutes_since(rebuild, moment):
    return max(0.0, (moment - rebuild.start.time).total_seconds() / 60.0)


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
