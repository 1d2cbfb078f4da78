"""Why a file handed in cannot be used: a code the kit acts on, and the sentence people read.

The intake decides on the code (a missing trask.py sends it looking for trask.ipynb); the
sentence goes to the gradebook and the student unchanged and is never read back.
"""

from dataclasses import dataclass

MISSING = "missing"  # not there at all
LINK = "link"  # a symbolic link, refused
NOT_PLAIN = "not-plain"  # a FIFO, a socket, a device
UNREADABLE = "unreadable"  # there, but the operating system refuses to read it
TOO_LARGE = "too-large"  # over its size limit
ZIP = "zip"  # a defect of the zip or of the member in it
NOTEBOOK = "notebook"  # a notebook whose code cannot be taken


@dataclass(frozen=True)
class Problem:
    code: str  # one of the codes above
    sentence: str


def missing(filename):
    return Problem(MISSING, "%s is missing" % filename)


def link(name, what):
    return Problem(LINK, "%s is a symbolic link: links are refused, hand in the %s itself"
                   % (name, what))


def not_plain(name):
    return Problem(NOT_PLAIN, "%s is not a plain file: hand in the file itself" % name)


def unreadable(name, error):
    return Problem(UNREADABLE, "%s cannot be read (%s)" % (name, plain(error)))


def too_large(filename, limit):
    return Problem(TOO_LARGE, "%s is larger than %d bytes" % (filename, limit))


def plain(error):
    """An OSError's cause in plain words: "permission denied"."""
    return (error.strerror or str(error)).lower()
