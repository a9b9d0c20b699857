"""The Kazakh stemmer measured on gold word forms with their lemmas (bench/data/kazakh_gold.tsv).

    python bench/stemmer_report.py [--old REV] [--split heldout|tune|all] [--misses N] [--merged]

The gold list comes from the UD Kazakh-KTB treebank (CC BY-SA 4.0; source, commit and licence in
the data file's header): every form of a noun, proper noun, adjective or verb with its lemma and
part of speech. Lemmas were split once, by a hash of the lemma, into `tune` (about 60%: the stemmer
was tuned looking at these) and `heldout` (about 40%: looked at only through the figures), so
every form of a lemma falls in one split. (When the stemmer of issue 15 was written, the held-out
misses were printed a few times along the way, after the rules were set on the tune split: its
figures are a fair check, not a pristine one.) Measures, over distinct (form, lemma) pairs:

- conflation of nouns / verbs / adjectives / proper nouns: the share of forms that differ from
  their lemma whose stem equals the lemma's stem. A verb's lemma is taken in its dictionary form,
  the infinitive (KTB gives the bare stem, сақта, which reads as the locative of the noun сақ:
  сақтау is what a dictionary and a user write); KTB's verb lemma also drops voice (сатылып → сат),
  so a passive counts as a form of its active verb. Left out: the defective copula е- (еді, екен,
  емес, and the personal endings KTB writes as tokens of it: мын, міз), which has no infinitive
  and is a word of its own for search;
- merging: among distinct lemmas (verbs as infinitives) that share their first four letters
  (within the split), the share of pairs given one stem (жоспар and жоспарлау, ақыл and ақылды
  count as distinct, as the gold says), leaving out pairs the gold itself relates, one being
  listed as a form of the other (бала and баласы, жасау and жасаған).

`report()` returns these as a dict for the main bench; `--old REV` also measures the stemmer as it
was at git revision REV (read with `git show`, nothing checked out), by default the revision before
the stemmer's rewrite. Speed: tokens per second of `stem` over the gold forms, uncached.
`--misses N` and `--merged` list the misses and the merged pairs of lemmas, on the tune split
unless `--split` names another: rules are set looking at `tune`, `heldout` is read as figures.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "bench" / "data" / "kazakh_gold.tsv"
OLD_REVISION = "586f6a0"          # main before the stemmer of issue 15, item 3
POS = ("NOUN", "VERB", "ADJ", "PROPN")
TARGETS = {"conflation_noun": 0.95, "conflation_verb": 0.80, "merging": 0.05}   # merging: at most

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def read_gold(path: Path = GOLD) -> list[tuple[str, str, str, int, str]]:
    """(form, lemma, pos, count, split) rows, lower case and folded as Olke folds (ё → е)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            form, lemma, pos, count, split = line.split("\t")
            rows.append((form, lemma, pos, int(count), split))
    return rows


def infinitive(stem: str) -> str:
    """The dictionary form of a KTB verb lemma: оқы → оқу, сүй → сүю, ки → кию, бар → бару."""
    if stem[-1] in "ыі" and len(stem) > 2:
        return stem[:-1] + "у"
    if stem[-1] == "й":
        return stem[:-1] + "ю"
    if stem[-1] == "и":
        return stem + "ю"
    return stem + "у"


def _lemma(lemma: str, pos: str) -> str:
    return infinitive(lemma) if pos == "VERB" else lemma


COPULA = "е"


def _select(rows, split: str):
    return [row for row in rows if (split == "all" or row[4] == split) and not (row[2] == "VERB" and row[1] == COPULA)]


def conflation(rows, stem: Callable[[str], str], pos: str,
               bare: bool = False) -> tuple[float, int, list[tuple[str, str]]]:
    """Share of inflected forms (form ≠ lemma) of `pos` that get their lemma's stem, the count, the
    misses; with `bare`, a verb's lemma as KTB writes it (the bare stem) rather than its infinitive."""
    pairs = [(form, lemma if bare else _lemma(lemma, p)) for form, lemma, p, _, _ in rows
             if p == pos and form not in (lemma, _lemma(lemma, p))]
    misses = [(form, lemma) for form, lemma in pairs if stem(form) != stem(lemma)]
    return (1 - len(misses) / len(pairs) if pairs else 1.0), len(pairs), misses


def merging(rows, stem: Callable[[str], str]) -> tuple[float, int, list[tuple[str, str]]]:
    """Share of pairs of distinct lemmas sharing their first four letters that get one stem."""
    by_prefix = defaultdict(set)
    for _, lemma, pos, _, _ in rows:
        lemma = _lemma(lemma, pos)
        if len(lemma) >= 4:
            by_prefix[lemma[:4]].add(lemma)
    related = {(form, _lemma(lemma, pos)) for form, lemma, pos, _, _ in rows}
    pairs = [(a, b) for lemmas in by_prefix.values() for a, b in combinations(sorted(lemmas), 2)
             if (a, b) not in related and (b, a) not in related]
    merged = [(a, b) for a, b in pairs if stem(a) == stem(b)]
    return (len(merged) / len(pairs) if pairs else 0.0), len(pairs), merged


