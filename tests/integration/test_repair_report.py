"""The repair report through the real `relais` (issue 15): an offer sent by SMS, answered and
confirmed by the customer on the public listener, locked, the RO marked ready; the report is
refused before that, then sent: one SMS through the emulated modem (the journal) with a fresh link
that opens the report read-only on the public listener, its delivery on the report; a corrected
version is what the page shows next, and a report by email lands in the maildir."""

import email
import email.policy
import glob
import os
import time
import unittest

from relais_harness import RelaisTestCase
from test_customer_links import Device, SmsLinks, LINK

PHONE = "+33612345678"
RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver"], "first_name": "Hélène", "last_name": "Lefèvre",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"},
                                    {"kind": "email", "value": "helene.lefevre@exemple.fr"}]}],
    "interventions": [{"label": "Vidange", "price_excl_cents": 8900, "kind": "initial", "severity": "red"},
                      {"label": "Plaquettes avant", "mechanic_note": "Usées à 80 %", "price_excl_cents": 14500,
                       "kind": "optional", "severity": "red"},
                      {"label": "Pneus arrière", "mechanic_note": "Témoin d'usure atteint", "price_excl_cents": 20000,
                       "kind": "optional", "severity": "orange"}],
}


class RepairReportTest(SmsLinks, RelaisTestCase):

    def wait_for(self, what, fetch, done, timeout=20):
        deadline = time.monotonic() + timeout
        value = fetch()
        while not done(value):
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}: {str(value)[:2000]}")
            time.sleep(0.05)
            value = fetch()
        return value

    def decided_and_locked(self, r, c, channel="phone"):
        """An RO whose offer went by `channel`, was confirmed by the customer on their phone (the
        oil change and the pads accepted, the tyres declined) and locked. Returns (ro, offer, device,
        token)."""
        ro = c.post("/api/v1/repair-orders", RO).json()
        cp = next(p["id"] for p in ro["parties"][0]["contact_points"] if p["kind"] == channel)
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp]})
        self.assertEqual(sent.status, 201, sent)
        offer = sent.json()
        token = None
        if channel == "phone":
            token = self.wait_for_links(r, 1)[0]
        else:
            files = self.wait_for("the offer's email", lambda: glob.glob(os.path.join(r.data, "mail", "new", "*")),
                                  lambda f: len(f) == 1)
            with open(files[0], "rb") as f:
                msg = email.message_from_bytes(f.read(), policy=email.policy.default)
            token = LINK.search(msg.get_body(("plain",)).get_content()).group(1)
        phone = Device(r.public)
        status, body, _ = phone.request("POST", f"/o/{token}/open", {})
        self.assertEqual(status, 200, body)
        self.assertIsNone(body["offer"]["report"])
        ids = [i["id"] for i in ro["interventions"]]
        status, body, _ = phone.request("POST", f"/o/{token}/decisions", {
            "decisions": {str(ids[0]): "accept", str(ids[1]): "accept", str(ids[2]): "decline"}, "confirm": True})
        self.assertEqual(status, 200, body)
        return ro, offer, phone, token

    def test_the_report_goes_by_sms_and_the_link_opens_it_read_only(self):
        with self.relais() as r:
            c = self.admin(r)
            ro, offer, phone, token = self.decided_and_locked(r, c)
            report = f"/api/v1/repair-orders/{ro['id']}/report"

            # Confirmed is not locked; locked is not ready.
            refused = c.post(report, {})
            self.assertEqual(refused.status, 409, refused)
            self.assertEqual(refused.json()["error"]["code"], "report_offer_not_locked")
            self.assertEqual(c.post(f"/api/v1/offers/{offer['id']}/lock", {}).status, 200)
            refused = c.post(report, {})
            self.assertEqual(refused.json()["error"]["code"], "report_ro_not_ready")
            listed = c.get(report).json()
            self.assertEqual(listed["items"], [])
            self.assertIsNone(listed["next"])
            self.assertEqual(listed["refused"]["code"], "report_ro_not_ready")
            self.assertEqual(listed["refused"]["state"], "open")

            ready = c.patch(f"/api/v1/repair-orders/{ro['id']}", {"status": "ready"},
                            headers={"If-Match": f'"{ro["version"]}"'})
            self.assertEqual(ready.status, 200, ready)
            listed = c.get(report).json()
            self.assertIsNone(listed["refused"])
            nxt = listed["next"]
            self.assertEqual([i["outcome"] for i in nxt["report"]["items"]], ["done", "done", "declined"])
            self.assertEqual(nxt["report"]["final_total_incl_cents"], 10680 + 17400)
            self.assertEqual(nxt["message"]["channel"], "sms")
            self.assertEqual(nxt["message"]["sms"]["parts"], 1)

            # A preview with an item not done needs its reason.
            ids = [i["id"] for i in ro["interventions"]]
            bad = c.post(f"{report}/preview", {"items": [{"intervention_id": ids[1], "done": False}]})
            self.assertEqual(bad.status, 422, bad)
            self.assertEqual(bad.json()["error"]["fields"][0]["field"], "items[0].note")

            sent = c.post(report, {"note": "Pensez au contrôle technique en mars."})
            self.assertEqual(sent.status, 201, sent)
            first = sent.json()
            self.assertEqual(first["version"], 1)
            self.assertEqual(first["message"]["purpose"], "report")

            # One SMS to the customer's number, in one GSM part, with a fresh link.
            links = self.wait_for_links(r, 2)
            journal = r.sent_sms()
            self.assertEqual(journal[-1]["recipient"], PHONE)
            self.assertTrue(journal[-1]["text"].startswith(
                "Garage Test : compte rendu des travaux sur votre Peugeot 308 AB-123-CD : "), journal[-1]["text"])
            self.assertEqual(journal[-1]["encoding"], "gsm7")
            self.assertEqual(len(journal[-1]["references"]), 1)
            fresh = links[1]
            self.assertNotEqual(fresh, token)
            delivered = self.wait_for("the report's SMS delivered", lambda: c.get(report).json()["items"][0],
                                      lambda rep: rep["message"]["state"] == "delivered")
            self.assertEqual(delivered["created_by"], "Administrateur")

            # The timeline says it, with the version and where it went.
            events = c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
            sent_events = [e for e in events if e["type"] == "repair_order.report_sent"]
            self.assertEqual(len(sent_events), 1)
            self.assertEqual(sent_events[0]["data"]["address"], PHONE)
            self.assertEqual(sent_events[0]["data"]["to_plan"], 1)

            # The fresh link on the customer's phone opens the report, read-only.
            status, body, _ = phone.request("POST", f"/o/{fresh}/open", {})
            self.assertEqual(status, 200, body)
            page = body["offer"]
            self.assertTrue(page["read_only"])
            self.assertEqual(page["state"], "locked")
            rep = page["report"]
            self.assertEqual(rep["version"], 1)
            self.assertEqual(rep["final_total_incl_cents"], 28080)
            self.assertEqual(rep["note"], "Pensez au contrôle technique en mars.")
            self.assertEqual([(i["label"], i["outcome"], i["to_plan"]) for i in rep["items"]],
                             [("Vidange", "done", False), ("Plaquettes avant", "done", False),
                              ("Pneus arrière", "declined", True)])
            self.assertEqual(rep["items"][2]["mechanic_note"], "Témoin d'usure atteint")
            self.assertNotIn(PHONE, str(rep))
            # Nothing can be answered any more.
            status, body, _ = phone.request("POST", f"/o/{fresh}/decisions",
                                            {"decisions": {str(ids[2]): "accept"}})
            self.assertEqual(status, 409, body)
            # Another device sees nothing personal: the link is this phone's now.
            status, body, _ = Device(r.public).request("POST", f"/o/{fresh}/open", {})
            self.assertEqual(status, 403, body)
            self.assertNotIn("offer", body)

            # A corrected version: the pads were not fitted after all; the page shows it.
            fix = c.post(report, {"items": [{"intervention_id": ids[1], "done": False, "note": "Pièce en commande"}],
                                  "final_total_incl_cents": 11000})
            self.assertEqual(fix.status, 201, fix)
            self.assertEqual(fix.json()["version"], 2)
            self.wait_for_links(r, 3)
            status, body, _ = phone.request("POST", f"/o/{fresh}/open", {})
            rep = body["offer"]["report"]
            self.assertEqual(rep["version"], 2)
            self.assertEqual(rep["items"][1]["outcome"], "not_done")
            self.assertEqual(rep["items"][1]["note"], "Pièce en commande")
            self.assertTrue(rep["items"][1]["to_plan"])
            self.assertEqual(rep["done_total_incl_cents"], 10680)
            self.assertEqual(rep["final_total_incl_cents"], 11000)
            self.assertTrue(rep["final_adjusted"])
            self.assertEqual([x["version"] for x in c.get(report).json()["items"]], [2, 1])

    def test_a_report_by_email_lands_in_the_maildir(self):
        with self.relais() as r:
            c = self.admin(r)
            ro, offer, _, _ = self.decided_and_locked(r, c, channel="email")
            self.assertEqual(c.post(f"/api/v1/offers/{offer['id']}/lock", {}).status, 200)
            c.patch(f"/api/v1/repair-orders/{ro['id']}", {"status": "ready"}, headers={"If-Match": f'"{ro["version"]}"'})
            sent = c.post(f"/api/v1/repair-orders/{ro['id']}/report", {})
            self.assertEqual(sent.status, 201, sent)
            files = self.wait_for("the report's email", lambda: glob.glob(os.path.join(r.data, "mail", "new", "*")),
                                  lambda f: len(f) == 2)
            messages = []
            for path in files:
                with open(path, "rb") as f:
                    messages.append(email.message_from_bytes(f.read(), policy=email.policy.default))
            msg = next(m for m in messages if m["Subject"].startswith("Compte rendu"))
            self.assertEqual(msg.defects, [])
            self.assertEqual(msg["Subject"], "Compte rendu des travaux sur votre Peugeot 308 AB-123-CD – Garage Test")
            text = msg.get_body(("plain",)).get_content()
            self.assertIn("280,80\u00a0€ TTC", text)  # 106,80 + 174,00: the pads and the oil change
            self.assertIn("Voir le compte rendu", text)
            self.assertIsNotNone(LINK.search(text), text)


if __name__ == "__main__":
    unittest.main()
