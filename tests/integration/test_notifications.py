"""Staff notifications through the real `relais` (issue 15): a customer opens and confirms an offer
on the public listener; the advisor's notifications say so through the API, are read one by one
and all at once; for a user who opted in, one email digest lands in the maildir once its ten quiet
minutes are over (the digest's due time moved back in the database while relais is stopped, as
test_reminders.py does, rather than waiting), listing both events with a link to the RO; more
restarts send it no second time."""

import email
import email.policy
import glob
import os
import sqlite3
import time
import unittest

from relais_harness import RelaisTestCase
from test_customer_links import RO, Device, SmsLinks

PASSWORD = "Garage-Test-2026"


class NotificationTest(SmsLinks, RelaisTestCase):

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

    def test_a_confirmation_notifies_and_one_digest_follows_the_burst(self):
        r = self.relais()
        r.start()
        c = self.admin(r, PASSWORD)
        self.assertEqual(c.get("/api/v1/notifications").json(), {"items": [], "unread": 0})
        bad = c.request("PUT", "/api/v1/notifications/settings", {"digest": True, "email": "pas une adresse"})
        self.assertEqual(bad.status, 422, bad)
        saved = c.request("PUT", "/api/v1/notifications/settings",
                          {"digest": True, "email": "atelier@garage-test.fr"})
        self.assertEqual(saved.status, 200, saved)
        self.assertEqual(saved.json(), {"email": "atelier@garage-test.fr", "digest": True})

        ro = c.post("/api/v1/repair-orders", RO).json()
        phone = ro["parties"][0]["contact_points"][0]["id"]
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]})
        self.assertEqual(sent.status, 201, sent)
        token = self.wait_for_links(r, 1)[0]
        items = [i["id"] for i in ro["interventions"]]
        device = Device(r.public)
        self.assertEqual(device.request("POST", f"/o/{token}/open", {})[0], 200)
        status, body, _ = device.request("POST", f"/o/{token}/decisions",
                                         {"decisions": {str(items[0]): "accept", str(items[1]): "accept"},
                                          "confirm": True})
        self.assertEqual(status, 200, body)

        # The sender (here also the one who created the RO) is told, at once.
        listed = c.get("/api/v1/notifications?unread=1").json()
        self.assertEqual(listed["unread"], 2, listed)
        self.assertEqual([n["kind"] for n in listed["items"]], ["confirmed", "seen"])
        confirmed = listed["items"][0]
        self.assertEqual(confirmed["ro_id"], ro["id"])
        self.assertEqual(confirmed["ro_number"], ro["number"])
        self.assertEqual(confirmed["customer_name"], "Hélène Lefèvre")
        self.assertFalse(confirmed["read"])
        self.assertEqual(c.get("/api/v1/notifications?unread=maybe").status, 422)
        self.assertEqual(c.post("/api/v1/notifications/999999/read", {}).status, 404)

        # Nothing mailed before the ten quiet minutes.
        time.sleep(1.0)
        self.assertEqual(self.emails(r), [])

        # Stopped for ten minutes: the digest fell due meanwhile, and goes at the next start.
        self.assertEqual(r.stop(), 0)
        db = sqlite3.connect(os.path.join(r.data, "relais.db"))
        with db:
            n = db.execute("UPDATE notification_digests SET due_at = due_at - 600001, first_at = first_at - 600001"
                           ).rowcount
        db.close()
        self.assertEqual(n, 1)
        r.start()
        c = self.signed_in(r)
        mails = self.wait_for("the digest", lambda: self.emails(r), lambda m: len(m) == 1)
        with open(mails[0], "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        self.assertEqual(message["To"].addresses[0].addr_spec, "atelier@garage-test.fr")
        self.assertIn("du nouveau sur vos OR (2)", str(message["Subject"]))
        text = message.get_body(preferencelist=("plain",)).get_content()
        self.assertIn(f"{ro['number']} — Hélène Lefèvre a confirmé la commande.", text)
        self.assertIn(f"{ro['number']} — Hélène Lefèvre a ouvert l'offre.", text)
        self.assertIn(f"/repair-orders/{ro['id']}", text)
        html = message.get_body(preferencelist=("html",)).get_content()
        self.assertIn("Hélène Lefèvre", html)

        # Two more starts: no second digest.
        for _ in range(2):
            self.assertEqual(r.stop(), 0)
            r.start()
            c = self.signed_in(r)
            time.sleep(1.5)
            self.assertEqual(len(self.emails(r)), 1)

        # Read one by one, then all.
        one = c.post(f"/api/v1/notifications/{confirmed['id']}/read", {})
        self.assertEqual(one.status, 200, one)
        self.assertTrue(one.json()["read"])
        self.assertEqual(c.get("/api/v1/notifications").json()["unread"], 1)
        everything = c.post("/api/v1/notifications/read-all", {})
        self.assertEqual(everything.json(), {"marked": 1, "unread": 0})
        self.assertEqual(c.get("/api/v1/notifications?unread=1").json(), {"items": [], "unread": 0})
        r.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
