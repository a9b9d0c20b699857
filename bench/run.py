"""Olke's benchmarks, measured side by side in one run; writes bench/results.json.

    python bench/run.py [--only ocr|search|queue] [--quick] [--kinds 'hard-*,kaz-book-steppe']

OCR, on the same sample pages (scans/, the plain samples and each hard kind), per kind (one kind
is one sample) and overall: CER/WER and seconds per page of

- Olke's default: `olke ingest --workers 1` over the whole batch, start-up included;
- ocrmypdf by hand: img2pdf of the page images, then `ocrmypdf -l kaz+rus+eng --deskew --clean
  --rotate-pages --jobs 1`, the text read back with `pdftotext -raw`;
- plain `tesseract IMAGE - -l kaz+rus+eng`;

the verdicts Olke gave the pages (NULL: `unjudged`), the pages whose text is missing (CER over 50%)
that were judged `ok`, every page's CER and the worst page, the reading order of both PDFs' text
layers (`pdftotext` in its default mode), and the targets of issue 12. Then (not with --quick)
throughput with all cores and what each straightening/cleaning option of `olke ingest` costs and buys.

Queue (bench/queue_bench.py): pages per second through the queue with 1 and 2 `olke worker`s against
the local pool on the same documents (real tesseract), and a batch with a worker killed mid-way.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import jiwer

ROOT = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT / "scans"))
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))          # for `bench.search_bench` when run as bench/run.py
import samples  # noqa: E402

OLKE = [sys.executable, "-m", "cli"]
LANGUAGES = "kaz+rus+eng"
os.environ["OMP_THREAD_LIMIT"] = "1"
METHODS = ("olke", "by_hand", "plain")          # Olke's default, ocrmypdf by hand, plain tesseract
MISSING_TEXT = 0.5                              # a page above this CER has lost its text
TARGETS = {
    "olke_cer_at_most_by_hand_on_every_kind": "Olke's CER <= ocrmypdf by hand's, kind by kind",
    "no_page_above_1.5%": "no page's CER above 1.5% (Olke's default)",
    "no_missing_text_marked_ok": "no page with missing text (CER > 50%) judged 'ok'",
    "olke_seconds_per_page_at_most_1.5x_plain": "Olke's seconds per page <= 1.5x plain tesseract's, "
                                                "one worker, over the batch, start-up included",
}
MAX_PAGE_CER = 0.015
MAX_TIME_RATIO = 1.5


# ---------------------------------------------------------------- measures (no OCR: tested cheaply)


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_cer(truth: str, found: str) -> float:
    """One page's character error rate; a page with no text at all is 1.0."""
    found = normalise(found)
    return round(jiwer.cer(normalise(truth), found), 4) if found else 1.0


def error_rates(pairs: list[tuple[str, str]]) -> dict:
    """CER and WER of (truth, found) pairs taken together (edits over all characters / words)."""
    if not pairs:
        return {"cer": None, "wer": None}
    truth = [normalise(t) for t, _ in pairs]
    found = [normalise(f) for _, f in pairs]
    return {"cer": round(jiwer.cer(truth, found), 4), "wer": round(jiwer.wer(truth, found), 4)}


def select_slugs(patterns: str | None, known: list[str]) -> list[str]:
    """The samples ``--kinds`` names: comma-separated slugs or shell patterns (``hard-*``)."""
    if not patterns:
        return list(known)
    chosen = []
    for pattern in (p.strip() for p in patterns.split(",") if p.strip()):
        matched = fnmatch.filter(known, pattern)
        if not matched:
            raise SystemExit(f"--kinds: no sample matches '{pattern}'; the samples are: {', '.join(known)}")
        chosen += [m for m in matched if m not in chosen]
    return [slug for slug in known if slug in chosen]


@dataclass
class PageRead:
    """One sample page and what each method read on it."""
    kind: str
    number: int
    truth: str
    image: Path | None = None
    text: dict = field(default_factory=dict)        # method -> text read
    layer: dict = field(default_factory=dict)       # method -> `pdftotext` default mode of its PDF
    verdict: str = "unjudged"

    def cer(self, method: str) -> float:
        return page_cer(self.truth, self.text.get(method, ""))


