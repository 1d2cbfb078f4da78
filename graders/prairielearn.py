"""PrairieLearn's external grader (graders/platforms/prairielearn.py), as a command and a file.

    python -m graders.prairielearn          from the kit's folder in the grading image
    python3 /grade/serverFilesCourse/nnkit/graders/prairielearn.py    the same, as an entrypoint

Only the standard library is imported until the kit's packages are known to be there.
"""

import os
import sys

if __package__ in (None, ""):  # run as a file: the kit's folder, not graders/, is the root
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from graders.platforms import prairielearn  # noqa: E402

if __name__ == "__main__":
    sys.exit(prairielearn.run(os.environ.get("GRADE_ROOT", "/grade")))
