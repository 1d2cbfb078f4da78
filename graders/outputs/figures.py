"""The figures of report.html, as inline SVG drawn by matplotlib: a tutorial's training curve
over the reference's, decision boundaries, and the rebuilds from memory.

What a figure draws comes from results (each public case's `curve`, graders/grading/curves.py)
and from graders/test_<module>.py, which says what its tutorial records (`CURVE`, `boundaries`).
"""

import importlib
import io

from graders.model import spec
from graders.model.i18n import _

try:
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot
    IMPORT_ERROR = None
except ImportError as error:  # grading goes on; the pages are left out (pages.missing)
    IMPORT_ERROR = error

# Okabe and Ito's colour-blind-safe palette; student and reference also differ in line style.
STUDENT, REFERENCE = "#D55E00", "#0072B2"
# The classes of a decision boundary: colours (Okabe and Ito) and markers.
CLASSES = (("#0072B2", "o"), ("#E69F00", "^"), ("#009E73", "s"), ("#CC79A7", "D"),
           ("#56B4E9", "v"), ("#F0E442", "P"))


def grader(module):
    """graders/test_<module>.py, which says what a report draws for its tutorial:
    `CURVE = (recorded name, x label, y label)`, the training curve, and
    `boundaries(recorded)`, the decision boundaries (see `boundary_figure`)."""
    return importlib.import_module("graders.test_" + module)


def curves_of(results):
    """{module: {name: values}} from the public cases of SubmissionResults."""
    found = {}
    for test in results.tests:
        if test.curve and test.kind == spec.PUBLIC:
            for name, values in test.curve.items():
                found.setdefault(test.module, {}).setdefault(name, values)
    return found


def svg(figure):
    """The figure as an inline <svg> element (no XML prologue, text kept as text)."""
    out = io.StringIO()
    if len(figure.axes) == 1:  # fixed margins: a layout engine would draw everything twice
        figure.subplots_adjust(left=0.18, right=0.97, bottom=0.16, top=0.9)
    figure.savefig(out, format="svg")
    pyplot.close(figure)
    text = out.getvalue()
    return text[text.index("<svg"):]


def curve_figure(module, student, reference):
    name, xlabel, ylabel = grader(module).CURVE
    figure, axes = pyplot.subplots(figsize=(5.2, 3.4))
    for values, label, colour, style in ((reference, _("reference"), REFERENCE, "--"),
                                         (student, _("yours"), STUDENT, "-")):
        if values:
            xs, ys = zip(*values)
            axes.plot(xs, ys, style, color=colour, label=label, linewidth=2,
                      marker="o" if len(xs) < 30 else None)
    axes.set(xlabel=xlabel, ylabel=ylabel, title="%s: %s" % (module, name))
    if all(y > 0 for values in (student, reference) if values for _x, y in values):
        axes.set_yscale("log")
    axes.legend(loc="upper right")
    axes.grid(alpha=0.3)
    return svg(figure)


