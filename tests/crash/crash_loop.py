#!/usr/bin/python3
"""Crash loop (issue 16): offers go out through the API while `relais` is killed with SIGKILL
at random moments and restarted, again and again, on one data directory. Then, with relais left
running until its outbox is idle, the emulated network's journal (firmware-bridge's
`<data_dir>/modem/journal.jsonl`, opened in append mode, so it spans every run) and the API
must agree:

- every offer the API acknowledged (201) has its SMS sent, and is in the journal;
- no message is lost: every SMS row of the outbox (acknowledged or not: a request cut by the
  kill may still have committed) ends sent or delivered and is in the journal at least once;
- every copy in the journal is the outbox row's exact text (a duplicate is identical), and the
  copies beyond the first, summed over all messages, are at most one per crash;
- nothing failed or quarantined;
- `PRAGMA integrity_check` says "ok" after every restart (read-only connection);
- relais serves again after every kill.

    flock /tmp/relais-build.lock /usr/bin/python3 tests/crash/crash_loop.py --count 1000

Each SMS goes to a number of its own (06 1x xx xx xx, one per repair order), so the journal's
recipient names the outbox row. The emulated network is slowed (`$RELAIS_BRIDGE_ARGS`, see
--bridge-args) so that kills land while SMS are in the modem. Standard library only (Debian's
python3). The working directory is kept, and its path printed, when the loop fails."""

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from relais_harness import BIN, Relais, wait_for  # noqa: E402

MODEM = """
[modem]
device = "virtual"
"""
SETTLED = ("sent", "delivered")


def ro_body(n):
    """A repair order whose driver has the phone number 06 1x xx xx xx of its own (n < 10^7)."""
    digits = f"061{n:07d}"
    phone = " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return {
        "vehicle": {"plate": f"cr-{n % 1000:03d}-ab", "make": "Peugeot", "model": "308"},
        "parties": [{"roles": ["driver"], "first_name": "Paul", "last_name": f"Crash{n}",
                     "contact_points": [{"kind": "phone", "value": phone}]}],
        "interventions": [{"label": "Vidange", "price_excl_cents": 8900}],
    }, "+33" + digits[1:]


