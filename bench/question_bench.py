"""Questions typed as written, on a public Kazakh question-answering set: does the page that answers
a question come among the first ten?

    python bench/question_bench.py [--backend whoosh|tantivy] [--data FILE] [--misses N] [--damage RATE]

The data (``bench/data/kazqad-validation.jsonl.gz``) is the validation split of KazQAD's reading
comprehension set: questions of the Kazakh Unified National Testing exam, each with the Kazakh
Wikipedia passage that answers it (Yeshpanov, Efimov, Boytsov, Shalkarbayuli and Braslavski,
LREC-COLING 2024; https://github.com/IS2AI/KazQAD, commit ab8684a, file
data/reading-comprehension/kazqad-reading-comprehension-v1.0-kk-validation.jsonl; licence Creative
Commons Attribution-ShareAlike 4.0, https://creativecommons.org/licenses/by-sa/4.0/). Kept: each
item's id, question, passage title and passage (the answers left out); the file is that data, not
Olke's code, and keeps its licence. KazQAD's test split was not used here: it stays unseen.

Every distinct passage is indexed as a one-page Kazakh document (its title as the document's
title); each question is asked as typed, punctuation and all. Reported: recall@10 (the share of
questions whose passage is among the first ten pages), MRR@10 and the share of questions that find
nothing; for Olke (its pages ranked as the results page ranks them) and for plain Whoosh
(``StandardAnalyzer``, ``QueryParser``) with its default AND and with OR.

``--damage RATE`` indexes the passages as a poor OCR would have read them (``search_bench.ocr_damage``:
look-alike letters substituted at about RATE of the letters that have one, seeded by passage), the
questions typed clean: how well the search finds damaged text, the stemmer's choices included.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.search_bench import BaselineEngine, Doc, OlkeEngine, log, ocr_damage, score  # noqa: E402

DATA = ROOT / "bench" / "data" / "kazqad-validation.jsonl.gz"


def load(path: Path = DATA, damage: float = 0.0) -> tuple[list[tuple[Doc, list[dict], str]], list[tuple[str, str]]]:
    """(the corpus: a document a distinct passage, as ``search_bench`` corpora are, its text damaged
    at `damage`; the questions with their passage's slug)."""
    corpus, slugs, questions = [], {}, []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            slug = slugs.get(item["context"])
            if slug is None:
                number = len(slugs) + 1
                slug = slugs[item["context"]] = f"passage-{number}"
                text = ocr_damage(item["context"], damage, seed=number) if damage else item["context"]
                corpus.append((Doc(number, item["title"], kind="journal_article", language="kaz"),
                               [{"number": 1, "text": text, "language": "kaz"}], slug))
            questions.append((item["question"], slug))
    return corpus, questions


def _figures(rows: list[tuple[float, float, bool]]) -> dict:
    """recall@10, MRR@10 and the share of questions that found nothing, from each question's
    (recall, reciprocal rank, nothing found)."""
    count = len(rows)
    return {"questions": count, "recall@10": round(sum(r[0] for r in rows) / count, 3),
            "mrr@10": round(sum(r[1] for r in rows) / count, 3),
            "no_result": round(sum(r[2] for r in rows) / count, 3)}


def measure(backend: str = "whoosh", path: Path = DATA, misses: int = 0, damage: float = 0.0) -> dict:
    corpus, questions = load(path, damage)
    started = time.perf_counter()
    olke, baseline = OlkeEngine(corpus, backend), BaselineEngine(corpus)
    log(f"question bench: {len(corpus)} passages indexed twice in {time.perf_counter() - started:.1f} s")
    rankers = {"olke": olke.ranked, "whoosh_and": baseline.ranked,
               "whoosh_or": partial(baseline.ranked, any_word=True)}
    rows: dict[str, list] = {name: [] for name in rankers}
    missed = []
    try:
        for question, slug in questions:
            for name, ranked in rankers.items():
                hits = ranked(question)
                recall, rr = score(hits, [(slug, 1)])
                rows[name].append((recall, rr, not hits))
                if name == "olke" and not recall:
                    missed.append(question)
    finally:
        olke.close()
        baseline.close()
    out = {name: _figures(found) for name, found in rows.items()}
    out["backend"], out["data"] = backend, str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    out["damage"] = damage
    for name in rankers:
        f = out[name]
        log(f"question bench: {name:10} recall@10 {f['recall@10']:.3f}  MRR@10 {f['mrr@10']:.3f}  "
            f"nothing found {f['no_result']:.3f}  ({f['questions']} questions)")
    for question in missed[:misses]:
        log(f"question bench: not in the first ten: {question}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("whoosh", "tantivy"), default="whoosh")
    parser.add_argument("--data", type=Path, default=DATA, help="a KazQAD reading-comprehension JSONL (.gz)")
    parser.add_argument("--misses", type=int, default=0, help="print up to N questions Olke missed")
    parser.add_argument("--damage", type=float, default=0.0, help="OCR-like damage of the passages (0.04: 4%% of letters)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.backend, args.data, args.misses, args.damage), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
