#!/usr/bin/env python3
"""Benchmark: the customer's decision page and its API under concurrent load, through the real
`relais` (public listener, default 2 HTTP threads), with wrk: 200 connections, 2 threads,
20 s per scenario. Scenarios: the page itself (GET /o/<token>, what a link opens), its script
(GET /assets/customer/customer.js), and the offer's data for a bound device
(POST /o/<token>/open with the device cookie). Target: p99 under 50 ms.

With --https the public listener serves TLS (a self-signed certificate): wrk's rows are then
keep-alive connections (one handshake each), and relais_bench_tls adds a connection per request,
new sessions and resumed ones, as fast as the clients can and paced at each of --rates (requests
a second in all, across the clients).

    /usr/bin/python3 tests/bench/bench_customer_page.py [--connections 200] [--seconds 20] [--https [--rates 300,600]]"""

import argparse
import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from relais_harness import Relais  # noqa: E402

RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver"], "first_name": "Hélène", "last_name": "Lefèvre",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"}]}],
    "interventions": [{"label": f"Intervention {i}", "mechanic_note": "Usure constatée au contrôle.",
                       "price_excl_cents": 5000 + i * 1000, "kind": "initial" if i < 3 else "optional",
                       "severity": "orange"} for i in range(8)],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--https", action="store_true")
    ap.add_argument("--rates", default="300,600")
    args = ap.parse_args()
    tls_bench = os.path.join(HERE, "..", "..", "build", "tests", "relais_bench_tls")
    if args.https and not os.path.exists(tls_bench):
        raise SystemExit("build/tests/relais_bench_tls is missing (scripts/build)")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing (apt-get install wrk)")
    workdir = tempfile.mkdtemp(prefix="relais-bench-customer-")
    r = Relais(workdir, '[tls]\npublic = true\ncertificate = "self-signed"\n' if args.https else "")
    # wrk's connections all come from 127.0.0.1, where customers come from many addresses: the
    # per-address cap (32 by default) is lifted for the benchmark, the listener's cap is not.
    with open(r.config) as f:
        text = f.read()
    with open(r.config, "w") as f:
        f.write(text.replace("[http]\n", f"[http]\npublic_max_per_address = {max(64, 3 * args.connections)}\n", 1))
    r.start()
    try:
        # The harness signs in as admin and replaces the one-time password.
        from relais_harness import RelaisTestCase
        tc = RelaisTestCase()
        c = RelaisTestCase.admin(tc, r)
        # Two agreements, as a dealership would have them: part of the offer's data.
        for title, mandatory in (("Conditions générales de réparation", True), ("Conseils d'entretien", False)):
            c.post("/api/v1/agreements", {"title": {"fr": title, "en": title},
                                          "text": {"fr": "Article 1 – " + "texte " * 150, "en": "Article 1 – " + "text " * 150},
                                          "mandatory": mandatory})
        ro = c.post("/api/v1/repair-orders", RO).json()
        phone = ro["parties"][0]["contact_points"][0]["id"]
        c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone], "note": "Bonjour !"})
        journal = os.path.join(r.data, "modem", "journal.jsonl")
        token = None
        for _ in range(400):
            if os.path.exists(journal):
                m = re.search(r"/o/([A-Za-z0-9_-]{22})", open(journal).read())
                if m:
                    token = m.group(1)
                    break
            time.sleep(0.05)
        if not token:
            raise SystemExit("no SMS with a link")
        if args.https:
            insecure = ssl.create_default_context()
            insecure.check_hostname = False
            insecure.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", r.public, context=insecure)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", r.public)
        conn.request("POST", f"/o/{token}/open", body="{}", headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        cookie = resp.getheader("Set-Cookie").split(";")[0]
        sizes = {}
        for path in (f"/o/{token}", "/assets/customer/customer.js", "/assets/customer/customer.css"):
            conn.request("GET", path)
            sizes[path] = len(conn.getresponse().read())

        rows = []
        for name, method, path, gzip in (
                ("page (GET /o/<token>)", "GET", f"/o/{token}", False),
                ("script (GET customer.js, uncompressed)", "GET", "/assets/customer/customer.js", False),
                ("script (GET customer.js, gzip as browsers ask)", "GET", "/assets/customer/customer.js", True),
                ("offer data (POST /o/<token>/open, bound device)", "POST", f"/o/{token}/open", False)):
            env = dict(os.environ, RELAIS_BENCH_METHOD=method, RELAIS_BENCH_PATH=path, RELAIS_BENCH_COOKIE=cookie,
                       RELAIS_BENCH_ORIGIN="https://relais.garage-test.fr", RELAIS_BENCH_GZIP="1" if gzip else "0")
            out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
                                  "-s", os.path.join(HERE, "customer_page.lua"),
                                  f"{'https' if args.https else 'http'}://127.0.0.1:{r.public}"],
                                 env=env, capture_output=True, text=True, check=True).stdout
            line = next(l for l in out.splitlines() if l.startswith("RESULT"))
            p50, p95, p99, mx, n, errors = line.split()[1:]
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            rows.append((name, float(p50), float(p95), float(p99), float(mx), int(n), int(errors), rps))
        if args.https:
            # A connection per request: what a phone opening a link costs the box.
            for what, target in (("page", f"/o/{token}"), ("offer data", f"POST /o/{token}/open")):
                for mode in ("new", "resumed"):
                    for rate in [0.0] + [float(x) for x in args.rates.split(",") if x]:
                        out = subprocess.run([tls_bench, str(r.public), target, str(args.connections),
                                              str(args.seconds), mode, str(rate), cookie],
                                             capture_output=True, text=True, check=True).stdout
                        j = json.loads(out)
                        pace = "as fast as possible" if rate == 0 else f"paced at {rate:.0f}/s"
                        name = (f"{what}, a connection per request, {mode} sessions ({j['resumed']:,} of "
                                f"{j['handshakes']:,} resumed), {pace}")
                        rows.append((name, j["p50"], j["p95"], j["p99"], j["max"], j["requests"], j["errors"],
                                     j["per_second"]))
        total_kb = sum(sizes.values()) / 1024
        print(f"Machine: nproc {os.cpu_count()}; relais public listener, 2 HTTP threads"
              f"{', TLS (self-signed ECDSA P-256)' if args.https else ''}; wrk -t2 "
              f"-c{args.connections} -d{args.seconds}s per row"
              f"{'; relais_bench_tls with as many clients' if args.https else ''}.")
        print(f"Page weight: {total_kb:.1f} KB (page {sizes[f'/o/{token}']} B, script "
              f"{sizes['/assets/customer/customer.js']} B, style {sizes['/assets/customer/customer.css']} B), "
              "uncompressed.\n")
        print("| scenario | p50 ms | p95 ms | p99 ms | max ms | requests | errors | requests/s |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, p50, p95, p99, mx, n, errors, rps in rows:
            print(f"| {name} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {mx:.2f} | {n:,} | {errors} | {rps:,.0f} |")
    finally:
        r.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