def tokens_per_second(stem: Callable[[str], str], rows, repeat: int = 3) -> float:
    """Uncached speed: every gold form once per round (the lru_cache, if any, is bypassed)."""
    raw = getattr(stem, "__wrapped__", stem)
    words = [form for form, *_ in rows] + [lemma for _, lemma, *_ in rows]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for word in words:
            raw(word)
        best = min(best, time.perf_counter() - start)
    return len(words) / best


def report(stem: Callable[[str], str] | None = None, splits=("heldout", "all"), path: Path = GOLD,
           speed: bool = True) -> dict:
    """The figures as a dict: {split: {conflation_noun, …, merging, …, met}, tokens_per_second}."""
    if stem is None:
        from archive.search.kazakh import stem
    rows = read_gold(path)
    out: dict = {"gold": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
                 "targets": dict(TARGETS)}
    for split in splits:
        chosen = _select(rows, split)
        figures: dict = {}
        for pos in POS:
            rate, count, _ = conflation(chosen, stem, pos)
            figures[f"conflation_{pos.lower()}"] = round(rate, 4)
            figures[f"forms_{pos.lower()}"] = count
        figures["conflation_verb_bare_lemma"] = round(conflation(chosen, stem, "VERB", bare=True)[0], 4)
        rate, count, _ = merging(chosen, stem)
        figures["merging"] = round(rate, 4)
        figures["lemma_pairs"] = count
        figures["met"] = (figures["conflation_noun"] >= TARGETS["conflation_noun"]
                          and figures["conflation_verb"] >= TARGETS["conflation_verb"]
                          and figures["merging"] <= TARGETS["merging"])
        out[split] = figures
    if speed:
        out["tokens_per_second"] = round(tokens_per_second(stem, rows))
    return out


def old_stemmer(revision: str = OLD_REVISION) -> Callable[[str], str] | None:
    """`stem` of archive/search/kazakh.py at a git revision, or None when git cannot show it."""
    try:
        source = subprocess.run(["git", "show", f"{revision}:archive/search/kazakh.py"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType(f"kazakh_{revision}")
    exec(compile(source, f"kazakh.py@{revision}", "exec"), module.__dict__)
    return module.stem


def _print(title: str, figures: dict, splits) -> None:
    print(title)
    for split in splits:
        f = figures[split]
        print(f"  {split:8}  nouns {f['conflation_noun']:.3f} ({f['forms_noun']} forms)   "
              f"verbs {f['conflation_verb']:.3f} ({f['forms_verb']})   "
              f"adjectives {f['conflation_adj']:.3f} ({f['forms_adj']})   "
              f"proper nouns {f['conflation_propn']:.3f} ({f['forms_propn']})   "
              f"merging {f['merging']:.3f} ({f['lemma_pairs']} pairs)   targets met: {f['met']}   "
              f"[verbs against KTB's bare stem: {f['conflation_verb_bare_lemma']:.3f}]")
    if "tokens_per_second" in figures:
        print(f"  speed     {figures['tokens_per_second']:,} tokens/s uncached")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default=OLD_REVISION, help="git revision of the old stemmer ('' for none)")
    parser.add_argument("--split", choices=("heldout", "tune", "all"), help="only this split")
    parser.add_argument("--misses", type=int, default=0, help="print up to N misses and merges per measure")
    parser.add_argument("--merged", action="store_true",
                        help="list every merged pair of lemmas with its stem, one a line")
    args = parser.parse_args(argv)
    splits = (args.split,) if args.split else ("heldout", "all")
    targets = (f"targets: nouns >= {TARGETS['conflation_noun']}, verbs >= {TARGETS['conflation_verb']}, "
               f"merging <= {TARGETS['merging']}")
    print(f"Kazakh stemmer on {GOLD.relative_to(ROOT)}; {targets}")
    from archive.search.kazakh import stem
    _print("new (archive/search/kazakh.py)", report(stem, splits), splits)
    old = old_stemmer(args.old) if args.old else None
    if old is not None:
        _print(f"old (git {args.old})", report(old, splits), splits)
    listed = args.split or "tune"        # lists look at the tune split unless told otherwise
    rows = _select(read_gold(), listed)
    if args.misses:
        for pos in POS:
            misses = conflation(rows, stem, pos)[2]
            print(f"\n{pos} misses on {listed} ({len(misses)}):",
                  " ".join(f"{f}>{stem(f)}|{l}>{stem(l)}" for f, l in misses[: args.misses]))
        merged = merging(rows, stem)[2]
        print(f"\nmerged lemmas on {listed} ({len(merged)}):",
              " ".join(f"{a}/{b}>{stem(a)}" for a, b in merged[: args.misses]))
    if args.merged:
        merged, pairs = merging(rows, stem)[2], merging(rows, stem)[1]
        print(f"\nmerged lemmas on {listed}: {len(merged)} of {pairs} pairs sharing four first letters")
        for a, b in sorted(merged, key=lambda pair: (stem(pair[0]), pair)):
            print(f"  {a:20} {b:20} -> {stem(a)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
