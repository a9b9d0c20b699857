"""Every interface string is translated into Kazakh and Russian, and the compiled catalogs are current.

The strings are those of the reading room and of the staff app (search_app/staff: its modules and
templates), as search_app/babel.cfg extracts them.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

APP = Path(__file__).resolve().parent.parent / "search_app"
TRANSLATIONS = APP / "translations"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2"), ("staff/templates/**.html", "jinja2")]
JINJA = {"extensions": "jinja2.ext.do"}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def interface_strings() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(APP), METHODS, keywords=KEYWORDS, options_map={"templates/**.html": JINJA, "staff/templates/**.html": JINJA}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_string_is_translated(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog if m.id}
    strings = interface_strings()
    assert len(strings) > 100
    missing = sorted(s for s in strings if s not in translated or not all(
        (translated[s].string if isinstance(translated[s].string, tuple) else (translated[s].string,))))
    assert not missing, f"untranslated in {lang}: {missing}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_the_staff_app_is_extracted_too():
    """Its modules, its templates, and the same patterns as search_app/babel.cfg gives pybabel."""
    files = {file for file, *_rest in extract_from_dir(str(APP), METHODS, keywords=KEYWORDS,
                                                         options_map={"templates/**.html": JINJA,
                                                                      "staff/templates/**.html": JINJA})}
    staff = {Path(f).as_posix() for f in files if Path(f).as_posix().startswith("staff/")}
    for wanted in ("staff/desk.py", "staff/words.py", "staff/plan.py", "staff/templates/staff/queue.html",
                   "staff/templates/staff/request.html", "staff/templates/staff/plan.html",
                   "staff/templates/staff/login.html", "staff/templates/staff/base.html"):
        assert wanted in staff, wanted
    config = (APP / "babel.cfg").read_text(encoding="utf-8")
    assert "[jinja2: search_app/staff/templates/**.html]" in config and "[python: search_app/**.py]" in config


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_compiled_catalog_matches_the_po_file(lang):
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        po = {_key(m.id): _key(m.string) for m in read_po(handle) if m.id}
    with open(folder / "messages.mo", "rb") as handle:
        mo = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    assert po == mo, "run: pybabel compile -d search_app/translations"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_placeholders_survive_translation(lang):
    import re

    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)s", " ".join(ids)))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)s", string)) <= wanted, (message.id, string)
            if len(ids) == 1:
                assert set(re.findall(r"%\(\w+\)s", string)) == wanted, (message.id, string)
