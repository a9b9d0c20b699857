"""Rubrics (subjects): one key per subject, its name in Kazakh, Russian and English, and the names
cataloguers write for it in either language.

Descriptions keep their rubrics as written ("Өлкетану", "Краеведение"). The search index files
each under its key (``key_of``), so one subject is one facet value and one filter whichever
language it was written in, and the interfaces name it in the reader's language (``label``). A
rubric the vocabulary does not know is its own key and is shown as written. A filter given the
written name, in any of the languages, finds the same documents as one given the key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rubric:
    key: str
    kk: str
    ru: str
    en: str
    also: tuple[str, ...] = ()     # other names written for it, in either language

    def names(self) -> tuple[str, ...]:
        return (self.key, self.kk, self.ru, self.en, *self.also)


RUBRICS = (
    Rubric("local-studies", "Өлкетану", "Краеведение", "Local studies"),
    Rubric("local-history", "Өлке тарихы", "История края", "Local history",
           ("Өңір тарихы", "История региона", "Краевая история")),
    Rubric("history", "Тарих", "История", "History"),
    Rubric("historical-monuments", "Тарихи ескерткіштер", "Памятники истории", "Historical monuments",
           ("Тарих ескерткіштері", "Исторические памятники")),
    Rubric("architecture", "Сәулет", "Архитектура", "Architecture", ("Сәулет өнері",)),
    Rubric("nature", "Табиғат", "Природа", "Nature", ("Өлке табиғаты", "Природа края")),
    Rubric("rivers-and-lakes", "Өзендер мен көлдер", "Реки и озёра", "Rivers and lakes",
           ("Өзен-көлдер",)),
    Rubric("ethnography", "Этнография", "Этнография", "Ethnography"),
    Rubric("customs", "Тұрмыс пен салт-дәстүр", "Быт и традиции", "Everyday life and customs",
           ("Салт-дәстүр", "Обычаи и традиции")),
    Rubric("crafts", "Қолөнер", "Ремёсла", "Crafts", ("Народные промыслы", "Декоративно-прикладное искусство")),
    Rubric("settlements", "Елді мекендер", "Населённые пункты", "Settlements"),
    Rubric("people", "Тұлғалар", "Персоналии", "People", ("Личности", "Биографии", "Өмірбаяндар")),
    Rubric("literature", "Әдебиет", "Литература", "Literature"),
    Rubric("education", "Білім беру", "Образование", "Education", ("Білім",)),
    Rubric("libraries", "Кітапханалар", "Библиотеки", "Libraries", ("Кітапхана ісі", "Библиотечное дело")),
    Rubric("museums", "Мұражайлар", "Музеи", "Museums", ("Музейлер",)),
    Rubric("digitisation", "Цифрлау", "Оцифровка", "Digitisation", ("Цифрландыру", "Digitization")),
    Rubric("transport", "Көлік", "Транспорт", "Transport"),
    Rubric("culture", "Мәдениет", "Культура", "Culture"),
    Rubric("science", "Ғылым", "Наука", "Science"),
    Rubric("agriculture", "Ауыл шаруашылығы", "Сельское хозяйство", "Agriculture"),
    Rubric("industry", "Өнеркәсіп", "Промышленность", "Industry"),
    Rubric("sport", "Спорт", "Спорт", "Sport"),
    Rubric("health", "Денсаулық сақтау", "Здравоохранение", "Health care", ("Денсаулық", "Медицина")),
    Rubric("religion", "Дін", "Религия", "Religion"),
    Rubric("archaeology", "Археология", "Археология", "Archaeology"),
    Rubric("place-names", "Жер-су атаулары", "Топонимика", "Place names"),
    Rubric("war-years", "Соғыс жылдары", "Годы войны", "The war years",
           ("Ұлы Отан соғысы", "Великая Отечественная война")),
    Rubric("independence", "Тәуелсіздік", "Независимость", "Independence"),
    Rubric("ecology", "Экология", "Экология", "Ecology"),
    Rubric("archives", "Мұрағаттар", "Архивы", "Archives", ("Архивтер",)),
    Rubric("repression", "Саяси қуғын-сүргін", "Политические репрессии", "Political repression",
           ("Қуғын-сүргін", "Репрессии")),
    Rubric("virgin-lands", "Тың игеру", "Освоение целины", "The Virgin Lands campaign", ("Целина",)),
    Rubric("theatre", "Театр", "Театр", "Theatre"),
    Rubric("music", "Музыка", "Музыка", "Music"),
    Rubric("journalism", "Журналистика", "Журналистика", "Journalism", ("Баспасөз", "Пресса", "Печать")),
)
LANGUAGES = ("kk", "ru", "en")
BY_KEY = {rubric.key: rubric for rubric in RUBRICS}


def fold(name: str) -> str:
    """A written name reduced to what tells rubrics apart: case, ё/е, spaces, dashes and end stops."""
    folded = name.casefold().replace("ё", "е").replace("_", "-")
    folded = re.sub(r"\s*[-‐‑–—]\s*", "-", folded)
    return re.sub(r"\s+", " ", folded).strip(" .;,")


_BY_NAME: dict[str, str] = {}
for _rubric in RUBRICS:
    for _name in _rubric.names():
        assert _BY_NAME.setdefault(fold(_name), _rubric.key) == _rubric.key, f"{_name} names two rubrics"


def key_of(written: str) -> str:
    """The key of a rubric as written in a description or a filter; an unknown one as written (trimmed)."""
    written = " ".join(written.split())
    return _BY_NAME.get(fold(written), written)


def keys_of(written) -> list[str]:
    """The keys of a description's rubrics, in order, each once."""
    keys: list[str] = []
    for name in written:
        key = key_of(name)
        if key and key not in keys:
            keys.append(key)
    return keys


def label(key: str, language: str) -> str:
    """A rubric's name in an interface language (kk, ru, en); an unknown rubric as written."""
    rubric = BY_KEY.get(key) or BY_KEY.get(key_of(key))
    if rubric is None:
        return key
    return getattr(rubric, language if language in LANGUAGES else "kk")


def names(key: str) -> list[str]:
    """Every name of a rubric (its key, its labels and the other names written for it), for searching."""
    rubric = BY_KEY.get(key)
    return list(dict.fromkeys(rubric.names())) if rubric else [key]


def facet_value(written) -> str:
    """What the index stores for a description's rubrics: their keys, comma-separated (commas inside
    an unknown rubric become a space)."""
    return ",".join(" ".join(key.replace(",", " ").split()) for key in keys_of(written))


def filter_values(asked: str) -> list[str]:
    """The stored facet values a filter for ``asked`` (a key, or a name in any language) looks for:
    the key, and the names of a known rubric, which an index written before keys holds."""
    return [value.replace(",", " ") for value in names(key_of(asked))]
