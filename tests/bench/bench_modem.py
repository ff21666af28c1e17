#!/usr/bin/env python3
"""Benchmark: SMS throughput through the emulated modem (firmware-bridge on a pty).

Ours: build/tests/relais_bench_modem (ModemService, the production driver) queues N
single-part messages and times the first send to the last answer. For comparison, Debian's
gammu-smsd (files backend, default settings) sends the same number through the same emulated
modem; its rate is measured between the first and the last message it reports sent.

    /usr/bin/python3 tests/bench/bench_modem.py [--quick]

Prints a Markdown table for docs/BENCHMARKS.md."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "..", "..", "build")
BENCH = os.environ.get("RELAIS_BENCH_MODEM", os.path.join(BUILD, "tests", "relais_bench_modem"))
BRIDGE = os.environ.get("RELAIS_BRIDGE_BIN", os.path.join(BUILD, "firmware-bridge", "firmware-bridge"))
TEXT = "Votre vehicule est pret a etre recupere. Garage Demo"


def ours(latency_ms, count):
    out = subprocess.run([BENCH, "--bridge", BRIDGE, "--latency-ms", str(latency_ms), "--count", str(count)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def gammu_smsd(latency_ms, count):
    d = tempfile.mkdtemp(prefix="relais-bench-smsd-")
    try:
        for sub in ("inbox", "outbox", "sent", "error"):
            os.mkdir(os.path.join(d, sub))
        link = os.path.join(d, "modem")
        bridge = subprocess.Popen([BRIDGE, "--link", link, "--journal", os.path.join(d, "journal.jsonl"),
                                   "--control", os.path.join(d, "control.sock"), "--cmgs-latency-ms", str(latency_ms)],
                                  stdout=subprocess.DEVNULL)
        while not os.path.exists(link):
            time.sleep(0.01)
        rc = os.path.join(d, "smsdrc")
        with open(rc, "w") as f:
            f.write(f"[gammu]\ndevice = {link}\nconnection = at\n[smsd]\nservice = files\n"
                    f"inboxpath = {d}/inbox/\noutboxpath = {d}/outbox/\nsentsmspath = {d}/sent/\n"
                    f"errorsmspath = {d}/error/\nlogfile = {d}/smsd.log\ndebuglevel = 0\n")
        for _ in range(count):
            subprocess.run(["gammu-smsd-inject", "-c", rc, "TEXT", "0612345678", "-text", TEXT],
                           capture_output=True, check=True)
        smsd = subprocess.Popen(["gammu-smsd", "-c", rc], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen = {}
        deadline = time.monotonic() + 120 + count * (latency_ms / 1000 + 2)
        while len(seen) < count and time.monotonic() < deadline:
            now = time.monotonic()
            for name in os.listdir(os.path.join(d, "sent")) + os.listdir(os.path.join(d, "error")):
                seen.setdefault(name, now)
            time.sleep(0.02)
        smsd.send_signal(signal.SIGTERM)
        smsd.wait(timeout=30)
        bridge.send_signal(signal.SIGTERM)
        bridge.wait(timeout=10)
        times = sorted(seen.values())
        errors = len(os.listdir(os.path.join(d, "error")))
        if len(times) < 2:
            return None
        seconds = times[-1] - times[0]
        return {"count": len(times), "failed": errors, "seconds": seconds,
                "per_minute": (len(times) - 1) / seconds * 60 if seconds > 0 else float("inf")}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer messages (a smoke run)")
    args = ap.parse_args()
    rows = []
    fast_n, slow_n = (200, 5) if args.quick else (5000, 30)
    for latency, n in ((0, fast_n), (3000, slow_n)):
        r = ours(latency, n)
        physical = 60000 / latency if latency else None
        rows.append(("relais (ModemService)", latency, r["sent"], r["seconds"], r["per_minute"],
                     f"{r['per_minute'] / physical * 100:.1f} % of {physical:.0f}/min" if physical else ""))
        print(f"ours at {latency} ms: {r}", file=sys.stderr)
    if shutil.which("gammu-smsd"):
        for latency, n in ((0, 10 if args.quick else 60), (3000, 4 if args.quick else 12)):
            r = gammu_smsd(latency, n)
            print(f"gammu-smsd at {latency} ms: {r}", file=sys.stderr)
            if r:
                physical = 60000 / latency if latency else None
                rows.append(("gammu-smsd 1.42 (files, defaults)", latency, r["count"], r["seconds"], r["per_minute"],
                             f"{r['per_minute'] / physical * 100:.1f} % of {physical:.0f}/min" if physical else ""))
    print("| sender | +CMGS latency | messages | seconds | messages/minute | of the physical limit |")
    print("|---|---:|---:|---:|---:|---|")
    for name, latency, n, secs, rate, share in rows:
        print(f"| {name} | {latency} ms | {n} | {secs:.2f} | {rate:,.1f} | {share} |")


if __name__ == "__main__":
    main()
