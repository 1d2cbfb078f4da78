"""Write the repository students receive: stubs, public checks, graders and a CI workflow.

    python -m graders.handout OUT [--notebooks]     (nox -s handout -- OUT [--notebooks])

OUT gets exercises/ (the stubs, or with --notebooks one Jupyter notebook per tutorial), spec/
with the public cases only, the graders that run them (all of graders/ but the instructor's
commands, graders/model/kit_files.py), the stubs again in graders/stubs/ (what a rebuild from
memory starts from, graders/recall/rebuild.py),
the student README, noxfile and GitHub workflow from handout/, and grader-files.sha256, the
hash manifest the workflow verifies. Never solutions/, hidden cases, or instructor tools. OUT
must not exist yet or be empty: the kit never writes over anyone's work.
"""

import glob
import hashlib
import os
import shutil
import sys

import yaml

from graders.outputs import exercise_notebooks
from graders.recall import rebuild as recall
from graders.model import kit_files, spec

KIT = spec.KIT
TEMPLATES = os.path.join(KIT, "handout")
MANIFEST = "grader-files.sha256"


class Dumper(yaml.SafeDumper):
    """Block style for cases, flow style for lists of numbers and for tolerances."""

    def ignore_aliases(self, data):
        return True  # write repeated inputs out in full: no &id001 anchors


def _list(dumper, data):
    flow = not any(isinstance(item, dict) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _dict(dumper, data):
    flow = set(data) == {"rtol", "atol"}
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


Dumper.add_representer(list, _list)
Dumper.add_representer(dict, _dict)


def public_spec(module):
    """spec/<module>.yaml with its hidden cases left out, as YAML text."""
    with open(os.path.join(spec.SPEC_DIR, module + ".yaml"), encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    data["cases"] = [case for case in data["cases"]
                     if case.get("kind", spec.PUBLIC) == spec.PUBLIC]
    header = ("# The public cases of %s.py. Your instructor also grades hidden cases (random\n"
              "# inputs and weights, compared with a reference solution).\n" % module)
    body = yaml.dump(data, Dumper=Dumper, sort_keys=False, width=100, allow_unicode=True)
    return header + body.replace("\n- id:", "\n\n- id:")


def copy(source, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(source, target)


def put(target, text):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(text)


def write(out, notebooks=False):
    """Writes the handout into `out`, which must be missing or empty; the exercises as
    notebooks (exercises/<module>.ipynb) with `notebooks`."""
    if os.path.exists(out) and os.listdir(out):
        raise FileExistsError("%s is not empty: the handout goes into a new folder" % out)
    for module in spec.modules():
        stub = os.path.join(KIT, "exercises", module + ".py")
        if notebooks:
            with open(stub, encoding="utf-8") as handle:
                put(os.path.join(out, "exercises", module + ".ipynb"),
                    exercise_notebooks.notebook(module, handle.read()))
        else:
            copy(stub, os.path.join(out, "exercises", module + ".py"))
        copy(stub, os.path.join(out, recall.STUBS, module + ".py"))  # for rebuilds
        put(os.path.join(out, "spec", module + ".yaml"), public_spec(module))
    for path in glob.glob(os.path.join(spec.SPEC_DIR, "data", "*")):
        copy(path, os.path.join(out, "spec", "data", os.path.basename(path)))
    for name in kit_files.grader_files(instructor=False):  # by rule: all but the instructor's
        copy(os.path.join(KIT, name), os.path.join(out, name))
    copy(os.path.join(KIT, "pyproject.toml"), os.path.join(out, "pyproject.toml"))
    for name in ("README.md", "noxfile.py", ".gitignore"):
        copy(os.path.join(TEMPLATES if name != ".gitignore" else KIT, name),
             os.path.join(out, name))
    manifest = write_manifest(out)
    workflow = os.path.join(".github", "workflows", "check.yml")
    with open(os.path.join(TEMPLATES, workflow), encoding="utf-8") as handle:
        put(os.path.join(out, workflow), handle.read().replace("__MANIFEST_SHA256__", manifest))


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def write_manifest(out):
    """Writes grader-files.sha256 (sha256sum format) and returns the manifest's own hash."""
    paths = sorted([os.path.join(out, name) for name in kit_files.grader_files(out)] +
                   glob.glob(os.path.join(out, "spec", "**", "*.*"), recursive=True) +
                   [os.path.join(out, "noxfile.py"), os.path.join(out, "pyproject.toml")])
    lines = ["%s  %s\n" % (sha256(p), os.path.relpath(p, out)) for p in paths]
    with open(os.path.join(out, MANIFEST), "w", encoding="utf-8") as handle:
        handle.writelines(lines)
    return sha256(os.path.join(out, MANIFEST))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    notebooks = "--notebooks" in argv
    argv = [arg for arg in argv if arg != "--notebooks"]
    if len(argv) != 1:
        print("usage: python -m graders.handout OUT [--notebooks]", file=sys.stderr)
        return 2
    try:
        write(argv[0], notebooks)
    except FileExistsError as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    print("Wrote the student handout to %s" % argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
