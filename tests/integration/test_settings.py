"""The workspace's settings (first-boot setup, Administration → Settings): read and changed by a
dealer admin through /api/v1/admin/settings, checked as a start would check them (nothing
written when wrong), written to <data_dir>/settings.toml, and applied by relais starting again
in place (same PID) after a clean stop; the setup's "done" kept; a test email followed to its
outcome. The restart's stop is begun once: saves while it waits for a send in progress are
refused, the send is not cut, relais restarts once; a SIGTERM then makes it a plain stop."""

import json
import os
import signal
import sqlite3
import stat
import unittest

from relais_harness import SIMPLE_RO, RelaisTestCase, wait_for

# How long the emulated network takes to answer AT+CMGS: the restart's stop waits for it.
CMGS_LATENCY_MS = 3000


class SettingsTest(RelaisTestCase):
    def signed_in(self, r):
        c = r.client()
        self.assertEqual(c.sign_in("admin", "Garage-Test-2026").status, 200)
        return c

    def restarted(self, r, before):
        """Waits for relais to start again (a new port file), then reads its new ports."""
        ports = os.path.join(r.workdir, "ports.json")
        wait_for(lambda: os.path.exists(ports) and os.stat(ports).st_mtime_ns != before, timeout=30,
                 what="relais to start again")
        with open(ports) as f:
            p = json.load(f)
        r.lan, r.public = p["lan"], p["public"]

    def test_settings_checked_written_and_applied_by_a_restart_in_place(self):
        r = self.relais().start()
        admin = self.admin(r)
        fds = len(os.listdir(f"/proc/{r.proc.pid}/fd"))
        s = admin.get("/api/v1/admin/settings").json()
        self.assertEqual(s["dealer"]["name"], "Garage Test")
        self.assertFalse(s["setup_done"])
        self.assertFalse(s["mail"]["password_set"])
        self.assertIsInstance(s["ports"], list)
        self.assertFalse(admin.get("/api/v1/settings").json()["setup_done"])
        settings_file = os.path.join(r.data, "settings.toml")

        # Wrong values: every problem named on its field, in config.cpp's words; nothing written.
        bad = admin.patch("/api/v1/admin/settings", {"dealer": {"language": "de"}, "mail": {"relay_port": 70000},
                                                   "public_base_url": "relais.garage.fr"})
        self.assertEqual(bad.status, 422, bad.body)
        fields = {f["field"]: f["message"] for f in bad.json()["error"]["fields"]}
        self.assertIn("\"fr\" or \"en\"", fields["dealer.language"])
        self.assertIn("between 1 and 65535", fields["mail.relay_port"])
        self.assertIn("public_base_url", fields)
        self.assertFalse(os.path.exists(settings_file))
        wrong_type = admin.patch("/api/v1/admin/settings", {"dealer": {"name": 7}, "storage": {}})
        self.assertEqual(wrong_type.status, 422)
        self.assertEqual({f["field"] for f in wrong_type.json()["error"]["fields"]}, {"dealer.name", "storage"})

        # Right ones: written (0600), then relais restarts in place and serves with them.
        pid = r.proc.pid
        before = os.stat(os.path.join(r.workdir, "ports.json")).st_mtime_ns
        ok = admin.patch("/api/v1/admin/settings", {"dealer": {"name": "Garage Martin", "timezone": "Europe/Brussels"},
                                                  "public_base_url": "https://atelier.garage-martin.fr",
                                                  "mail": {"relay_host": "smtp.garage-martin.fr", "password": "s3cret \"quoted\"",
                                                           "username": "atelier"}})
        self.assertEqual((ok.status, ok.json()), (202, {"restarting": True}), ok.body)
        self.assertEqual(stat.S_IMODE(os.stat(settings_file).st_mode), 0o600)
        self.restarted(r, before)
        self.assertEqual(r.proc.pid, pid)
        self.assertIsNone(r.proc.poll())
        # Nothing of the last run is left open in the new one (a listening socket would be fatal).
        self.assertLessEqual(len(os.listdir(f"/proc/{pid}/fd")), fds + 1)
        admin = self.signed_in(r)
        s = admin.get("/api/v1/admin/settings").json()
        self.assertEqual((s["dealer"]["name"], s["dealer"]["timezone"]), ("Garage Martin", "Europe/Brussels"))
        self.assertEqual(s["public_base_url"], "https://atelier.garage-martin.fr")
        self.assertTrue(s["mail"]["password_set"])
        self.assertNotIn("s3cret", json.dumps(s))
        self.assertIn("stopped cleanly; starting again", r.stdout() + r.stderr())
        # `relais check-config` reads the settings too.
        checked = r.cli("check-config")
        self.assertEqual(checked.returncode, 0, checked.stderr)
        self.assertIn("Garage Martin", checked.stdout)

        # The setup, skipped or finished, is not offered again, also after a restart.
        self.assertEqual(admin.post("/api/v1/admin/setup/done").status, 204)
        self.assertTrue(admin.get("/api/v1/settings").json()["setup_done"])
        r.stop()
        r.start()
        admin = self.signed_in(r)
        self.assertTrue(admin.get("/api/v1/settings").json()["setup_done"])
        self.assertEqual(admin.get("/api/v1/admin/settings").json()["dealer"]["name"], "Garage Martin")

    def test_a_test_email_through_the_transport_as_configured(self):
        r = self.relais().start()
        admin = self.admin(r)
        # Answered at once (no HTTP thread waits for the relay), followed by its id.
        res = admin.post("/api/v1/mail/test-email", {"to": "it@garage-martin.fr"})
        self.assertEqual(res.status, 202, res.body)
        started = res.json()
        self.assertEqual((started["state"], started["to"]), ("sending", "it@garage-martin.fr"))
        outcome = wait_for(lambda: (lambda t: t if t["state"] != "sending" else None)(
            admin.get(f"/api/v1/mail/test-email/{started['id']}").json()), what="the test email's outcome")
        self.assertEqual(outcome["state"], "sent", outcome)
        self.assertIn("written to " + os.path.join(r.data, "mail", "new"), outcome["answer"])  # its own words
        new = os.path.join(r.data, "mail", "new")
        files = os.listdir(new)
        self.assertEqual(len(files), 1)
        with open(os.path.join(new, files[0]), encoding="utf-8", errors="replace") as f:
            self.assertIn("it@garage-martin.fr", f.read())
        res = admin.post("/api/v1/mail/test-email", {"to": "not an address"})
        self.assertEqual(res.status, 422)
        self.assertEqual(admin.get("/api/v1/mail/test-email/unknown").status, 404)

    # ---- the restart's stop, begun once ----------------------------------------------------

    def outbox(self, r):
        db = sqlite3.connect(os.path.join(r.data, "relais.db"))
        try:
            return db.execute("SELECT channel, state, attempts, interruptions FROM outbox ORDER BY id").fetchall()
        finally:
            db.close()

    def sms_in_flight(self, r, admin):
        """An offer's SMS that the emulated network has taken and answers in 3 s."""
        wait_for(lambda: admin.get("/api/v1/modem").json()["health"] == "ready", what="the modem ready")
        self.assertTrue(r.modem_control({"cmd": "set", "cmgs_latency_ms": CMGS_LATENCY_MS})["ok"])
        ro = admin.post("/api/v1/repair-orders", SIMPLE_RO)
        self.assertEqual(ro.status, 201, ro)
        phone = next(cp["id"] for p in ro.json()["parties"] for cp in p["contact_points"] if cp["kind"] == "phone")
        sent = admin.post(f"/api/v1/repair-orders/{ro.json()['id']}/offers", {"recipients": [phone]})
        self.assertEqual(sent.status, 201, sent)
        wait_for(lambda: r.sent_sms(), what="the SMS taken by the network")

    def restart_stop_begun(self, r):
        wait_for(lambda: "restarting to apply the workspace's settings: finishing the sends in progress"
                 in r.stderr(), what="the restart's stop to begin")

    def test_saves_during_the_restart_stop_restart_once_and_cut_no_send(self):
        r = self.relais().start()
        admin = self.admin(r)
        pid = r.proc.pid
        instance = admin.get("/healthz").json()["instance"]
        self.assertTrue(instance)
        self.sms_in_flight(r, admin)
        before = os.stat(os.path.join(r.workdir, "ports.json")).st_mtime_ns

        # A double click: the second save comes while the first one's stop may have begun.
        first = admin.patch("/api/v1/admin/settings", {"dealer": {"name": "Garage Martin"}})
        self.assertEqual((first.status, first.json()), (202, {"restarting": True}), first.body)
        second = admin.patch("/api/v1/admin/settings", {"dealer": {"name": "Garage Martin 2"}})
        self.assertIn(second.status, (202, 503), second.body)
        # Once the stop has begun (it waits for the SMS), a save is refused, nothing written.
        self.restart_stop_begun(r)
        with open(os.path.join(r.data, "settings.toml")) as f:
            written = f.read()
        third = admin.patch("/api/v1/admin/settings", {"dealer": {"name": "Garage Dupont"}})
        self.assertEqual(third.status, 503, third.body)
        self.assertEqual(third.json()["error"]["code"], "shutting_down")
        self.assertIsNotNone(third.header("retry-after"))
        test = admin.post("/api/v1/mail/test-email", {"to": "it@garage-martin.fr"})
        self.assertEqual((test.status, test.json()["error"]["code"]), (503, "shutting_down"))
        test = admin.post("/api/v1/modem/test-sms", {"to": "06 12 34 56 78", "text": "Essai"})
        self.assertEqual((test.status, test.json()["error"]["code"]), (503, "shutting_down"))
        with open(os.path.join(r.data, "settings.toml")) as f:
            self.assertEqual(f.read(), written)
        # The old run still answers meanwhile: it is not the new one.
        self.assertEqual(admin.get("/healthz").json()["instance"], instance)

        self.restarted(r, before)
        self.assertEqual(r.proc.pid, pid)
        self.assertIsNone(r.proc.poll())
        log = r.stderr()
        self.assertEqual(log.count("stopped cleanly; starting again"), 1, log[-3000:])
        self.assertNotIn("received again", log)
        self.assertNotIn("cut off by the stop", log)
        self.assertIn("waiting for its outcome", log)
        # The SMS settled as sent before the restart, once, its attempt not interrupted.
        self.assertEqual(self.outbox(r), [("sms", "sent", 1, 0)])
        self.assertEqual(len(r.sent_sms()), 1)
        admin = self.signed_in(r)
        self.assertNotEqual(admin.get("/healthz").json()["instance"], instance)
        name = admin.get("/api/v1/admin/settings").json()["dealer"]["name"]
        self.assertEqual(name, "Garage Martin 2" if second.status == 202 else "Garage Martin")
        self.assertEqual(r.stderr().count("stopped cleanly; starting again"), 1)

    def test_sigterm_during_the_restart_stop_stops_instead(self):
        r = self.relais().start()
        admin = self.admin(r)
        self.sms_in_flight(r, admin)
        res = admin.patch("/api/v1/admin/settings", {"dealer": {"name": "Garage Martin"}})
        self.assertEqual(res.status, 202, res.body)
        self.restart_stop_begun(r)
        # systemd stops the service meanwhile: relais finishes the send, then exits.
        r.proc.send_signal(signal.SIGTERM)
        self.assertEqual(r.proc.wait(timeout=30), 0, r.stderr()[-3000:])
        log = r.stderr()
        self.assertIn("SIGTERM received: stopping instead of restarting", log)
        self.assertIn("stopped cleanly", log)
        self.assertNotIn("starting again", log)
        self.assertNotIn("cut off by the stop", log)
        self.assertEqual(self.outbox(r), [("sms", "sent", 1, 0)])
        # What was saved applies at the next start.
        r.start()
        self.assertEqual(self.signed_in(r).get("/api/v1/admin/settings").json()["dealer"]["name"], "Garage Martin")


if __name__ == "__main__":
    unittest.main()
