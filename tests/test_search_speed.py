"""The results page's fast paths give what the slow ones gave: the words snippets mark as the
analysers match them (in passages of whole words around them), the words the viewer marks, the
viewer's terms read from the query and the lexicon instead of a second search, and spelling
candidates as Whoosh's ``terms_within`` found them."""
from __future__ import annotations

import random
import re
from bisect import bisect_left

import pytest
from whoosh.analysis import RegexTokenizer

from archive.search import engine, results, spelling, whoosh_internals
from archive.search.analysis import (TOKEN_PATTERN, FoldFilter, HighlightAnalyzer, KazRusStemFilter, exact_analyzer,
                                     page_analyzer)
from archive.search.index import WhooshIndex
from archive.search.model import PHRASES, SearchRequest
from archive.search.results import (WordMatcher, count_matches, exact_hits, highlight_terms, matched_word_indexes,
                                    search, snippet)
from bench.search_bench import synthetic_corpus
from test_app_support import build_archive


# ------------------------------------------------------------------ the slow paths, as they were

class _HitAnalyzer:
    EXACT, NOTHING = "\x01", "\x00"

    def __init__(self, language, terms):
        self.stems = results._stems(language, terms)
        self.exact = set(terms.get("exact", ()))
        self.phrases = terms.get(PHRASES, ())
        self.language = language
        self.wanted = frozenset(self.stems | {self.EXACT + word for word in self.exact})
        # every word stemmed (no `PrefixGate`)
        stems = KazRusStemFilter(language if language in ("kaz", "rus") else "both")
        self._stemmed = HighlightAnalyzer(RegexTokenizer(TOKEN_PATTERN) | FoldFilter() | stems, self.stems)

    def __call__(self, text, **kwargs):
        kwargs["chars"] = True
        stemmed = self._stemmed(text, **kwargs) if self.stems else ()
        if not self.exact:
            yield from stemmed
            return
        stem_hits = {t.startchar: t.text for t in stemmed if t.text in self.stems}
        tokens = [t.copy() for t in exact_analyzer()(text, **kwargs)]
        for token, hit in zip(tokens, exact_hits([t.text for t in tokens], self.exact, self.phrases)):
            token.text = stem_hits.get(token.startchar) or (self.EXACT + token.text if hit else self.NOTHING)
            yield token


def reference_matches(text, language, terms):
    """The tokens of a text that the analysers match (every word analysed): start, end, name."""
    analyzer = _HitAnalyzer(language, terms)
    return [(t.startchar, t.endchar, t.text) for t in analyzer(text) if t.text in analyzer.wanted]


def check_snippet(text, segments, matches, length=220):
    """What every snippet must be: where nothing matches, the text's beginning; else one or two
    passages of whole words of the text (white space run together), at most `length` characters
    each, whose marked pieces are matched words, in text order."""
    collapsed = re.sub(r"\s+", " ", text).strip()
    if not matches:
        assert segments == [results.leading_text(text, length)]
        assert collapsed.startswith(segments[0][0].removesuffix(" …"))
        return
    assert segments and all(piece for piece, _ in segments)
    marked = [piece for piece, hit in segments if hit]
    words = iter(text[start:end] for start, end, _ in matches)
    assert marked and all(any(piece == word for word in words) for piece in marked)   # a subsequence
    if "…" in text:
        return                      # an ellipsis of the text's own cannot be told from the joins
    passages = "".join(piece for piece, _ in segments).split(" … ")
    assert 1 <= len(passages) <= 2
    for passage in passages:
        assert len(passage) <= length and passage == passage.strip()
        at = collapsed.find(passage)
        assert at >= 0, (passage, collapsed)
        end = at + len(passage)
        assert at == 0 or collapsed[at - 1] == " " or any(passage.startswith(piece) for piece in marked)
        assert end == len(collapsed) or collapsed[end] == " " or any(passage.endswith(piece) for piece in marked)


