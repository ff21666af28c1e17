"""Backups (issue 13): `relais backup` beside the running service while the API writes repair
orders and sends their offers (SMS through the emulated modem, email to the maildir), then
`relais restore` on a fresh box: every repair order, offer and timeline event committed before
the backup began is there, the database passes integrity_check, relais starts on it and the
admin signs in. A restore is refused while relais runs, and a damaged file is refused with
nothing changed. /metrics tells the last backup's time and size; the newest [backup] keep stay.
The settings made in the workspace (<data_dir>/settings.toml) go with a backup and come back
with the configuration, stay with it under --keep-config, and go when the backup has none."""

import os
import re
import sqlite3
import subprocess
import tarfile
import threading
import time
import unittest

from relais_harness import BIN, SIMPLE_RO, RelaisTestCase, wait_for
from test_metrics import parse

PASSWORD = "Garage-Test-2026"


class Writer(threading.Thread):
    """Creates repair orders and sends each one's offer, by SMS and email in turn, until stopped;
    remembers when each write was acknowledged."""

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client = client
        self.acked = []  # (monotonic time of the answer, repair order id, offer id)
        self.failure = None
        self.halt = threading.Event()

    def run(self):
        try:
            n = 0
            while not self.halt.is_set():
                ro = self.client.post("/api/v1/repair-orders", SIMPLE_RO)
                assert ro.status == 201, ro
                kind = "phone" if n % 2 == 0 else "email"
                contact = next(cp["id"] for p in ro.json()["parties"] for cp in p["contact_points"]
                               if cp["kind"] == kind)
                offer = self.client.post(f"/api/v1/repair-orders/{ro.json()['id']}/offers", {"recipients": [contact]})
                assert offer.status == 201, offer
                self.acked.append((time.monotonic(), ro.json()["id"], offer.json()["id"]))
                n += 1
        except Exception as e:  # noqa: BLE001 — reported by the test, not lost in the thread
            self.failure = e

    def between(self, start, end):
        return [a for a in self.acked if start <= a[0] <= end]

    def stop(self):
        self.halt.set()
        self.join(timeout=30)
        if self.failure:
            raise AssertionError(f"the writer failed: {self.failure!r}")


