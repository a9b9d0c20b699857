"""Latency of the reading room's search page under concurrent readers, on loopback.

    python bench/web_bench.py [--home var] [--clients 20] [--requests 25] [--threads 4] [--json]

Serves the archive with waitress (as `olke serve` does) on 127.0.0.1 at a free port, in this
process, then runs ``clients`` threads that each fetch the search page ``requests`` times, cycling
through a few Kazakh, Russian and Latin-script queries with and without filters. Prints p50/p95/p99
and the throughput. The run is bounded: clients × requests requests, each with a timeout.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = [
    {"q": "кітапхана"}, {"q": "кітапханаларда"}, {"q": "Абай"}, {"q": "степи"}, {"q": "библиотека"},
    {"q": "өзен", "kind": "book"}, {"q": '"Ертіс өзені"'}, {"q": "kitaphana"}, {"q": "газет", "sort": "-date"},
    {"q": "школы", "language": "rus", "from": "2000", "to": "2020"},
]
TIMEOUT = 30.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def fetch(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return (time.perf_counter() - started) * 1000, status


def run(home: str, clients: int, requests: int, threads: int) -> dict:
    import logging

    from waitress import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # "Task queue depth" is the point here

    from search_app import create_app

    app = create_app({"OLKE_HOME": home})
    server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="olke-bench")
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.effective_port}/search?"
    urls = [base + urlencode(q) for q in QUERIES]
    try:
        for url in urls:                                   # warm up: index readers, templates, catalogs
            fetch(url)

        def client(number: int) -> list[tuple[float, int]]:
            return [fetch(urls[(number + i) % len(urls)]) for i in range(requests)]

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = [r for batch in pool.map(client, range(clients)) for r in batch]
        elapsed = time.perf_counter() - started
    finally:
        server.close()
        app.extensions["olke"].close()
    latencies = [ms for ms, status in results if status == 200]
    return {
        "clients": clients, "requests": len(results), "waitress_threads": threads, "cores": os.cpu_count(),
        "errors": sum(1 for _, status in results if status != 200),
        "p50_ms": round(percentile(latencies, 0.50), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1), "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "requests_per_s": round(len(results) / elapsed, 1), "seconds": round(elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=os.environ.get("OLKE_HOME", "var"), help="data home (default: $OLKE_HOME or var)")
    parser.add_argument("--clients", type=int, default=20, choices=range(1, 101), metavar="1-100")
    parser.add_argument("--requests", type=int, default=25, choices=range(1, 1001), metavar="1-1000",
                        help="requests per client")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads (olke serve's default: 4)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not (Path(args.home) / "catalog.sqlite").exists():
        sys.exit(f"no archive at {args.home}; build the demo first: make demo (or olke --home {args.home} ingest scans)")
    figures = run(args.home, args.clients, args.requests, args.threads)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"search page, {figures['clients']} concurrent clients, {figures['requests']} requests "
          f"(waitress {figures['waitress_threads']} threads, {figures['cores']} cores): "
          f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, "
          f"max {figures['max_ms']} ms; {figures['requests_per_s']} requests/s; {figures['errors']} errors")


if __name__ == "__main__":
    main()