def analysed_word_indexes(words, language, terms):
    stems = results._stems(language, terms)
    analyzer, plain = page_analyzer(language or "auto"), exact_analyzer()
    hits = {i for i, word in enumerate(words) if stems and {t.text for t in analyzer(word[0])} & stems}
    exact = set(terms.get("exact", []))
    if exact:
        owners, tokens = [], []
        for i, word in enumerate(words):
            for token in plain(word[0]):
                owners.append(i)
                tokens.append(token.text)
        hits.update(o for o, hit in zip(owners, exact_hits(tokens, exact, terms.get(PHRASES, ()))) if hit)
    return sorted(hits)


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(400, seed=5)


@pytest.fixture(scope="module")
def index(corpus, tmp_path_factory):
    index = WhooshIndex(tmp_path_factory.mktemp("speed") / "index")
    half = len(corpus.documents) // 2
    index.replace_documents(corpus.documents[:half])
    index.replace_documents(corpus.documents[half:])       # two segments
    return index


def _pages(corpus, count=24):
    pages = [(page["text"], page["language"]) for _, pages in corpus.documents for page in pages]
    return random.Random(1).sample(pages, count)


def _term_sets(corpus, seed=2):
    """Terms as searches give them: stems of words of the pages, alone and together, with exact
    words and phrases (some that stand on the pages, some that do not)."""
    rng = random.Random(seed)
    texts = [page["text"] for _, pages in corpus.documents for page in pages]
    sets = []
    for _ in range(16):
        words = re.findall(r"\w+", rng.choice(texts).lower())
        chosen = rng.sample(words, 3)
        stems = {t.text for w in chosen for t in page_analyzer("auto")(w)}
        at = rng.randrange(len(words) - 1)
        phrase = [words[at], words[at + 1]]
        sets.append({"text_kaz": stems, "text_rus": stems})
        sets.append({"text_kaz": stems, "exact": {chosen[0], *phrase}, PHRASES: {" ".join(phrase)}})
        sets.append({"exact": {*phrase, chosen[1]}, PHRASES: {" ".join(phrase), f"{chosen[2]} {chosen[1]}"}})
    return sets


# ------------------------------------------------------------------ tests

def test_snippets_mark_the_words_the_analysers_match(corpus):
    pages = _pages(corpus)
    compared = marked = 0
    for terms in _term_sets(corpus):
        matchers = {}
        for text, language in pages:
            matcher = matchers.setdefault(language, WordMatcher(language, terms))
            expected = reference_matches(text, language, terms)
            assert WordMatcher(language, terms).matches(text) == expected
            assert matcher.matches(text) == expected                 # shared between pages
            check_snippet(text, snippet(text, language, terms, matcher=matcher), expected)
            compared += 1
            marked += bool(expected)
    assert compared > 1000 and marked > 100


def test_a_snippet_shows_the_passages_with_most_of_the_words():
    """Of a page naming its words apart and together, the place with both is shown, beside the
    first of the others; each passage is whole words around its matches, joined by an ellipsis."""
    terms = {"text_kaz": {"абай", "кітапхана"}}
    text = ("Қала тарихы туралы алғашқы деректер XVIII ғасырдан басталады. Абай мұнда жиі келген. "
            + "Мұнда ештеңе жоқ, тек қала туралы сөз. " * 6 + "Қалалық кітапхана 1910 жылы ашылды. "
            + "Тағы да қала туралы бір сөз. " * 6 + "Абай атындағы кітапхананың қоры молайды.\n"
            + "Соңғы сөйлем. " * 8)
    assert snippet(text, "kaz", terms) == [
        ("тарихы туралы алғашқы деректер XVIII ғасырдан басталады. ", False), ("Абай", True),
        (" мұнда жиі келген. Мұнда ештеңе жоқ, тек қала туралы сөз. … Тағы да қала туралы бір сөз. "
         "Тағы да қала туралы бір сөз. ", False),
        ("Абай", True), (" атындағы ", False), ("кітапхананың", True),
        (" қоры молайды. Соңғы сөйлем. Соңғы сөйлем. Соңғы сөйлем.", False)]


