"""Search benchmark: relevance of Olke's analysis against plain Whoosh, and speed on synthetic pages.

    python bench/search_bench.py [--pages 100000] [--only relevance|questions|speed] [--writer olke|bulk]
                                 [--queries 60] [--profile] [--keep DIR [--reuse]] [--no-optimize]
                                 [--backend whoosh|tantivy|both] [--out FILE] [--judge]

100 000 pages take about 25 minutes on a 2-core machine with ``--backend both`` (Whoosh 13 indexing
and 10 merging into one segment, tantivy 3; measured 2026-12-03); with ``--keep DIR`` and then
``--reuse`` the queries are timed again in two minutes;
``--pages 20000`` gives the same kind of figures in a few minutes (latency grows with the number
of pages, so say which).
``OLKE_BENCH_PAGES`` and ``OLKE_BENCH_QUERIES`` (queries of each type) set the defaults for ``make bench``.

Relevance (issue 3, item 7). The pages of the plain sample documents (``scans/texts``; not the hard
kinds of scan, ``hard-*``, which are there for OCR and were not judged for these queries) are indexed
twice, each time into two indexes of the same pages: Olke's (``archive/search``: schema, analysers,
query building) and a baseline with ``whoosh.analysis.StandardAnalyzer()`` on a single text field
queried through a plain ``QueryParser``. The two corpora are the ground-truth texts ("clean") and
an OCR-damaged copy of them ("ocr": look-alike letters substituted at a few per cent of the
letters, seeded, see `ocr_damage`). The query set ``bench/relevance.toml`` names, for every query,
its category, the corpus it runs on and the pages that should be found; recall@10 is the share of
those pages among the first ten page hits (of at most ten), MRR the mean of 1/rank of the first
relevant page (0 when none is in the first ten), nDCG@10 the discounted gain of the relevant pages in
the first ten against the best possible order (binary judgements). Olke's pages are ranked as its
results page ranks them: all the query's words first, then pages with at least half of them,
then (to fill a page of results) fewer.

Questions (issue 15): KazQAD's exam questions typed as written against their Wikipedia passages,
Olke against plain Whoosh with AND and with OR (``bench/question_bench.py``).

Speed (item 8). Synthetic Kazakh-like and Russian-like pages (about 300 words each; a vocabulary
of the sample texts' words and generated inflections of Kazakh stems with vowel harmony and of
Russian stems, drawn with a Zipf-like frequency; a little OCR noise; seeded) grouped into
documents of 1-20 pages with varied metadata, indexed with ``WhooshIndex`` by the bulk writer of
`olke index rebuild` (one segment per core; ``--writer olke`` for the writer of ingest); then
p50/p95 latency of ``archive.search.results.search()`` (which always counts the facets over every
match) for term, AND, phrase, partial (three words that rarely stand on one page together), questions
(seven words, three of them from one page, and a question mark), fuzzy
and faceted queries, warm, beside the query core alone (what ``search()`` begins with: the query
planned and evaluated, its words counted per page) and the page
viewer's highlighting of the best page; then (unless ``--no-optimize``) the index is merged into one
segment (how long that takes is reported) and the queries are timed again.

``--backend both`` times the tantivy engine (``archive/search/tantivy_index.py``, fed with the same
analysis) beside Whoosh in one run: both index the same pages (indexing pages/s, index size), Whoosh's
index is merged into one segment (tantivy's bulk writer leaves one), and every request is timed on
both in turn; the ratios of Whoosh's times to tantivy's are reported per query type (load on the
machine falls on both alike). ``--backend tantivy`` times tantivy alone.

``run()`` is what ``bench/run.py`` (``make bench``) calls; progress goes to stderr.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))          # appended: PYTHONPATH=<a patched copy> can stand in for archive/
if str(ROOT / "scans") not in sys.path:
    sys.path.insert(0, str(ROOT / "scans"))
_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True   # keep scans/ free of __pycache__
import samples  # noqa: E402
sys.dont_write_bytecode = _bytecode

import numpy as np  # noqa: E402
from whoosh import fields as whoosh_fields  # noqa: E402
from whoosh.analysis import StandardAnalyzer  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.qparser import OrGroup, QueryParser  # noqa: E402

from archive.search import engine, matching, spelling, tantivy_index, whoosh_internals  # noqa: E402
from archive.search.backends import BACKENDS, new_index  # noqa: E402
from archive.search.index import WhooshIndex  # noqa: E402
from archive.search.query import SearchRequest  # noqa: E402
from search_app import viewer  # noqa: E402

QUERIES = ROOT / "bench" / "relevance.toml"
CATEGORIES = ("kazakh_inflected", "russian_inflected", "ocr_damaged", "latin_kazakh", "phrase",
              "question", "hyphenated", "stemmer_forms", "town_names")
CORPORA = ("clean", "ocr")
TOP = 10


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# OCR damage

# What OCR of Kazakh and Russian print mistakes for what: Kazakh letters lose their marks
# (қ→к ң→н ө→о ү→у ұ→у ғ→г ә→а), і comes out as a Latin i, and shapes merge (е→с, н→и, ш→щ, щ→ш).
LOOKALIKES = {"і": "i", "қ": "к", "ң": "н", "ө": "о", "ү": "у", "ұ": "у", "ғ": "г", "ә": "а",
              "е": "с", "н": "и", "ш": "щ", "щ": "ш", "и": "н", "о": "о"}
LOOKALIKES = {k: v for k, v in LOOKALIKES.items() if k != v}


def ocr_damage(text: str, rate: float = 0.04, seed: int = 0) -> str:
    """`text` with look-alike substitutions at about `rate` of its damageable letters.

    Deterministic: only ``random.Random(seed).random()`` is used, whose sequence Python keeps
    stable across versions. Capitals keep their case.
    """
    rng = random.Random(seed)
    out = []
    for ch in text:
        lower = ch.lower()
        wrong = LOOKALIKES.get(lower)
        if wrong is not None and rng.random() < rate:
            out.append(wrong.upper() if ch != lower else wrong)
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------------------------
# relevance

@dataclass
class Doc:
    """What `WhooshIndex.replace_documents` reads of a catalog document."""
    id: int
    title: str
    authors: list = field(default_factory=list)
    source: str | None = None
    rubrics: list = field(default_factory=list)
    kind: str = "other"
    language: str = "kaz"
    published: str | None = None
    access: str = "open"


def sample_corpus(corpus: str = "clean") -> list[tuple[Doc, list[dict], str]]:
    """The sample documents as (document, pages, slug); "ocr" damages every page's text.

    The title is the document's so that title matches count as in Olke, but it is indexed
    into the baseline too (see `BaselineEngine`).
    """
    out = []
    for number, (slug, sample) in enumerate(samples.load_all(hard=False).items(), start=1):
        meta = sample["document"]
        pages = []
        for index, text in enumerate(sample["truth"]):
            if corpus == "ocr":
                text = ocr_damage(text, seed=zlib.crc32(f"{slug}/{index + 1}/ocr".encode()))
            pages.append({"number": index + 1, "text": text, "language": meta["language"]})
        document = Doc(number, meta["title"], list(meta["authors"]), meta["source"] or None,
                       list(meta["rubrics"]), meta["kind"], meta["language"], meta["published"] or None,
                       meta["access"])
        out.append((document, pages, slug))
    return out


class OlkeEngine:
    """Olke's index and query building; pages ranked as `archive.search.results.search` ranks them
    (those with all the query's words first, then those with at least half, then fewer; by score)."""

    name = "olke"

    def __init__(self, corpus: list[tuple[Doc, list[dict], str]], backend: str = "whoosh"):
        self._dir = tempfile.mkdtemp(prefix="olke-relevance-")
        self.backend = backend
        self.index = new_index(Path(self._dir) / "index", backend)
        self.index.replace_documents([(doc, pages) for doc, pages, _ in corpus])
        self.slugs = {doc.id: slug for doc, _, slug in corpus}

    def ranked(self, text: str, limit: int = TOP) -> list[tuple[str, int]]:
        if self.backend == "tantivy":
            from archive.search.tantivy_index import ranked_pages

            hits = ranked_pages(self.index, SearchRequest(text=text, per_page=limit), limit)
            return [(self.slugs[hit["doc_id"]], hit["page"]) for hit in hits]
        with self.index.searcher() as searcher:
            found = matching.evaluate(searcher, SearchRequest(text=text, per_page=limit))
            matches = found.matches
            best = np.lexsort((matches.ids, -matches.scores, found.tier))[:limit]
            hits = [searcher.stored_fields(int(matches.ids[i])) for i in best]
        return [(self.slugs[hit["doc_id"]], hit["page"]) for hit in hits]

    def close(self) -> None:
        if isinstance(self.index, WhooshIndex):
            self.index.ix.close()
        shutil.rmtree(self._dir, ignore_errors=True)


class BaselineEngine:
    """Plain Whoosh: ``StandardAnalyzer()`` on one text field (title and page text), ``QueryParser``
    (its words ANDed, as by default; ORed with ``any_word``)."""

    name = "baseline"

    def __init__(self, corpus: list[tuple[Doc, list[dict], str]]):
        schema = whoosh_fields.Schema(key=whoosh_fields.ID(stored=True, unique=True),
                                      text=whoosh_fields.TEXT(analyzer=StandardAnalyzer()))
        self._dir = tempfile.mkdtemp(prefix="olke-baseline-")
        # on disk in a folder of its own: a RamStorage index writes its postings' runs into the
        # shared temporary folder under a fixed name, which two processes at once would share
        self.ix = FileStorage(self._dir).create_index(schema)
        with self.ix.writer() as writer:
            for doc, pages, slug in corpus:
                for page in pages:
                    writer.add_document(key=f"{slug}:{page['number']}", text=f"{doc.title}\n{page['text']}")
        self.parser = QueryParser("text", self.ix.schema)
        self.any_parser = QueryParser("text", self.ix.schema, group=OrGroup)
        self.searcher = self.ix.searcher()

    def ranked(self, text: str, limit: int = TOP, any_word: bool = False) -> list[tuple[str, int]]:
        hits = self.searcher.search((self.any_parser if any_word else self.parser).parse(text), limit=limit)
        out = []
        for hit in hits:
            slug, page = hit["key"].rsplit(":", 1)
            out.append((slug, int(page)))
        return out

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()
        shutil.rmtree(self._dir, ignore_errors=True)


def load_queries(path: Path = QUERIES) -> list[dict]:
    """The query set, checked: every query has q, a known category and corpus, and relevant pages."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    known = {slug: len(s["truth"]) for slug, s in samples.load_all(hard=False).items()}
    queries = []
    for number, item in enumerate(data.get("query", []), start=1):
        where = f"{path.name}, query {number} ({item.get('q')!r})"
        if not isinstance(item.get("q"), str) or not item["q"].strip():
            raise ValueError(f"{where}: q must be a non-empty string")
        if item.get("category") not in CATEGORIES:
            raise ValueError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
        corpus = item.get("corpus", "clean")
        if corpus not in CORPORA:
            raise ValueError(f"{where}: corpus must be one of {', '.join(CORPORA)}")
        relevant = []
        for ref in item.get("relevant", []):
            slug, _, page = ref.rpartition(":")
            if slug not in known or not page.isdigit() or not 1 <= int(page) <= known[slug]:
                raise ValueError(f"{where}: relevant page {ref!r} is not a sample page (slug:number)")
            relevant.append((slug, int(page)))
        if not relevant:
            raise ValueError(f"{where}: no relevant pages")
        queries.append({"q": item["q"], "category": item["category"], "corpus": corpus,
                        "relevant": relevant, "note": item.get("note", "")})
    return queries


def score(ranked: list[tuple[str, int]], relevant: list[tuple[str, int]], k: int = TOP) -> tuple[float, float]:
    """(recall@k, reciprocal rank of the first relevant page within k) for one query."""
    wanted = set(relevant)
    top = ranked[:k]
    recall = len(wanted.intersection(top)) / min(len(wanted), k)
    rr = next((1.0 / rank for rank, hit in enumerate(top, start=1) if hit in wanted), 0.0)
    return recall, rr


def ndcg(ranked: list[tuple[str, int]], relevant: list[tuple[str, int]], k: int = TOP) -> float:
    """nDCG@k with binary judgements (a relevant page gains 1, discounted by log2 of its rank + 1)."""
    wanted = set(relevant)
    gain = sum(1 / math.log2(rank + 1) for rank, hit in enumerate(ranked[:k], start=1) if hit in wanted)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return gain / ideal


def _summary(rows: list[tuple[float, float, float]]) -> dict:
    return {"queries": len(rows), "recall@10": round(statistics.fmean(r[0] for r in rows), 3),
            "mrr": round(statistics.fmean(r[1] for r in rows), 3),
            "ndcg@10": round(statistics.fmean(r[2] for r in rows), 3)} if rows else {"queries": 0}


def relevance(queries: list[dict] | None = None, backend: str = "whoosh") -> dict:
    """Recall@10, MRR and nDCG@10 of Olke (on the `backend` engine) and of the baseline, per category
    and overall, with each query's ranks."""
    queries = load_queries() if queries is None else queries
    started = time.perf_counter()
    engines = {}
    for corpus in sorted({q["corpus"] for q in queries}):
        pages = sample_corpus(corpus)
        engines[corpus] = (OlkeEngine(pages, backend), BaselineEngine(pages))
    per_query = []
    scores: dict[str, dict[str, list]] = {"olke": {}, "baseline": {}}
    try:
        for query in queries:
            row = {"q": query["q"], "category": query["category"], "corpus": query["corpus"],
                   "relevant": len(query["relevant"])}
            for ranker in engines[query["corpus"]]:
                ranked = ranker.ranked(query["q"])
                recall, rr = score(ranked, query["relevant"])
                gain = ndcg(ranked, query["relevant"])
                scores[ranker.name].setdefault(query["category"], []).append((recall, rr, gain))
                scores[ranker.name].setdefault("overall", []).append((recall, rr, gain))
                row[ranker.name] = {"recall@10": round(recall, 3), "rr": round(rr, 3), "ndcg@10": round(gain, 3),
                                    "missed": [f"{s}:{p}" for s, p in query["relevant"] if (s, p) not in ranked]}
            per_query.append(row)
    finally:
        for pair in engines.values():
            for ranker in pair:
                ranker.close()
    result = {name: {category: _summary(rows) for category, rows in
                     sorted(by_category.items(), key=lambda kv: (kv[0] == "overall", kv[0]))}
              for name, by_category in scores.items()}
    return {"olke": result["olke"], "baseline": result["baseline"], "queries": per_query,
            "seconds": round(time.perf_counter() - started, 2)}


# --------------------------------------------------------------------------------------------
# synthetic pages

KAZ_BACK, KAZ_FRONT = "аоұы", "әөүіе"
KAZ_CONSONANTS = "бгджзйклмнңпрстшқғ"
KAZ_VOICELESS = set("кқпстфхһцчшщбвгғд")    # as the stemmer classes them: б в г ғ д devoice at the end
RUS_CONSONANTS = "бвгдзклмнпрстфхчшжц"
RUS_VOWELS = "аеиоуя"
RUS_ENDINGS = {
    "m": ["", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"],
    "f": ["а", "ы", "е", "у", "ой", "ам", "ами", "ах"],
    "n": ["о", "а", "у", "ом", "е", "ам", "ами", "ах"],
    "adj": ["ый", "ого", "ому", "ым", "ом", "ая", "ой", "ую", "ые", "ых", "ыми", "ое"],
    "verb": ["ать", "ает", "ают", "ал", "ала", "али", "ало", "ает"],
}
SOURCES = ["Өлке тынысы", "Ертіс өңірі", "Сарыарқа самалы", "Орталық Қазақстан", "Егемен Қазақстан",
           "Ақжайық", "Оңтүстік Қазақстан", "Жетісу", "Маңғыстау", "Семей таңы", "Қазақ әдебиеті",
           "Ана тілі", "Түркістан", "Ақиқат", "Парасат", "Жұлдыз", "Степные вести", "Голос степи",
           "Индустриальная Караганда", "Казахстанская правда", "Рудный Алтай", "Иртыш", "Простор",
           "Краеведческий альманах", "Вестник КарГУ", "Огни Алатау", "Новый вестник",
           "Звезда Прииртышья", "Кызылординские вести", "Заман-Қазақстан"]
RUBRICS = ["Тарих", "Кітапханалар", "Өлкетану", "Табиғат", "Әдебиет", "Мәдениет", "Білім", "Ғылым",
           "Тұлғалар", "Ауыл шаруашылығы", "Өнеркәсіп", "Спорт", "Денсаулық", "Дін", "Этнография",
           "Археология", "Жер-су атаулары", "Соғыс жылдары", "Тәуелсіздік", "Музейлер", "История",
           "Библиотеки", "Краеведение", "Природа", "Литература", "Культура", "Образование", "Наука",
           "Личности", "Сельское хозяйство", "Промышленность", "Экология", "Топонимика", "Архивы",
           "Репрессии", "Освоение целины", "Космодром", "Театр", "Музыка", "Журналистика"]
KINDS = (("newspaper_article", 0.5, (1, 4)), ("journal_article", 0.25, (2, 20)),
         ("book", 0.1, (8, 20)), ("other", 0.15, (1, 8)))


def _kaz_class(stem: str) -> str:
    last = stem[-1]
    if last in "аәеоөұүыіэюя":
        return "V"
    if last in "руй":
        return "G"
    if last in "лмнңзж":
        return "L" if last == "л" else ("N" if last in "мнң" else "Z")
    return "T"


def _kaz_suffix(stem: str, kind: str) -> str:
    """`stem` + the suffix `kind` in the spelling vowel harmony and the last letter ask for."""
    front = next((ch in KAZ_FRONT for ch in reversed(stem) if ch in KAZ_BACK + KAZ_FRONT), False)
    cls = _kaz_class(stem)
    pick = (lambda back, fr: fr if front else back)
    if kind == "pl":
        base = {"V": "лар", "G": "лар", "L": "дар", "N": "дар", "Z": "дар", "T": "тар"}[cls]
        return stem + pick(base, base.replace("а", "е"))
    if kind == "p3":
        return stem + (pick("сы", "сі") if cls == "V" else pick("ы", "і"))
    after_p3 = stem.endswith(("сы", "сі", "ы", "і")) and kind.endswith("_p3")
    kind = kind.removesuffix("_p3")
    if after_p3:
        table = {"gen": ("ның", "нің"), "dat": ("на", "не"), "loc": ("нда", "нде"),
                 "abl": ("нан", "нен"), "acc": ("н", "н"), "ins": ("мен", "мен")}
    elif cls == "V":
        table = {"gen": ("ның", "нің"), "dat": ("ға", "ге"), "loc": ("да", "де"),
                 "abl": ("дан", "ден"), "acc": ("ны", "ні"), "ins": ("мен", "мен")}
    elif cls == "T":
        table = {"gen": ("тың", "тің"), "dat": ("қа", "ке"), "loc": ("та", "те"),
                 "abl": ("тан", "тен"), "acc": ("ты", "ті"), "ins": ("пен", "пен")}
    elif cls == "N":
        table = {"gen": ("ның", "нің"), "dat": ("ға", "ге"), "loc": ("да", "де"),
                 "abl": ("нан", "нен"), "acc": ("ды", "ді"), "ins": ("бен", "бен")}
    else:
        table = {"gen": ("дың", "дің"), "dat": ("ға", "ге"), "loc": ("да", "де"),
                 "abl": ("дан", "ден"), "acc": ("ды", "ді"), "ins": ("мен" if cls in "GL" else "бен",) * 2}
    return stem + pick(*table[kind])


# the inflections a Kazakh noun shows, most frequent first
KAZ_PATTERNS = [(), ("p3",), ("pl",), ("gen",), ("loc",), ("dat",), ("pl", "gen"), ("pl", "p3"),
                ("acc",), ("abl",), ("p3", "gen_p3"), ("pl", "loc"), ("p3", "loc_p3"), ("pl", "dat"),
                ("ins",), ("pl", "p3", "gen_p3"), ("p3", "dat_p3"), ("pl", "abl"), ("pl", "p3", "loc_p3"),
                ("p3", "acc_p3")]


def kazakh_forms(stem: str) -> list[str]:
    forms = []
    for pattern in KAZ_PATTERNS:
        word = stem
        for kind in pattern:
            word = _kaz_suffix(word, kind)
        forms.append(word)
    return list(dict.fromkeys(forms))


def russian_forms(stem: str, cls: str) -> list[str]:
    return list(dict.fromkeys(stem + ending for ending in RUS_ENDINGS[cls]))


def _pseudo_kazakh_stem(rng: random.Random) -> str:
    vowels = KAZ_BACK if rng.random() < 0.6 else KAZ_FRONT
    out = "" if rng.random() < 0.8 else rng.choice(vowels)
    for _ in range(1 + int(rng.random() * 2.2)):
        out += rng.choice(KAZ_CONSONANTS.replace("ң", "").replace("й", "")) + rng.choice(vowels)
        if rng.random() < 0.55:
            out += rng.choice(KAZ_CONSONANTS)
    return out


def _pseudo_russian_stem(rng: random.Random) -> str:
    out = ""
    for _ in range(2 + int(rng.random() * 1.6)):
        out += rng.choice(RUS_CONSONANTS) + ("р" if rng.random() < 0.15 else "") + rng.choice(RUS_VOWELS)
    return out + rng.choice(RUS_CONSONANTS)


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_KAZ_ENDINGS = sorted({e for p in ("лар лер дар дер тар тер ның нің дың дің тың тің ға ге қа ке "
                                   "да де та те дан ден тан тен нан нен ны ні ды ді ты ті мен бен пен "
                                   "сы сі ы і".split()) for e in [p]}, key=len, reverse=True)


def _crude_kazakh_stem(word: str) -> str:
    """A rough stem for generating forms (not Olke's stemmer): endings off while 3+ letters stay."""
    for _ in range(3):
        for ending in _KAZ_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
        else:
            break
    return word


def _russian_class(word: str) -> str:
    if word.endswith(("ый", "ий", "ая", "ое", "ой", "ые", "ых", "ого", "ому", "ыми")):
        return "adj"
    if word.endswith(("ть", "ал", "ала", "али", "ает", "ют")):
        return "verb"
    if word.endswith(("а", "я")):
        return "f"
    if word.endswith(("о", "е")):
        return "n"
    return "m"


class Vocabulary:
    """Word forms of one language with Zipf-like weights: the sample texts' words first (as often
    as they occur there), then generated inflections of stems from the samples and of made-up
    stems; lexeme r has weight 1/(r + 2.7)^1.1, its forms share it as 1/(i + 1)."""

    def __init__(self, language: str, seed: int, lexemes: int):
        rng = random.Random(seed)
        texts = [t for s in samples.load_all(hard=False).values() if s["document"]["language"] == language
                 for t in s["truth"]]
        counts: dict[str, int] = {}
        for text in texts:
            for word in _WORD.findall(text.lower()):
                counts[word] = counts.get(word, 0) + 1
        head = sorted(counts, key=lambda w: (-counts[w], w))
        families: list[list[str]] = [[w] for w in head]   # the sample words, each its own lexeme
        seen_stems: set[str] = set()
        from archive.search.analysis import russian_stem   # only to group Russian sample words
        for word in head:
            if len(word) < 4:
                continue
            if language == "kaz":
                stem = _crude_kazakh_stem(word)
                if stem not in seen_stems:
                    seen_stems.add(stem)
                    families.append(kazakh_forms(stem))
            else:
                stem = russian_stem(word)
                if stem not in seen_stems and len(stem) >= 3:
                    seen_stems.add(stem)
                    families.append(russian_forms(stem, _russian_class(word)))
        while len(families) < lexemes:
            if language == "kaz":
                stem = _pseudo_kazakh_stem(rng)
                forms = kazakh_forms(stem)
            else:
                stem = _pseudo_russian_stem(rng)
                forms = russian_forms(stem, rng.choice(("m", "m", "f", "n", "adj", "verb")))
            if stem not in seen_stems:
                seen_stems.add(stem)
                families.append(forms)
        # the sample words keep the head; the generated lexemes are shuffled among themselves
        tail = families[len(head):]
        rng.shuffle(tail)
        families = families[:len(head)] + tail
        self.language = language
        self.families = families
        self.forms: list[str] = []
        weights: list[float] = []
        for rank, forms in enumerate(families, start=1):
            lexeme = 1.0 / (rank + 2.7) ** 1.1
            share = [1.0 / (i + 1) for i in range(len(forms))]
            total = sum(share)
            for form, part in zip(forms, share):
                self.forms.append(form)
                weights.append(lexeme * part / total)
        self.cum_weights = list(_accumulate(weights))
        self.rank_of_form = {}
        for rank, forms in enumerate(families, start=1):
            for form in forms:
                self.rank_of_form.setdefault(form, rank)

    def words(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.forms, cum_weights=self.cum_weights, k=k)

    def band(self, low: int, high: int) -> list[list[str]]:
        """The lexemes ranked low..high (1-based), as lists of their forms."""
        return self.families[low - 1:high]


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def damage_word(word: str, rng: random.Random, start: int = 0) -> str:
    """One look-alike substitution at or after `start`, or the word unchanged if it has none."""
    places = [i for i, ch in enumerate(word) if i >= start and ch in LOOKALIKES]
    if not places:
        return word
    i = places[int(rng.random() * len(places))]
    return word[:i] + LOOKALIKES[word[i]] + word[i + 1:]


def page_text(vocabulary: Vocabulary, rng: random.Random, words: int, noise: float, title: str = "") -> str:
    """About `words` words in sentences of 5-16, a number now and then, a word in `noise` damaged."""
    tokens = vocabulary.words(rng, words)
    for _ in range(int(words * noise + rng.random())):
        i = int(rng.random() * words)
        tokens[i] = damage_word(tokens[i], rng)
    out, i = [title] if title else [], 0
    while i < words:
        n = 5 + int(rng.random() * 12)
        sentence = tokens[i:i + n]
        if rng.random() < 0.15:
            sentence.insert(int(rng.random() * len(sentence)), str(1900 + int(rng.random() * 125)))
        if len(sentence) > 6 and rng.random() < 0.5:
            sentence[2] += ","
        out.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
        i += n
    return " ".join(out)


@dataclass
class SyntheticCorpus:
    documents: list[tuple[Doc, list[dict]]]
    vocabularies: dict[str, Vocabulary]
    pages: int


def synthetic_corpus(pages: int, seed: int = 20240601, words: int = 300, noise: float = 0.02) -> SyntheticCorpus:
    """`pages` synthetic pages in documents of 1-20 pages (60 % Kazakh), with varied metadata."""
    rng = random.Random(seed)
    vocabularies = {"kaz": Vocabulary("kaz", seed + 1, 12000), "rus": Vocabulary("rus", seed + 2, 10000)}
    authors = [f"{rng.choice('АБДЕЖКМНСТ')}. {vocabularies['kaz'].band(200, 3000)[i * 7][0].capitalize()}ов"
               for i in range(300)]
    documents: list[tuple[Doc, list[dict]]] = []
    made = 0
    doc_id = 0
    while made < pages:
        doc_id += 1
        roll, kind, span = rng.random(), KINDS[-1][0], KINDS[-1][2]
        for name, share, pages_span in KINDS:
            if roll < share:
                kind, span = name, pages_span
                break
            roll -= share
        count = min(span[0] + int(rng.random() * (span[1] - span[0] + 1)), pages - made)
        language = "kaz" if rng.random() < 0.6 else "rus"
        year = 2025 - int((rng.random() ** 1.6) * 76)
        month, day = 1 + int(rng.random() * 12), 1 + int(rng.random() * 28)
        published = {"newspaper_article": f"{year}-{month:02d}-{day:02d}", "journal_article": f"{year}-{month:02d}"
                     }.get(kind, str(year))
        vocabulary = vocabularies[language]
        title = " ".join(vocabulary.words(rng, 3 + int(rng.random() * 5))).capitalize()
        rubrics = sorted({RUBRICS[int(rng.random() ** 1.3 * len(RUBRICS))] for _ in range(1 + int(rng.random() * 3))})
        source = SOURCES[int(rng.random() ** 1.2 * len(SOURCES))] if kind in ("newspaper_article", "journal_article") \
            else None
        document = Doc(doc_id, title, [authors[int(rng.random() * len(authors))] for _ in range(int(rng.random() * 3))],
                       source, rubrics, kind, language, published, "open" if rng.random() < 0.8 else "on_request")
        page_list = []
        for number in range(1, count + 1):
            roll = rng.random()
            page_language = language if roll < 0.95 else (None if roll < 0.97 else ("rus" if language == "kaz" else "kaz"))
            words_here = max(60, int(words * (0.6 + rng.random() * 0.8)))
            text = page_text(vocabularies[page_language or language], rng, words_here, noise,
                             title if number == 1 else "")
            page_list.append({"number": number, "text": text, "language": page_language})
        documents.append((document, page_list))
        made += count
    return SyntheticCorpus(documents, vocabularies, made)


# --------------------------------------------------------------------------------------------
# speed

WRITERS = {"bulk": True, "olke": False}   # the writer of `olke index rebuild`; the one of ingest and edits


def directory_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2 ** 20, 1)


def build_index(corpus: SyntheticCorpus, directory: Path, writer: str = "bulk", backend: str = "whoosh") -> dict:
    """Index `corpus` into `directory` with `replace_documents`; the timings (optimising is apart)."""
    index = new_index(directory, backend)
    log(f"search bench: indexing {corpus.pages} pages ({len(corpus.documents)} documents), {writer} writer, {backend}")
    started = time.perf_counter()
    count = index.replace_documents(corpus.documents, bulk=WRITERS[writer])
    indexed = time.perf_counter() - started
    segments = index.segment_count()
    log(f"search bench: {backend} indexed in {indexed:.0f} s ({count / indexed:.0f} pages/s, {segments} segment(s)), "
        f"{directory_mb(directory)} MB")
    in_index = sum(index.page_counts().values())
    if isinstance(index, WhooshIndex):
        index.ix.close()
    if in_index != corpus.pages:
        raise RuntimeError(f"the index holds {in_index} pages, not {corpus.pages}: the {writer} writer lost some")
    return {"writer": writer, "pages": count, "documents": len(corpus.documents),
            "index_seconds": round(indexed, 1), "segments": segments,
            "pages_per_second": round(count / indexed, 1), "index_mb": directory_mb(directory)}


def optimize_index(directory: Path) -> dict:
    index = WhooshIndex(directory)
    segments = index.segment_count()
    started = time.perf_counter()
    index.optimize()
    took = time.perf_counter() - started
    log(f"search bench: optimised {segments} segment(s) into {index.segment_count()} in {took:.0f} s")
    index.ix.close()
    return {"segments_before": segments, "optimize_seconds": round(took, 1), "index_mb": directory_mb(directory)}


def make_queries(corpus: SyntheticCorpus, count: int, seed: int = 7, frequent: int | None = None
                 ) -> dict[str, list[SearchRequest]]:
    """`count` requests of each type, seeded. Words come from lexemes ranked 300-6000 (content words
    found on 0.2-7 % of the pages); "term_frequent" takes lexemes ranked 20-200 (10-40 %) as a worst case."""
    rng = random.Random(seed)

    def word(band=(300, 6000), language=None):
        language = language or ("kaz" if rng.random() < 0.6 else "rus")
        families = corpus.vocabularies[language].band(*band)
        forms = families[int(rng.random() * len(families))]
        return forms[int(rng.random() * len(forms))], language

    def phrase():
        while True:
            document, pages = corpus.documents[int(rng.random() * len(corpus.documents))]
            page = pages[int(rng.random() * len(pages))]
            tokens = page["text"].split()
            i = int(rng.random() * (len(tokens) - 1))
            pair = [re.sub(r"[^\w-]", "", t) for t in tokens[i:i + 2]]
            vocabulary = corpus.vocabularies[page["language"] or document.language]
            if all(p and not p.isdigit() and vocabulary.rank_of_form.get(p.lower(), 0) > 20 for p in pair):
                return '"' + " ".join(pair) + '"'

    def content_words(least: int) -> tuple[str, list[str]]:
        """A random page's language and its distinct content words (lexemes ranked 300-6000), from
        the first page drawn that has at least `least` of them."""
        while True:
            document, pages = corpus.documents[int(rng.random() * len(corpus.documents))]
            page = pages[int(rng.random() * len(pages))]
            language = page["language"] or document.language
            vocabulary = corpus.vocabularies[language]
            tokens = [re.sub(r"[^\w-]", "", t).lower() for t in page["text"].split()]
            chosen = list(dict.fromkeys(t for t in tokens if 300 <= vocabulary.rank_of_form.get(t, 0) <= 6000))
            if len(chosen) >= least:
                return language, chosen

    def partial():
        """Three words, two of them from one page and one from the other language: pages with
        most of the words, rarely with all of them (ranked partial matching)."""
        language, chosen = content_words(2)
        first, second = rng.sample(chosen, 2)
        return f"{first} {second} {word(language='rus' if language == 'kaz' else 'kaz')[0]}"

    def question():
        """A question of seven words as a reader types it: three from one page, three more of its
        language from anywhere, a question word, a question mark; pages with a few of the words,
        and many with one, when few have half of them."""
        language, chosen = content_words(3)
        words = rng.sample(chosen, 3) + [word(language=language)[0] for _ in range(3)]
        words.insert(int(rng.random() * 7), "қандай" if language == "kaz" else "какой")
        return " ".join(words) + "?"

    def damaged():
        while True:
            form, _ = word()
            wrong = damage_word(form, rng, start=2)
            if wrong != form and len(form) >= 5:
                return wrong

    queries: dict[str, list[SearchRequest]] = {"term": [], "and": [], "phrase": [], "partial": [], "fuzzy": [],
                                               "faceted": [], "term_frequent": []}
    for i in range(count):
        queries["term"].append(SearchRequest(text=word()[0]))
        first, language = word()
        queries["and"].append(SearchRequest(text=f"{first} {word(language=language)[0]}"))
        queries["phrase"].append(SearchRequest(text=phrase()))
        queries["partial"].append(SearchRequest(text=partial()))
        queries["fuzzy"].append(SearchRequest(text=damaged()))
        text, language = word()
        facet = {"kind": KINDS[i % 4][0]} if i % 2 else {"language": language}
        queries["faceted"].append(SearchRequest(text=text, **facet))
        queries["term_frequent"].append(SearchRequest(text=word(band=(20, 200))[0]))
    queries["term_frequent"] = queries["term_frequent"][:count if frequent is None else frequent]
    rng = random.Random(seed + 1)        # (drawn apart: the other types' queries stay as they were)
    queries["question"] = [SearchRequest(text=question()) for _ in range(count)]
    return queries


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    out = run()
    return (time.perf_counter() - started) * 1000, out


def _core(index, request: SearchRequest):
    """The query core: the request planned and evaluated over the index (every match found and
    scored, with the words each page has where pages with some of them count), as ``search()``
    begins (``matching.evaluate``); what it adds (grouping by document, ranking, facets, stored
    fields, snippets) is the rest of the whole path. On tantivy: the query planned and translated,
    and every match counted by document (``tantivy_index.core``)."""
    if not isinstance(index, WhooshIndex):
        return tantivy_index.core(index, request)
    with index.searcher() as searcher:
        return matching.evaluate(searcher, request, engine.view(searcher)).matches


def _best_page(index, matches) -> tuple[str, str | None] | None:
    """The text and language of the best matching page (what the viewer opens first)."""
    if not isinstance(index, WhooshIndex):
        snapshot, taken, count = matches
        hits = next((found for tier in taken.tiers if (found := snapshot.hits(tier, 1))), []) if count else []
        if not hits:
            return None
        stored = snapshot.stored(hits[0][1])
        return stored.get("exact", ""), stored.get("page_language") or stored.get("language")
    if not len(matches):
        return None
    with index.searcher() as searcher:
        stored = whoosh_internals.page_fields(searcher.reader())(int(matches.ids[int(np.argmax(matches.scores))]))
    return stored.get("exact", ""), stored.get("page_language") or stored.get("language")


def _viewer(index, text: str, page: tuple[str, str | None]) -> int:
    """What the page viewer does for a query: the terms to mark (from the query and the lexicon),
    the OCR text marked and the words' boxes (each word given a made-up box)."""
    page_text, language = page
    terms = index.highlight_terms(text, [language])
    viewer.marked_paragraphs(page_text, language, terms)
    words = [[word, 0.1, 0.1, 0.2, 0.2, 90] for word in page_text.split()]
    return len(viewer.boxes(words, language, terms))


def _stats(timings: list[float], prefix: str = "") -> dict:
    if not timings:
        return {}
    return {f"{prefix}p50_ms": round(_percentile(timings, 0.5), 1), f"{prefix}p95_ms": round(_percentile(timings, 0.95), 1)}


def measure_latency(directory: Path, queries: dict[str, list[SearchRequest]], profile: bool = False,
                    warmup: int = 5, backend: str = "whoosh") -> dict:
    """Warm p50/p95 per query type of the whole results path, ``search()`` (``p50_ms``, ``p95_ms``),
    beside the query core alone (``core_*``: the query built and evaluated) and the page viewer's
    highlighting of the best page (``viewer_*``); each request is timed the three ways in turn,
    so that load on the machine falls on all three alike. The first `warmup` queries of each type
    are run once untimed (opening the index, filling the OS cache and the stemmers' caches)."""
    return measure_side_by_side({backend: directory}, queries, profile, warmup)[backend]


def measure_side_by_side(directories: dict[str, Path], queries: dict[str, list[SearchRequest]],
                         profile: bool = False, warmup: int = 5) -> dict[str, dict]:
    """`measure_latency` for each engine's index (by backend name), every request timed on each
    engine in turn (alternating which goes first), so that load on the machine falls on all alike."""
    indexes = {backend: new_index(directory, backend) for backend, directory in directories.items()}
    started = time.perf_counter()
    spelling.warm_up()                  # as `olke serve` does when it starts
    for kind, requests in queries.items():
        for request in requests[:warmup]:
            for index in indexes.values():
                index.search(request)
                matches = _core(index, request)
                page = _best_page(index, matches)
                if page and request.text:
                    _viewer(index, request.text, page)
    log(f"search bench: warm-up {time.perf_counter() - started:.1f} s")
    results: dict[str, dict] = {backend: {} for backend in indexes}
    profiles = {}
    for kind, requests in queries.items():
        timed = {backend: {"whole": [], "core": [], "viewer": [], "matched": []} for backend in indexes}
        profiler = cProfile.Profile() if profile else None
        order = list(indexes)
        for number, request in enumerate(requests):
            for backend in (order if number % 2 == 0 else order[::-1]):
                index, into = indexes[backend], timed[backend]
                took, matches = _timed(lambda: _core(index, request))
                into["core"].append(took)
                if profiler:
                    profiler.enable()
                took, found = _timed(lambda: index.search(request))
                if profiler:
                    profiler.disable()
                into["whole"].append(took)
                into["matched"].append(found.total_pages)
                page = _best_page(index, matches)
                if page and request.text:
                    into["viewer"].append(_timed(lambda: _viewer(index, request.text, page))[0])
        for backend, into in timed.items():
            timings, core, shown, matched = into["whole"], into["core"], into["viewer"], into["matched"]
            p50, core_p50 = _percentile(timings, 0.5), _percentile(core, 0.5)
            results[backend][kind] = r = {
                "queries": len(timings), "p50_ms": round(p50, 1),
                "p95_ms": round(_percentile(timings, 0.95), 1), "max_ms": round(max(timings), 1),
                "mean_ms": round(statistics.fmean(timings), 1),
                **_stats(core, "core_"), "whole_over_core_p50": round(p50 / max(core_p50, 1e-3), 2),
                **_stats(shown, "viewer_"),
                "median_matched_pages": int(statistics.median(matched)), "max_matched_pages": max(matched),
                "examples": [q.text + (f" [{q.kind or q.language}]" if q.kind or q.language else "")
                             for q in requests[:3]]}
            log(f"search bench: {backend:8} {kind:14} core p50 {r['core_p50_ms']:6.1f} p95 {r['core_p95_ms']:6.1f} ms | "
                f"search() p50 {r['p50_ms']:6.1f} p95 {r['p95_ms']:6.1f} ms | viewer p50 {r.get('viewer_p50_ms', 0):5.1f} "
                f"p95 {r.get('viewer_p95_ms', 0):5.1f} ms  (median {r['median_matched_pages']} pages matched)")
        if profiler:
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(30)
            profiles[kind] = stream.getvalue()
    for index in indexes.values():
        if isinstance(index, WhooshIndex):
            index.ix.close()
    if profile:
        for kind, text in profiles.items():
            log(f"\n===== cProfile, {kind} =====\n{text}")
    return results


def compare(latency: dict[str, dict]) -> dict:
    """Whoosh's times over tantivy's, per query type (how many times faster tantivy answers)."""
    whoosh, tantivy = latency["whoosh"], latency["tantivy"]
    out = {}
    for kind in whoosh:
        out[kind] = {f"{what}_{p}": round(whoosh[kind][f"{prefix}{p}_ms"] / max(tantivy[kind][f"{prefix}{p}_ms"], 1e-3), 1)
                     for what, prefix in (("search", ""), ("core", "core_")) for p in ("p50", "p95")}
        log(f"search bench: whoosh/tantivy {kind:14} search() p50 {out[kind]['search_p50']:5.1f}x "
            f"p95 {out[kind]['search_p95']:5.1f}x | core p50 {out[kind]['core_p50']:5.1f}x p95 {out[kind]['core_p95']:5.1f}x")
    return out


TARGETS = {"pages_per_second": ">= 200", "term_p95_ms": "<= 50", "and_p95_ms": "<= 50",
           "phrase_p95_ms": "<= 50", "faceted_p95_ms": "<= 50 (term + filter, with facets)",
           "partial_p95_ms": "<= 100", "question_p95_ms": "<= 100 (a partial match of seven words)",
           "fuzzy_p95_ms": "<= 150",
           "whole_over_core": "search() p50 <= 2x the query core's, every type but term_frequent"}


def _generated(pages: int) -> tuple[SyntheticCorpus, int, float]:
    """The synthetic corpus, its number of words and the seconds it took to generate."""
    started = time.perf_counter()
    log(f"search bench: generating {pages} synthetic pages")
    corpus = synthetic_corpus(pages)
    generated = time.perf_counter() - started
    words = sum(len(p["text"].split()) for _, ps in corpus.documents for p in ps)
    log(f"search bench: generated in {generated:.0f} s ({words / corpus.pages:.0f} words a page)")
    return corpus, words, generated


def _workplace(keep: Path | None, reuse: bool, indexes) -> tuple[Path, bool]:
    """The directory to build in (`keep`, or a new temporary one) and whether the indexes kept
    there (``indexes(directory)``) are reused: only with `reuse` and when they all exist; a kept
    directory not reused is emptied."""
    base = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="olke-speed-"))
    reuse = bool(reuse and keep and all(d.exists() for d in indexes(base)))
    if keep and base.exists() and not reuse:
        shutil.rmtree(base)
    return base, reuse


