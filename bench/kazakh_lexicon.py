"""Write archive/search/kazakh_lexicon.tsv.gz, the word lists the Kazakh stemmer reads, from Apertium's
Kazakh lexicon.

    git clone https://github.com/apertium/apertium-kaz
    python bench/kazakh_lexicon.py apertium-kaz/apertium-kaz.kaz.lexc [--commit HASH]

Each word with its kinds, one letter each: `n` a noun, adjective or name, `o` another word that is
no verb (adverb, pronoun, postposition, …), `v` a verb stem, `a` an adjective in -ды/-ді/-ты/-ті
(сенімді, қымбатты, күшті) whose base is no verb in the lexicon (not түсті, етті, келісті, where
the past tense is the common reading), and `p` a name of a place or person that is no other word
of the lexicon and that the stemmer's suffix rules would not read as a form of a listed word
(Семей, Өскемен, Қызылорда, Мұхтар: kept whole; not Болған, Сақтар, read as бол+ған, сақ+тар).
The `p` kind is read with the stemmer of this checkout (its rules and the other kinds): write the
list again when the rules change. The stemmer uses them where its suffix rules alone cannot
choose (issue 15; archive/search/kazakh.py says how): маманы is маман+ы, not мама+ны, as маман is
a noun ending in a vowel and н; сенімді is an adjective, not the accusative of сенім; жаным is
жан+ым; мойн(ы) is мойын; бара is бар+а; жаз+у (to write) is not жаз (summer).

Words are lower-cased and folded as Olke folds text (ё → е, һ → х); only Cyrillic words. The
lexicon is licensed under the GPL, version 3 (its COPYING); the list written is a derived work under
that licence, kept in its own file and read as data by the stemmer, and says so in its header.
"""
from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "archive" / "search" / "kazakh_lexicon.tsv.gz"
ENTRY = re.compile(r"\s*([^\s!:%<>]+):(\S+)\s+([A-Za-z0-9-]+)\s*;")
FOLD = str.maketrans({"ё": "е", "һ": "х"})
WORD = re.compile(r"[а-яәғқңөұүхі]{2,}")      # two letters: the verbs ет, ал, кел
NOMINAL = ("N", "A")                      # N1, N5, NP-*, A1-A6 (not ADV)
ADJECTIVE = ("A1", "A2", "A3", "A4", "A6")


def classes(lexc: Path) -> dict[str, set[str]]:
    """Each entry's lexicon classes (N1, A1, V-TV, NP-TOP, …) by its folded, lower-case stem."""
    found: dict[str, set[str]] = defaultdict(set)
    for line in lexc.read_text(encoding="utf-8").splitlines():
        match = ENTRY.match(line)
        if match:
            word = match.group(1).lower().translate(FOLD)
            if WORD.fullmatch(word):
                found[word].add(match.group(3))
    return found


def kinds(found: dict[str, set[str]]) -> dict[str, str]:
    """word -> its kinds: n a noun, adjective or name, o another word that is no verb (adverb,
    pronoun, postposition, …; both three letters or more), v a verb stem, a an adjective in
    -ды/-ді/-ты/-ті whose base is no verb."""
    verbs = {w for w, c in found.items() if any(x.startswith("V-") for x in c)}
    out: dict[str, str] = {}
    for word, lexicon_classes in sorted(found.items()):
        nominal = len(word) > 2 and any(c.startswith(NOMINAL) and not c.startswith("ADV") for c in lexicon_classes)
        other = len(word) > 2 and not nominal and any(not c.startswith("V") for c in lexicon_classes)
        of = ("n" if nominal else "") + ("o" if other else "") + ("v" if word in verbs else "")
        if (nominal and word.endswith(("ды", "ді", "ты", "ті")) and any(c.startswith(ADJECTIVE) for c in lexicon_classes)
                and not {word[:-2], word[:-2] + "ы", word[:-2] + "і"} & verbs):
            of += "a"
        if of:
            out[word] = of
    return out


def names(found: dict[str, set[str]], listed: dict[str, str]) -> set[str]:
    """The names (NP-*) of the lexicon that are no other word of it, less those the stemmer reads as
    a form of a listed word: its suffix rules, once, leave a word of the lexicon, two-letter ones
    too (болған: бол, жандар: жан, Судан: су+дан). The stemmer keeps the others whole (Семей, not
    се+й)."""
    sys.path.insert(0, str(ROOT))
    from archive.search import kazakh

    pure = {word for word, of in found.items() if of and all(c.startswith("NP") for c in of) and len(word) > 2}
    known = {word for word, kinds in listed.items() if set(kinds) & set("nov")}
    short = {word for word, of in found.items() if len(word) == 2 and any(not c.startswith("NP") for c in of)}

    def a_form(word: str) -> bool:
        cut = kazakh._strip_once(kazakh._loanword(kazakh._normalise(word)), 0)
        return cut is not None and (cut[0] in kazakh.WORDS or cut[0] in kazakh.VERBS or cut[0] in known
                                    or cut[0] in short)
    return {word for word in pure if kazakh.CYRILLIC.issuperset(word) and not a_form(word)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lexc", type=Path, help="apertium-kaz.kaz.lexc")
    parser.add_argument("--commit", default="", help="the apertium-kaz commit it was read at")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    found_classes = classes(args.lexc)
    found = kinds(found_classes)
    for word in names(found_classes, found):
        found[word] += "p"
    header = [
        "# Word lists of the Kazakh stemmer (archive/search/kazakh.py), written by bench/kazakh_lexicon.py.",
        "# Source: Apertium's Kazakh lexicon, https://github.com/apertium/apertium-kaz, file apertium-kaz.kaz.lexc",
        f"#   commit {args.commit or 'unknown'}.",
        "# Licence: GNU General Public License version 3 (GPL-3.0, the repository's COPYING),",
        "#   https://www.gnu.org/licenses/gpl-3.0.html . This file is a derived work under that licence,",
        "#   kept in a file of its own: Olke's code reads it as data, and keeps its own licence.",
        "# Kinds: n = a noun, adjective or name; o = another word that is no verb (adverb, pronoun, …);",
        "#   (both three letters or more); v = a verb stem;",
        "#   a = an adjective in -ды/-ді/-ты/-ті whose base is no verb (kept apart from its base);",
        "#   p = a name that is no other word and no form of one by the stemmer's rules (kept whole).",
        "# word\tkinds",
    ]
    rows = [f"{word}\t{of}" for word, of in found.items()]
    text = ("\n".join(header + rows) + "\n").encode("utf-8")
    args.out.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))     # the same bytes each time
    counts = {kind: sum(letter in of for of in found.values())
              for kind, letter in (("nominal", "n"), ("other", "o"), ("verb", "v"), ("adjective", "a"), ("name", "p"))}
    print(f"{args.out}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