def verdict_counts(pages: list[PageRead]) -> dict:
    counts = {"ok": 0, "doubtful": 0, "failed": 0, "unjudged": 0}
    for page in pages:
        counts[page.verdict] = counts.get(page.verdict, 0) + 1
    return counts


def summarise(pages: list[PageRead], seconds: dict) -> dict:
    """Per kind and overall: CER/WER and seconds per page of each method, verdicts, reading order.

    ``seconds`` is {method: {kind: seconds}}; a kind's time is its pages' share of the method's run.
    """
    kinds: dict[str, list[PageRead]] = {}
    for page in pages:
        kinds.setdefault(page.kind, []).append(page)
    out = {}
    for kind, group in [*kinds.items(), ("overall", pages)]:
        entry = {"pages": len(group)}
        for method in METHODS:
            spent = sum(seconds.get(method, {}).get(k, 0.0) for k in ({kind} if kind != "overall" else kinds))
            entry[method] = {**error_rates([(p.truth, p.text.get(method, "")) for p in group]),
                             "seconds_per_page": round(spent / len(group), 3)}
        entry["pdftotext_default_cer"] = {
            method: error_rates([(p.truth, p.layer[method]) for p in group if method in p.layer])["cer"]
            for method in ("olke", "by_hand")}
        entry["verdicts"] = verdict_counts(group)
        entry["missing_text_marked_ok"] = sum(1 for p in group if p.cer("olke") > MISSING_TEXT and p.verdict == "ok")
        out[kind] = entry
    return out


def check_targets(summary: dict, pages: list[PageRead]) -> dict:
    """Each of issue 12's targets: met or not, and what misses it."""
    kinds = {k: v for k, v in summary.items() if k != "overall"}
    worse = sorted(k for k, v in kinds.items()
                   if v["olke"]["cer"] is not None and v["by_hand"]["cer"] is not None
                   and v["olke"]["cer"] > v["by_hand"]["cer"])
    above = [f"{p.kind}/{p.number}" for p in pages if p.cer("olke") > MAX_PAGE_CER]
    missing_ok = [f"{p.kind}/{p.number}" for p in pages if p.cer("olke") > MISSING_TEXT and p.verdict == "ok"]
    overall = summary["overall"]
    plain = overall["plain"]["seconds_per_page"]
    ratio = round(overall["olke"]["seconds_per_page"] / plain, 2) if plain else None
    return {
        "olke_cer_at_most_by_hand_on_every_kind": {"met": not worse, "kinds_worse": worse},
        "no_page_above_1.5%": {"met": not above, "pages_above": above},
        "no_missing_text_marked_ok": {"met": not missing_ok, "pages": missing_ok},
        "olke_seconds_per_page_at_most_1.5x_plain": {"met": ratio is not None and ratio <= MAX_TIME_RATIO,
                                                     "ratio": ratio},
    }


def worst_page(pages: list[PageRead]) -> dict | None:
    if not pages:
        return None
    page = max(pages, key=lambda p: p.cer("olke"))
    return {"page": f"{page.kind}/{page.number}", "verdict": page.verdict,
            **{method: page.cer(method) for method in METHODS}}


def spread_seconds(done_at: dict[str, float], pages: dict[str, int], started: float, ended: float) -> dict:
    """Each document's share of one sequential run, from when its files were written.

    ``done_at`` is {kind: time its last file was written}; a kind took from the previous kind's end
    (the run's start for the first) to its own; what comes after the last (indexing, exit) is
    shared by pages. The shares add up to the whole run.
    """
    order = sorted(done_at, key=done_at.get)
    spent, previous = {}, started
    for kind in order:
        spent[kind] = max(0.0, done_at[kind] - previous)
        previous = max(previous, done_at[kind])
    tail = max(0.0, ended - previous)
    total_pages = sum(pages[k] for k in order) or 1
    return {k: round(spent[k] + tail * pages[k] / total_pages, 3) for k in order}


# ---------------------------------------------------------------- the three methods