def test_snippets_of_texts_with_long_words_and_nothing_found():
    terms = {"text_kaz": {"кітапхана"}}
    long = "Кітапхана " + "ә" * 300 + " кітапхана соңы. " * 3
    assert snippet(long, "kaz", terms) == [          # the 300-letter word is in no passage
        ("Кітапхана", True), (" … ", False), ("кітапхана", True), (" соңы. ", False), ("кітапхана", True),
        (" соңы. ", False), ("кітапхана", True), (" соңы.", False)]
    assert snippet("", "kaz", terms) == [("", False)]
    assert snippet("  Мұнда\nештеңе жоқ. ", "kaz", terms) == [("Мұнда ештеңе жоқ.", False)]
    nothing = "Мұнда ештеңе жоқ. " * 20
    shown, marked = snippet(nothing, "kaz", terms)[0]
    assert not marked and shown.endswith("жоқ. …") and len(shown) <= 222 and nothing.startswith(shown[:-2])


def test_passages_are_whole_words_around_their_matches_and_do_not_overlap():
    """`fragments` on random texts: every match not longer than the passage is in exactly one
    passage, in text order; a passage begins and ends at whole words (or at its matches), ends
    short of the next match, and is at most its length."""
    rng = random.Random(41)
    checked = 0
    for surround, length in ((5, 20), (10, 25), (60, 220)):
        for _ in range(800):
            words = ["x" * (rng.randrange(1, 9) if rng.random() > 0.03 else rng.randrange(length - 2, length + 4))
                     for _ in range(rng.randrange(1, 60))]
            gaps = [rng.choice([" ", "  ", "\n", ", ", "-"]) for _ in words]
            text = "".join(w + g for w, g in zip(words, gaps))
            found, at = [], 0
            for word, gap in zip(words, gaps):
                if rng.random() < rng.choice((0.05, 0.2, 0.5)):
                    found.append((at, at + len(word), rng.choice("ab")))
                at += len(word) + len(gap)
            passages = results.fragments(text, found, length, surround)
            inside = [match for _, _, matched in passages for match in matched]
            assert inside == [match for match in found if match[1] - match[0] <= length]
            for number, (begin, end, matched) in enumerate(passages):
                first, last = matched[0], matched[-1]
                assert begin <= first[0] and last[1] <= end and end - begin <= length
                assert begin == first[0] or begin == 0 or text[begin - 1].isspace()
                assert end == last[1] or end == len(text) or text[end].isspace()
                later = found.index(last) + 1
                assert later == len(found) or end <= found[later][0]
                assert number == 0 or passages[number - 1][1] <= begin
                checked += 1
    assert checked > 5000


def test_marked_words_and_counts_are_those_the_analysers_give(corpus):
    pages = _pages(corpus, 12)
    for terms in _term_sets(corpus, seed=3):
        for text, language in pages:
            words = [[word, 0.1, 0.1, 0.2, 0.2, 90] for word in text.split()]
            expected = analysed_word_indexes(words, language, terms)
            assert matched_word_indexes(words, language, terms) == expected
            assert count_matches(text, language, terms, WordMatcher(language, terms)) == len(expected)


def _words(index, count, seed):
    with index.searcher() as searcher:
        reader = searcher.reader()
        words = sorted(w.decode() for w in reader.lexicon("exact")
                       if 3 <= reader.doc_frequency("exact", w) <= 60 and w.decode().isalpha() and len(w) > 8)
    return random.Random(seed).sample(words, count)


