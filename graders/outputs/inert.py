"""Student text made inert where people and programs read it: Markdown, terminals and CSV.

A student's printed output, error messages and file names reach feedback.md, the Classroom
summary, the terminal and gradebook.csv. There they must stay text: no code fence they close,
no heading or HTML comment they open, no escape sequence a terminal obeys. Standard library
only: the Classroom reporter imports it on the CI runner's bare Python.
"""

import re

# C0 and C1 controls but newline and tab, and the Unicode marks that reorder or split lines.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")  # inline marks; newlines go, so no line starts


def printable(text):
    """`text` with every control character written as an escape (\\x1b, \\u202e)."""
    return CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()) if ord(m.group()) < 0x100
                       else "\\u%04x" % ord(m.group()), str(text))


def fenced(text, indent=""):
    """Lines of a Markdown code block holding `text` verbatim: its fence is longer than any
    run of backticks inside, so nothing in it can close the block early."""
    text = printable(text)
    runs = [len(run) for run in re.findall("`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return [indent + fence] + [indent + line for line in text.splitlines()] + [indent + fence]


def markdown_text(text):
    """`text` inside a line of Markdown (after other text): newlines become spaces, so no
    heading or list starts, and the marks of code, emphasis, links, tables and HTML are
    escaped, so none opens."""
    return MARKDOWN.sub(r"\\\1", printable(text).replace("\n", " "))