def speed(pages: int = 100_000, writer: str = "bulk", queries: int = 60, profile: bool = False,
          keep: Path | None = None, reuse: bool = False, frequent: int | None = None,
          optimize: bool = True, backend: str = "whoosh") -> dict:
    """Generate, index, time the queries; then (unless not `optimize`) merge the index into one
    segment and time them again. With `keep` the index stays in that directory; with `reuse` too,
    an index kept there before (same `pages`) is queried again without rebuilding. `backend`
    "tantivy" times that engine instead, "both" the two side by side (`speed_side_by_side`)."""
    if backend == "both":
        return speed_side_by_side(pages, writer, queries, profile, keep, reuse, frequent, optimize)
    started = time.perf_counter()
    corpus, words, generated = _generated(pages)
    directory, reuse = _workplace(keep, reuse, lambda base: [base])
    optimized = latency_optimized = None
    try:
        if reuse:
            log(f"search bench: reusing the index in {directory}")
            indexing = {"reused": str(directory), "index_mb": directory_mb(directory)}
        else:
            indexing = build_index(corpus, directory, writer, backend)
        requests = make_queries(corpus, queries, frequent=frequent)
        del corpus
        latency = measure_latency(directory, requests, profile, backend=backend)
        if optimize and backend == "whoosh" and WhooshIndex(directory).segment_count() > 1:
            optimized = optimize_index(directory)
            latency_optimized = measure_latency(directory, requests, profile)
    finally:
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
    met = {"pages_per_second": indexing["pages_per_second"] >= 200 if "pages_per_second" in indexing else None,
           **{f"{k}_p95_ms": latency[k]["p95_ms"] <= 50 for k in ("term", "and", "phrase", "faceted")},
           "partial_p95_ms": latency["partial"]["p95_ms"] <= 100, "question_p95_ms": latency["question"]["p95_ms"] <= 100,
           "fuzzy_p95_ms": latency["fuzzy"]["p95_ms"] <= 150,
           "whole_over_core": all(v["whole_over_core_p50"] <= 2 for k, v in latency.items() if k != "term_frequent")}
    return {"backend": backend, "pages": pages, "words_per_page": round(words / pages),
            "generate_seconds": round(generated, 1),
            "indexing": indexing, "latency": latency, "optimized": optimized,
            "latency_after_optimize": latency_optimized, "targets": TARGETS, "met": met,
            "cpu_count": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "total_seconds": round(time.perf_counter() - started, 1)}


