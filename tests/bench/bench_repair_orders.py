#!/usr/bin/env python3
"""Benchmark: list and search latency of /api/v1/repair-orders on 100,000 repair orders,
through the real `relais` over HTTP (one keep-alive connection, requests one after another,
timed by the client, so the figures include HTTP parsing and JSON). Also measures start-up
time to serving and resident memory. Prints a Markdown table for docs/BENCHMARKS.md.

    /usr/bin/python3 tests/bench/bench_repair_orders.py [--count 100000] [--requests 300]

Seeding uses `relais seed-demo` (the same import path a DMS bulk load would use)."""

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from relais_harness import BIN, CONFIG, SOURCE  # noqa: E402


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


STARTED = []


def start(config, workdir):
    ports = os.path.join(workdir, "ports.json")
    if os.path.exists(ports):
        os.unlink(ports)
    t0 = time.perf_counter()
    proc = subprocess.Popen([BIN, "--config", config, "--port-file", ports],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "stderr.txt"), "a"))
    STARTED.append(proc)
    while not os.path.exists(ports):
        if proc.poll() is not None:
            raise SystemExit("relais exited during start-up")
        time.sleep(0.001)
    lan = json.load(open(ports))["lan"]
    # Serving = the first /healthz answered.
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", lan, timeout=5)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.001)
    return proc, lan, (time.perf_counter() - t0) * 1000


