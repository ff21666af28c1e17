#!/usr/bin/env python3
"""Benchmark: the workspace while the public port is flooded (issue 10). The real `relais`,
its file descriptors limited by prlimit; the workspace's latency (one keep-alive connection,
requests one after another, timed by the client) and an SMS offer's time to the emulated
modem, first on a quiet box, then while the public port holds thousands of idle connections
from hundreds of loopback addresses, slow clients trickling header lines and clients that
pipeline requests and never read. Also relais's CPU and resident memory during the flood.
Prints Markdown for docs/BENCHMARKS.md.

    /usr/bin/python3 tests/bench/bench_flood.py [--nofile 1024] [--idle 5000] [--requests 300]"""

import argparse
import os
import re
import resource
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from relais_harness import Relais, RelaisTestCase, wait_for  # noqa: E402
from test_connection_limits import connect_from, cpu_seconds, rss_mb  # noqa: E402

RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver"], "first_name": "Paul", "last_name": "Durand",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"}]}],
    "interventions": [{"label": "Vidange", "price_excl_cents": 8900}],
}


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def sms_count(r):
    path = os.path.join(r.data, "modem", "journal.jsonl")
    if not os.path.exists(path):
        return 0
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if '"kind":"message"' in line.replace(" ", ""))


def measure(c, r, ro, cp, requests):
    """Workspace latencies (list, then one RO) and an offer's time to the modem's journal."""
    times = []
    for i in range(requests):
        path = "/api/v1/repair-orders" if i % 2 == 0 else f"/api/v1/repair-orders/{ro['id']}"
        t = time.perf_counter()
        res = c.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert res.status == 200, res
    before = sms_count(r)
    t = time.perf_counter()
    assert c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp]}).status == 201
    wait_for(lambda: sms_count(r) > before, timeout=30, what="the SMS in the journal")
    return times, (time.perf_counter() - t) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nofile", type=int, default=1024)
    ap.add_argument("--idle", type=int, default=5000)
    ap.add_argument("--slow", type=int, default=200)
    ap.add_argument("--non-readers", type=int, default=200)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    workdir = tempfile.mkdtemp(prefix="relais-bench-flood-")
    r = Relais(workdir)
    r.prefix = ["prlimit", f"--nofile={args.nofile}:{args.nofile}"]
    r.start()
    held = []
    try:
        chosen = re.search(r"connections at once: (.*)", r.stderr()).group(1)
        c = RelaisTestCase.admin(RelaisTestCase(), r)
        ro = c.post("/api/v1/repair-orders", RO).json()
        cp = ro["parties"][0]["contact_points"][0]["id"]
        measure(c, r, ro, cp, 50)  # warm-up
        quiet, quiet_sms = measure(c, r, ro, cp, args.requests)
        quiet_rss = rss_mb(r.proc.pid)

        request = b"GET /assets/customer/customer.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        slow = []
        for i in range(args.slow):
            s = connect_from(f"127.1.{i // 200}.{1 + i % 200}", r.public)
            if s:
                try:
                    s.send(b"GET /robots.txt HTTP/1.1\r\n")
                except OSError:
                    pass
                slow.append(s)
        for i in range(args.non_readers):
            s = connect_from(f"127.2.{i // 200}.{1 + i % 200}", r.public)
            if s:
                time.sleep(0.002)
                try:
                    s.send(request * 200)
                except OSError:
                    pass
                held.append(s)
        for i in range(args.idle):
            s = connect_from(f"127.0.{1 + i // 200}.{10 + i % 200}", r.public)
            if s:
                held.append(s)
        held += slow
        time.sleep(3)  # the flood settles
        # Relais's own CPU while the flood only holds on (nothing else asked of it).
        cpu0, t0 = cpu_seconds(r.proc.pid), time.monotonic()
        time.sleep(5)
        cpu = (cpu_seconds(r.proc.pid) - cpu0) / (time.monotonic() - t0) * 100
        flooded, flooded_sms = measure(c, r, ro, cp, args.requests)
        flooded_rss = rss_mb(r.proc.pid)
        # Past the public timeouts (15 s), the slow and the non-reading clients are let go.
        for s in slow:
            try:
                s.send(b"X-Slow: 1\r\n")
            except OSError:
                pass
        time.sleep(max(0.0, 20 - (time.monotonic() - t0)))
        public = c.get("/healthz").json()["connections"]["public"]
    finally:
        for s in held:
            s.close()
        r.stop()

    print(f"relais under `prlimit --nofile={args.nofile}`; chosen: {chosen}.")
    print(f"Flood on the public port: {args.idle} idle connections (each from its own loopback address), "
          f"{args.slow} slow clients, {args.non_readers} clients pipelining 200 requests each and reading "
          f"none.\n")
    print("| workspace (lan) | requests | p50 ms | p95 ms | p99 ms | max ms | offer → SMS in the modem, ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, t, sms in (("quiet", quiet, quiet_sms), ("public port flooded", flooded, flooded_sms)):
        print(f"| {name} | {len(t)} | {statistics.median(t):.2f} | {percentile(t, 95):.2f} | "
              f"{percentile(t, 99):.2f} | {max(t):.2f} | {sms:.0f} |")
    print(f"\nWhile the flood held on: relais used {cpu:.1f} % of one core (5 s, no other request); "
          f"resident memory {quiet_rss:.1f} MiB quiet, {flooded_rss:.1f} MiB flooded. After 20 s, the public "
          f"listener: {public['open']} open, {public['accepted']} accepted, at its cap "
          f"{public['at_capacity']} times, {public['refused_per_address']} refused per address, "
          f"{public['timed_out']} timed out.")


if __name__ == "__main__":
    main()
