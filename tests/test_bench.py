"""`make bench` end to end, small: bench/run.py run as make runs it, its search part on a few hundred
synthetic pages (the OCR part is covered by the real-tesseract tests and costs minutes); the OCR
part's measures, summary and targets on made-up readings, without OCR."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_make_bench_search_part_writes_its_results(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--only", "search", "--out", str(out)],
                          cwd=ROOT, env={**os.environ, "OLKE_BENCH_PAGES": "300", "OLKE_BENCH_QUERIES": "8"},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    search = json.loads(out.read_text(encoding="utf-8"))["search"]
    assert search["relevance"]["olke"]["overall"]["recall@10"] > search["relevance"]["baseline"]["overall"]["recall@10"]
    speed = search["speed"]
    assert speed["pages"] == 300 and speed["indexing"]["pages_per_second"] > 0
    for kind in ("term", "and", "phrase", "fuzzy", "faceted"):
        assert speed["latency"][kind]["p95_ms"] >= speed["latency"][kind]["p50_ms"] > 0, kind
    assert set(speed["met"]) == set(speed["targets"])


# ---------------------------------------------------------------- the OCR part's measures, without OCR


def _run():
    from bench import run
    return run


def test_page_cer_counts_a_page_with_no_text_as_all_wrong():
    run = _run()
    assert run.page_cer("Кітапхана  тарихы\nбет", "Кітапхана тарихы бет") == 0.0
    assert run.page_cer("Кітапхана", " \n") == 1.0
    # one letter of 7 wrong, one word of 3
    assert run.error_rates([("аб вг", "аб вг"), ("де", "дж")]) == {"cer": 0.1429, "wer": 0.3333}
    assert run.error_rates([]) == {"cer": None, "wer": None}


def test_kinds_are_chosen_by_slug_or_pattern():
    run = _run()
    known = ["hard-dark-border", "hard-skew-book", "kaz-book-steppe"]
    assert run.select_slugs(None, known) == known
    assert run.select_slugs("kaz-book-steppe, hard-*", known) == known
    assert run.select_slugs("hard-skew-book", known) == ["hard-skew-book"]
    with pytest.raises(SystemExit, match="--kinds: no sample matches 'nope'; the samples are: hard-dark-border"):
        run.select_slugs("nope", known)


def test_per_kind_summary_verdicts_and_the_targets():
    run = _run()
    truth = "Ертіс бойындағы ескі қоныстар"
    pages = [
        run.PageRead("hard-skew-book", 1, truth, text={"olke": "", "by_hand": truth, "plain": truth},
                     layer={"olke": "", "by_hand": truth}, verdict="ok"),           # text missing, judged ok
        run.PageRead("hard-skew-book", 2, truth, text={"olke": truth, "by_hand": truth, "plain": "Ертіс"},
                     verdict="doubtful"),
        run.PageRead("kaz-book-steppe", 1, truth, text={"olke": truth, "by_hand": truth + " х", "plain": truth}),
    ]
    seconds = {"olke": {"hard-skew-book": 8.0, "kaz-book-steppe": 3.0},
               "by_hand": {"hard-skew-book": 20.0, "kaz-book-steppe": 10.0},
               "plain": {"hard-skew-book": 4.0, "kaz-book-steppe": 2.0}}
    summary = run.summarise(pages, seconds)
    skew, overall = summary["hard-skew-book"], summary["overall"]
    assert skew["pages"] == 2 and skew["olke"]["cer"] == 0.5 and skew["by_hand"]["cer"] == 0.0
    assert skew["olke"]["seconds_per_page"] == 4.0 and overall["olke"]["seconds_per_page"] == pytest.approx(3.667)
    assert skew["verdicts"] == {"ok": 1, "doubtful": 1, "failed": 0, "unjudged": 0}
    assert overall["verdicts"]["unjudged"] == 1 and overall["missing_text_marked_ok"] == 1
    assert skew["pdftotext_default_cer"] == {"olke": 1.0, "by_hand": 0.0}
    assert summary["kaz-book-steppe"]["pdftotext_default_cer"] == {"olke": None, "by_hand": None}
    targets = run.check_targets(summary, pages)
    assert targets["olke_cer_at_most_by_hand_on_every_kind"] == {"met": False, "kinds_worse": ["hard-skew-book"]}
    assert targets["no_page_above_1.5%"] == {"met": False, "pages_above": ["hard-skew-book/1"]}
    assert targets["no_missing_text_marked_ok"] == {"met": False, "pages": ["hard-skew-book/1"]}
    assert targets["olke_seconds_per_page_at_most_1.5x_plain"] == {"met": False, "ratio": 1.83}
    assert run.worst_page(pages) == {"page": "hard-skew-book/1", "verdict": "ok", "olke": 1.0, "by_hand": 0.0,
                                     "plain": 0.0}
    assert "hard-skew-book" in run.report({"kinds": summary, "worst_page": run.worst_page(pages),
                                           "targets": targets, "ratios": {}})


def test_one_runs_seconds_are_shared_out_by_when_each_document_was_done():
    run = _run()
    shares = run.spread_seconds({"b": 107.0, "a": 103.0}, {"a": 1, "b": 3}, started=100.0, ended=109.0)
    assert shares == {"a": 3.5, "b": 5.5}                  # 3 + 4: the 2 s after the last shared by pages
    assert sum(shares.values()) == pytest.approx(9.0)


def test_verdicts_are_read_from_the_catalog_or_unjudged_before_they_existed(tmp_path):
    import sqlite3

    run = _run()
    for with_verdicts in (True, False):
        home = tmp_path / f"home-{with_verdicts}"
        home.mkdir()
        db = sqlite3.connect(home / "catalog.sqlite")
        db.execute("CREATE TABLE pages (document_id, number, text" + (", verdict)" if with_verdicts else ")"))
        db.execute("CREATE TABLE files (document_id, role, path)")
        db.execute("INSERT INTO pages VALUES (7, 1, 'мәтін'" + (", 'doubtful')" if with_verdicts else ")"))
        db.execute("INSERT INTO files VALUES (7, 'pdf', 'files/000007/document.pdf')")
        db.commit()
        db.close()
        docs = run.archived(home, [{"source": "scans/hard-skew-book", "document_id": 7}])
        assert docs["hard-skew-book"]["pages"] == [(1, "мәтін", "doubtful" if with_verdicts else None)]
        assert docs["hard-skew-book"]["pdf"] == home / "files/000007/document.pdf"
