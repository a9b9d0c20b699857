"""Years and numbers, people's names as Kazakh and Russian texts write them (Байтұрсынұлы,
Байтурсынов, Baitursynuly; Ауэзов, Ауэзова), and towns by their earlier names (Семей,
Семипалатинск), on a small index written directly, on both engines."""
from __future__ import annotations

import pytest

from archive.search.backends import BACKENDS, new_index
from archive.search.index import WhooshIndex
from archive.search.model import SearchRequest
from bench.search_bench import Doc     # what the index reads of a catalog document

TEXTS = {
    "arrested": ("kaz", "Ахмет Байтұрсынұлы 1929 жылы тұтқындалып, 1937 жылы атылды. 1988 жылы ақталды."),
    "school years": ("kaz", "Мектеп 1933 жылы ашылып, 1938 жылы жаңа үйге көшті. № 18 мектеп 1947 жылы салынды."),
    "school 17": ("kaz", "№ 17 мектеп-гимназия облыс орталығында орналасқан."),
    "Дулатұлы, kk": ("kaz", "Міржақып Дулатұлының «Оян, қазақ!» жинағы 1909 жылы Уфада басылды."),
    "Дулатов, ru": ("rus", "Сборник Миржакипа Дулатова «Оян, казах!» издан в Уфе в 1909 году."),
    "Құнанбайұлы, kk": ("kaz", "Абай Құнанбайұлы 1845 жылы Шыңғыстауда туған."),
    "Кунанбаев, ru": ("rus", "Абай Кунанбаев родился в 1845 году в Чингизских горах."),
    "Ауэзов, ru": ("rus", "Писатель Мухтар Ауэзов родился в 1897 году."),
    "приём, ru": ("rus", "Приём читателей ведётся по вторникам; объём фонда растёт, решение проблем идёт."),
    "режим, ru": ("rus", "Режима работы библиотеки летом нет: приёма нет, объёма фонда хватает."),
    "Семипалатинск, ru": ("rus", "В Семипалатинске в 1883 году открылась публичная библиотека."),
    "Гурьев, ru": ("rus", "Гурьевская пристань; в Гурьеве в 1920 году открылась школа."),
    "Өскемен, kk": ("kaz", "Өскемендегі кітапхана 1950 жылы ашылды."),
    "families, ru": ("rus", "Архив хранит письма семей переселенцев и семьи учителя."),
    "Усть-Каменогорск, ru": ("rus", "Газета выходила в Усть-\nКаменогорске с 1920 года."),
    "Алматы, kk": ("kaz", "Алматыдағы мұрағат қорлары толықты."),
}


@pytest.fixture(scope="module", params=BACKENDS)
def index(tmp_path_factory, request):
    found = new_index(tmp_path_factory.mktemp("names") / "index", request.param)
    found.replace_documents([
        (Doc(number, title, language=language), [{"number": 1, "text": text, "language": language}])
        for number, (title, (language, text)) in enumerate(TEXTS.items(), start=1)]
        + [(Doc(len(TEXTS) + 1, "museum", language="kaz"),
            [{"number": 1, "text": "Семей қаласындағы мұражай 1940 жылы ашылды.", "language": "kaz"},
             {"number": 2, "text": "Мұражай қорында бес мың жәдігер бар.", "language": "kaz"}])])
    yield found
    if isinstance(found, WhooshIndex):
        found.ix.close()


def search(index, text, **kw):
    return index.search(SearchRequest(text=text, **kw))


@pytest.mark.parametrize("text, expected", [
    ("1937", {"arrested"}),                      # not 1933, 1938 or 1947: another year
    ("1938", {"school years"}),
    ("1929 жылы", {"arrested"}),
    ("№ 17", {"school 17"}),                     # not № 18
    ("№18", {"school years"}),
])
def test_a_number_finds_only_itself_not_the_numbers_a_digit_away(index, text, expected):
    results = search(index, text)
    assert {d.title for d in results.documents if not d.missing} == expected
    # and the results say so: no page with another year passes for a page with every word
    assert results.complete_documents == len(expected)


DULATOV = {"Дулатұлы, kk", "Дулатов, ru"}
KUNANBAEV = {"Құнанбайұлы, kk", "Кунанбаев, ru"}


@pytest.mark.parametrize("text, expected", [
    # the Kazakh patronymic, the Russian surname in -ов/-ев in any case, Latin letters, no marks
    ("Дулатов", DULATOV), ("Дулатова", DULATOV), ("Дулатұлы", DULATOV), ("Дулатұлының", DULATOV),
    ("Дулатулы", DULATOV), ("Dulatuly", DULATOV),
    ("Кунанбаев", KUNANBAEV), ("Кунанбаева", KUNANBAEV), ("Құнанбайұлы", KUNANBAEV),
    ("Qunanbaiuly", KUNANBAEV), ("Абай Кунанбаев", KUNANBAEV),
    # Snowball stems Ауэзов one ending shorter than Ауэзова, Ауэзову, Ауэзовым
    ("Ауэзова", {"Ауэзов, ru"}), ("Ауэзову", {"Ауэзов, ru"}), ("Ауэзов", {"Ауэзов, ru"}),
])
def test_a_person_is_found_however_the_surname_is_written(index, text, expected):
    results = search(index, text)
    assert {d.title for d in results.documents} == expected
    assert results.complete_documents == len(expected)