def test_viewer_terms_come_from_the_query_and_the_lexicon_as_a_search_gives_them(index):
    w = _words(index, 12, seed=4)
    with index.searcher() as searcher:
        text = whoosh_internals.page_fields(searcher.reader())(7)["exact"].split()
    phrase = re.sub(r"[^\w ]", "", f"{text[10]} {text[11]}").lower()
    queries = w[:6] + [f'"{phrase}"', f'{w[6]} "{phrase}"', f"{w[7]} OR {w[8]}", f"{w[9]} -{w[10]}",
                       f"{w[11][:4]}*", "кітапхана", f'"{w[0]} {w[1]}"', f"{w[2]} NOT ({w[3]} OR {w[4]})",
                       f'{w[5]} -"{phrase}"']
    for q in queries:         # with results or without (a phrase of two words never side by side)
        assert highlight_terms(index, q) == search(index, SearchRequest(text=q)).terms, q
    assert not search(index, SearchRequest(text=f'"{w[0]} {w[1]}"')).documents
    assert highlight_terms(index, "") == {}
    only_kazakh = highlight_terms(index, w[0], ["kaz"])
    assert set(only_kazakh) <= {"text_kaz", "exact"}
    assert only_kazakh.get("text_kaz") == highlight_terms(index, w[0]).get("text_kaz")


def test_viewer_terms_leave_out_words_under_not_and_words_the_index_lacks(index):
    w = _words(index, 2, seed=6)
    terms = highlight_terms(index, f"{w[0]} NOT {w[1]} жоқсөзқұрама")
    assert terms == highlight_terms(index, w[0])


def test_spelling_candidates_are_those_whoosh_finds(index):
    """The dictionary's stems near a word that the index has are the index's words near it (Whoosh's
    ``terms_within``, first letter kept) that the dictionary has."""
    clean = spelling.clean_stems("kaz")
    if not clean:
        pytest.skip("hunspell-kk is not installed (make test installs it)")
    with index.searcher() as searcher:
        reader = searcher.reader()
        words = [w.decode() for w in reader.lexicon("text_kaz") if len(w) >= 5]
        rng = random.Random(7)
        asked = [w[:2] + w[3:] for w in rng.sample(words, 40)] + rng.sample(words, 20) + ["кітапхаиа", "ааа"]
        found = 0
        for word in asked:
            expected = [w for w in reader.terms_within("text_kaz", word, 2, prefix=1) if w in clean]
            assert [w for w in spelling.near_stems("kaz", word) if ("text_kaz", w) in reader] == expected, word
            found += bool(expected)
        assert found > 10


@pytest.fixture(scope="module")
def reading_room(tmp_path_factory):
    from search_app import create_app

    home, ids = build_archive(tmp_path_factory.mktemp("reading"))[:2]
    app = create_app({"OLKE_HOME": str(home), "TESTING": True})
    yield app, ids
    app.extensions["olke"].close()


def test_the_viewer_does_not_search_again(reading_room, monkeypatch):
    app, ids = reading_room
    def no_search(*args, **kwargs):
        raise AssertionError("the viewer searched")

    monkeypatch.setattr(results, "search", no_search)
    monkeypatch.setattr(WhooshIndex, "search", no_search)
    html = app.test_client().get(f"/documents/{ids['kazakh']}/pages/1", query_string={"q": "кітапханаларда"}
                                 ).get_data(as_text=True)
    assert "<mark>кітапхана</mark>" in html and "<mark>Кітапханалардың</mark>" in html
    assert len(re.findall(r'<rect class="hit"', html)) == 2


# Words as OCR and typing leave them: Latin look-alikes inside Cyrillic words, ё and һ, capitals,
# Roman numerals in either alphabet, apostrophes, hyphens, numbers, runs of punctuation, long words.
_TRICKY = ["кітапхана", "Кітапханада", "кiтапхана", "KІТАПХАНА", "оқушылар", "oқушылары", "ОҚУШЫ", "шаһар",
           "шахарда", "ёлка", "елкой", "ХХ", "XX", "хх", "ғасыр", "g'ylym", "G’ylymy", "о'қу", "әл-Фараби",
           "Әл-Фарабидің", "1-сынып", "№17", "17", "Абай", "абайдың", "Құнанбайұлы", "—", "…", "«", "»", ".", ",",
           "(1995)", "Семей-Павлодар", "ә" * 90, "қ-" * 40, "Windows", "wіndows", "Һ", "һ", "мектеп", "Мектептер"]


