"""report.html and class.html, opened in a real browser (headless Chromium, Debian's `chromium`).

The example class is graded once for the module, with its pages; each page is then loaded from
disk with the network off, and must log nothing to the console and show every figure.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from graders.outputs import figures as page_figures
from graders.outputs import reference_curves
from graders.model import spec
from tests.helpers import KIT, all_cases

pytest.importorskip("matplotlib", reason="the report group of pyproject.toml is not installed")
pytest.importorskip("jinja2", reason="the report group of pyproject.toml is not installed")

EXAMPLES = os.path.join(KIT, "examples", "submissions")
NAMES = ("alice", "bob", "carol", "dave", "erin")
STUDENT, REFERENCE = "#d55e00", "#0072b2"  # graders/outputs/figures.py's colours, as SVG writes them


def chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("headless Chromium is needed: apt-get install -y chromium (.ci/run does)")
    return found


def open_page(path, tmp_path):
    """(the DOM after loading, what the page logged to the console) in headless Chromium."""
    profile = tmp_path / ("profile-%s" % os.path.basename(os.path.dirname(path)))
    run = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run", "--user-data-dir=%s" % profile,
         "--enable-logging=stderr", "--v=0", "--dump-dom", "file://%s" % path],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    return run.stdout, console


@pytest.fixture(scope="module")
def out(example_class):
    """The example class graded with its pages (tests/shared.py)."""
    out, run = example_class
    assert "rendering took" in run.stdout
    return out


def figures(dom):
    return re.findall(r'<figure class="figure">(.*?)</figure>', dom, re.S)


def boundary_titles():
    """The decision-boundary figures the reference's recorded networks give, per tutorial."""
    theirs = page_figures.curves_of(reference_curves.reference_results())
    return [title for module in spec.modules()
            for title in page_figures.boundaries_of(module, theirs.get(module, {}))]


@pytest.mark.parametrize("name", NAMES)
def test_each_report_opens_with_every_figure(out, name, tmp_path):
    with open(out / name / "results.json", encoding="utf-8") as handle:
        results = json.load(handle)
    dom, console = open_page(out / name / "report.html", tmp_path)
    assert console == []
    assert not re.search(r'<(?:script|link|img|iframe)\b', dom), "the page loads nothing"
    shown = figures(dom.split('id="recall"')[0])  # the rebuilds from memory: tested below
    # a figure per tutorial whose training curve is drawn, then the decision boundaries
    curves = len(spec.modules())
    assert len(shown) == curves + len(boundary_titles()), len(shown)
    for figure in shown:
        assert "<svg" in figure and 'role="img"' in figure and 'aria-label="' in figure
    graded = {test["extra_data"]["module"] for test in results["tests"]
              if test["extra_data"].get("curve")}
    for figure in shown[:curves]:  # the training curves: yours over the reference's
        module = re.search(r"<strong>(\w+)", figure).group(1)
        assert "training curve" in figure and REFERENCE in figure.lower()
        assert (STUDENT in figure.lower()) == (module in graded), module
    for boundary in shown[curves:]:  # each network: yours beside the reference's
        module = re.search(r"<strong>(\w+)", boundary).group(1)
        assert "decision boundary" in boundary or "hidden layer sizes" in boundary
        assert "reference" in boundary
        assert ("yours" in boundary) == (module in graded), module
    for test in results["tests"]:
        if test["status"] == "failed":
            assert "%s::%s" % (module_case(test)) in dom
        if test["extra_data"].get("diagnosis"):
            assert test["extra_data"]["diagnosis"] in dom


def module_case(test):
    return test["extra_data"]["module"], test["extra_data"]["case"]


def test_curves_come_from_public_cases_only(out):
    for name in NAMES:
        with open(out / name / "results.json", encoding="utf-8") as handle:
            tests = json.load(handle)["tests"]
        assert all(test["extra_data"]["kind"] == spec.PUBLIC for test in tests
                   if "curve" in test["extra_data"])


def test_the_class_page_lists_every_case_rates_and_diagnoses(out, tmp_path):
    dom, console = open_page(out / "class.html", tmp_path)
    assert console == []
    assert len(figures(dom)) == 1 and "<svg" in figures(dom)[0]  # the score distribution
    assert set(re.findall(r'data-case="([^"]+)"', dom)) == all_cases()
    rates = [int(rate) for rate in re.findall(r'<td class="num">(\d+)%', dom)]
    assert len(rates) == len(all_cases()) and rates == sorted(rates)  # most-missed first
    assert "missing-regularisation" in dom  # carol's diagnosis, counted
    for name in NAMES:
        assert 'href="%s/report.html"' % name in dom
    assert "dave" in dom.split("<h2>Submissions with errors or timeouts</h2>")[1].split(
        "<h2>")[0]


def test_rebuilds_from_memory_show_on_the_report_and_the_class_page(out, tmp_path):
    """alice handed in .recall/history.csv (two rebuilds of trask): her report draws them, the
    class page counts them, and no score depends on them."""
    dom, console = open_page(out / "alice" / "report.html", tmp_path)
    assert console == []
    shown = figures(dom.split('id="recall"')[1])
    assert len(shown) == 2 and all('role="img"' in f and "<svg" in f for f in shown)
    assert "2 rebuilds that ended" in shown[0] and "latest rebuild of trask (hints names)" \
        in shown[1]
    table = dom.split('id="rebuilds"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3 and "35.5" in table and "12.0" in table
    for name in NAMES:
        assert (out / name / "recall.json").exists() == (name == "alice")
    dom, console = open_page(out / "class.html", tmp_path)
    rows = dict(re.findall(r'href="(\w+)/report.html">\w+</a></td><td class="num">[^<]*</td>'
                           r'<td>[^<]*</td><td class="num">(\d+)</td>', dom))
    assert rows == {"alice": "2", "bob": "0", "carol": "0", "dave": "0", "erin": "0"}
    assert "advisory, they never change a score" in dom


def test_check_report_for_a_student(tmp_path):
    path = tmp_path / "report.html"
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=exercises",
                          "-q", "-p", "no:cacheprovider", "--lang", "zh", "--report", str(path)],
                         cwd=KIT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout[-2000:]
    dom, console = open_page(path, tmp_path)
    assert console == [] and '<html lang="zh">' in dom and "的报告" in dom
    # the reference's curves and networks alone
    assert len(figures(dom)) == len(spec.modules()) + len(boundary_titles())


def test_grading_goes_on_and_says_so_without_matplotlib(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None; from graders import batch; "
            "sys.exit(batch.main(sys.argv[1:]))")
    env = dict(os.environ)
    env.pop("NNKIT_NO_PAGES", None)
    run = subprocess.run([sys.executable, "-c", code, EXAMPLES, "--out", str(tmp_path / "out"),
                          "--shard", "2/5"], cwd=KIT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "No report.html or class.html" in run.stderr
    assert not (tmp_path / "out" / "class.html").exists()
    assert len([p for p in (tmp_path / "out").iterdir() if (p / "results.json").exists()]) == 1


def test_merge_rewrites_the_class_page(out, tmp_path):
    env = dict(os.environ)
    env.pop("NNKIT_NO_PAGES", None)
    merged = tmp_path / "merged"
    run = subprocess.run([sys.executable, "-m", "graders.merge", str(out), "--out", str(merged)],
                         cwd=KIT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    dom, console = open_page(merged / "class.html", tmp_path)
    assert console == [] and set(re.findall(r'data-case="([^"]+)"', dom)) == all_cases()
    for name in NAMES:
        assert (merged / name / "report.html").is_file()
