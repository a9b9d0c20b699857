"""Towns of Kazakhstan under their earlier names, and as Kazakh and Russian spell them.

A local-history archive holds Soviet-era papers that write Семипалатинск and Гурьев beside
today's Семей and Атырау: a search for a town by one of its names finds the pages that use
another (``analysis.with_other_names``). Each group is one town; only names of one word that
mostly stand for the town are listed (not Верный, Жамбыл, Қонаев or Нұр-Сұлтан, as often a word,
a poet, a statesman, a first name; not Орал, also the verb "return"). A hyphenated name stands
by its parts joined, as the index also keeps such a word (Алма-Ата: алмаата, not "apple" and
"grandfather"). Latin spellings (Semey, Oskemen) come through the query's transliteration. A
quoted word is searched as typed.
"""
from __future__ import annotations

GROUPS: tuple[tuple[str, ...], ...] = (
    ("Семей", "Семипалатинск"),
    ("Өскемен", "Усть-Каменогорск", "Каменогорск"),
    ("Алматы", "Алма-Ата"),
    ("Астана", "Ақмола", "Акмола", "Акмолинск", "Целиноград"),
    ("Шымкент", "Чимкент"),
    ("Қарағанды", "Караганда"),
    ("Қызылорда", "Кызылорда", "Кзыл-Орда", "Перовск", "Ақмешіт", "Ак-Мечеть"),
    ("Ақтөбе", "Актобе", "Актюбинск"),
    ("Атырау", "Гурьев"),
    ("Талдықорған", "Талдыкорган", "Талды-Курган"),
    ("Жезқазған", "Джезказган"),
    ("Тараз", "Әулиеата", "Аулиеата"),
    ("Көкшетау", "Кокшетау", "Кокчетав"),
    ("Петропавл", "Петропавловск"),
    ("Қостанай", "Костанай", "Кустанай"),
    ("Түркістан", "Туркестан"),
    ("Екібастұз", "Экибастуз"),
    ("Байқоңыр", "Байконур"),
    ("Риддер", "Лениногорск"),
    ("Қапшағай", "Капшагай", "Капчагай"),
)