def _tricky_texts(count, seed):
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        words = [rng.choice(_TRICKY) for _ in range(rng.randrange(5, 160))]
        gaps = [rng.choice([" ", " ", " ", "\n", ", ", " — ", "  ", "-\n", ". ", "'", " ' "]) for _ in words]
        texts.append("".join(w + g for w, g in zip(words, gaps)))
    return texts


def _tricky_terms(rounds, seed):
    """Terms as searches give them for words of `_TRICKY`: stems of three, alone and with an exact
    word, and an exact word alone."""
    rng = random.Random(seed)
    for _ in range(rounds):
        stems = {t.text for word in rng.sample(_TRICKY[:26], 3) for t in page_analyzer("auto")(word)}
        exact = {t.text for t in exact_analyzer()(rng.choice(_TRICKY[:26]))}
        yield from ({"text_kaz": stems, "text_rus": stems}, {"text_kaz": stems, "exact": exact}, {"exact": exact})


def test_matches_found_from_word_beginnings_are_those_of_the_whole_text():
    """The matches found by searching the text for the wanted words' beginnings
    (`WordMatcher.matches`) are those of reading every token, and those of the analysers, on
    texts full of what folding and tokenising meet."""
    texts = _tricky_texts(18, seed=12)
    fast = compared = marked = 0
    for terms in _tricky_terms(10, seed=11):
        for language in ("kaz", "rus"):
            matcher = WordMatcher(language, terms)
            for text in texts:
                expected = reference_matches(text, language, terms)
                assert matcher.matches(text) == expected, (terms, text)
                assert matcher.matches(text, results.plain_text(text)) == expected      # as indexed pages say
                assert [(s, e, n) for s, e, n in zip(*matcher.tokens(text)) if n is not None] == expected
                check_snippet(text, snippet(text, language, terms, matcher=matcher), expected)
                fast += matcher._lower(text) is not None
                marked += bool(expected)
                compared += 1
    assert compared > 1000 and marked > compared / 3
    assert fast > compared * 0.9                            # the fast path was the one taken


def test_texts_with_underscores_or_combining_marks_are_tokenised_as_the_analysers_do():
    """Where a text has an underscore or a combining mark, tokens are not the plain pattern's
    ``\\w+`` runs: such texts are read token by token, and match as the analysers do."""
    odd = ["кітапхана_қоры", "кітапхана_", "_кітапхана", "кітапха\u0301на", "кітапхана\u0306", "e\u0301cole"]
    rng = random.Random(15)
    texts = [" ".join(rng.choice(_TRICKY[:26]) for _ in range(rng.randrange(5, 80))) + " " + word + " кітапхана."
             for word in odd for _ in range(3)]
    compared = 0
    for terms in _tricky_terms(6, seed=16):
        for language in ("kaz", "rus"):
            matcher = WordMatcher(language, terms)
            for text in texts:
                assert matcher._lower(text) is None and not results.plain_text(text)
                expected = reference_matches(text, language, terms)
                assert matcher.matches(text) == expected
                assert matcher.matches(text, False) == expected
                check_snippet(text, snippet(text, language, terms, matcher=matcher), expected)
                compared += 1
    assert compared == 6 * 3 * 2 * len(texts)
    # Greek letters share the lead byte of combining marks in UTF-8 (U+0370-U+037F): still plain
    assert results._plain("ͷ кітапхана") and not results._plain("кітапха\u0301на")


def test_counts_read_near_the_matches_are_those_of_every_word():
    """Search-only results count the matching words of a page from the places where a wanted
    word can begin (`WordMatcher.count_words`): the same counts as analysing every word."""
    texts = _tricky_texts(30, seed=14)
    fast = compared = found = 0
    for terms in _tricky_terms(12, seed=13):
        for language in ("kaz", "rus", None):
            for text in texts:
                expected = len(analysed_word_indexes([[w] for w in text.split()], language, terms))
                assert count_matches(text, language, terms, WordMatcher(language, terms)) == expected
                fast += WordMatcher(language, terms).count_words(text) is not None
                found += expected > 0
                compared += 1
    assert found > compared / 3 and fast > compared * 0.9


