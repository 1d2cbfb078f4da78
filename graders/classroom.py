"""python -m graders.classroom RESULTS_JSON: a results.json on GitHub Classroom.

The work is done by graders/platforms/classroom.py."""

import sys

from graders.platforms.classroom import main

if __name__ == "__main__":
    main(sys.argv[1])
