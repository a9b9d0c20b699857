"""Olke's benchmarks, measured side by side in one run; writes bench/results.json.

    python bench/run.py [--only ocr] [--quick]

OCR: seconds per page for `olke ingest` and for plain `tesseract` with the same languages on the
same sample pages, throughput with 1 worker and with all cores, CER/WER against the ground truth,
and what each straightening/cleaning step costs and buys.
"""
from __future__ import annotations

import argparse
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
from pathlib import Path

import jiwer

ROOT = Path(__file__).resolve().parent.parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT / "scans"))
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))          # for `bench.search_bench` when run as bench/run.py
import samples  # noqa: E402

OLKE = [sys.executable, "-m", "archive"]
LANGUAGES = "kaz+rus+eng"
os.environ["OMP_THREAD_LIMIT"] = "1"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sample_pages(work: Path) -> list[tuple[str, int, Path]]:
    """(slug, page number, page image) for every sample page; PDF/TIFF pages are extracted first."""
    pages = []
    for slug in samples.slugs():
        folder = ROOT / "scans" / slug
        files = sorted(folder.glob("*.png"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0)) + \
            sorted(folder.glob("*.jpg"))
        if not files:
            source = next(p for p in folder.iterdir() if p.suffix in (".tif", ".pdf"))
            target = work / "pages" / slug
            target.mkdir(parents=True, exist_ok=True)
            if source.suffix == ".pdf":
                subprocess.run(["pdfimages", "-png", str(source), str(target / "p")], check=True)
            else:
                from PIL import Image
                with Image.open(source) as image:
                    for n in range(image.n_frames):
                        image.seek(n)
                        image.save(target / f"p-{n:03d}.png", dpi=image.info.get("dpi"))
            files = sorted(target.glob("*.png"))
        pages += [(slug, n, path) for n, path in enumerate(files, start=1)]
    return pages


def error_rates(pairs: list[tuple[str, str]]) -> dict:
    truth = [normalise(t) for t, _ in pairs]
    found = [normalise(f) for _, f in pairs]
    return {"cer": round(jiwer.cer(truth, found), 4), "wer": round(jiwer.wer(truth, found), 4)}


def bench_plain_tesseract(pages) -> dict:
    texts, started = {}, time.perf_counter()
    for slug, number, image in pages:
        done = subprocess.run(["tesseract", str(image), "-", "-l", LANGUAGES], capture_output=True, text=True)
        texts[(slug, number)] = done.stdout
    seconds = time.perf_counter() - started
    truth = [(samples.load_truth(slug)[n - 1], texts[(slug, n)]) for slug, n, _ in pages]
    return {"pages": len(pages), "seconds": round(seconds, 2), "seconds_per_page": round(seconds / len(pages), 3),
            **error_rates(truth)}


def bench_ingest(work: Path, name: str, workers: int, extra: list[str]) -> dict:
    home = work / f"home-{name}"
    shutil.rmtree(home, ignore_errors=True)
    inbox = [str(ROOT / "scans" / slug) for slug in samples.slugs()]
    started = time.perf_counter()
    done = subprocess.run([*OLKE, "--home", str(home), "ingest", *inbox, "--workers", str(workers), "--json",
                           *extra], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"olke ingest failed ({name}): {done.stderr[-2000:]}")
    outcomes = json.loads(done.stdout)
    db = sqlite3.connect(home / "catalog.sqlite")
    pairs, per_doc = [], {}
    for outcome in outcomes:
        slug = Path(outcome["source"]).name
        slug = slug if slug in samples.slugs() else Path(outcome["source"]).parent.name
        truth = samples.load_truth(slug)
        rows = db.execute("SELECT number, text FROM pages WHERE document_id = ? ORDER BY number",
                          (outcome["document_id"],)).fetchall()
        doc_pairs = [(truth[n - 1], text) for n, text in rows]
        per_doc[slug] = error_rates(doc_pairs)
        pairs += doc_pairs
    pages = len(pairs)
    return {"workers": workers, "options": extra, "pages": pages, "seconds": round(seconds, 2),
            "seconds_per_page": round(seconds / pages, 3), "pages_per_second": round(pages / seconds, 3),
            **error_rates(pairs), "per_document": per_doc}


def bench_ocr(quick: bool) -> dict:
    work = Path(tempfile.mkdtemp(prefix="olke-bench-"))
    cores = os.cpu_count() or 1
    try:
        pages = sample_pages(work)
        results = {"plain_tesseract": bench_plain_tesseract(pages)}
        results["ingest_1_worker"] = bench_ingest(work, "w1", 1, [])
        results[f"ingest_{cores}_workers"] = bench_ingest(work, "wall", cores, [])
        if not quick:
            results["steps"] = {
                "default": results[f"ingest_{cores}_workers"],
                "no_rotation": bench_ingest(work, "norotate", cores, ["--no-rotate"]),
                "deskew": bench_ingest(work, "deskew", cores, ["--deskew"]),
                "osd_every_page": bench_ingest(work, "osd", cores, ["--osd"]),
                "clean": bench_ingest(work, "clean", cores, ["--clean"]),
            }
        plain = results["plain_tesseract"]["seconds_per_page"]
        one = results["ingest_1_worker"]
        results["ratios"] = {
            "ingest_vs_tesseract_per_page": round(one["seconds_per_page"] / plain, 2),
            "throughput_all_cores_vs_1": round(results[f"ingest_{cores}_workers"]["pages_per_second"]
                                               / one["pages_per_second"], 2),
            "targets": {"ingest_vs_tesseract_per_page": "<= 1.5", "throughput_all_cores_vs_1": ">= 1.7 on 2 cores"},
        }
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=("ocr", "search"), help="run one part only")
    parser.add_argument("--quick", action="store_true", help="skip the per-step OCR comparison")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    results = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                           "tesseract": subprocess.run(["tesseract", "--version"], capture_output=True,
                                                       text=True).stdout.splitlines()[0]},
               "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    if args.only in (None, "ocr"):
        results["ocr"] = bench_ocr(args.quick)
        print(json.dumps({k: v for k, v in results["ocr"].items() if k != "steps"}, indent=2, ensure_ascii=False))
    if args.only in (None, "search"):
        from bench import search_bench  # noqa: E402
        results["search"] = search_bench.run()
        print(json.dumps(results["search"], indent=2, ensure_ascii=False))
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"Results written to {args.out}")


if __name__ == "__main__":
    main()