def test_the_dictionaries_stems_are_read_before_the_first_suggestion():
    """`olke serve` reads them on a thread as it starts (some 0.1 s a language): the first search
    that asks for a suggestion does not pay it (it was 130 ms of a fuzzy query's p95)."""
    from archive.search import spelling

    spelling._stems_by_letter.cache_clear()
    spelling.warm_up()
    assert spelling._stems_by_letter.cache_info().currsize == len(spelling.DICTIONARIES)
    assert spelling._stems_by_letter.cache_info().misses == len(spelling.DICTIONARIES)
    spelling.near_stems("kaz", "кітап")
    assert spelling._stems_by_letter.cache_info().misses == len(spelling.DICTIONARIES)


class _CountingLexicon:
    """An archive's unstemmed words, counting what a suggestion asks of them."""

    def __init__(self, words: dict[str, int]):
        self.words, self.asked = words, 0
        self.sorted = sorted(words)

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        self.asked += 1
        at = bisect_left(self.sorted, prefix)
        return at < len(self.sorted) and self.sorted[at].startswith(prefix)

    def doc_frequency(self, fieldname: str, word: str) -> int:
        self.asked += 1
        return self.words.get(word, 0)


def test_a_word_is_given_its_kazakh_marks_in_a_few_lookups_however_large_the_archive():
    """Кунанбайулы typed for Құнанбайұлы: the suggestion walks the index's words letter by letter,
    going on only from beginnings some word has (it read every word beginning with the marked
    readings of the first two letters: thousands at 100,000 pages, 5 ms a suggestion)."""
    rng = random.Random(5)
    letters = "абвгдежзийклмнопрстуфхцчшыэюяәғқңөұүһі"
    words = {"құ" + "".join(rng.choice(letters) for _ in range(rng.randint(3, 10))): rng.randint(1, 9)
             for _ in range(20_000)}
    words |= {"құнанбайұлы": 40, "құнанбайұлының": 3, "кунанбайулы": 0}
    lexicon = _CountingLexicon(words)
    assert spelling.with_marks(lexicon, "кунанбайулы") == "құнанбайұлы"
    assert lexicon.asked < 60
    assert spelling.with_marks(lexicon, "кунанбайулыз") is None
    assert spelling.with_marks(lexicon, "құнанбайұлы") is None       # typed with every mark: nothing to add


def test_pages_grouped_by_document_as_a_sort_of_every_page_would_group_them():
    """`_by_document` and `_best_first` against sorting every matched page on (document, words
    missing, -score), the stable sort keeping page order: the same groups, the same best page of
    each, the same pages shown; on random pages with many ties, documents in runs and not."""
    import numpy as np

    rng = np.random.default_rng(5)
    for trial in range(400):
        n = int(rng.integers(1, 300))
        documents = rng.integers(0, max(1, n // int(rng.integers(1, 20))), n)
        if trial % 2:
            documents = np.sort(documents)                     # pages of a document together, as mostly
        scores = rng.integers(0, 4, n) / 2.0                    # few values: many ties
        missed = rng.integers(0, 3, n) if trial % 3 else None
        keys = (-scores, documents) if missed is None else (-scores, missed, documents)
        order = np.lexsort(keys)
        starts = engine.run_starts(documents[order])
        counts = np.diff(np.r_[starts, n])
        by_doc, got_starts, got_counts, best = results._by_document(documents, scores, missed)
        assert got_starts.tolist() == starts.tolist() and got_counts.tolist() == counts.tolist()
        assert best.tolist() == order[starts].tolist()
        for start, count in zip(starts, counts):
            shown = results._best_first(by_doc[start:start + count], scores, missed)
            assert shown.tolist() == order[start:start + min(count, results.PAGES_PER_DOCUMENT)].tolist()