def boundary_figure(rows):
    """Decision boundaries: rows [(whose, [(panel title, X (N, 2), y (N,), classify)])], with
    classify(points (M, 2)) the classes (M,) a network gives. A single network is drawn
    yours beside the reference's; several, one row each, yours beside the reference's."""
    import numpy as np
    count = max(len(panels) for _whose, panels in rows)
    figure, grid = pyplot.subplots(count, len(rows), figsize=(4.2 * len(rows), 3.4 * count),
                                   squeeze=False)
    for column, (whose, panels) in enumerate(rows):
        for row, (title, X, y, classify) in enumerate(panels):
            axes = grid[row][column]
            xx, yy = np.meshgrid(np.linspace(X[:, 0].min() - .5, X[:, 0].max() + .5, 120),
                                 np.linspace(X[:, 1].min() - .5, X[:, 1].max() + .5, 120))
            classes = int(max(y.max(), 1)) + 1
            grid_classes = classify(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
            axes.contourf(xx, yy, grid_classes, levels=np.arange(classes + 1) - 0.5,
                          colors=[CLASSES[c % len(CLASSES)][0] for c in range(classes)],
                          alpha=0.35)
            for label in range(classes):
                colour, marker = CLASSES[label % len(CLASSES)]
                axes.scatter(*X[y == label].T, marker=marker, s=14, color=colour,
                             edgecolors="black", linewidths=0.4)
            axes.set(title=": ".join(part for part in (whose, title) if part), xticks=[],
                     yticks=[])
        for row in range(len(panels), count):
            grid[row][column].set_axis_off()
    return svg(figure)


def boundaries_of(module, recorded):
    """{figure title: panels} that graders/test_<module>.py draws from what it recorded."""
    draw = getattr(grader(module), "boundaries", None)
    if draw is None or not recorded:
        return {}
    try:
        return draw(recorded)
    except (ValueError, KeyError, TypeError, IndexError):  # recorded numbers of another shape
        return {}


def figures(results, reference):
    """[(title, alt text, svg)] for a submission's report (SubmissionResults, both)."""
    mine, theirs = curves_of(results), curves_of(reference)
    found = []
    for module in spec.modules():
        curve = getattr(grader(module), "CURVE", None)
        if curve is None:
            continue
        name = curve[0]
        student, ref = mine.get(module, {}).get(name), theirs.get(module, {}).get(name)
        if not student and not ref:
            continue
        found.append((_("%s: training curve") % module,
                      (_("%s's %s during training: yours (solid, orange) over the reference's "
                         "(dashed, blue).") if student else
                       _("%s's %s during training: the reference's (dashed, blue); your code "
                         "gave none to draw.")) % (module, name),
                      curve_figure(module, student, ref)))
    for module in spec.modules():
        drawn = [(whose, boundaries_of(module, source.get(module, {}))) for whose, source in (
            (_("yours"), mine), (_("reference"), theirs))]
        for title in sorted({title for _whose, figures in drawn for title in figures}):
            rows = [(whose, figures[title]) for whose, figures in drawn if title in figures]
            found.append((title, _("%s, one panel per network (each class its own colour and "
                                   "marker), of: %s.") % (title, ", ".join(
                                       whose for whose, _f in rows)), boundary_figure(rows)))
    return found


def rebuild_figures(recall):
    """[(title, alt text, svg)] of the rebuilds from memory (graders/recall/history.py's
    summary): minutes and checks of each rebuild that ended, and the public points of each
    check within the latest rebuild that has checks."""
    ended = [r for r in recall["rebuilds"] if r["outcome"] != "under way"]
    found = []
    if ended:
        figure, (left, right) = pyplot.subplots(1, 2, figsize=(7.2, 3.2))
        xs = list(range(1, len(ended) + 1))
        for axes, key, label, colour in ((left, "minutes", _("minutes"), STUDENT),
                                         (right, "checks", _("checks"), REFERENCE)):
            axes.plot(xs, [r[key] for r in ended], "-o", color=colour, linewidth=2)
            for x, r in zip(xs, ended):
                if r["outcome"] != "done":
                    axes.plot([x], [r[key]], "x", color="black", markersize=9)
            axes.set(xlabel=_("rebuild"), ylabel=label, xticks=xs, ylim=(0, None))
            axes.grid(alpha=0.3)
        figure.subplots_adjust(left=0.1, right=0.98, bottom=0.17, top=0.95, wspace=0.3)
        found.append((_("Rebuilds from memory"),
                      _("Minutes (left) and checks (right) of each of your %d rebuilds that "
                        "ended, in the order they started; a cross marks one abandoned.")
                      % len(ended), svg(figure)))
    latest = [r for r in recall["rebuilds"] if r["scores"]]
    if latest:
        latest = latest[-1]
        figure, axes = pyplot.subplots(figsize=(5.2, 3.2))
        minutes, points, possible = zip(*latest["scores"])
        axes.plot(minutes, points, "-o", color=STUDENT, linewidth=2, label=_("yours"))
        axes.axhline(max(possible), linestyle="--", color=REFERENCE, label=_("full score"))
        axes.set(xlabel=_("minutes since the start"), ylabel=_("public points"), xlim=(0, None),
                 ylim=(0, max(possible) * 1.08 or 1))
        axes.legend(loc="lower right")
        axes.grid(alpha=0.3)
        found.append((_("The latest rebuild"),
                      _("Public points of each of the %d check(s) of your latest rebuild of "
                        "%s (hints %s), by minutes since it started.") % (
                          len(latest["scores"]), latest["module"], latest["level"]),
                      svg(figure)))
    return found


def histogram(totals, most):
    figure, axes = pyplot.subplots(figsize=(5.2, 3))
    axes.hist(totals, bins=10, range=(0, most or 1), color=REFERENCE, edgecolor="black")
    axes.set(xlabel=_("total points (of %g)") % most, ylabel=_("submissions"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return svg(figure)