def sample_pages(work: Path, slugs: list[str] | None = None) -> list[tuple[str, int, Path]]:
    """(slug, page number, page image) for every sample page; PDF/TIFF pages are extracted first."""
    from PIL import Image

    pages = []
    for slug in slugs if slugs is not None else samples.slugs():
        folder = ROOT / "scans" / slug
        files = sorted(folder.glob("*.png"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0)) + \
            sorted(folder.glob("*.jpg"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0))
        if not files:
            source = next(p for p in folder.iterdir() if p.suffix in (".tif", ".pdf"))
            target = work / "pages" / slug
            target.mkdir(parents=True, exist_ok=True)
            dpi = samples.load(slug)["render"]["dpi"]
            if source.suffix == ".pdf":
                subprocess.run(["pdfimages", "-png", str(source), str(target / "p")], check=True)
                for extracted in sorted(target.glob("p-*.png")):     # pdfimages does not keep the resolution
                    with Image.open(extracted) as image:
                        image.load()
                        image.save(extracted, dpi=(dpi, dpi))
            else:
                with Image.open(source) as image:
                    for n in range(image.n_frames):
                        image.seek(n)
                        image.save(target / f"p-{n:03d}.png", dpi=image.info.get("dpi", (dpi, dpi)))
            files = sorted(target.glob("*.png"))
        pages += [(slug, n, path) for n, path in enumerate(files, start=1)]
    return pages


def bench_plain_tesseract(reads: list[PageRead]) -> dict:
    spent: dict[str, float] = {}
    for page in reads:
        started = time.perf_counter()
        done = subprocess.run(["tesseract", str(page.image), "-", "-l", LANGUAGES], capture_output=True, text=True)
        spent[page.kind] = spent.get(page.kind, 0.0) + time.perf_counter() - started
        page.text["plain"] = done.stdout
    return spent


def by_hand_input(slug: str, work: Path) -> Path:
    """The PDF a user would give ocrmypdf: img2pdf of the scans (an image-only PDF as it is)."""
    folder = ROOT / "scans" / slug
    pdfs = sorted(folder.glob("*.pdf"))
    if pdfs:
        return pdfs[0]
    images = [str(p) for p in samples.output_files(samples.load(slug), ROOT / "scans")]
    target = work / "by-hand" / f"{slug}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "img2pdf", *images, "-o", str(target)], check=True, capture_output=True)
    return target


def bench_by_hand(reads: list[PageRead], work: Path) -> dict:
    """img2pdf, ocrmypdf with the options a careful user would give it, pdftotext -raw per page."""
    spent: dict[str, float] = {}
    for slug in dict.fromkeys(p.kind for p in reads):
        started = time.perf_counter()
        source = by_hand_input(slug, work)
        output = work / "by-hand" / f"{slug}-ocr.pdf"
        output.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-m", "ocrmypdf", "-l", LANGUAGES, "--deskew", "--clean",
                               "--rotate-pages", "--jobs", "1", "--quiet", str(source), str(output)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"ocrmypdf by hand failed on {slug}: {done.stderr[-2000:]}")
        for page in (p for p in reads if p.kind == slug):
            page.text["by_hand"] = pdftotext(output, page.number, "-raw")
        spent[slug] = time.perf_counter() - started
        for page in (p for p in reads if p.kind == slug):     # not timed: the reading-order check
            page.layer["by_hand"] = pdftotext(output, page.number)
    return spent