def strip_accents(text):
    """What a hurried advisor types: "HELENE LEFEVRE" for "Hélène Lefèvre"."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    f = int(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=300, help="per scenario")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="relais-bench-")
    config = os.path.join(workdir, "relais.toml")
    with open(config, "w") as f:
        f.write(CONFIG.format(web=os.path.join(SOURCE, "web"), data=os.path.join(workdir, "var")))
    print(f"# {args.count} repair orders, {args.requests} requests per scenario, in {workdir}", file=sys.stderr)

    # Start-up on an empty data directory (includes creating the database and the admin).
    proc, lan, empty_start_ms = start(config, workdir)
    time.sleep(0.5)
    empty_rss = rss_kib(proc.pid)
    proc.terminate()
    proc.wait()

    t0 = time.perf_counter()
    seeded = subprocess.run([BIN, "seed-demo", "--count", str(args.count), "--config", config],
                            capture_output=True, text=True)
    if seeded.returncode:
        raise SystemExit(seeded.stderr)
    seed_s = time.perf_counter() - t0
    key = subprocess.run([BIN, "apikey", "create", "bench", "--config", config],
                         capture_output=True, text=True).stdout.strip()
    subprocess.run([BIN, "user", "add", "bench", "--config", config], input="Bench-Password-2026\n",
                   capture_output=True, text=True, check=True)

    db = sqlite3.connect(os.path.join(workdir, "var", "relais.db"))
    rows = db.execute("SELECT number, plate, customer_name FROM repair_orders ORDER BY random() LIMIT 400").fetchall()
    advisor = db.execute("SELECT id FROM users WHERE username = 'marie.lambert'").fetchone()[0]
    max_id = db.execute("SELECT max(id) FROM repair_orders").fetchone()[0]
    db.close()
    db_mib = os.path.getsize(os.path.join(workdir, "var", "relais.db")) / 2**20

    proc, lan, full_start_ms = start(config, workdir)
    time.sleep(0.5)
    idle_rss = rss_kib(proc.pid)
    conn = http.client.HTTPConnection("127.0.0.1", lan, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Connection": "keep-alive"}

    def get(path):
        t = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        ms = (time.perf_counter() - t) * 1000
        if r.status != 200:
            raise SystemExit(f"{path}: {r.status} {body[:200]}")
        return ms, json.loads(body)

    rnd = random.Random(7)
    q = urllib.parse.quote
    last_names = sorted({r[2].split(" ")[-1] for r in rows if r[2]})

    scenarios = {
        "list, first page (50)": lambda i: "/api/v1/repair-orders",
        "list, page 200 (deep offset)": lambda i: "/api/v1/repair-orders?page=200",
        "filter status open+in_progress": lambda i: "/api/v1/repair-orders?status=open,in_progress",
        "filter advisor + last 30 days": lambda i: f"/api/v1/repair-orders?advisor={advisor}&from=2026-10-24",
        "filter status closed (most ROs)": lambda i: "/api/v1/repair-orders?status=closed",
        "filter status closed, sort promised": lambda i: "/api/v1/repair-orders?status=closed&sort=promised",
        "filter created in a month, 2 years ago": lambda i: "/api/v1/repair-orders?from=2024-11-01&to=2024-11-30",
        "search full plate": lambda i: "/api/v1/repair-orders?q=" + q(rows[i % len(rows)][1]),
        "search plate fragment (4 chars)": lambda i: "/api/v1/repair-orders?q=" + q(rows[i % len(rows)][1][3:7]),
        "search RO number": lambda i: "/api/v1/repair-orders?q=" + q(rows[i % len(rows)][0]),
        "search last name (common)": lambda i: "/api/v1/repair-orders?q=" + q(last_names[i % len(last_names)]),
        "search first + last name, no accents": lambda i: "/api/v1/repair-orders?q=" + q(strip_accents(rows[i % len(rows)][2]).upper()),
        "search name + status filter": lambda i: "/api/v1/repair-orders?status=ready&q=" + q(last_names[i % len(last_names)]),
        "search 2 letters (word starts)": lambda i: "/api/v1/repair-orders?q=" + q(rnd.choice(["ab", "du", "le", "ma", "zo"])),
        "get one repair order": lambda i: f"/api/v1/repair-orders/{rnd.randint(1, max_id)}",
        # Every RO probed for what needs handling (answers, replies, failures): the top bar's count.
        "to handle, count (attention=true)": lambda i: "/api/v1/repair-orders?attention=true&per_page=1",
    }

    for _ in range(50):  # warm-up: caches, prepared statements
        get("/api/v1/repair-orders?q=martin")
    results = []
    all_ms = []
    for name, path_of in scenarios.items():
        ms = []
        totals = []
        for i in range(args.requests):
            t, body = get(path_of(i))
            ms.append(t)
            totals.append(body.get("total", 1))
        all_ms.extend(ms)
        results.append((name, statistics.median(ms), percentile(ms, 95), percentile(ms, 99), max(ms),
                        statistics.median(totals)))
    # Several advisors at once: wrk, 8 connections on 2 threads, 15 s, cycling through the
    # scenarios' URLs (the lan listener has 2 threads of its own: requests queue).
    under_load = None
    if shutil.which("wrk"):
        paths_file = os.path.join(workdir, "paths.txt")
        with open(paths_file, "w") as f:
            for i in range(2000):
                name = list(scenarios)[i % len(scenarios)]
                f.write(scenarios[name](i * 7) + "\n")
        env = dict(os.environ, RELAIS_BENCH_PATHS=paths_file, RELAIS_BENCH_KEY=key)
        out = subprocess.run(["wrk", "-t2", "-c8", "-d15s", "-s", os.path.join(HERE, "mixed_paths.lua"),
                              f"http://127.0.0.1:{lan}"], capture_output=True, text=True, env=env).stdout
        line = next(l for l in out.splitlines() if l.startswith("RESULT"))
        p50, p95, p99, mx, count, errors = line.split()[1:]
        under_load = (float(p50), float(p95), float(p99), float(mx), int(count) / 15, int(errors))
    loaded_rss = rss_kib(proc.pid)

    # Sign-ins: Argon2id takes 19 MiB each, two at a time; the memory must go back afterwards.
    def sign_in(_):
        c = http.client.HTTPConnection("127.0.0.1", lan, timeout=30)
        t = time.perf_counter()
        c.request("POST", "/api/v1/session", body=json.dumps({"username": "bench", "password": "Bench-Password-2026"}),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 200:
            raise SystemExit(f"sign-in: {r.status}")
        return (time.perf_counter() - t) * 1000
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        login_ms = list(pool.map(sign_in, range(12)))
    peak_rss = 0
    with open(f"/proc/{proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                peak_rss = int(line.split()[1])
    time.sleep(1)
    after_login_rss = rss_kib(proc.pid)
    proc.terminate()
    proc.wait()

    print(f"Seeding {args.count} repair orders with `relais seed-demo`: {seed_s:.1f} s; database {db_mib:.0f} MiB.\n")
    print("| scenario | median ms | p95 ms | p99 ms | max ms | matches (median) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, p50, p95, p99, mx, total in results:
        print(f"| {name} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {mx:.2f} | {total:.0f} |")
    print(f"| **all scenarios together** | {statistics.median(all_ms):.2f} | {percentile(all_ms, 95):.2f} | "
          f"{percentile(all_ms, 99):.2f} | {max(all_ms):.2f} | |")
    if under_load:
        p50, p95, p99, mx, rate, errors = under_load
        print(f"| **wrk, 8 connections, all scenarios mixed** | {p50:.2f} | {p95:.2f} | {p99:.2f} | {mx:.2f} | "
              f"{rate:.0f} requests/s, {errors} errors |")
    print()
    print(f"Start to serving (/healthz answers): {empty_start_ms:.0f} ms on a new data directory "
          f"(creates the database and the admin), {full_start_ms:.0f} ms with {args.count} repair orders.")
    print(f"Resident memory: {empty_rss / 1024:.1f} MiB idle after first start; {idle_rss / 1024:.1f} MiB idle with "
          f"{args.count} repair orders; {loaded_rss / 1024:.1f} MiB after the benchmark's requests; "
          f"{after_login_rss / 1024:.1f} MiB idle after 12 sign-ins, 4 at a time (peak {peak_rss / 1024:.1f} MiB "
          f"while hashing; a sign-in took {statistics.median(login_ms):.0f} ms median under that load).")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        # Never leave a server behind, even when the benchmark fails half-way.
        for proc in STARTED:
            if proc.poll() is None:
                proc.kill()
