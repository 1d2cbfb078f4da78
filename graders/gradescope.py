"""python -m graders.gradescope [build OUT]: the Gradescope autograder.

The work is done by graders/platforms/gradescope.py."""

import sys

from graders.platforms.gradescope import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
