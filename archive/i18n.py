"""Interface text of the library layer — letters, the stamp on copies, the plan report — in
Kazakh, Russian and English, through gettext catalogs as the apps translate theirs: one way to
translate. The source text is English; every message has a context naming where it is used
(the same English can be said two ways in Kazakh), and the catalogs are
``archive/translations/{kk,ru}/LC_MESSAGES/archive.po`` (compiled to ``.mo``). A language
without a catalog reads English.

Not translated here on purpose: the consent wordings (``delivery/consent.TEXTS``) are versioned
legal texts, stored word for word in each language and never edited once used.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Iterable

from babel.support import NullTranslations, Translations

DIRECTORY = Path(__file__).resolve().parent / "translations"
DOMAIN = "archive"


@lru_cache(maxsize=None)
def _catalog(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(DIRECTORY), [language], DOMAIN)


def text(language: str, context: str, message: str) -> str:
    """``message`` (English, used at ``context``) in ``language``."""
    return _catalog(language).pgettext(context, message)


def missing(language: str, messages: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (context, message) pairs that ``language``'s catalog does not translate."""
    catalog = _catalog(language)
    found = getattr(catalog, "_catalog", {})
    return [(context, message) for context, message in messages
            if f"{context}\x04{message}" not in found]
