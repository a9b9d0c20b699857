"""Whoosh analysers for Kazakh and Russian pages and queries."""
from __future__ import annotations

import pickle

import pytest

from archive.language import detect_language
from whoosh import highlight
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import MultifieldParser, QueryParser

from archive.search.analysis import (
    HighlightAnalyzer,
    KazRusStemFilter,
    exact_analyzer,
    fold,
    page_analyzer,
    query_analyzer,
)

KAZAKH_PAGE = ("Абай атындағы облыстық кітапхананың өлкетану бөлімі ашылды. Кітапханасы "
               "қорында ескі газеттер сақталған.")
RUSSIAN_PAGE = "Городская библиотека хранит старые газеты. Краеведческий отдел открыт в библиотеке."


def terms(analyzer, text, **kw):
    return [t.text for t in analyzer(text, **kw)]


def positioned(analyzer, text, **kw):
    return [(t.text, t.pos) for t in analyzer(text, positions=True, **kw)]


def test_tokens_keep_kazakh_letters_apostrophes_and_digits_and_split_hyphens():
    assert terms(exact_analyzer(), "Әл-Фараби 1941 жылы g'ylym, ата-аналар!") == [
        "әл", "фараби", "1941", "жылы", "g'ylym", "ата", "аналар"]


def test_fold_lowercases_and_writes_yo_as_e_and_shha_as_kha():
    assert fold("Ёлка") == "елка"
    assert fold("Шаһар") == "шахар"


@pytest.mark.parametrize("ocr, clean", [
    ("кitап", "кітап"),      # Latin i and t inside a Cyrillic word
    ("Kітап", "кітап"),      # Latin capital K
    ("HАУРЫЗ", "наурыз"),    # Latin H is Cyrillic Н
    ("кнuга", "книга"),      # italic и read as u
    ("мәдениeт", "мәдениет"),
])
def test_latin_look_alikes_inside_cyrillic_words_are_mended(ocr, clean):
    assert fold(ocr) == clean


def test_latin_words_stay_latin():
    assert fold("Almaty") == "almaty"
    assert fold("Book№5") == "book№5"


def test_kazakh_family_gives_one_term():
    forms = ("кітапхана кітапханасы кітапханаларда кітапхананың кітапханасының "
             "кітапханаларымыздың")
    assert set(terms(page_analyzer("kaz"), forms)) == {"кітапхана"}


def test_russian_forms_conflate():
    assert set(terms(page_analyzer("rus"), "библиотека библиотеки библиотеке библиотеками")) == {
        "библиотек"}


def test_kazakh_words_in_russian_text_get_the_kazakh_stem():
    assert terms(page_analyzer("rus"), "Қазақстанның библиотеки") == ["қазақстан", "библиотек"]


def test_both_stems_share_a_position():
    assert positioned(query_analyzer(), "мектептерде библиотеками") == [
        ("мектеп", 0), ("мектептерд", 0), ("библиотеками", 1), ("библиотек", 1)]


def test_words_with_kazakh_letters_get_only_the_kazakh_stem():
    assert terms(query_analyzer(), "кітапханаларда") == ["кітапхана"]


def test_latin_query_word_is_kept_and_transliterated():
    found = positioned(query_analyzer(), "kitaphana tarih")
    assert ("kitaphana", 0) in found and ("кітапхана", 0) in found
    assert ("tarih", 1) in found and ("тарих", 1) in found  # the strict 2021 reading too


def test_page_analyzer_analyses_queries_like_the_query_analyzer():
    text = "kitaphana кітапханаларда"
    assert terms(page_analyzer("kaz"), text, mode="query") == terms(query_analyzer(), text)
    assert terms(page_analyzer("kaz"), text) == ["kitaphana", "кітапхана"]
    assert terms(page_analyzer("kaz"), "", mode="query") == []


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        page_analyzer("eng")
    with pytest.raises(ValueError):
        KazRusStemFilter("auto")


@pytest.mark.parametrize("text", [
    "Қаладағы кітапхана тарихы туралы мақала.",
    "Павлодар облысының тарихы мен мәдениеті туралы жаңа кітап жарық көрді.",
    "Ертіс өзенінің жағасында орналасқан ауыл ХІХ ғасырда негізі қаланған.",
    "Абай атындағы облыстық кітапханада өлкетану бөлімі жұмыс істейді.",
])
def test_detects_kazakh(text):
    assert detect_language(text) == "kaz"


@pytest.mark.parametrize("text", [
    "Городская библиотека хранит старые газеты.",
    "В фондах областной библиотеки имени Абая хранятся редкие издания по истории.",
    "Казахстан является крупнейшим государством Центральной Азии.",
    "Краеведческий отдел открыт для читателей, а іх фонды пополняются.",  # one OCR slip
])
def test_detects_russian(text):
    assert detect_language(text) == "rus"


@pytest.mark.parametrize("text", ["", "Абай, 1845", "Qazaqstan Respublikasy 2021"])
def test_too_little_cyrillic_is_no_language(text):
    assert detect_language(text) is None


def make_schema():
    return Schema(page=ID(stored=True),
                  kaz=TEXT(analyzer=page_analyzer("kaz"), multitoken_query="or"),
                  rus=TEXT(analyzer=page_analyzer("rus"), multitoken_query="or"),
                  auto=TEXT(analyzer=page_analyzer("auto"), multitoken_query="or"),
                  exact=TEXT(analyzer=exact_analyzer(), phrase=True))


