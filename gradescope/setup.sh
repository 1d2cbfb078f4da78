#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (by default
# Ubuntu 22.04 with Python 3.10). The kit is in /autograder/source.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-pip
# The full sandbox needs bubblewrap and user namespaces; where either is missing, workers run
# in the Landlock fallback, and each results.json lists the protections that were active.
apt-get install -y --no-install-recommends bubblewrap \
    || echo "bubblewrap could not be installed: grading will use the Landlock fallback"
# The kit's dependencies, from its pyproject.toml (pip 25.1 or later reads dependency groups).
cd "$(dirname "$0")"
python3 -m pip install --upgrade "pip>=25.1"
python3 -m pip install --group grade
python3 -c "import numpy, pytest, yaml"