def speed_side_by_side(pages: int = 100_000, writer: str = "bulk", queries: int = 60, profile: bool = False,
                       keep: Path | None = None, reuse: bool = False, frequent: int | None = None,
                       optimize: bool = True) -> dict:
    """Both engines on the same pages and requests in one run: each indexes the corpus (Whoosh's
    index merged into one segment unless not `optimize`, as tantivy's bulk writer leaves one), then
    every request is timed on both in turn, and Whoosh's times over tantivy's are reported
    (``ratios``: load on the machine falls on both alike, so the ratios hold where times vary)."""
    started = time.perf_counter()
    corpus, words, generated = _generated(pages)
    base, reuse = _workplace(keep, reuse, lambda base: [base / backend for backend in BACKENDS])
    directories = {backend: base / backend for backend in BACKENDS}
    indexing, optimized = {}, None
    try:
        for backend, directory in directories.items():
            if reuse:
                indexing[backend] = {"reused": str(directory), "index_mb": directory_mb(directory)}
            else:
                indexing[backend] = build_index(corpus, directory, writer, backend)
        if optimize and WhooshIndex(directories["whoosh"]).segment_count() > 1:
            optimized = optimize_index(directories["whoosh"])
            indexing["whoosh"]["index_mb_optimized"] = optimized["index_mb"]
        requests = make_queries(corpus, queries, frequent=frequent)
        del corpus
        latency = measure_side_by_side(directories, requests, profile)
    finally:
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
    ratios = compare(latency)
    if "pages_per_second" in indexing["whoosh"]:
        ratios["indexing_pages_per_second"] = round(indexing["tantivy"]["pages_per_second"]
                                                    / indexing["whoosh"]["pages_per_second"], 1)
    ratios["index_size"] = round(indexing["whoosh"].get("index_mb_optimized", indexing["whoosh"]["index_mb"])
                                 / max(indexing["tantivy"]["index_mb"], 0.1), 1)
    ratios["p95_at_least_3x"] = {kind: r["search_p95"] >= 3 for kind, r in ratios.items() if isinstance(r, dict)}
    return {"backend": "both", "pages": pages, "words_per_page": round(words / pages),
            "generate_seconds": round(generated, 1), "indexing": indexing, "optimized": optimized,
            "latency": latency, "ratios": ratios, "target": "tantivy's search() p95 at least 3x faster than Whoosh's",
            "cpu_count": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "total_seconds": round(time.perf_counter() - started, 1)}


