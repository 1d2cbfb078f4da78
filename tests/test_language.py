"""Every message a student reads in Chinese or English: --lang, else the locale variables."""

import os
import re
import subprocess
import sys

import pytest

from graders.model import i18n, spec
from tests.buggy import write
from tests.helpers import KIT
from tests.messages import marked

PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdrgf%]")


@pytest.mark.parametrize("language", [name for name in i18n.languages()
                                      if name != i18n.SOURCE_LANGUAGE])
def test_every_message_is_translated_with_its_placeholders(language):
    catalogue = i18n.catalogue(language)  # the kit's, and each tutorial's from its spec
    for message in marked():
        assert message in catalogue, "not translated into %s: %r" % (language, message)
        assert PLACEHOLDER.findall(catalogue[message]) == PLACEHOLDER.findall(message), message


@pytest.mark.parametrize("environment, language", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "C"}, "en"),
    ({"LANGUAGE": "fr:zh", "LANG": "en_US.UTF-8"}, "zh"), ({"LC_ALL": "C", "LANG": "zh_CN"}, "en"),
    ({}, "en")])
def test_the_locale_variables_choose_the_language(environment, language):
    assert i18n.from_environment(environment) == language


def check(folder, *options, lang_env):
    """`python -m pytest graders --impl folder` as `nox -s check` runs it, with LANG set."""
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    environment["LANG"] = lang_env
    return subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=" + folder, "-q",
                           "-p", "no:cacheprovider", "-k", "zhou", *options], cwd=KIT,
                          env=environment, capture_output=True, text=True, timeout=300).stdout


@pytest.fixture(scope="module")
def buggy(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("buggy"))
    write("zhou-hidden-slope-at-output", folder)
    return folder


@pytest.mark.parametrize("options, lang_env", [((), "zh_CN.UTF-8"), (("--lang", "zh"), "C")])
def test_failures_and_diagnoses_in_chinese(buggy, options, lang_env):
    out = check(buggy, *options, lang_env=lang_env)
    assert "的梯度有误" in out and "诊断：" in out and "隐藏层" in out
    assert "请重读教程的这一步" in out and "合计" in out
    assert "the gradient is wrong" not in out and "Diagnosis:" not in out


def test_lang_en_wins_over_the_locale(buggy):
    out = check(buggy, "--lang", "en", lang_env="zh_CN.UTF-8")
    assert "the gradient is wrong" in out and "Diagnosis:" in out and "hidden layer" in out
    assert not re.search("[\u4e00-\u9fff]", out)


def test_batch_writes_feedback_in_the_language_asked_and_the_same_gradebook(tmp_path):
    submissions = tmp_path / "class"
    write("zhou-loss-derivative-reversed", str(submissions / "ann"))
    books = {}
    for language in ("zh", "en"):
        out = tmp_path / language
        subprocess.run([sys.executable, "-m", "graders.batch", str(submissions), "--out",
                        str(out), "--jobs", "1", "--lang", language], cwd=KIT, check=True,
                        capture_output=True, timeout=300)
        feedback = (out / "ann" / "feedback.md").read_text(encoding="utf-8")
        assert ("诊断代码：sign-flipped" in feedback) == (language == "zh")
        assert ("Diagnosis code: sign-flipped" in feedback) == (language == "en")
        assert ("符号都反了" in feedback) == (language == "zh")
        books[language] = (out / "gradebook.csv").read_text(encoding="utf-8")
    assert books["zh"] == books["en"]


def test_a_tutorial_carries_its_own_messages_translations_in_its_spec():
    """britz_exercises' grader messages are translated in spec/britz_exercises.yaml, not in the
    kit's catalogue: `_()` finds them there, so a tutorial's translations are its own files."""
    own = spec.load("britz_exercises").messages["zh"]
    with open(os.path.join(i18n.LOCALE, "zh", "LC_MESSAGES", i18n.DOMAIN + ".po"),
              encoding="utf-8") as handle:
        assert not own.keys() & i18n.read_po(handle.read()).keys()
    try:
        i18n.set_language("zh")
        assert own and all(i18n._(english) == chinese for english, chinese in own.items())
    finally:
        i18n.set_language("en")


def test_a_specs_translations_neither_override_nor_contradict():
    """A tutorial's spec adds translations for its own messages only: none for a language the
    kit has no catalogue of, none of the kit's own messages, none that another spec words
    differently."""
    seen = {}
    for module in spec.modules():
        for language, table in spec.load(module).messages.items():
            assert language in i18n.languages(), (module, language)
            with open(os.path.join(i18n.LOCALE, language, "LC_MESSAGES", i18n.DOMAIN + ".po"),
                      encoding="utf-8") as handle:
                kit = i18n.read_po(handle.read())
            for english, translation in table.items():
                assert english not in kit, (module, english)
                assert seen.setdefault((language, english), translation) == translation, (
                    module, english)
