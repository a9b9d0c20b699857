"""`make bench` end to end, small: bench/run.py run as make runs it, its search part on a few hundred
synthetic pages (the OCR part is covered by the real-tesseract tests and costs minutes)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_bench_search_part_writes_its_results(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--only", "search", "--out", str(out)],
                          cwd=ROOT, env={**os.environ, "OLKE_BENCH_PAGES": "300"},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    search = json.loads(out.read_text(encoding="utf-8"))["search"]
    assert search["relevance"]["olke"]["overall"]["recall@10"] > search["relevance"]["baseline"]["overall"]["recall@10"]
    speed = search["speed"]
    assert speed["pages"] == 300 and speed["indexing"]["pages_per_second"] > 0
    for kind in ("term", "and", "phrase", "fuzzy", "faceted"):
        assert speed["latency"][kind]["p95_ms"] >= speed["latency"][kind]["p50_ms"] > 0, kind
    assert set(speed["met"]) == set(speed["targets"])