# --------------------------------------------------------------------------------------------

def run(pages: int | None = None, writer: str = "bulk", queries: int | None = None, profile: bool = False,
        only: str | None = None, keep: Path | None = None, reuse: bool = False,
        frequent: int | None = None, optimize: bool = True, backend: str = "whoosh") -> dict:
    """Both parts, as a JSON-serialisable dict (what ``bench/run.py`` stores under "search").
    ``pages`` defaults to ``OLKE_BENCH_PAGES`` or 100 000, ``queries`` to ``OLKE_BENCH_QUERIES``."""
    pages = pages or int(os.environ.get("OLKE_BENCH_PAGES", "100000"))
    queries = queries or int(os.environ.get("OLKE_BENCH_QUERIES", "60"))
    out: dict = {}
    if only in (None, "relevance"):
        log("search bench: relevance over the sample pages (Olke vs plain Whoosh StandardAnalyzer)")
        out["relevance"] = relevance()
        olke, baseline = out["relevance"]["olke"], out["relevance"]["baseline"]
        log(f"search bench: {'category':18} {'queries':>7}  {'R@10 olke/whoosh':>16}  {'MRR olke/whoosh':>15}  "
            f"{'nDCG@10 olke/whoosh':>19}")
        for c, v in olke.items():
            w = baseline[c]
            log(f"search bench: {c:18} {v['queries']:>7}  {v['recall@10']:>7.3f} / {w['recall@10']:.3f}  "
                f"{v['mrr']:>6.3f} / {w['mrr']:.3f}  {v['ndcg@10']:>10.3f} / {w['ndcg@10']:.3f}")
    if only in (None, "questions"):
        from bench import question_bench

        log("search bench: questions typed as written (KazQAD, bench/question_bench.py)")
        out["questions"] = question_bench.measure(backend if backend != "both" else "whoosh")
    if only in (None, "speed"):
        out["speed"] = speed(pages, writer, queries, profile, keep, reuse, frequent, optimize, backend)
    return out


