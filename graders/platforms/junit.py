"""JUnit XML of a submission's results, for CI systems and test dashboards that read it.

One <testcase> per case (classname the tutorial, name the case id), a <failure> holding its
output where it failed, an <error> where the kit itself failed on it, and the case's kind,
diagnosis and requirement as <properties>. Student text is made printable first
(graders/outputs/inert.py): XML 1.0 cannot hold most control characters at all.
"""

import re
from xml.etree import ElementTree

from graders.outputs import inert

NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # what printable() leaves and XML refuses


def junit_xml(results, suite="nnkit"):
    """The JUnit XML text of SubmissionResults."""
    kit_errors = set(results.kit_errors)
    failed = [t for t in results.tests if not t.passed and t.id not in kit_errors]
    root = ElementTree.Element("testsuites", name=suite)
    element = ElementTree.SubElement(root, "testsuite", {
        "name": suite, "tests": str(len(results.tests)), "failures": str(len(failed)),
        "errors": str(sum(t.id in kit_errors for t in results.tests)), "skipped": "0"})
    if results.error:
        ElementTree.SubElement(element, "system-err").text = text(results.error)
    for test in results.tests:
        case = ElementTree.SubElement(element, "testcase", classname=test.module,
                                      name=test.case)
        properties = ElementTree.SubElement(case, "properties")
        for key in ("kind", "diagnosis", "requirement"):
            if getattr(test, key):
                ElementTree.SubElement(properties, "property", name=key,
                                       value=getattr(test, key))
        if not test.passed:
            output = text(test.output)
            outcome = ElementTree.SubElement(case, "error" if test.id in kit_errors
                                             else "failure",
                                             message=output.split("\n", 1)[0][:200])
            outcome.text = output
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def text(value):
    """Student text as XML can hold it: control characters and the rest written as escapes."""
    return NOT_XML.sub(lambda m: "\\u%04x" % ord(m.group()), inert.printable(value))
