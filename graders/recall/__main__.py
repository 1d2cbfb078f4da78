"""python -m graders.recall: rebuild a tutorial from memory (graders/recall/rebuild.py)."""

import sys

from graders.recall.rebuild import main

sys.exit(main())
