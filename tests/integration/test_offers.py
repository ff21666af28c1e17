"""Offers through the real `relais`: the API sends an offer by SMS (the emulated modem, read
back from its journal) and by email (the maildir, parsed by Python's email package), the
outbox carries both, and the offer moves to `received` with every step on the timeline."""

import email
import email.policy
import glob
import json
import os
import re
import time
import unittest

from relais_harness import RelaisTestCase

RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver", "owner"], "title": "Mme", "first_name": "Hélène", "last_name": "Lefèvre",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"},
                                    {"kind": "email", "value": "helene.lefevre@exemple.fr"}]},
                {"roles": ["leasing_company"], "kind": "company", "company_name": "Flotte Auto", "opted_out": True,
                 "contact_points": [{"kind": "email", "value": "gestion@flotte.test"}]}],
    "interventions": [{"label": "Vidange et filtre à huile", "price_excl_cents": 8900, "kind": "initial",
                       "severity": "green"},
                      {"label": "Plaquettes de frein avant", "mechanic_note": "Usées à 80 %",
                       "price_excl_cents": 14500, "kind": "optional", "severity": "red"}],
}
NOTE = "Bonjour Madame Lefèvre, voici ce que nous avons trouvé sur votre 308. Appelez-moi si besoin !"
LINK = re.compile(r"(https?://[^\s\"<>]+/o/([A-Za-z0-9_-]{22}))")


