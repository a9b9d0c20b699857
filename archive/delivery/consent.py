"""The consent to personal-data processing, word for word, by version.

A request stores the version the requester agreed to and when. A wording is never edited once
used: a new wording is a new version, and ``CURRENT`` names the one the form shows.
"""
from __future__ import annotations

from archive import i18n

CURRENT = "2026-1"

TEXTS = {
    "2026-1": {
        "kk": ("Мен кітапханаға өтінішімді орындау, оның барысы туралы хабарлау және есеп беру үшін аты-жөнімді, "
               "электрондық поштамды, телефонымды және өтініш мазмұнын өңдеуге келісім беремін. Деректер "
               "өтініш жабылғаннан кейін белгіленген мерзімде жойылады; жойылғанға дейін оларды сұрап алуға "
               "немесе жоюды талап етуге құқым бар."),
        "ru": ("Я даю библиотеке согласие на обработку моих фамилии и имени, адреса электронной почты, телефона "
               "и содержания заявки для её выполнения, уведомлений о ходе выполнения и отчётности. Данные "
               "удаляются в установленный срок после закрытия заявки; до удаления я вправе запросить их копию "
               "или потребовать удаления."),
        "en": ("I agree that the library processes my name, e-mail address, phone number and the content of my "
               "request in order to fulfil it, to tell me how it is going, and for its reports. The data is "
               "deleted within the stated period after the request is closed; until then I may ask for a copy "
               "of it or ask for it to be deleted."),
    },
}

# Interface text (not versioned): English here, Kazakh and Russian in archive/translations.
COPYING_RULES = ("The copy is for private study, research and teaching only: it may not be passed on, published or "
                 "sold. An article may be copied whole, a book up to {percent}%, and public-domain works in full.")
# The short form printed on every page of a copy.
STAMP_TERMS = "For private study and research only. Not to be passed on."


def text(version: str, language: str) -> str:
    return TEXTS[version].get(language) or TEXTS[version]["en"]


def copying_rules(language: str, percent: float) -> str:
    return i18n.text(language, "copying_rules", COPYING_RULES).format(percent=f"{percent:g}")


def stamp_terms(language: str) -> str:
    return i18n.text(language, "stamp.terms", STAMP_TERMS)


def messages() -> list[tuple[str, str]]:
    return [("copying_rules", COPYING_RULES), ("stamp.terms", STAMP_TERMS)]
