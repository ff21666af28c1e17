"""Agreements ("conditions") through the real `relais`: a dealer admin writes and versions them
over /api/v1 (advisors only read them); an offer carries the versions current at its send; the
customer's page must send the mandatory ones to confirm, and the advisor then sees each
acceptance with its version."""

import unittest

from relais_harness import RelaisTestCase
from test_customer_links import RO, Device, SmsLinks

TERMS = {"title": {"fr": "Conditions générales de réparation", "en": "General terms of repair"},
         "text": {"fr": "Article 1 : le devis est valable 30 jours.", "en": "Article 1: the estimate is valid 30 days."}}


class AgreementsTest(SmsLinks, RelaisTestCase):

    def test_admins_write_versions_advisors_read(self):
        with self.relais() as r:
            c = self.admin(r)
            bad = c.post("/api/v1/agreements", {"title": {"fr": "Sans texte"}, "mandatory": "oui", "colour": 1})
            self.assertEqual(bad.status, 422, bad)
            fields = {f["field"]: f["code"] for f in bad.json()["error"]["fields"]}
            self.assertEqual(fields, {"mandatory": "invalid_type", "colour": "unknown_field"})
            bad = c.post("/api/v1/agreements", {"title": {"fr": "Sans texte"}})
            self.assertEqual(bad.status, 422, bad)
            self.assertEqual([(f["field"], f["code"], f["message"]) for f in bad.json()["error"]["fields"]],
                             [("text.fr", "required", "Obligatoire.")])
            self.assertEqual(c.get("/api/v1/agreements").json(), {"items": []}, "nothing half-written")

            created = c.post("/api/v1/agreements", TERMS)
            self.assertEqual(created.status, 201, created)
            a = created.json()
            self.assertEqual((a["version"], a["mandatory"], a["active"]), (1, True, True))
            self.assertEqual(a["title"], TERMS["title"])

            same = c.patch(f"/api/v1/agreements/{a['id']}", {"text": TERMS["text"]})
            self.assertEqual(same.json()["version"], 1, "the same wording is not a new version")
            changed = c.patch(f"/api/v1/agreements/{a['id']}", {"text": {"fr": "Article 1 : 15 jours."}})
            self.assertEqual(changed.status, 200, changed)
            self.assertEqual(changed.json()["version"], 2)
            self.assertEqual(changed.json()["text"]["en"], TERMS["text"]["en"], "the other language kept")
            history = c.get(f"/api/v1/agreements/{a['id']}").json()["versions"]
            self.assertEqual([(v["version"], v["text"]["fr"]) for v in history],
                             [(2, "Article 1 : 15 jours."), (1, TERMS["text"]["fr"])])
            self.assertEqual(c.get("/api/v1/agreements/999").status, 404)

            added = r.cli("user", "add", "marie.lambert", "--role", "advisor", "--display-name", "Marie Lambert",
                          stdin="Marie-Atelier-2026\n")
            self.assertEqual(added.returncode, 0, added.stderr)
            advisor = r.client()
            self.assertEqual(advisor.sign_in("marie.lambert", "Marie-Atelier-2026").status, 200)
            self.assertEqual([x["version"] for x in advisor.get("/api/v1/agreements").json()["items"]], [2])
            refused = advisor.patch(f"/api/v1/agreements/{a['id']}", {"mandatory": False})
            self.assertEqual(refused.status, 403, refused)
            self.assertEqual(advisor.post("/api/v1/agreements", TERMS).status, 403)

    def test_the_customer_accepts_the_version_of_the_offer(self):
        with self.relais() as r:
            c = self.admin(r)
            terms = c.post("/api/v1/agreements", TERMS).json()
            news = c.post("/api/v1/agreements", {"title": {"fr": "Lettre d'information"},
                                                 "text": {"fr": "Conseils d'entretien."}, "mandatory": False}).json()
            ro = c.post("/api/v1/repair-orders", RO).json()
            phone = ro["parties"][0]["contact_points"][0]["id"]
            preview = c.post(f"/api/v1/repair-orders/{ro['id']}/offers/preview", {"recipients": [phone]}).json()
            self.assertEqual([(x["id"], x["mandatory"]) for x in preview["agreements"]],
                             [(terms["id"], True), (news["id"], False)])
            offer = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]}).json()
            # Reworded after the send: the customer still reads version 1.
            c.patch(f"/api/v1/agreements/{terms['id']}", {"text": {"fr": "Autre rédaction."}})
            token = self.wait_for_links(r, 1)[0]

            device = Device(r.public)
            status, body, _ = device.request("POST", f"/o/{token}/open", {})
            self.assertEqual(status, 200, body)
            view = body["offer"]
            self.assertEqual([(x["id"], x["version"], x["mandatory"], x["accepted"]) for x in view["agreements"]],
                             [(terms["id"], 1, True, False), (news["id"], 1, False, False)])
            self.assertEqual(view["agreements"][0]["text"]["fr"], TERMS["text"]["fr"])
            decisions = {str(i["id"]): "accept" for i in view["items"]}

            status, body, _ = device.request("POST", f"/o/{token}/decisions",
                                             {"decisions": decisions, "agreements": [news["id"]], "confirm": True})
            self.assertEqual(status, 422, body)
            self.assertEqual([(f["field"], f["code"]) for f in body["error"]["fields"]],
                             [(f"agreements.{terms['id']}", "agreement_required")])
            status, body, _ = device.request("POST", f"/o/{token}/decisions",
                                             {"decisions": decisions, "agreements": "all", "confirm": True})
            self.assertEqual((status, body["error"]["fields"][0]["field"]), (422, "agreements"))
            self.assertEqual(c.get(f"/api/v1/offers/{offer['id']}").json()["state"], "seen")

            status, body, _ = device.request("POST", f"/o/{token}/decisions",
                                             {"decisions": decisions, "agreements": [terms["id"]], "confirm": True})
            self.assertEqual(status, 200, body)
            self.assertEqual([x["accepted"] for x in body["offer"]["agreements"]], [True, False])

            seen = c.get(f"/api/v1/offers/{offer['id']}").json()
            self.assertEqual(seen["state"], "confirmed")
            self.assertEqual([(x["id"], x["version"], x["accepted_at"] is not None) for x in seen["agreements"]],
                             [(terms["id"], 1, True), (news["id"], 1, False)])
            confirmed = [e for e in c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
                         if e["type"] == "offer.confirmed"]
            self.assertEqual(len(confirmed), 1)
            self.assertEqual(confirmed[0]["data"]["agreements"],
                             [{"id": terms["id"], "version": 1, "mandatory": True,
                               "title": TERMS["title"]["fr"]}])


if __name__ == "__main__":
    unittest.main()
