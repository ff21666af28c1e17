"""SMS replies as the customer's answer through the real `relais` (issue 15, `[reminders]
sms_replies`): the offer's SMS names the answers; a question stays a reply for the advisor; "Oui
merci" from the customer's number, delivered by the emulated network, confirms the offer with
every item accepted (`offer.confirmed` by SMS on the timeline) and one acknowledgement SMS goes
back to that number; "Appelez-moi" puts every item on the callbacks list (GET/POST /api/v1/callbacks)."""

import re
import time
import unittest

from relais_harness import RelaisTestCase

PHONE = "+33612345678"
RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver", "owner"], "first_name": "Hélène", "last_name": "Lefèvre",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"}]}],
    "interventions": [{"label": "Vidange et filtre à huile", "price_excl_cents": 8900, "kind": "initial"},
                      {"label": "Plaquettes de frein avant", "price_excl_cents": 14500, "kind": "optional",
                       "severity": "red"}],
}
REPLIES = """
[reminders]
sms_replies = true
"""
LINK = re.compile(r"https://relais\.garage-test\.fr/o/[A-Za-z0-9_-]{22}")


class SmsReplyTest(RelaisTestCase):

    def wait_for(self, what, fetch, done, timeout=20):
        deadline = time.monotonic() + timeout
        value = fetch()
        while not done(value):
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}: {str(value)[:2000]}")
            time.sleep(0.05)
            value = fetch()
        return value

    def test_oui_merci_confirms_the_offer_and_is_acknowledged(self):
        with self.relais(extra_config=REPLIES) as r:
            c = self.admin(r)
            created = c.post("/api/v1/repair-orders", RO)
            self.assertEqual(created.status, 201, created)
            ro = created.json()
            phone = ro["parties"][0]["contact_points"][0]["id"]
            sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]})
            self.assertEqual(sent.status, 201, sent)
            offer = sent.json()
            offer = self.wait_for("the offer's SMS delivered", lambda: c.get(f"/api/v1/offers/{offer['id']}").json(),
                                  lambda o: o["messages"][0]["state"] == "delivered")
            self.assertEqual(offer["state"], "received")

            # The offer's SMS names the answers, in one GSM 7-bit part.
            journal = r.sent_sms()
            self.assertEqual(len(journal), 1, journal)
            self.assertTrue(journal[0]["text"].startswith("Garage Test : devis pour votre Peugeot 308 AB-123-CD : "),
                            journal[0]["text"])
            self.assertTrue(journal[0]["text"].endswith(" Répondez OUI, NON ou APPELEZ-MOI."), journal[0]["text"])
            self.assertEqual(journal[0]["encoding"], "gsm7")
            self.assertEqual(len(journal[0]["references"]), 1)

            timeline = lambda: c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
            unread = lambda: c.get(f"/api/v1/repair-orders/{ro['id']}/replies").json()["unread"]

            # A question is never guessed: a reply for the advisor, unread, the offer waiting.
            self.assertTrue(r.modem_control({"cmd": "inject_sms", "from": PHONE,
                                             "text": "Oui pour les freins ?"})["ok"])
            self.wait_for("the question on the timeline", timeline,
                          lambda items: any(e["type"] == "sms.received" for e in items))
            self.assertEqual(unread(), 1)
            self.assertEqual(c.get(f"/api/v1/offers/{offer['id']}").json()["state"], "received")

            # "Oui merci": every item accepted, the offer confirmed by the customer, by SMS.
            self.assertTrue(r.modem_control({"cmd": "inject_sms", "from": PHONE, "text": "Oui merci"})["ok"])
            offer = self.wait_for("the offer confirmed", lambda: c.get(f"/api/v1/offers/{offer['id']}").json(),
                                  lambda o: o["state"] == "confirmed")
            self.assertEqual([i["decision"] for i in offer["items"]], ["accept", "accept"])
            self.assertIsNotNone(offer["confirmed_at"])
            items = timeline()
            confirmed = [e for e in items if e["type"] == "offer.confirmed"]
            self.assertEqual(len(confirmed), 1, items)
            self.assertEqual(confirmed[0]["data"]["by"], "sms")
            self.assertEqual(confirmed[0]["data"]["from"], PHONE)
            self.assertEqual(confirmed[0]["data"]["reply"], "Oui merci")
            self.assertEqual(set(confirmed[0]["data"]["decisions"].values()), {"accept"})
            self.assertEqual(confirmed[0]["actor"]["name"], "Hélène Lefèvre")
            self.assertEqual(sum(e["type"] == "sms.received" for e in items), 2)
            self.assertEqual(unread(), 1, "the question is still unread; the answer taken is not")

            # One acknowledgement, to that number, in the GSM alphabet, with a fresh link.
            self.wait_for("the acknowledgement", lambda: len(r.sent_sms()), lambda n: n == 2)
            ack = r.sent_sms()[1]
            self.assertEqual(ack["recipient"], PHONE)
            self.assertEqual(ack["encoding"], "gsm7")
            self.assertTrue(ack["text"].startswith("Garage Test : nous avons noté OUI, tous les travaux proposés pour "
                                                   "votre Peugeot 308 AB-123-CD seront faits. Détail : "), ack["text"])
            self.assertTrue(ack["text"].endswith(" Pour changer d'avis, appelez-nous."), ack["text"])
            links = LINK.findall(ack["text"])
            self.assertEqual(len(links), 1, ack["text"])
            self.assertNotIn(links[0], journal[0]["text"], "a fresh link")
            messages = self.wait_for("the acknowledgement recorded",
                                     lambda: c.get(f"/api/v1/offers/{offer['id']}").json()["messages"],
                                     lambda ms: len(ms) == 2 and ms[1]["state"] in ("sent", "delivered"))
            self.assertEqual(messages[1]["purpose"], "sms_decision_ack")
            self.assertEqual(messages[1]["address"], PHONE)
            # The offer stays confirmed whatever the acknowledgement's delivery says.
            self.assertEqual(c.get(f"/api/v1/offers/{offer['id']}").json()["state"], "confirmed")

            # Another answer later changes nothing, and is a reply for the advisor.
            self.assertTrue(r.modem_control({"cmd": "inject_sms", "from": PHONE, "text": "NON"})["ok"])
            self.wait_for("the later reply", timeline,
                          lambda items: sum(e["type"] == "sms.received" for e in items) == 3)
            time.sleep(0.5)  # room for a wrong second acknowledgement to show up in the journal
            self.assertEqual(len(r.sent_sms()), 2)
            self.assertEqual([i["decision"] for i in c.get(f"/api/v1/offers/{offer['id']}").json()["items"]],
                             ["accept", "accept"])
            self.assertEqual(unread(), 2)

    def test_appelez_moi_puts_every_item_on_the_callbacks_list(self):
        # Issue 15's callbacks: an "APPELEZ-MOI" texted back is a contact_me answer per item of a
        # confirmed offer, so each is a callback; the advisor's outcomes over HTTP.
        with self.relais(extra_config=REPLIES) as r:
            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", RO).json()
            phone = ro["parties"][0]["contact_points"][0]["id"]
            offer = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]}).json()
            self.wait_for("the offer's SMS", lambda: len(r.sent_sms()), lambda n: n == 1)
            self.assertEqual(c.get("/api/v1/callbacks").json()["items"], [])
            self.assertTrue(r.modem_control({"cmd": "inject_sms", "from": PHONE, "text": "Appelez-moi"})["ok"])
            items = self.wait_for("the callbacks", lambda: c.get("/api/v1/callbacks").json()["items"],
                                  lambda items: len(items) == 2)
            self.assertEqual([i["label"] for i in items], [i["label"] for i in RO["interventions"]])
            first = items[0]
            self.assertEqual(first["offer_id"], offer["id"])
            self.assertEqual(first["ro_id"], ro["id"])
            self.assertEqual(first["ro_number"], ro["number"])
            self.assertEqual(first["customer_name"], "Hélène Lefèvre")
            self.assertEqual(first["vehicle"]["plate"], "AB-123-CD")
            self.assertEqual(first["phones"], [{"e164": PHONE, "display": "06 12 34 56 78", "source": "sms_recipient"}])
            self.assertIsNone(first["outcome"])
            self.assertEqual(first["attempts"], 0)

            path = f"/api/v1/callbacks/{offer['id']}/{first['intervention_id']}"
            missed = c.post(path, {"outcome": "not_reached", "note": "Messagerie"})
            self.assertEqual(missed.status, 200, missed)
            self.assertEqual(missed.json()["attempts"], 1)
            self.assertEqual(missed.json()["note"], "Messagerie")
            self.assertEqual(len(c.get("/api/v1/callbacks").json()["items"]), 2)
            done = c.post(path, {"outcome": "done"})
            self.assertEqual(done.status, 200, done)
            self.assertEqual(done.json()["outcome"], "done")
            self.assertEqual(len(c.get("/api/v1/callbacks?state=open").json()["items"]), 1)
            self.assertEqual(len(c.get("/api/v1/callbacks?state=all").json()["items"]), 2)

            self.assertEqual(c.post(path, {"outcome": "maybe"}).status, 422)
            self.assertEqual(c.post(path, {}).status, 422)
            self.assertEqual(c.post(path, {"outcome": "done", "note": "x" * 501}).status, 422)
            self.assertEqual(c.post(path, {"outcome": "done", "extra": 1}).status, 422)
            self.assertEqual(c.post(f"/api/v1/callbacks/{offer['id']}/999999", {"outcome": "done"}).status, 404)
            self.assertEqual(c.get("/api/v1/callbacks?state=later").status, 422)
            events = [e["type"] for e in c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]]
            self.assertEqual(events.count("callback.not_reached"), 1)
            self.assertEqual(events.count("callback.done"), 1)

    def test_without_the_setting_an_answer_is_a_reply(self):
        with self.relais() as r:
            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", RO).json()
            phone = ro["parties"][0]["contact_points"][0]["id"]
            offer = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]}).json()
            self.wait_for("the offer's SMS", lambda: len(r.sent_sms()), lambda n: n == 1)
            self.assertIn("Répondez ici", r.sent_sms()[0]["text"])
            self.assertTrue(r.modem_control({"cmd": "inject_sms", "from": PHONE, "text": "OUI"})["ok"])
            self.wait_for("the reply", lambda: c.get(f"/api/v1/repair-orders/{ro['id']}/replies").json()["unread"],
                          lambda n: n == 1)
            time.sleep(0.5)
            self.assertEqual(len(r.sent_sms()), 1)
            self.assertNotEqual(c.get(f"/api/v1/offers/{offer['id']}").json()["state"], "confirmed")


if __name__ == "__main__":
    unittest.main(verbosity=2)