def test_the_name_written_the_other_way_is_marked_in_the_snippet(index):
    snippets = {d.title: d.pages[0].snippet_text for d in search(index, "Кунанбаев").documents}
    assert "[Құнанбайұлы]" in snippets["Құнанбайұлы, kk"] and "[Кунанбаев]" in snippets["Кунанбаев, ru"]
    snippets = {d.title: d.pages[0].snippet_text for d in search(index, "Дулатұлы").documents}
    assert "[Дулатова]" in snippets["Дулатов, ru"]


def test_documents_that_all_have_every_word_are_no_partial_match(index):
    # the document's second page lacks 1940, but the document has a page with both words: nothing
    # with only some of them follows, and the results page must not say that something does
    results = search(index, "мұражай 1940")
    assert [d.title for d in results.documents] == ["museum"] and results.total_pages == 2
    assert results.complete_documents == 1 and results.matched_all and not results.documents[0].missing
    results = search(index, "мұражай 1940 Уфа")         # a document with some of the words: partial
    assert not results.matched_all and results.complete_documents == 0


@pytest.mark.parametrize("text", ["приема", "приём", "объема", "объём", "проблема", "проблем"])
def test_russian_words_in_em_are_found_in_every_case(index, text):
    """Snowball takes a final -ем, -им for a verb's ending: приём, объём, проблем (of проблема) were
    cut to при, объ, пробл, apart from приёма, объёма, проблемы; приема found nothing, and "did you
    mean" offered «приа», the typed ending glued to the shorter stem: no word."""
    found = {hit.title for hit in search(index, text).documents}
    expected = {"приём, ru"} if text.startswith("пробл") else {"приём, ru", "режим, ru"}
    assert found == expected
    assert search(index, text).suggestion is None
    assert search(index, "режим").documents[0].title == "режим, ru"


def test_a_suggestion_glues_the_typed_ending_only_to_a_stem_as_long_as_the_typed_one():
    """прием (Snowball's stem of приема) near при, a stem the archive had: the suggestion was при+а,
    «приа», no word; a stem as long (a letter mistyped: кітапхаиасы → кітапханасы) keeps the ending."""
    from archive.search import spelling
    from archive.search.schema import STEMMED_FIELDS

    class Lexicon:
        def has(self, fieldname, word):
            return fieldname == STEMMED_FIELDS["rus"] and word == "при"

        def doc_frequency(self, fieldname, word):
            return 5 if self.has(fieldname, word) else 0

        def has_prefix(self, fieldname, prefix):
            return False

    corrected = spelling.suggest_with(Lexicon(), "приема")
    assert corrected != "приа" and (corrected is None or corrected in set(spelling.clean_words("rus").values()))


@pytest.mark.parametrize("text, expected", [
    ("Семипалатинск", {"Семипалатинск, ru", "museum"}),
    ("Семейдегі мұражай", {"museum"}),                          # every word: the museum page only
    ("Semey", {"Семипалатинск, ru", "museum", "families, ru"}),  # семей is also "of families"
    ("Атырау", {"Гурьев, ru"}),
    ("Өскемен", {"Өскемен, kk", "Усть-Каменогорск, ru"}),
    ("Усть-Каменогорск", {"Өскемен, kk", "Усть-Каменогорск, ru"}),
    ("Алма-Ата", {"Алматы, kk"}),
    ('"Семипалатинске"', {"Семипалатинск, ru"}),              # quoted: as typed
])
def test_a_town_is_found_by_its_other_names(index, text, expected):
    """Soviet-era papers write Семипалатинск and Гурьев, today's Семей and Атырау (``places``)."""
    found = search(index, text)
    assert {d.title for d in found.documents if not d.missing} == expected


def test_a_word_that_is_no_town_finds_no_town():
    from archive.search.analysis import page_analyzer

    def words(text):
        return {t.text for t in page_analyzer("auto")(text, mode="query")}

    assert "семипалатинск" in words("Семейде") and "семей" in words("Семипалатинске")
    assert not {"семипалатинск", "семей"} & words("семья семьях семье")
    assert "семипалатинск" not in {t.text for t in page_analyzer("auto")("Семей")}   # pages: as written
    assert "өскемен" not in words("Каменск") and "атырау" not in words("Гурова")
    assert "алматы" not in words("алма ата")             # Алма-Ата's parts: "apple", "grandfather"


def test_the_other_names_searched_are_those_not_typed_that_the_archive_has():
    from archive.search.analysis import other_town_names

    assert other_town_names("Семейде", {"text_kaz": ["семей", "семипалатинск", "сем"]}) == ["Семипалатинск"]
    assert other_town_names("Семейде", {"text_kaz": ["семей", "сем"]}) == []                 # the archive lacks it
    assert other_town_names("музей Семипалатинска", {"text_kaz": ["семей", "семипалатинск"]}) == ["Семей"]
    assert other_town_names("Усть-Каменогорске", {"text_kaz": ["устькаменогорск", "каменогорск", "өскемен"]}) == ["Өскемен"]
    assert other_town_names("кітапхана семья", {"text_kaz": ["кітапхана", "сем"]}) == []
    assert other_town_names("Өскемен", {"text_kaz": ["өскемен", "устькаменогорск", "каменогорск"]}) == ["Усть-Каменогорск"]