class Loop:
    def __init__(self, args, workdir):
        self.args = args
        self.rng = random.Random(args.seed)
        self.r = Relais(workdir, MODEM)
        self.r.env = {"RELAIS_BRIDGE_ARGS": args.bridge_args}
        self.db_path = os.path.join(self.r.data, "relais.db")
        self.next_ro = 0
        self.acked = []  # (offer id, [(message id, address)]) the API answered 201 for
        self.unacked = 0  # offer requests cut by a kill (their fate unknown to the client)
        self.crashes = 0
        self.integrity_checks = 0
        self.recovery_ms = []
        self.problems = []
        self.bearer = None

    def log(self, text):
        if self.args.verbose:
            print(text, flush=True)

    def client(self):
        c = self.r.client()
        c.bearer = self.bearer
        return c

    def integrity(self):
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            result = [row[0] for row in db.execute("PRAGMA integrity_check")]
        finally:
            db.close()
        self.integrity_checks += 1
        if result != ["ok"]:
            self.problems.append(f"integrity_check after restart {self.crashes}: {result[:10]}")

    def start(self):
        """Starts relais and returns when its API answers; notes its emulated modem's pid."""
        self.r.start()
        c = self.client()
        wait_for(lambda: c.get("/healthz").status in (200, 503), timeout=10, what="/healthz")
        self.bridge_pid = self.r.modem_control({"cmd": "status"}).get("pid")
        return c

    def bridge_ended(self):
        """Whether the emulated modem of the killed relais has ended (--parent: PDEATHSIG)."""
        try:
            with open(f"/proc/{self.bridge_pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # ended, not yet reaped
        except (FileNotFoundError, ProcessLookupError):
            return True

    def send_offers(self, count, gap_s, stop):
        """One RO and one offer to its own number, `count` times, until `stop` is set; a request
        cut by the kill ends the thread."""
        c = self.client()
        for _ in range(count):
            if stop.is_set():
                return
            self.next_ro += 1
            body, _ = ro_body(self.next_ro)
            try:
                ro = c.post("/api/v1/repair-orders", body)
                if ro.status != 201:
                    self.problems.append(f"RO {self.next_ro} refused: {ro}")
                    return
                contact = ro.json()["parties"][0]["contact_points"][0]["id"]
                sent = c.post(f"/api/v1/repair-orders/{ro.json()['id']}/offers", {"recipients": [contact]})
            except Exception as e:  # the kill: refused, reset, or a cut answer (http.client's own errors)
                self.log(f"  request failed by the kill: {e!r}")
                self.unacked += 1
                return
            if sent.status != 201:
                self.problems.append(f"offer for RO {self.next_ro} refused: {sent}")
                return
            offer = sent.json()
            self.acked.append((offer["id"], [(m["id"], m["address"]) for m in offer["messages"]]))
            if gap_s:
                time.sleep(self.rng.uniform(0, gap_s))

    def cycle(self):
        """Offers go out; SIGKILL at a random moment; restart; integrity check."""
        stop = threading.Event()
        sender = threading.Thread(target=self.send_offers,
                                  args=(self.rng.randint(1, self.args.offers_per_cycle), 0.1, stop))
        delay = self.rng.uniform(0, self.args.max_kill_ms / 1000)
        sender.start()
        time.sleep(delay)
        self.r.proc.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        self.r.proc.wait(timeout=10)
        if self.bridge_pid:
            try:
                wait_for(self.bridge_ended, timeout=5, what=f"firmware-bridge {self.bridge_pid} to end")
            except AssertionError as e:
                self.problems.append(f"crash {self.crashes + 1}: {e}: it outlived the relais killed")
        stop.set()
        sender.join(timeout=60)
        self.crashes += 1
        for c in self.r.clients:
            c.conn.close()
        self.r.clients.clear()
        self.start()
        self.recovery_ms.append((time.monotonic() - killed) * 1000)
        self.integrity()
        self.log(f"crash {self.crashes}: killed {delay * 1000:.0f} ms in, serving again after "
                 f"{self.recovery_ms[-1]:.0f} ms; {len(self.acked)} offers acknowledged")

    def resent_at_restarts(self):
        """From each run's log: the restarts that found SMS or emails cut off by the kill
        (rows left `sending`), and how many rows in all."""
        restarts = rows = 0
        for run in range(1, self.r.runs + 1):
            with open(os.path.join(self.r.workdir, f"stderr.{run}.txt"), errors="replace") as f:
                for line in f:
                    found = re.search(r"outbox: (\d+) message\(s\) were being sent when Relais stopped", line)
                    if found:
                        restarts += 1
                        rows += int(found.group(1))
        return restarts, rows

    def outbox(self):
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            return db.execute("SELECT id, channel, address, body, state, attempts, interruptions, last_error "
                              "FROM outbox ORDER BY id").fetchall()
        finally:
            db.close()

    def drain(self, c):
        """Waits until every message the API acknowledged, and every outbox row, is settled
        (sent, delivered, failed or quarantined); returns the seconds it took."""
        t0 = time.monotonic()

        def idle():
            rows = self.outbox()
            return not any(state in ("pending", "sending") for _, _, _, _, state, _, _, _ in rows)
        try:
            wait_for(idle, timeout=self.args.drain_timeout, what="the outbox idle")
        except AssertionError as e:
            left = [row[:3] + row[4:] for row in self.outbox() if row[4] in ("pending", "sending")]
            self.problems.append(f"{e}: {len(left)} row(s) left, e.g. {left[:5]}")
        for offer_id, messages in self.acked:
            got = c.get(f"/api/v1/offers/{offer_id}")
            if got.status != 200:
                self.problems.append(f"offer {offer_id} (acknowledged): GET {got}")
                continue
            states = {m["id"]: m["state"] for m in got.json()["messages"]}
            for mid, address in messages:
                if states.get(mid) not in SETTLED:
                    self.problems.append(f"offer {offer_id} (acknowledged): message {mid} to {address} is "
                                         f"{states.get(mid)}")
        return time.monotonic() - t0

    def check_journal(self):
        journal = self.r.sent_sms()
        by_recipient = {}
        for m in journal:
            by_recipient.setdefault(m["recipient"], []).append(m["text"])
        rows = [row for row in self.outbox() if row[1] == "sms"]
        known = {row[2] for row in rows}
        duplicates, max_copies = 0, 0
        self.states = {}
        self.lost = 0
        for mid, _, address, body, state, attempts, interruptions, last_error in rows:
            copies = by_recipient.get(address, [])
            self.states[state] = self.states.get(state, 0) + 1
            if state not in SETTLED:
                self.problems.append(f"message {mid} to {address}: {state} after {attempts} attempt(s), "
                                     f"{interruptions} interruption(s): {last_error}")
            if not copies:
                self.lost += 1
                self.problems.append(f"message {mid} to {address} ({state}) is not in the journal: lost")
                continue
            different = [t for t in copies if t != body]
            if different:
                self.problems.append(f"message {mid} to {address}: {len(different)} journal cop(ies) differ from "
                                     f"the outbox text: {different[0][:120]!r}")
            duplicates += len(copies) - 1
            max_copies = max(max_copies, len(copies))
        acked_addresses = {a for _, ms in self.acked for _, a in ms}
        missing = acked_addresses - known
        if missing:
            self.problems.append(f"{len(missing)} acknowledged message(s) not in the outbox: {sorted(missing)[:5]}")
        stray = [r for r in by_recipient if r not in known]
        if stray:
            self.problems.append(f"journal SMS to numbers no outbox row has: {stray[:5]}")
        if duplicates > self.crashes:
            self.problems.append(f"{duplicates} duplicate(s) for {self.crashes} crash(es): more than one per crash")
        return len(rows), len(journal), duplicates, max_copies


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=50, help="number of SIGKILLs (the full run: 1000)")
    p.add_argument("--seed", type=int, default=16, help="seeds the kill moments and offer counts")
    p.add_argument("--offers-per-cycle", type=int, default=3, help="1 to this many offers between two kills")
    p.add_argument("--max-kill-ms", type=float, default=800, help="kill 0 to this many ms after the sends start")
    p.add_argument("--bridge-args", default="--cmgs-latency-ms 150 --report-delay-ms 100",
                   help="the emulated modem's options ($RELAIS_BRIDGE_ARGS)")
    p.add_argument("--drain-timeout", type=float, default=240, help="seconds for the outbox to become idle")
    p.add_argument("--keep", action="store_true", help="keep the working directory even on success")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()

    workdir = tempfile.mkdtemp(prefix="relais-crash-")
    loop = Loop(args, workdir)
    t0 = time.monotonic()
    ok = False
    try:
        key = loop.r.cli("apikey", "create", "crash-loop")
        if key.returncode:
            raise SystemExit(f"relais apikey create: {key.stderr}")
        loop.bearer = key.stdout.strip().splitlines()[-1]
        c = loop.start()
        loop.integrity()
        for _ in range(args.count):
            loop.cycle()
        c = loop.client()
        drain_s = loop.drain(c)
        messages, journal, duplicates, max_copies = loop.check_journal()
        loop.r.stop()
        cut_restarts, cut_rows = loop.resent_at_restarts()
        rec = sorted(loop.recovery_ms)
        summary = (f"{loop.crashes} crashes, {len(loop.acked)} offers acknowledged ({loop.unacked} requests failed by a kill), "
                   f"{cut_restarts} restarts found {cut_rows} message(s) cut mid-send, "
                   f"{messages} SMS in the outbox ({', '.join(f'{n} {s}' for s, n in sorted(loop.states.items()))}; "
                   f"{loop.lost} never in the journal), {journal} in the journal, {duplicates} duplicates "
                   f"(max {max_copies} copies of one), {loop.integrity_checks} integrity checks, "
                   f"recovery median {statistics.median(rec):.0f} ms, p95 {rec[int(0.95 * (len(rec) - 1))]:.0f} ms, "
                   f"max {rec[-1]:.0f} ms; drain {drain_s:.1f} s; {time.monotonic() - t0:.0f} s in all "
                   f"(seed {args.seed}, bridge {args.bridge_args!r})")
        if loop.problems:
            print("crash loop: FAILED:", summary)
            for problem in loop.problems[:40]:
                print("  -", problem)
            if len(loop.problems) > 40:
                print(f"  ... and {len(loop.problems) - 40} more")
        else:
            ok = True
            print("crash loop: OK:", summary)
    except Exception as e:
        print(f"crash loop: FAILED after {loop.crashes} crash(es): {e!r}")
        try:
            print(loop.r.stderr()[-3000:])
        except Exception:
            pass
    finally:
        try:
            if loop.r.proc and loop.r.proc.poll() is None:
                loop.r.stop(signal.SIGKILL)
        except Exception:
            pass
        if ok and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"  kept {workdir} for inspection")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
