"""A send scheduled relative to the repair order's promised time, through the real `relais`
(issue 15): refused without a promised time or with send_at; scheduled an hour before the
promised time; the promised time moved through the RO's PATCH moves the pending send; across a
restart the SMS leaves at the new time (read back from the emulated modem's journal), exactly
once; once it has left, another change of the promised time moves nothing. The harness's
configuration is always open (`[hours] open = ""`), so the test does not depend on the time of
day it runs at."""

import datetime
import time
import unittest

from relais_harness import RelaisTestCase, SIMPLE_RO

PASSWORD = "Garage-Test-2026"


def utc(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def now():
    return datetime.datetime.now(datetime.timezone.utc)


class SendScheduleTest(RelaisTestCase):

    def wait_for(self, what, fetch, done, timeout=20):
        deadline = time.monotonic() + timeout
        value = fetch()
        while not done(value):
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}: {str(value)[:2000]}")
            time.sleep(0.05)
            value = fetch()
        return value

    def signed_in(self, r):
        c = r.client()
        self.assertEqual(c.sign_in("admin", PASSWORD).status, 200)
        return c

    def field_codes(self, response):
        return [(f["field"], f["code"]) for f in response.json()["error"]["fields"]]

    def test_a_send_relative_to_the_promised_time_follows_it_until_it_leaves_once(self):
        r = self.relais()
        r.start()
        c = self.admin(r)

        # Without a promised time, or with a date as well: refused, saying why.
        bare = c.post("/api/v1/repair-orders", SIMPLE_RO).json()
        phone = [cp["id"] for p in bare["parties"] for cp in p["contact_points"] if cp["kind"] == "phone"]
        refused = c.post(f"/api/v1/repair-orders/{bare['id']}/offers",
                         {"recipients": phone, "send_relative": {"hours": -2}})
        self.assertEqual(refused.status, 422, refused)
        self.assertEqual(self.field_codes(refused), [("send_relative", "no_promised_time")])

        ro = c.post("/api/v1/repair-orders", {**SIMPLE_RO, "promised_at": utc(now() + datetime.timedelta(hours=5))})
        self.assertEqual(ro.status, 201, ro)
        ro = ro.json()
        phone = [cp["id"] for p in ro["parties"] for cp in p["contact_points"] if cp["kind"] == "phone"]
        both = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                      {"recipients": phone, "send_relative": {"hours": -1},
                       "send_at": utc(now() + datetime.timedelta(hours=1))})
        self.assertEqual(both.status, 422, both)
        self.assertIn(("send_relative", "send_at_and_relative"), self.field_codes(both))
        past = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                      {"recipients": phone, "send_relative": {"hours": -6}})
        self.assertEqual(past.status, 422, past)
        self.assertEqual(self.field_codes(past), [("send_relative", "relative_in_the_past")])
        # The body's shape: each problem on its field, an object's name and its key joined by a dot.
        shape = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                       {"recipients": phone, "send_relative": {},
                        "reminders": {"policy": "urgent", "every_hours": "two"}})
        self.assertEqual(shape.status, 422, shape)
        self.assertIn(("send_relative.hours", "required"), self.field_codes(shape))
        self.assertIn(("reminders.every_hours", "invalid_type"), self.field_codes(shape))

        # An hour before the promised time: four hours from now.
        preview = c.post(f"/api/v1/repair-orders/{ro['id']}/offers/preview",
                         {"recipients": phone, "send_relative": {"hours": -1}})
        self.assertEqual(preview.status, 200, preview)
        in_four_hours = now() + datetime.timedelta(hours=4)
        self.assertLess(abs((parse(preview.json()["send_at"]) - in_four_hours).total_seconds()), 60)
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                      {"recipients": phone, "send_relative": {"hours": -1},
                       "reminders": {"policy": "urgent", "every_hours": 1}})
        self.assertEqual(sent.status, 201, sent)
        offer = sent.json()
        self.assertEqual(offer["state"], "scheduled")
        self.assertEqual(offer["send_relative"], {"hours": -1})
        due = parse(offer["messages"][0]["next_attempt_at"])
        self.assertLess(abs((due - in_four_hours).total_seconds()), 60)

        # The promised time moves: the send is due an hour before it, in a few seconds.
        promised = (now() + datetime.timedelta(hours=1, seconds=5)).replace(microsecond=0)
        moved = c.patch(f"/api/v1/repair-orders/{ro['id']}", {"promised_at": utc(promised)})
        self.assertEqual(moved.status, 200, moved)
        offer = c.get(f"/api/v1/offers/{offer['id']}").json()
        self.assertEqual(offer["state"], "scheduled")
        new_due = promised - datetime.timedelta(hours=1)
        self.assertEqual(parse(offer["messages"][0]["next_attempt_at"]), new_due)
        # The reminders count from the new departure, the link's 30 days too.
        self.assertEqual(parse(offer["reminders"]["started_at"]), new_due)
        self.assertEqual(parse(offer["expires_at"]), new_due + datetime.timedelta(days=30))
        events = c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
        rescheduled = [e for e in events if e["type"] == "offer.rescheduled"]
        self.assertEqual(len(rescheduled), 1, events)
        self.assertEqual(rescheduled[0]["data"]["send_at"], utc(new_due))
        self.assertEqual(rescheduled[0]["data"]["previous_send_at"], utc(due))

        # Off before it is due, on again after: it leaves then, at its new time, once.
        self.assertEqual(r.stop(), 0)
        self.assertEqual(r.sent_sms(), [])
        time.sleep(max(0.0, (new_due - now()).total_seconds()) + 1)
        r.start()
        c = self.signed_in(r)
        self.wait_for("the scheduled SMS", lambda: r.sent_sms(), lambda j: len(j) == 1)
        self.assertTrue(r.sent_sms()[0]["text"].startswith("Garage Test"), r.sent_sms())
        offer = self.wait_for("the offer sent", lambda: c.get(f"/api/v1/offers/{offer['id']}").json(),
                              lambda o: o["state"] in ("sent", "received"))
        left_at = offer["messages"][0]["next_attempt_at"]
        self.assertEqual(r.stop(), 0)
        r.start()
        c = self.signed_in(r)
        time.sleep(1.5)
        self.assertEqual(len(r.sent_sms()), 1)

        # Gone: a new promised time moves nothing.
        later = c.patch(f"/api/v1/repair-orders/{ro['id']}",
                        {"promised_at": utc(now() + datetime.timedelta(hours=8))})
        self.assertEqual(later.status, 200, later)
        after = c.get(f"/api/v1/offers/{offer['id']}").json()
        self.assertEqual(after["messages"][0]["next_attempt_at"], left_at)
        self.assertEqual(after["reminders"]["started_at"], offer["reminders"]["started_at"])
        events = c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
        self.assertEqual(len([e for e in events if e["type"] == "offer.rescheduled"]), 1)
        time.sleep(1)
        self.assertEqual(len(r.sent_sms()), 1)

    def test_moved_earlier_while_running_it_leaves_at_the_new_time(self):
        r = self.relais()
        r.start()
        c = self.admin(r)
        ro = c.post("/api/v1/repair-orders",
                    {**SIMPLE_RO, "promised_at": utc(now() + datetime.timedelta(hours=3))}).json()
        phone = [cp["id"] for p in ro["parties"] for cp in p["contact_points"] if cp["kind"] == "phone"]
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                      {"recipients": phone, "send_relative": {"hours": 1}})
        self.assertEqual(sent.status, 201, sent)
        offer = sent.json()
        self.assertEqual(offer["state"], "scheduled")
        # Four hours from now becomes three seconds from now: the outbox's next pass moves too.
        promised = (now() + datetime.timedelta(seconds=3) - datetime.timedelta(hours=1)).replace(microsecond=0)
        self.assertEqual(c.patch(f"/api/v1/repair-orders/{ro['id']}", {"promised_at": utc(promised)}).status, 200)
        due = promised + datetime.timedelta(hours=1)
        time.sleep(max(0.0, (due - now()).total_seconds() - 1.5))
        self.assertEqual(r.sent_sms(), [], "not before its time")
        self.wait_for("the SMS at its new time", lambda: r.sent_sms(), lambda j: len(j) == 1)
        offer = self.wait_for("the offer sent", lambda: c.get(f"/api/v1/offers/{offer['id']}").json(),
                              lambda o: o["state"] in ("sent", "received"))
        self.assertGreaterEqual(parse(offer["sent_at"]), due)
        time.sleep(1)
        self.assertEqual(len(r.sent_sms()), 1)


if __name__ == "__main__":
    unittest.main()
