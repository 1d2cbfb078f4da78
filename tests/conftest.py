"""The kit's own tests grade many classes: only tests/test_pages.py draws their pages, so the
other batches leave out report.html and class.html (graders/batch.py reads NNKIT_NO_PAGES)."""

import os

os.environ["NNKIT_NO_PAGES"] = "1"
