"""Writing the kit's own files: all or nothing, and which write errors stop a batch."""

import errno
import json
import os
import tempfile

# Write errors that stop a batch: nothing more can be recorded until space is freed.
WRITE_ERRORS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EIO)


def write_atomically(path, text):
    """Writes `text` to `path` through a temporary file and a rename: all or nothing."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    os.fchmod(handle, 0o644)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def write_json(path, data):
    """`data` as indented JSON with a final newline, the format of every JSON file the kit
    writes (results.json, grading.json, recall.json)."""
    write_atomically(path, json_text(data))


def json_text(data):
    return json.dumps(data, indent=2) + "\n"
