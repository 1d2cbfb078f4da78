"""The sentences that several outputs say about a case: the terminal, results.json,
feedback.md, report.html. One place each, so they never drift apart."""

from graders.model import spec
from graders.model.i18n import _

def root_causes(found):
    """A sentence per wrong helper {helper: [ids of the cases credited around it]}."""
    return [_("Root cause: %s is wrong. These cases failed only because of it and earn their "
              "points, since they passed with the contract's %s standing in: %s.") % (
        helper, helper, ", ".join(cases)) for helper, cases in sorted(found.items())]


def requirement(requires, unmet):
    """The sentence naming a generality case's requirement: leading the message where the
    evidence shows it unmet, after it, as context, where the failure is in the numbers."""
    if unmet:
        return _("This case checks a requirement of the contract beyond the tutorial's own "
                 "numbers: %s") % requires
    return _("This case also checks a requirement of the contract, which your code meets as "
             "far as the checks can tell; the failure is in the numbers: %s") % requires


def explain(diagnosis=None, root=None):
    """One line on a case's diagnosis code, or on the helpers it was credited around."""
    if root:
        return _("Credited: it failed only because of %s, which is wrong (see its own case); "
                 "it passed with the contract's %s standing in.") % (
            ", ".join(root), ", ".join(root))
    return _("diagnosis %s") % diagnosis


def shown_failure(test):
    """What a failed case (a CaseResult) shows its student: a public case its message; a
    hidden one, only once an instructor grades, its requirement (generality) or a note."""
    if test.visible:
        return test.output
    if test.kind == spec.GENERALITY:
        return requirement(test.requires, test.unmet)
    return _("A hidden case (the tutorial's procedure on new numbers): the public checks of "
             "the same function show what to fix.")
