"""Student text stays text in feedback.md, the Classroom summary, gradebook.csv and the
terminal: no fence closed, no heading or comment opened, no escape sequence passed on."""

import csv
import io
import os

from graders.model.results import SubmissionResults
from graders.platforms import classroom
from graders.outputs import gradebook
from graders.outputs import inert
from tests.helpers import copy_solutions, failed, grade

FORGED = "ok\n```\n# Score: 121 / 121\n<!-- the rest is hidden\n````` longer\n\x1b[2J\u202eevil"


def results(output):
    test = {"name": "trask: nonlin", "score": 0, "max_score": 1, "status": "failed",
            "output": output, "visibility": "visible",
            "extra_data": {"module": "trask", "case": "nonlin", "kind": "public"}}
    return SubmissionResults.from_json({"score": 0, "tests": [test], "output": "",
                                        "extra_data": {}})


def fences_of(text):
    """The code blocks of Markdown `text` as (opening line, closing line) numbers, the way
    CommonMark pairs them: a block closes at a fence at least as long as its opening one."""
    lines, blocks, open_at = text.splitlines(), [], None
    for number, line in enumerate(lines):
        stripped = line.strip()
        run = len(stripped) - len(stripped.lstrip("`"))
        if run >= 3 and open_at is None:
            open_at, length = number, run
        elif open_at is not None and run >= length and stripped == "`" * run:
            blocks.append((open_at, number))
            open_at = None
    return blocks, open_at


def test_feedback_keeps_a_forged_output_inside_one_code_block():
    text = gradebook.feedback("mallory", results(FORGED), ["a \x1b[31mred\x1b[0m name"],
                              ["trask"])
    (block,), unclosed = fences_of(text)
    assert unclosed is None
    inside = text.splitlines()[block[0]:block[1] + 1]
    assert any("# Score: 121 / 121" in line for line in inside)
    assert any("<!--" in line for line in inside)
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b[2J" in text
    intake = next(line for line in text.splitlines() if "red" in line)
    assert "\\x1b\\[31m" in intake


def test_markdown_text_opens_no_comment_link_emphasis_or_cell():
    assert inert.markdown_text("a\n# <!-- [x](http://a) | *b* `c`") == \
        "a # \\<!-- \\[x\\](http://a) \\| \\*b\\* \\`c\\`"


def test_classroom_summary_fences_hold_too():
    (block,), unclosed = fences_of(classroom.markdown(results(FORGED)))
    assert unclosed is None


def test_gradebook_and_terminal_get_no_control_characters():
    graded = gradebook.Graded("mallory\x1b[2J", results(""),
                              ["trask.py \x1b]0;owned\x07 in the zip"])
    assert graded.status == "graded with problems"
    text = gradebook.csv_text([graded], ["trask"])
    assert "\x1b" not in text and "\x07" not in text
    assert list(csv.reader(io.StringIO(text)))[1][-1] == "trask.py \\x1b]0;owned\\x07 in the zip"
    table = gradebook.summary([graded], ["trask"], {"trask": 32})
    assert "\x1b" not in table and "\x07" not in table
    assert "mallory\\x1b[2J" in table and "\\x1b]0;owned\\x07" in table


def test_a_pytest_graders_run_shows_what_student_code_printed_or_raised_as_text(tmp_path):
    """The failures pytest prints (its FAILED sections and short summary) carry what the
    student's code printed and the messages it raised: each control character is written
    as an escape, so the terminal clears nothing and reverses no line."""
    folder = copy_solutions(tmp_path)
    with open(os.path.join(folder, "zhou.py"), "a", encoding="utf-8") as out:
        out.write("\ndef mse_loss(y_true, y_pred):\n"
                  "    print(%r)\n    return 0.25\n"
                  "def deriv_sigmoid(x):\n    raise ValueError(%r)\n" % (FORGED, FORGED))
    results, run = grade(folder, "-k", "test_zhou.py", hidden=False, tmp_path=tmp_path)
    assert {"zhou::mse-loss", "zhou::deriv-sigmoid"} <= failed(results)
    shown = run.stdout + run.stderr
    assert "\x1b" not in shown and "\u202e" not in shown
    assert shown.count("\\x1b[2J\\u202eevil") >= 2  # in each failure's section