def test_schema_survives_pickling_and_analyses_the_same():
    schema = make_schema()
    restored = pickle.loads(pickle.dumps(schema))
    assert restored == schema
    text = f"{KAZAKH_PAGE} {RUSSIAN_PAGE} kitaphana кitап"
    for name in ("kaz", "rus", "auto", "exact"):
        for mode in ("index", "query"):
            before = positioned(schema[name].analyzer, text, mode=mode)
            assert positioned(restored[name].analyzer, text, mode=mode) == before


@pytest.fixture
def index():
    ix = RamStorage().create_index(make_schema())
    with ix.writer() as writer:
        for page, text in (("kaz-1", KAZAKH_PAGE), ("rus-1", RUSSIAN_PAGE)):
            field = detect_language(text)
            writer.add_document(page=page, exact=text, auto=text, **{field: text})
    return ix


def search(ix, text, fields=("kaz", "rus")):
    with ix.searcher() as searcher:
        query = MultifieldParser(list(fields), ix.schema).parse(text)
        return sorted(hit["page"] for hit in searcher.search(query))


@pytest.mark.parametrize("fields", [("kaz", "rus"), ("auto",)])
@pytest.mark.parametrize("query, pages", [
    ("кітапханаларда", ["kaz-1"]),   # the page says кітапхананың, кітапханасы
    ("библиотеками", ["rus-1"]),     # the page says библиотека, библиотеке
    ("kitaphana", ["kaz-1"]),        # Latin query, Cyrillic page
    ("газет", ["kaz-1", "rus-1"]),
])
def test_search_finds_other_forms_and_scripts(index, fields, query, pages):
    assert search(index, query, fields) == pages


def test_quoted_phrase_on_the_exact_field(index):
    with index.searcher() as searcher:
        query = QueryParser("exact", index.schema).parse('"ескі газеттер"')
        assert [hit["page"] for hit in searcher.search(query)] == ["kaz-1"]


def test_highlighting_shows_each_word_once():
    text = "Ашылды. Мектептерде библиотеками жұмыс істейді."
    wanted = {"мектептерд", "библиотек"}  # a Russian stem of a Kazakh word, and a Russian one
    analyzer = HighlightAnalyzer(page_analyzer("auto"), wanted)
    found = highlight.highlight(text, frozenset(wanted), analyzer, highlight.ContextFragmenter(),
                                highlight.UppercaseFormatter())
    assert found.count("МЕКТЕПТЕРДЕ") == 1 and found.count("БИБЛИОТЕКАМИ") == 1
    assert "библиотеками" not in found


def test_every_word_begins_with_its_stems_gate_key():
    """Highlighting stems only the words that begin with a wanted stem's `gate_key` (all but its
    last two letters, at most four): every word must, whatever its suffixes, for both stemmers;
    words of the word list with chains of the stemmer's own suffixes, and strings of any letters."""
    import random

    from archive.search import kazakh
    from archive.search.analysis import gate_key, russian_stem

    rng = random.Random(5)
    suffixes = sorted(set(kazakh.SUFFIXES) | set(kazakh.VERB_SUFFIXES))
    lemmas = rng.sample(sorted(kazakh.NOMINALS | kazakh.VERBS | kazakh.WORDS), 3000) + [
        *kazakh.ELISION.values(), "сүю", "жою", "мүлік", "кітап", "мойын", "жаз", "қара"]
    words = [lemma + "".join(rng.choice(suffixes) for _ in range(rng.choice((0, 1, 1, 2, 3))))
             for lemma in lemmas for _ in range(4)]
    letters = "абвгғдежзийкқлмнңоөпрстуұүфхцчшщъыіьэюяә"
    words += ["".join(rng.choice(letters) for _ in range(rng.randint(3, 12))) for _ in range(10000)]
    wrong = [(word, stem) for word in map(fold, words) for stem in (*kazakh.readings(word), russian_stem(word))
             if not word.startswith(gate_key(stem))]
    assert wrong == []


def test_the_gate_lets_through_only_words_that_can_stem_to_a_term():
    from archive.search.analysis import PrefixGate

    gate = PrefixGate({"мектеп", "әлфараби", "ол"})
    assert gate.passes("мектебінде") and gate.passes("мектептер")
    assert gate.passes("әл")                  # the first part of әл-Фараби, joined when indexed
    assert gate.passes("оның") and gate.passes("ол")
    assert not gate.passes("мен") and not gate.passes("мемлекет") and not gate.passes("әлем")


def test_an_adjective_in_u_ly_is_no_patronymic():
    """арнаулы (special) ends as Байтурсынулы typed without marks does, and was also indexed as the
    surname of арна (a channel): a search for арна found every page saying "special"."""
    from archive.search.analysis import surname_keys

    assert surname_keys("арнаул") == () and surname_keys("сақтаул") == ()
    assert "байтурсын" in surname_keys("байтурсынул") and "монке" in surname_keys("мөңкеұл")
    assert not {"арна", "сакта"} & set(terms(page_analyzer("kaz"), "арнаулы сақтаулы"))