def pdftotext(pdf: Path, number: int, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, "-f", str(number), "-l", str(number), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def run_ingest(work: Path, name: str, slugs: list[str], workers: int, extra: list[str]) -> tuple[dict, float, float]:
    """`olke ingest` of the samples into a fresh home: what it archived (see ``archived``), start and end."""
    home = work / f"home-{name}"
    shutil.rmtree(home, ignore_errors=True)
    inbox = [str(ROOT / "scans" / slug) for slug in slugs]
    started = time.time()
    done = subprocess.run([*OLKE, "--home", str(home), "ingest", *inbox, "--workers", str(workers), "--json",
                           *extra], capture_output=True, text=True, cwd=ROOT)
    ended = time.time()
    if done.returncode != 0:
        raise SystemExit(f"olke ingest failed ({name}): {done.stderr[-2000:]}")
    return archived(home, json.loads(done.stdout)), started, ended


def archived(home: Path, outcomes: list[dict]) -> dict[str, dict]:
    """Per sample: its pages as (number, text, verdict), its PDF, and when its files were written."""
    db = sqlite3.connect(home / "catalog.sqlite")
    columns = {row[1] for row in db.execute("PRAGMA table_info(pages)")}
    verdict = "verdict" if "verdict" in columns else "NULL"       # a catalog from before verdicts
    known = samples.slugs()
    out = {}
    for outcome in outcomes:
        source = Path(outcome["source"])
        slug = source.name if source.name in known else source.parent.name
        doc_id = outcome["document_id"]
        files = [(role, home / path) for role, path in
                 db.execute("SELECT role, path FROM files WHERE document_id = ? AND role != 'original'", (doc_id,))]
        pdf = next((path for role, path in files if role == "pdf"), None)
        rows = db.execute(f"SELECT number, text, {verdict} FROM pages WHERE document_id = ? ORDER BY number",
                          (doc_id,)).fetchall()
        done_at = max((path.stat().st_mtime for _, path in files if path.exists()), default=0.0)
        out[slug] = {"pages": rows, "pdf": pdf, "done_at": done_at}
    db.close()
    return out


def bench_olke(reads: list[PageRead], work: Path) -> dict:
    """Olke's default, one worker, the whole batch in one run; each kind's share of its time."""
    slugs = list(dict.fromkeys(p.kind for p in reads))
    docs, started, ended = run_ingest(work, "w1", slugs, 1, [])
    for page in reads:
        doc = docs[page.kind]
        number, text, verdict = next(r for r in doc["pages"] if r[0] == page.number)
        page.text["olke"] = text
        page.verdict = verdict or "unjudged"
        if doc["pdf"]:
            page.layer["olke"] = pdftotext(doc["pdf"], page.number)
    counts = {slug: sum(1 for p in reads if p.kind == slug) for slug in slugs}
    return spread_seconds({s: docs[s]["done_at"] for s in slugs}, counts, started, ended)


def bench_ingest(work: Path, name: str, workers: int, extra: list[str], slugs: list[str]) -> dict:
    """One more `olke ingest` run with other workers or options: its speed and CER over the batch."""
    docs, started, ended = run_ingest(work, name, slugs, workers, extra)
    seconds = ended - started
    pairs, per_kind = [], {}
    for slug, doc in docs.items():
        truth = samples.load_truth(slug)
        doc_pairs = [(truth[n - 1], text) for n, text, _ in doc["pages"]]
        per_kind[slug] = error_rates(doc_pairs)["cer"]
        pairs += doc_pairs
    pages = len(pairs)
    return {"workers": workers, "options": extra, "pages": pages, "seconds": round(seconds, 2),
            "seconds_per_page": round(seconds / pages, 3), "pages_per_second": round(pages / seconds, 3),
            **error_rates(pairs), "cer_per_kind": per_kind}


def bench_ocr(quick: bool, kinds: str | None = None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="olke-bench-"))
    cores = os.cpu_count() or 1
    slugs = select_slugs(kinds, samples.slugs())
    try:
        reads = [PageRead(slug, n, samples.load_truth(slug)[n - 1], image)
                 for slug, n, image in sample_pages(work, slugs)]
        seconds = {"plain": bench_plain_tesseract(reads), "olke": bench_olke(reads, work),
                   "by_hand": bench_by_hand(reads, work)}
        summary = summarise(reads, seconds)
        results = {
            "samples": slugs,
            "methods": {"olke": "olke ingest --workers 1 (defaults), over the batch, start-up included",
                        "by_hand": f"img2pdf; ocrmypdf -l {LANGUAGES} --deskew --clean --rotate-pages --jobs 1; "
                                   "pdftotext -raw",
                        "plain": f"tesseract IMAGE - -l {LANGUAGES}"},
            "kinds": summary,
            "per_page": [{"page": f"{p.kind}/{p.number}", "verdict": p.verdict,
                          **{m: p.cer(m) for m in METHODS}} for p in reads],
            "worst_page": worst_page(reads),
            "targets": {"wanted": TARGETS, **check_targets(summary, reads)},
        }
        overall = summary["overall"]
        results["ratios"] = {
            "ingest_vs_tesseract_per_page": round(overall["olke"]["seconds_per_page"]
                                                  / overall["plain"]["seconds_per_page"], 2),
            "by_hand_vs_tesseract_per_page": round(overall["by_hand"]["seconds_per_page"]
                                                   / overall["plain"]["seconds_per_page"], 2),
            "targets": {"ingest_vs_tesseract_per_page": "<= 1.5", "throughput_all_cores_vs_1": ">= 1.7 on 2 cores"},
        }
        if not quick:
            one_worker = 1 / overall["olke"]["seconds_per_page"]          # pages per second
            results[f"ingest_{cores}_workers"] = bench_ingest(work, "wall", cores, [], slugs)
            results["ratios"]["throughput_all_cores_vs_1"] = round(
                results[f"ingest_{cores}_workers"]["pages_per_second"] / one_worker, 2)
            results["steps"] = {
                "default": results[f"ingest_{cores}_workers"],
                "no_rotation": bench_ingest(work, "norotate", cores, ["--no-rotate"], slugs),
                "deskew": bench_ingest(work, "deskew", cores, ["--deskew"], slugs),
                "osd_every_page": bench_ingest(work, "osd", cores, ["--osd"], slugs),
                "clean": bench_ingest(work, "clean", cores, ["--clean"], slugs),
            }
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(ocr: dict) -> str:
    """The OCR results as a table to read in a terminal."""
    head = (f"{'kind':<26}{'pages':>5}  {'CER olke':>8} {'by hand':>8} {'plain':>8}   "
            f"{'s/p olke':>8} {'by hand':>8} {'plain':>8}   {'layer olke':>10} {'by hand':>8}   verdicts")
    lines = [head, "-" * len(head)]
    pct = lambda v: "—" if v is None else f"{v * 100:.2f}%"            # noqa: E731
    for kind, e in ocr["kinds"].items():
        v = e["verdicts"]
        lines.append(f"{kind:<26}{e['pages']:>5}  {pct(e['olke']['cer']):>8} {pct(e['by_hand']['cer']):>8} "
                     f"{pct(e['plain']['cer']):>8}   {e['olke']['seconds_per_page']:>8.2f} "
                     f"{e['by_hand']['seconds_per_page']:>8.2f} {e['plain']['seconds_per_page']:>8.2f}   "
                     f"{pct(e['pdftotext_default_cer']['olke']):>10} {pct(e['pdftotext_default_cer']['by_hand']):>8}"
                     f"   ok {v['ok']} doubtful {v['doubtful']} failed {v['failed']} unjudged {v['unjudged']}")
    worst = ocr["worst_page"]
    if worst:
        lines.append(f"worst page (Olke): {worst['page']} CER {pct(worst['olke'])} (by hand {pct(worst['by_hand'])}, "
                     f"plain {pct(worst['plain'])}), verdict {worst['verdict']}")
    for name, step in ocr.get("steps", {}).items():
        lines.append(f"olke ingest {' '.join(step['options']) or '(defaults)'}, {step['workers']} workers: "
                     f"CER {pct(step['cer'])}, {step['seconds_per_page']:.2f} s/page")
    lines.append("ratios: " + json.dumps({k: v for k, v in ocr["ratios"].items() if k != "targets"}))
    for name, target in ocr["targets"].items():
        if name != "wanted":
            detail = {k: v for k, v in target.items() if k != "met"}
            met = "met" if target["met"] else "NOT met"
            lines.append(f"target {name}: {met} {json.dumps(detail, ensure_ascii=False)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("ocr", "search", "queue"), help="run one part only")
    parser.add_argument("--quick", action="store_true", help="skip all-cores throughput and the per-option comparison")
    parser.add_argument("--kinds", metavar="SLUGS",
                        help="OCR only these samples: comma-separated slugs or patterns, e.g. 'hard-*'")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    results = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                           "tesseract": subprocess.run(["tesseract", "--version"], capture_output=True,
                                                       text=True).stdout.splitlines()[0]},
               "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    if args.only in (None, "ocr"):
        results["ocr"] = bench_ocr(args.quick, args.kinds)
        print(report(results["ocr"]))
    if args.only in (None, "search"):
        from bench import search_bench  # noqa: E402
        results["search"] = search_bench.run()
        print(json.dumps(results["search"], indent=2, ensure_ascii=False))
    if args.only in (None, "queue"):
        from bench import queue_bench  # noqa: E402
        results["queue"] = queue_bench.run()
        print(json.dumps(results["queue"], indent=2, ensure_ascii=False))
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Results written to {args.out}")


if __name__ == "__main__":
    main()