def judge() -> None:
    """Print every sample page, clean and as damaged, for judging the query set by reading."""
    clean, damaged = sample_corpus("clean"), sample_corpus("ocr")
    for (_, pages, slug), (_, bad, _) in zip(clean, damaged):
        for page, worse in zip(pages, bad):
            print(f"===== {slug}:{page['number']} ({page['language']})\n{page['text']}\n----- ocr\n{worse['text']}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=None, help="synthetic pages to index (default 100000)")
    parser.add_argument("--only", choices=("relevance", "questions", "speed"), help="run one part only")
    parser.add_argument("--writer", choices=tuple(WRITERS), default="bulk",
                        help="bulk: the writer of `olke index rebuild`; olke: the one of ingest and edits")
    parser.add_argument("--queries", type=int, default=60, help="queries of each type (default 60)")
    parser.add_argument("--frequent", type=int, default=None,
                        help="queries of the extra worst-case type term_frequent (default: as --queries)")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed queries, to stderr")
    parser.add_argument("--keep", type=Path, help="build the index in this directory and keep it")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: query the index kept there by an earlier run (same --pages) "
                             "instead of rebuilding it")
    parser.add_argument("--no-optimize", dest="optimize", action="store_false",
                        help="time the index as built (one segment per core) only, without merging it")
    parser.add_argument("--backend", choices=(*BACKENDS, "both"), default="whoosh",
                        help="the search engine timed (speed part): whoosh, tantivy, or both side by side")
    parser.add_argument("--out", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--judge", action="store_true", help="print the sample pages (clean and damaged) and stop")
    args = parser.parse_args()
    if args.judge:
        judge()
        return
    results = run(args.pages, args.writer, args.queries, args.profile, args.only, args.keep, args.reuse,
                  args.frequent, args.optimize, args.backend)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