def rows(db_path):
    """What a restore must keep: the repair orders' and offers' ids, the timeline events whole
    (they are never changed), and integrity_check's answer."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {
            "repair_orders": {r[0] for r in db.execute("SELECT id FROM repair_orders")},
            "offers": {r[0] for r in db.execute("SELECT id FROM offers")},
            "events": set(db.execute("SELECT * FROM events")),
            "integrity": db.execute("PRAGMA integrity_check").fetchone()[0],
        }
    finally:
        db.close()


class BackupTest(RelaisTestCase):

    def test_a_backup_during_writes_restores_every_committed_write_on_a_fresh_box(self):
        usb = os.path.join(self.workdir, "usb")
        os.makedirs(usb)
        with open(os.path.join(usb, "notes.txt"), "w") as f:
            f.write("the dealership's own file")
        r = self.relais(f'[backup]\ndir = "{usb}"\nkeep = 2\n').start()
        c = self.admin(r, PASSWORD)
        # Some volume, so that the copy takes long enough for writes to land while it runs.
        seeded = r.cli("seed-demo", "--count", "2000")
        self.assertEqual(seeded.returncode, 0, seeded.stderr)
        scraper = r.client()
        samples, _ = parse(scraper.get("/metrics").body)
        self.assertEqual(samples[("relais_backup_last_success_timestamp_seconds", frozenset())], 0)

        w = r.client()
        self.assertEqual(w.sign_in("admin", PASSWORD).status, 200)
        writer = Writer(w)
        writer.start()
        wait_for(lambda: len(writer.acked) >= 5 or writer.failure, timeout=20, what="the first writes")

        # Everything committed before the backup begins, read from the live database.
        before = rows(os.path.join(r.data, "relais.db"))
        acked_before = list(writer.acked)
        began, wall = time.monotonic(), time.time()
        backup = subprocess.run([BIN, "backup", "--config", r.config], capture_output=True, text=True, timeout=60)
        ended = time.monotonic()
        wait_for(lambda: writer.between(ended, float("inf")) or writer.failure, timeout=20,
                 what="writes after the backup")
        writer.stop()
        self.assertEqual(backup.returncode, 0, backup.stderr)
        found = re.search(r"^backup written: (\S+\.tar) \(", backup.stdout, re.M)
        self.assertTrue(found, backup.stdout)
        archive = found.group(1)
        self.assertEqual(os.path.dirname(archive), usb)
        self.assertEqual(os.stat(archive).st_mode & 0o777, 0o600)
        during = writer.between(began, ended)
        print(f"\n  backup of {os.path.getsize(archive)} bytes in {ended - began:.2f} s; "
              f"{len(acked_before)} writes before, {len(during)} during, {len(writer.acked)} in all")
        self.assertGreater(len(during), 0, "no write landed while the backup ran")
        self.assertEqual(before["integrity"], "ok")

        # /metrics: the last success's time and size.
        samples, types = parse(scraper.get("/metrics").body)
        stamp = samples[("relais_backup_last_success_timestamp_seconds", frozenset())]
        self.assertLessEqual(abs(stamp - wall), 5)
        self.assertEqual(samples[("relais_backup_last_size_bytes", frozenset())], os.path.getsize(archive))
        self.assertEqual(types["relais_backup_last_success_timestamp_seconds"], "gauge")

        # Not while relais runs: the data directory's lock says so.
        running = r.cli("restore", archive, "--force")
        self.assertEqual(running.returncode, 1, running.stdout)
        self.assertIn(f"relais is running on the data directory {r.data}", running.stderr)
        final = rows(os.path.join(r.data, "relais.db"))
        r.stop()

        # A fresh box, its own configuration and data directory.
        fresh_dir = os.path.join(self.workdir, "fresh")
        os.makedirs(fresh_dir)
        fresh = self.relais(workdir=fresh_dir)
        fresh_data = os.path.join(fresh_dir, "var")
        with open(fresh.config) as f:
            fresh_config = f.read()

        # A damaged copy, and a truncated one: refused, naming the problem; nothing changed.
        with open(archive, "rb") as f:
            good = bytearray(f.read())
        damaged, cut = os.path.join(self.workdir, "damaged.tar"), os.path.join(self.workdir, "cut.tar")
        with open(cut, "wb") as f:
            f.write(good[:-4096])
        good[len(good) // 2] ^= 0x40
        with open(damaged, "wb") as f:
            f.write(good)
        for bad, problem in ((damaged, '"relais.db" is damaged: its SHA-256 is'),
                             (cut, "truncated: the file ends inside \"relais.db\"")):
            refused = fresh.cli("restore", bad)
            self.assertEqual(refused.returncode, 1, refused.stdout)
            self.assertIn(problem, refused.stderr)
            self.assertIn("Nothing was changed", refused.stderr)
            self.assertFalse(os.path.exists(fresh_data), os.listdir(fresh_dir))
        # The backup's configuration keeps its data elsewhere: refused, unless this box's is kept.
        elsewhere = fresh.cli("restore", archive)
        self.assertEqual(elsewhere.returncode, 1)
        self.assertIn(f"keeps its data in {r.data}, this box's in {fresh_data}", elsewhere.stderr)
        self.assertIn("--keep-config", elsewhere.stderr)

        restored = fresh.cli("restore", archive, "--keep-config")
        self.assertEqual(restored.returncode, 0, restored.stderr)
        self.assertIn(f"database restored: {fresh_data}/relais.db", restored.stdout)
        with open(fresh.config) as f:
            self.assertEqual(f.read(), fresh_config)
        after = rows(os.path.join(fresh_data, "relais.db"))
        self.assertEqual(after["integrity"], "ok")
        for what in ("repair_orders", "offers", "events"):
            self.assertLessEqual(before[what], after[what], f"{what} committed before the backup are missing")
            self.assertLessEqual(after[what], final[what], f"{what} in the backup that the box never had")
        for _, ro_id, offer_id in acked_before:
            self.assertIn(ro_id, after["repair_orders"])
            self.assertIn(offer_id, after["offers"])
        self.assertLess(len(after["repair_orders"]), len(final["repair_orders"]), "the writes after it were in it")

        # relais runs on it, the admin's password with it.
        fresh.start()
        fc = fresh.client()
        self.assertEqual(fc.sign_in("admin", PASSWORD).status, 200)
        ro_id = acked_before[-1][1]
        self.assertEqual(fc.get(f"/api/v1/repair-orders/{ro_id}").status, 200)
        self.assertEqual(fresh.client().get("/healthz").json()["status"], "ok")
        fresh.stop()

        # Two more backups: the newest two stay, the dealership's own file too.
        for _ in range(2):
            again = subprocess.run([BIN, "backup", "--config", r.config], capture_output=True, text=True, timeout=60)
            self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("1 older backup removed from " + usb + " (the newest 2 are kept)", again.stdout)
        names = sorted(os.listdir(usb))
        self.assertEqual(len(names), 3, names)
        self.assertIn("notes.txt", names)
        self.assertNotIn(os.path.basename(archive), names)

    def test_the_workspace_settings_go_with_a_backup_and_come_back_with_the_configuration(self):
        r = self.relais()
        settings = os.path.join(r.data, "settings.toml")
        dupont = ('[dealer]\nname = "Garage Dupont « atelier »"\n[mail]\npassword = "relay \\"secret\\""\n'
                  '[setup]\ndone = true\n')
        durand = '[dealer]\nname = "Garage Durand"\n'

        def write_settings(text):
            with open(os.open(settings, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
                f.write(text)

        def dealer():
            checked = r.cli("check-config")
            self.assertEqual(checked.returncode, 0, checked.stderr)
            return re.search(r"^  dealer (.*) \(FR,", checked.stdout, re.M).group(1)

        def restore(*args):
            restored = r.cli("restore", *args, "--force")
            self.assertEqual(restored.returncode, 0, restored.stderr)
            return restored.stdout

        os.makedirs(r.data)
        write_settings(dupont)
        r.start()
        self.assertEqual(r.client().get("/api/v1/settings").json()["dealer"]["name"], "Garage Dupont « atelier »")
        backup = r.cli("backup")
        self.assertEqual(backup.returncode, 0, backup.stderr)
        self.assertIn(", the configuration, the workspace's settings)", backup.stdout)
        archive = re.search(r"^backup written: (\S+\.tar) \(", backup.stdout, re.M).group(1)
        with tarfile.open(archive) as tar:
            self.assertEqual(tar.getnames()[:4], ["MANIFEST", "relais.db", "relais.toml", "settings.toml"])
            self.assertEqual(tar.extractfile("settings.toml").read().decode(), dupont)
        r.stop()

        # Changed since: the restore brings the backup's back, this box's kept aside.
        write_settings(durand)
        out = restore(archive)
        kept = re.search(r"^workspace settings restored: " + re.escape(settings) +
                         r" \(the ones they replaced are kept as (\S+)\)$", out, re.M)
        self.assertTrue(kept, out)
        with open(kept.group(1)) as f:
            self.assertEqual(f.read(), durand)
        with open(settings) as f:
            self.assertEqual(f.read(), dupont)
        self.assertEqual(os.stat(settings).st_mode & 0o777, 0o600)
        self.assertEqual(dealer(), "Garage Dupont « atelier »")
        r.start()
        self.assertEqual(r.client().get("/api/v1/settings").json()["dealer"]["name"], "Garage Dupont « atelier »")
        r.stop()

        # --keep-config keeps this box's settings with its configuration file.
        write_settings(durand)
        out = restore(archive, "--keep-config")
        self.assertNotIn("workspace settings", out)
        self.assertEqual(dealer(), "Garage Durand")

        # From a backup made without settings, the box goes back to its file's values.
        os.remove(settings)
        backup = r.cli("backup")
        self.assertEqual(backup.returncode, 0, backup.stderr)
        self.assertIn(": the database at schema v", backup.stdout)
        self.assertNotIn("the workspace's settings", backup.stdout)
        without = re.search(r"^backup written: (\S+\.tar) \(", backup.stdout, re.M).group(1)
        write_settings(durand)
        out = restore(without)
        self.assertIn("workspace settings: the backup has none, so the configuration file's values apply (this box's "
                      f"are kept as {settings}.before-restore-", out)
        self.assertFalse(os.path.exists(settings))
        self.assertEqual(dealer(), "Garage Test")


if __name__ == "__main__":
    unittest.main(verbosity=2)
