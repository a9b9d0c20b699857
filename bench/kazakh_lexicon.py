"""Write archive/search/kazakh_lexicon.tsv, the word lists the Kazakh stemmer reads, from Apertium's
Kazakh lexicon.

    git clone https://github.com/apertium/apertium-kaz
    python bench/kazakh_lexicon.py apertium-kaz/apertium-kaz.kaz.lexc [--commit HASH]

Two lists, each a class of words the stemmer's suffix rules alone cannot tell apart (issue 15):

- `whole`: nouns, adjectives and names whose stem ends in a vowel and н or с (маман, заман, өзен,
  облыс). Without a word list, маманы reads as мама+ны as well as маман+ы, so a final н or с after
  a vowel had to go and маман met мама;
- `adjective`: adjectives in -ды/-ді/-ты/-ті (сенімді, қымбатты, күшті), which read as the
  accusative of their base (сенім+ді) - except those whose base is also a verb in the lexicon
  (түсті, етті, келісті), where the past tense is far the more common reading.

Words are lower-cased and folded as Olke folds text (ё → е, һ → х); only Cyrillic words. The lexicon is licensed under the GPL, version 3 (its COPYING); the list written is a derived work under
that licence, kept in its own file and read as data by the stemmer, and says so in its header.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "archive" / "search" / "kazakh_lexicon.tsv"
ENTRY = re.compile(r"\s*([^\s!:%<>]+):(\S+)\s+([A-Za-z0-9-]+)\s*;")
FOLD = str.maketrans({"ё": "е", "һ": "х"})
WORD = re.compile(r"[а-яәғқңөұүхі]{2,}")      # two letters: the verbs ет, ал, кел
VOWELS = set("аәеиоөуұүыіэюя")
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


def lists(found: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    def nominal(word: str) -> bool:
        return any(c.startswith(NOMINAL) and not c.startswith("ADV") for c in found[word])

    verbs = {w for w, c in found.items() if any(x.startswith("V-") for x in c)}
    whole = sorted(w for w in found if len(w) > 2 and nominal(w) and w[-1] in "нс" and w[-2] in VOWELS)
    adjectives = sorted(
        w for w, c in found.items()
        if w.endswith(("ды", "ді", "ты", "ті")) and any(x.startswith(ADJECTIVE) for x in c)
        and not {w[:-2], w[:-2] + "ы", w[:-2] + "і"} & verbs)
    return whole, adjectives


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lexc", type=Path, help="apertium-kaz.kaz.lexc")
    parser.add_argument("--commit", default="", help="the apertium-kaz commit it was read at")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    whole, adjectives = lists(classes(args.lexc))
    header = [
        "# Word lists of the Kazakh stemmer (archive/search/kazakh.py), written by bench/kazakh_lexicon.py.",
        "# Source: Apertium's Kazakh lexicon, https://github.com/apertium/apertium-kaz, file apertium-kaz.kaz.lexc",
        f"#   commit {args.commit or 'unknown'}.",
        "# Licence: GNU General Public License version 3 (GPL-3.0, the repository's COPYING),",
        "#   https://www.gnu.org/licenses/gpl-3.0.html . This file is a derived work under that licence,",
        "#   kept apart from Olke's code, which reads it as data and does not change the licence of.",
        "# Kinds: whole = a noun, adjective or name whose stem ends in a vowel and н or с (kept whole);",
        "#   adjective = an adjective in -ды/-ді/-ты/-ті whose base is no verb (kept apart from its base).",
        "# word\tkind",
    ]
    rows = [f"{w}\twhole" for w in whole] + [f"{w}\tadjective" for w in adjectives]
    args.out.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(whole)} whole, {len(adjectives)} adjectives", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
