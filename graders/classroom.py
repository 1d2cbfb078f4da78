"""python -m graders.classroom RESULTS_JSON: results on GitHub Classroom (graders/platforms/classroom.py)."""

import sys

from graders.platforms.classroom import main

if __name__ == "__main__":
    main(sys.argv[1])
