"""A clean stop never cuts a send (issue 12: an upgrade restarts relais at any moment). SIGTERM
while the emulated modem is in the middle of an SMS (its PDU taken, the network's answer to
AT+CMGS still to come), or while the relay is taking an email: relais waits for the outcome,
settles the message as sent, exits 0, and the message is not sent again after a restart."""

import os
import signal
import sqlite3
import unittest

from relais_harness import RELAY_MAIL_CONFIG, SIMPLE_RO, RelaisTestCase, wait_for
from smtp_servers import ScriptedRelay

MAIL, RO = RELAY_MAIL_CONFIG, SIMPLE_RO

# How long the emulated network takes to answer AT+CMGS: SIGTERM comes well inside it.
CMGS_LATENCY_MS = 3000


class StopDuringSendTest(RelaisTestCase):

    def rows(self, r):
        db = sqlite3.connect(os.path.join(r.data, "relais.db"))
        try:
            return (db.execute("SELECT channel, state, attempts, interruptions FROM outbox ORDER BY id").fetchall(),
                    db.execute("SELECT state FROM offers ORDER BY id").fetchall())
        finally:
            db.close()

    def offer(self, r, c, channel):
        ro = c.post("/api/v1/repair-orders", RO)
        self.assertEqual(ro.status, 201, ro)
        contact = next(cp["id"] for p in ro.json()["parties"] for cp in p["contact_points"] if cp["kind"] == channel)
        sent = c.post(f"/api/v1/repair-orders/{ro.json()['id']}/offers", {"recipients": [contact]})
        self.assertEqual(sent.status, 201, sent)
        return sent.json()

    def test_sigterm_during_an_sms_waits_for_it_and_it_goes_once(self):
        r = self.relais().start()
        c = self.admin(r)
        wait_for(lambda: c.get("/api/v1/modem").json()["health"] == "ready", what="the modem ready")
        self.assertTrue(r.modem_control({"cmd": "set", "cmgs_latency_ms": CMGS_LATENCY_MS})["ok"])
        first = self.offer(r, c, "phone")
        wait_for(lambda: r.sent_sms(), what="the first SMS taken by the network")
        # A second offer's SMS, handed to the modem while it transmits the first: it waits in
        # the modem's queue.
        self.offer(r, c, "phone")
        wait_for(lambda: self.rows(r)[0] == [("sms", "sending", 1, 0)] * 2, what="both SMS handed to the modem")

        # The network has the first PDU and answers in 3 s: stop now.
        r.proc.send_signal(signal.SIGTERM)
        self.assertEqual(r.proc.wait(timeout=30), 0, r.stderr()[-3000:])
        # The first settled as sent before the exit, no interruption counted; the second was
        # never started, so never sent: pending again, for the next start, its attempt given
        # back (a clean stop does not count).
        rows, offers = self.rows(r)
        self.assertEqual(rows, [("sms", "sent", 1, 0), ("sms", "pending", 0, 0)], r.stderr()[-3000:])
        self.assertEqual(offers[0], ("sent",))
        self.assertEqual(len(r.sent_sms()), 1)
        log = r.stderr()
        self.assertIn(f"the modem is sending outbox message {first['messages'][0]['id']} to +33612345678: "
                      "waiting for its outcome", log)
        self.assertIn("stopping: no send in progress", log)
        self.assertIn("1 message(s) not started before the stop go at the next start", log)
        self.assertNotIn("cut off by the stop", log)
        self.assertIn("stopped cleanly", log)

        # Restarted, relais sends the second and not the first again (it would have gone
        # first: the outbox takes the oldest due rows first, and the modem its queue in order).
        r.start()
        wait_for(lambda: self.rows(r)[0][1][1] in ("sent", "delivered"), what="the second SMS sent", timeout=20)
        r.stop()
        journal = r.sent_sms()
        self.assertEqual(len(journal), 2, journal)
        links = [m["text"].split("/o/")[1] for m in journal]
        self.assertNotEqual(links[0], links[1], "the first offer's SMS was sent again")
        self.assertEqual(self.rows(r)[0][0], ("sms", "sent", 1, 0))

    def test_sigterm_while_the_relay_takes_an_email_waits_for_its_answer(self):
        with ScriptedRelay(hold_end=True) as relay:
            r = self.relais(MAIL.format(port=relay.port)).start()
            c = self.admin(r)
            self.offer(r, c, "email")
            relay.wait_for(lambda: relay.held == 1)

            # The relay has the message and has not answered the final dot yet.
            r.proc.send_signal(signal.SIGTERM)
            wait_for(lambda: "waiting for their outcome" in r.stderr(), what="the stop waiting for the email")
            self.assertIn("stopping: 1 email(s) handed to the SMTP relay", r.stderr())
            self.assertIsNone(r.proc.poll(), "relais stopped before the relay answered")
            relay.release.set()
            self.assertEqual(r.proc.wait(timeout=30), 0, r.stderr()[-3000:])
            self.assertIn("stopped cleanly", r.stderr())
            self.assertNotIn("cut off by the stop", r.stderr())
            # The relay's acceptance is the email's "delivered", and the offer's "received".
            self.assertEqual(self.rows(r), ([("email", "delivered", 1, 0)], [("received",)]))
            self.assertEqual(len(relay.messages), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