class OfferTest(RelaisTestCase):

    def wait_for(self, what, fetch, done, timeout=20):
        deadline = time.monotonic() + timeout
        value = fetch()
        while not done(value):
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}: {json.dumps(value, ensure_ascii=False)[:2000]}")
            time.sleep(0.05)
            value = fetch()
        return value


    def test_an_offer_goes_out_by_sms_and_email_and_is_received(self):
        with self.relais() as r:
            c = self.admin(r)
            created = c.post("/api/v1/repair-orders", RO)
            self.assertEqual(created.status, 201, created)
            ro = created.json()
            contacts = {cp["value"]: cp["id"] for p in ro["parties"] for cp in p["contact_points"]}
            phone, mail_to = contacts["+33612345678"], contacts["helene.lefevre@exemple.fr"]

            # Refused: an opted-out contact, an unknown one; nothing is queued.
            bad = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                         {"recipients": [contacts["gestion@flotte.test"], 999999]})
            self.assertEqual(bad.status, 422, bad)
            fields = {f["field"]: f["code"] for f in bad.json()["error"]["fields"]}
            self.assertEqual(fields, {"recipients[0]": "opted_out", "recipients[1]": "unknown_contact_point"})
            self.assertEqual(c.get(f"/api/v1/repair-orders/{ro['id']}/offers").json()["items"], [])

            # The send dialog's preview: the words and the SMS's cost, nothing written.
            preview = c.post(f"/api/v1/repair-orders/{ro['id']}/offers/preview",
                             {"recipients": [phone, mail_to], "note": NOTE})
            self.assertEqual(preview.status, 200, preview)
            sms_preview, email_preview = preview.json()["messages"]
            self.assertEqual(sms_preview["sms"]["encoding"], "gsm7")
            self.assertEqual(sms_preview["sms"]["parts"], 1)
            self.assertEqual(email_preview["subject"], "Votre devis pour votre Peugeot 308 AB-123-CD – Garage Test")
            self.assertIn(NOTE, email_preview["text"])
            self.assertEqual(c.get(f"/api/v1/repair-orders/{ro['id']}/offers").json()["items"], [])

            sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone, mail_to], "note": NOTE})
            self.assertEqual(sent.status, 201, sent)
            offer = sent.json()
            self.assertEqual(offer["version"], 1)
            self.assertEqual([i["label"] for i in offer["items"]],
                             ["Vidange et filtre à huile", "Plaquettes de frein avant"])
            self.assertEqual(offer["total_incl_cents"], 10680 + 17400)
            self.assertEqual([(m["channel"], m["address"]) for m in offer["messages"]],
                             [("sms", "+33612345678"), ("email", "helene.lefevre@exemple.fr")])

            # The outbox carries both; the SMS is delivered once the network's status report comes.
            offer = self.wait_for("both messages delivered",
                                  lambda: c.get(f"/api/v1/offers/{offer['id']}").json(),
                                  lambda o: all(m["state"] == "delivered" for m in o["messages"]))
            self.assertEqual(offer["state"], "received")
            self.assertIsNotNone(offer["sent_at"])
            self.assertIsNotNone(offer["received_at"])
            sms_row, email_row = offer["messages"]
            self.assertRegex(sms_row["detail"], r"delivered")
            self.assertEqual(sms_row["attempts"], 1)

            # The SMS as the network saw it: the exact French text with the customer's link.
            journal = r.sent_sms()
            self.assertEqual(len(journal), 1, journal)
            sms = journal[0]
            self.assertEqual(sms["recipient"], "+33612345678")
            self.assertTrue(sms["text"].startswith("Garage Test : le devis de votre Peugeot 308 AB-123-CD est "
                                                   "disponible. Répondez ici : "), sms["text"])
            self.assertEqual(sms["encoding"], "gsm7", "the default wording stays in the GSM alphabet: one part")
            self.assertEqual(len(sms["references"]), 1)
            sms_link = LINK.search(sms["text"])
            self.assertIsNotNone(sms_link, sms["text"])
            # Built from [http] public_base_url (the harness sets it), never from a Host header.
            self.assertTrue(sms_link.group(1).startswith("https://relais.garage-test.fr/o/"), sms_link.group(1))

            # The email in the maildir, read by an independent MIME parser.
            files = glob.glob(os.path.join(r.data, "mail", "new", "*"))
            self.assertEqual(len(files), 1, files)
            with open(files[0], "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=email.policy.default)
            self.assertEqual(msg.defects, [])
            self.assertEqual(msg["Subject"], "Votre devis pour votre Peugeot 308 AB-123-CD – Garage Test")
            self.assertEqual([(a.display_name, a.addr_spec) for a in msg["To"].addresses],
                             [("Hélène Lefèvre", "helene.lefevre@exemple.fr")])
            text = msg.get_body(("plain",)).get_content()
            html = msg.get_body(("html",)).get_content()
            self.assertIn(NOTE, text)
            self.assertIn("280,80\u00a0€ TTC", text)  # 106,80 + 174,00
            email_link = LINK.search(text)
            self.assertIsNotNone(email_link, text)
            self.assertIn(f'href="{email_link.group(1)}"', html)
            self.assertNotEqual(email_link.group(2), sms_link.group(2), "each recipient has a link of their own")

            events = [e["type"] for e in c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]]
            for expected in ("offer.queued", "message.sent", "message.delivered", "offer.sent", "offer.received"):
                self.assertIn(expected, events)

            # A second send makes version 2 and supersedes the first; a lock closes the offer.
            again = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [mail_to]})
            self.assertEqual(again.status, 201, again)
            self.assertEqual(again.json()["version"], 2)
            self.assertEqual(c.get(f"/api/v1/offers/{offer['id']}").json()["state"], "superseded")
            locked = c.post(f"/api/v1/offers/{again.json()['id']}/lock", {})
            self.assertEqual(locked.status, 200, locked)
            self.assertEqual(locked.json()["state"], "locked")
            refused = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [mail_to]})
            self.assertEqual(refused.status, 409, refused)
            self.assertEqual(refused.json()["error"]["code"], "offer_locked")

    def test_replies_and_stop(self):
        """Replies go on the timeline; STOP opts the number out, acknowledged once."""
        with self.relais() as r:
            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", RO).json()
            contacts = {cp["value"]: cp["id"] for p in ro["parties"] for cp in p["contact_points"]}
            phone = contacts["+33612345678"]
            offer = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]}).json()
            self.wait_for("the offer's SMS", lambda: len(r.sent_sms()), lambda n: n == 1)
            timeline = lambda: c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]

            # A reply that merely contains "stop" is a reply.
            self.assertTrue(r.modem_control({"cmd": "inject_sms", "from": "+33612345678",
                                             "text": "Stop the work please, I will come back Monday"})["ok"])
            got = self.wait_for("the reply on the timeline", timeline,
                                lambda items: any(e["type"] == "sms.received" for e in items))
            reply = next(e for e in got if e["type"] == "sms.received")
            self.assertEqual(reply["data"]["text"], "Stop the work please, I will come back Monday")
            self.assertEqual(reply["data"]["offer_id"], offer["id"])
            self.assertNotIn("contact.opted_out", [e["type"] for e in got])
            # Who wrote it is named as the workspace names them, not by the raw number alone.
            self.assertEqual(reply["actor"]["name"], "Hélène Lefèvre")
            self.assertEqual(reply["data"]["party_id"], ro["parties"][0]["id"])
            self.assertEqual(reply["data"]["contact_point_id"], phone)

            # The reply, whole, with its sender, unread until an advisor reads it; the RO list
            # shows the count.
            replies = c.get(f"/api/v1/repair-orders/{ro['id']}/replies").json()
            self.assertEqual(replies["unread"], 1)
            self.assertEqual(len(replies["items"]), 1)
            item = replies["items"][0]
            self.assertEqual(item["text"], "Stop the work please, I will come back Monday")
            self.assertEqual(item["from"], "+33612345678")
            self.assertEqual(item["from_display"], "06 12 34 56 78")
            self.assertEqual(item["name"], "Hélène Lefèvre")
            self.assertEqual(item["party_id"], ro["parties"][0]["id"])
            self.assertIsNone(item["read_at"])
            listed = lambda: next(x for x in c.get("/api/v1/repair-orders").json()["items"] if x["id"] == ro["id"])
            self.assertEqual(listed()["unread_replies"], 1)
            marked = c.post(f"/api/v1/repair-orders/{ro['id']}/replies/read", {})
            self.assertEqual(marked.status, 200, marked)
            self.assertEqual(marked.json()["marked"], 1)
            self.assertEqual(listed()["unread_replies"], 0)
            item = c.get(f"/api/v1/repair-orders/{ro['id']}/replies").json()["items"][0]
            self.assertIsNotNone(item["read_at"])
            read = [e for e in timeline() if e["type"] == "sms.read"]
            self.assertEqual(len(read), 1)
            self.assertEqual(read[0]["data"]["inbound_ids"], [item["id"]])
            # Nothing left unread: nothing marked, nothing recorded.
            self.assertEqual(c.post(f"/api/v1/repair-orders/{ro['id']}/replies/read", {}).json()["marked"], 0)
            self.assertEqual(sum(e["type"] == "sms.read" for e in timeline()), 1)
            self.assertEqual(c.get("/api/v1/repair-orders/999999/replies").status, 404)

            # "  stop " is an opt-out: acknowledged by one SMS, the contact greyed, no more offers.
            r.modem_control({"cmd": "inject_sms", "from": "+33612345678", "text": "  stop "})
            self.wait_for("the acknowledgement", lambda: len(r.sent_sms()), lambda n: n == 2)
            ack = r.sent_sms()[1]
            self.assertEqual(ack["recipient"], "+33612345678")
            self.assertIn("vous ne recevrez plus de SMS", ack["text"])
            self.assertIn("contact.opted_out", [e["type"] for e in timeline()])
            ro_now = c.get(f"/api/v1/repair-orders/{ro['id']}").json()
            cp = next(cp for p in ro_now["parties"] for cp in p["contact_points"] if cp["id"] == phone)
            self.assertTrue(cp["opted_out"])
            refused = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]})
            self.assertEqual(refused.status, 422, refused)
            self.assertEqual(refused.json()["error"]["fields"][0]["code"], "opted_out")

            # A second STOP is on the timeline but not acknowledged again.
            r.modem_control({"cmd": "inject_sms", "from": "+33612345678", "text": "STOP"})
            self.wait_for("the second STOP", timeline,
                          lambda items: sum(e["type"] == "sms.received" for e in items) == 3)
            time.sleep(0.5)  # room for a wrong second acknowledgement to show up in the journal
            self.assertEqual(len(r.sent_sms()), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
