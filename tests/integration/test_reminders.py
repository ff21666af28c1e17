"""Reminders and scheduled sends through the real `relais` (issue 15): a reminder that fell due
while the box was off goes out at the next start through the outbox, by SMS to the emulated
modem (read back from its journal) and by email to the maildir; more restarts send nothing
twice; a scheduled send whose time passed during a restart leaves once. The harness's
configuration is always open (`[hours] open = ""`), so the test does not depend on the time of
day it runs at."""

import datetime
import glob
import os
import sqlite3
import time
import unittest

from relais_harness import RelaisTestCase, SIMPLE_RO

PASSWORD = "Garage-Test-2026"


class ReminderTest(RelaisTestCase):

    def wait_for(self, what, fetch, done, timeout=20):
        deadline = time.monotonic() + timeout
        value = fetch()
        while not done(value):
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}: {str(value)[:2000]}")
            time.sleep(0.05)
            value = fetch()
        return value

    def emails(self, r):
        return sorted(glob.glob(os.path.join(r.data, "mail", "new", "*")))

    def signed_in(self, r):
        c = r.client()
        self.assertEqual(c.sign_in("admin", PASSWORD).status, 200)
        return c

    def due_now(self, r, offer_id):
        """What two hours off would do: the plan's times move two hours back, so that the next
        reminder is due (the plan is read again when it falls due, from when it started)."""
        db = sqlite3.connect(os.path.join(r.data, "relais.db"))
        shift = 2 * 3600 * 1000 + 1000
        with db:
            n = db.execute("UPDATE offer_reminders SET next_at = next_at - ?, started_at = started_at - ?, "
                           "anchor_at = anchor_at - ? WHERE offer_id = ?", (shift, shift, shift, offer_id)).rowcount
        db.close()
        self.assertEqual(n, 1)

    def test_a_reminder_due_while_off_goes_once_by_sms_and_email(self):
        r = self.relais()
        r.start()
        c = self.admin(r)
        ro = c.post("/api/v1/repair-orders", SIMPLE_RO).json()
        cps = [cp["id"] for p in ro["parties"] for cp in p["contact_points"]]
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                      {"recipients": cps, "reminders": {"policy": "urgent", "every_hours": 2}})
        self.assertEqual(sent.status, 201, sent)
        offer = sent.json()
        self.assertEqual(offer["reminders"]["policy"], "urgent")
        self.assertEqual(offer["reminders"]["sent"], 0)
        offer = self.wait_for("the offer received", lambda: c.get(f"/api/v1/offers/{offer['id']}").json(),
                              lambda o: o["state"] == "received" and all(m["state"] == "delivered"
                                                                          for m in o["messages"]))
        next_at = datetime.datetime.fromisoformat(offer["reminders"]["next_at"].replace("Z", "+00:00"))
        in_two_hours = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)
        self.assertLess(abs((next_at - in_two_hours).total_seconds()), 120, next_at)
        self.assertEqual(len(r.sent_sms()), 1)
        self.assertEqual(len(self.emails(r)), 1)

        # Off for two hours.
        self.assertEqual(r.stop(), 0)
        self.due_now(r, offer["id"])
        r.start()
        c = self.signed_in(r)
        offer = self.wait_for("the reminders delivered", lambda: c.get(f"/api/v1/offers/{offer['id']}").json(),
                              lambda o: len([m for m in o["messages"] if m["purpose"] == "reminder"
                                             and m["state"] == "delivered"]) == 2)
        self.assertEqual(offer["reminders"]["sent"], 1)
        self.assertEqual(offer["state"], "received")
        journal = r.sent_sms()
        self.assertEqual(len(journal), 2, journal)
        self.assertTrue(journal[1]["text"].startswith(
            "Garage Test : rappel, le devis de votre Peugeot 308 AB-123-CD attend votre réponse : "
            "https://relais.garage-test.fr/o/"), journal[1]["text"])
        self.assertNotEqual(journal[0]["text"], journal[1]["text"])  # a fresh link
        self.assertEqual(journal[1]["encoding"], "gsm7")
        self.assertEqual(len(journal[1]["references"]), 1)
        mails = self.wait_for("the reminder email", lambda: self.emails(r), lambda m: len(m) == 2)
        newest = max(mails, key=os.path.getmtime)
        with open(newest, "rb") as f:
            raw = f.read()
        self.assertIn(b"Subject: =?utf-8?", raw.split(b"\r\n\r\n")[0].replace(b"UTF-8", b"utf-8"))
        events = c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
        reminded = [e for e in events if e["type"] == "offer.reminded"]
        self.assertEqual(len(reminded), 1, events)
        self.assertEqual(reminded[0]["data"]["number"], 1)
        self.assertTrue(reminded[0]["data"]["automatic"])

        # Two more starts: nothing is sent twice.
        for _ in range(2):
            self.assertEqual(r.stop(), 0)
            r.start()
            c = self.signed_in(r)
            time.sleep(1.5)
            self.assertEqual(len(r.sent_sms()), 2)
            self.assertEqual(len(self.emails(r)), 2)
            self.assertEqual(c.get(f"/api/v1/offers/{offer['id']}").json()["reminders"]["sent"], 1)

        # The advisor sends the next one now; then pauses the plan.
        now = c.post(f"/api/v1/offers/{offer['id']}/reminders/send", {})
        self.assertEqual(now.status, 200, now)
        self.assertEqual(now.json()["reminders"]["sent"], 2)
        self.wait_for("the advisor's reminder", lambda: r.sent_sms(), lambda j: len(j) == 3)
        paused = c.patch(f"/api/v1/offers/{offer['id']}/reminders", {"paused": True})
        self.assertEqual(paused.status, 200, paused)
        self.assertTrue(paused.json()["reminders"]["paused"])
        self.assertIsNone(paused.json()["reminders"]["next_at"])
        bad = c.patch(f"/api/v1/offers/{offer['id']}/reminders", {"policy": "urgent", "every_hours": 99})
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(bad.json()["error"]["fields"][0]["field"], "every_hours")

    def test_a_scheduled_send_whose_time_passed_during_a_restart_leaves_once(self):
        r = self.relais()
        r.start()
        c = self.admin(r)
        ro = c.post("/api/v1/repair-orders", SIMPLE_RO).json()
        phone = [cp["id"] for p in ro["parties"] for cp in p["contact_points"] if cp["kind"] == "phone"]
        at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=4)
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                      {"recipients": phone, "send_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "reminders": {"policy": "urgent", "every_hours": 1}})
        self.assertEqual(sent.status, 201, sent)
        offer = sent.json()
        self.assertEqual(offer["state"], "scheduled")
        # The plan counts from when it leaves.
        next_at = datetime.datetime.fromisoformat(offer["reminders"]["next_at"].replace("Z", "+00:00"))
        self.assertLess(abs((next_at - at.replace(microsecond=0) - datetime.timedelta(hours=1)).total_seconds()), 2)
        self.assertEqual(r.stop(), 0)
        time.sleep(max(0.0, (at - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 1)
        self.assertEqual(r.sent_sms(), [])
        r.start()
        c = self.signed_in(r)
        self.wait_for("the scheduled SMS", lambda: r.sent_sms(), lambda j: len(j) == 1)
        self.assertEqual(r.stop(), 0)
        r.start()
        time.sleep(1.5)
        self.assertEqual(len(r.sent_sms()), 1)


if __name__ == "__main__":
    unittest.main()
