"""The language of every message a student reads: gettext with one catalogue per language.

`_(text)` translates now; `N_(text)` only marks a text in a table for translation when it is
used. The catalogues are graders/model/locale/<language>/LC_MESSAGES/nnkit.po, plain text that
translators edit; they are compiled in memory when loaded (msgfmt's format, fed to the
standard library's GNUTranslations), so nothing binary is kept next to them. English is the
source language; a third language is one more .po file. A tutorial's grader may carry its own
messages' translations in its spec (`messages: {zh: {English: 中文}}` in spec/<module>.yaml), so
that adding a tutorial is its own files; they are added to the kit's catalogue.

The language is `--lang` (graders/conftest.py, graders/batch.py) or, without it, the locale
variables in gettext's order (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): LANG=zh_CN.UTF-8 gives
Chinese.
"""

import array
import ast
import gettext
import io
import os
import struct

from graders.model import spec

LOCALE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
DOMAIN = "nnkit"
SOURCE_LANGUAGE = "en"
_current = gettext.NullTranslations()


def languages():
    """The languages a student can choose: English and every catalogue."""
    return sorted({SOURCE_LANGUAGE} | {name for name in os.listdir(LOCALE) if os.path.isfile(
        os.path.join(LOCALE, name, "LC_MESSAGES", DOMAIN + ".po"))})


def from_environment(environ=os.environ):
    """The language the locale variables ask for: the first of them that is set decides (a
    list in LANGUAGE, such as fr:zh, gives its first language the kit has); else English."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(variable):
            for value in environ[variable].split(":"):
                language = value.split(".")[0].split("_")[0].lower()
                if language in languages():
                    return language
            return SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def set_language(language=None):
    """Translates from now on into `language` (None: from the locale variables)."""
    global _current
    language = language or from_environment()
    if language == SOURCE_LANGUAGE:
        _current = gettext.NullTranslations()
        return language
    _current = gettext.GNUTranslations(io.BytesIO(compile_entries(catalogue(language))))
    return language


def catalogue(language):
    """{English: translation} in `language`: the kit's catalogue, then each tutorial's own
    messages from its spec. A spec that cannot be loaded adds none here; its error is
    reported where the specs are read for grading."""
    path = os.path.join(LOCALE, language, "LC_MESSAGES", DOMAIN + ".po")
    with open(path, encoding="utf-8") as handle:
        entries = read_po(handle.read())
    for module in spec.modules():
        try:
            entries.update(spec.load(module).messages.get(language, {}))
        except spec.SpecError:
            continue
    return entries


def _(text):
    return _current.gettext(text)


def N_(text):
    return text


def read_po(text):
    """{msgid: msgstr} of a .po file's entries (no plurals or contexts: the kit uses none)."""
    entries, field, parts = {}, None, {}

    def flush():
        if parts.get("msgstr"):
            entries[parts.get("msgid", "")] = parts["msgstr"]
        parts.clear()

    for line in text.splitlines():
        line = line.strip()
        if line.startswith("msgid "):
            flush()
            field, line = "msgid", line[6:]
        elif line.startswith("msgstr "):
            field, line = "msgstr", line[7:]
        elif not line.startswith('"'):
            continue
        parts[field] = parts.get(field, "") + ast.literal_eval(line)
    flush()
    return entries


def compile_entries(catalogue):
    """The .mo bytes of {msgid: msgstr} (the layout of the standard library's msgfmt.py)."""
    entries = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in catalogue.items())
    ids = b"".join(k + b"\0" for k, v in entries)
    strs = b"".join(v + b"\0" for k, v in entries)
    offsets, id_at, str_at = [], 0, 0
    for k, v in entries:
        offsets.append((len(k), id_at, len(v), str_at))
        id_at, str_at = id_at + len(k) + 1, str_at + len(v) + 1
    start = 7 * 4 + 16 * len(entries)
    table = []
    for id_length, id_offset, _str_length, _str_offset in offsets:
        table += [id_length, id_offset + start]
    for _id_length, _id_offset, str_length, str_offset in offsets:
        table += [str_length, str_offset + start + len(ids)]
    header = struct.pack("Iiiiiii", 0x950412de, 0, len(entries), 7 * 4,
                         7 * 4 + 8 * len(entries), 0, 0)
    return header + array.array("i", table).tobytes() + ids + strs


def language():
    """The language messages are translated into now ('en', 'zh', ...), for <html lang>."""
    return _current.info().get("language", SOURCE_LANGUAGE)
