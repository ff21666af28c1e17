"""The customer's magic link through the real `relais` (public listener): link scanners change
nothing, the first device to open it keeps it and makes the offer `seen`, another device sees
nothing personal and can ask for a fresh link (sent by SMS to the original number, at most 3
an hour), decisions and confirmation, then read-only."""

import http.client
import json
import os
import re
import time
import unittest

from relais_harness import RelaisTestCase

RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver"], "first_name": "Hélène", "last_name": "Lefèvre",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"}]}],
    "interventions": [{"label": "Vidange", "price_excl_cents": 8900, "kind": "initial", "severity": "green"},
                      {"label": "Plaquettes avant", "mechanic_note": "Usées à 80 %", "price_excl_cents": 14500,
                       "kind": "optional", "severity": "red"}],
}
LINK = re.compile(r"https://relais\.garage-test\.fr/o/([A-Za-z0-9_-]{22})")
ORIGIN = "https://relais.garage-test.fr"


class Device:
    """One browser on the public listener: its own device cookie."""

    def __init__(self, port):
        self.port = port
        self.cookie = None

    def request(self, method, path, body=None, origin=ORIGIN):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"User-Agent": "test-device"}
        if origin:
            headers["Origin"] = origin
        if self.cookie:
            headers["Cookie"] = self.cookie
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        set_cookie = r.getheader("Set-Cookie")
        if set_cookie and set_cookie.startswith("relais_device="):
            self.cookie = set_cookie.split(";")[0]
        conn.close()
        content = json.loads(raw) if raw and r.getheader("Content-Type", "").startswith("application/json") else raw
        return r.status, content, set_cookie


class SmsLinks:
    """For test cases: the magic links the emulated modem has sent so far."""

    def sms_links(self, r):
        path = os.path.join(r.data, "modem", "journal.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [LINK.search(m["text"]).group(1) for m in map(json.loads, f)
                    if m.get("kind") == "message" and LINK.search(m["text"])]

    def wait_for_links(self, r, n, timeout=20):
        deadline = time.monotonic() + timeout
        while len(self.sms_links(r)) < n:
            self.assertLess(time.monotonic(), deadline, f"waiting for {n} SMS with a link")
            time.sleep(0.05)
        return self.sms_links(r)


class CustomerLinkTest(SmsLinks, RelaisTestCase):

    def test_the_magic_link(self):
        with self.relais() as r:
            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", RO).json()
            phone = ro["parties"][0]["contact_points"][0]["id"]
            offer = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                           {"recipients": [phone], "note": "Bonjour, voici le devis."}).json()
            token = self.wait_for_links(r, 1)[0]
            api_offer = lambda: c.get(f"/api/v1/offers/{offer['id']}").json()
            events = lambda: [e["type"] for e in c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]]

            # Link scanners and chat previews: GET and HEAD change nothing and set no cookie.
            scanner = Device(r.public)
            for method in ("GET", "HEAD", "GET"):
                status, body, cookie = scanner.request(method, f"/o/{token}", origin=None)
                self.assertEqual(status, 200)
                self.assertIsNone(cookie)
            status, page, _ = scanner.request("GET", f"/o/{token}", origin=None)
            self.assertNotIn(b"Lef", page, "the page itself holds nothing personal")
            self.assertNotIn(api_offer()["state"], ("seen", "confirmed"))
            self.assertNotIn("link.bound", events())

            # Device A opens it: bound, seen, a device cookie.
            a = Device(r.public)
            status, body, cookie = a.request("POST", f"/o/{token}/open", {})
            self.assertEqual(status, 200, body)
            self.assertEqual(body["status"], "ok")
            self.assertIn("HttpOnly", cookie)
            self.assertIn("SameSite=Lax", cookie)
            self.assertIn("Secure", cookie)  # public_base_url is https
            view = body["offer"]
            self.assertEqual(view["note"], "Bonjour, voici le devis.")
            self.assertEqual([i["label"] for i in view["items"]], ["Vidange", "Plaquettes avant"])
            self.assertEqual(view["total_incl_cents"], 10680 + 17400)
            self.assertNotIn("+336", json.dumps(body), "no phone number in the customer's view")
            self.assertEqual(api_offer()["state"], "seen")
            self.assertIn("link.bound", events())
            self.assertEqual(a.request("POST", f"/o/{token}/open", {})[0], 200, "the same device again")

            # Device B: nothing personal, only a way to ask for a new link.
            b = Device(r.public)
            status, body, cookie = b.request("POST", f"/o/{token}/open", {})
            self.assertEqual(status, 403, body)
            self.assertEqual(body, {"status": "other_device", "language": "fr", "masked_destination": "••78",
                                    "channel": "sms"})
            self.assertIsNone(cookie)

            # Cross-site posts and unknown tokens.
            self.assertEqual(b.request("POST", f"/o/{token}/open", {}, origin="https://evil.example")[0], 403)
            self.assertEqual(b.request("POST", "/o/" + "A" * 32 + "/open", {})[0], 404)

            # Decisions from A: an unknown item and a missing answer are refused; then confirmed.
            items = [i["id"] for i in view["items"]]
            status, body, _ = a.request("POST", f"/o/{token}/decisions",
                                        {"decisions": {str(items[0]): "accept", "999999": "accept"}})
            self.assertEqual(status, 422, body)
            status, body, _ = a.request("POST", f"/o/{token}/decisions", {"decisions": {str(items[0]): "accept"},
                                                                         "confirm": True})
            self.assertEqual(status, 422, body)
            self.assertEqual([f["code"] for f in body["error"]["fields"]], ["decision_required"])
            # A refused confirmation saved nothing; answers saved one by one (as the page does) stay.
            status, body, _ = a.request("POST", f"/o/{token}/open", {})
            self.assertEqual(body["offer"]["decisions"], {})
            status, body, _ = a.request("POST", f"/o/{token}/decisions", {"decisions": {str(items[0]): "accept"}})
            self.assertEqual(status, 200, body)
            self.assertFalse(body["offer"]["read_only"])
            self.assertEqual(b.request("POST", f"/o/{token}/decisions",
                                       {"decisions": {str(items[1]): "decline"}})[0], 403, "B may not answer")
            status, body, _ = a.request("POST", f"/o/{token}/decisions",
                                        {"decisions": {str(items[1]): "contact_me"}, "confirm": True})
            self.assertEqual(status, 200, body)
            self.assertTrue(body["offer"]["read_only"])
            self.assertEqual(body["offer"]["decisions"], {str(items[0]): "accept", str(items[1]): "contact_me"})
            confirmed = api_offer()
            self.assertEqual(confirmed["state"], "confirmed")
            self.assertEqual([i["decision"] for i in confirmed["items"]], ["accept", "contact_me"])

            # The advisor authorises to match: accept → thumbs up; "contact me" is left to them.
            applied = c.post(f"/api/v1/offers/{offer['id']}/apply-answers", {})
            self.assertEqual(applied.status, 200, applied)
            self.assertEqual(applied.json()["changed"], 1)
            self.assertEqual([i["authorized"] for i in applied.json()["repair_order"]["interventions"]], [True, None])
            self.assertIn("interventions.authorized_from_answers", events())
            self.assertEqual(c.post(f"/api/v1/offers/{offer['id']}/apply-answers", {}).json()["changed"], 0)
            second = applied.json()["repair_order"]["interventions"][1]["id"]
            thumbs = c.patch(f"/api/v1/repair-orders/{ro['id']}/interventions/{second}", {"authorized": False})
            self.assertEqual(thumbs.status, 200, thumbs)
            items_now = c.get(f"/api/v1/repair-orders/{ro['id']}").json()["interventions"]
            self.assertEqual([i["authorized"] for i in items_now], [True, False])
            bad = c.patch(f"/api/v1/repair-orders/{ro['id']}/interventions/{second}", {"authorized": "yes"})
            self.assertEqual(bad.status, 422, bad)
            status, body, _ = a.request("POST", f"/o/{token}/decisions", {"decisions": {str(items[1]): "decline"}})
            self.assertEqual(status, 409, body)
            self.assertEqual(a.request("POST", f"/o/{token}/open", {})[1]["offer"]["decisions"][str(items[1])],
                             "contact_me", "reopening shows the decisions")

            # B asks for a new link: it goes by SMS to the original number; B opens it; A is refused.
            status, body, _ = b.request("POST", f"/o/{token}/access-link", {})
            self.assertEqual(status, 202, body)
            self.assertEqual(body, {"masked_destination": "••78", "channel": "sms"})
            fresh = self.wait_for_links(r, 2)[1]
            self.assertNotEqual(fresh, token)
            status, body, _ = b.request("POST", f"/o/{fresh}/open", {})
            self.assertEqual(status, 200, body)
            self.assertEqual(body["offer"]["state"], "confirmed")
            self.assertEqual(a.request("POST", f"/o/{token}/open", {})[0], 403, "the old link no longer opens")
            self.assertIn("link.access_link_sent", events())

            # At most 3 fresh links an hour.
            self.assertEqual(b.request("POST", f"/o/{fresh}/access-link", {})[0], 202)
            self.assertEqual(b.request("POST", f"/o/{fresh}/access-link", {})[0], 202)
            status, body, _ = b.request("POST", f"/o/{fresh}/access-link", {})
            self.assertEqual(status, 429, body)

            # GET on an action, POST on the page: wrong methods.
            self.assertEqual(a.request("GET", f"/o/{token}/open", origin=None)[0], 405)
            self.assertEqual(a.request("POST", f"/o/{token}", {})[0], 405)

    def test_what_the_customer_agreed_to_changes_only_when_said(self):
        """Through the API too (a DMS): answers not confirmed are not applied by default, and once
        confirmed an agreed price, label, "shown" or the item itself changes only with
        `change_agreed`; the 409 names the offer and what was agreed."""
        with self.relais() as r:
            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", RO).json()
            cp = ro["parties"][0]["contact_points"][0]["id"]
            offer = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp]}).json()
            token = self.wait_for_links(r, 1)[0]
            a = Device(r.public)
            self.assertEqual(a.request("POST", f"/o/{token}/open", {})[0], 200)
            vidange, pads = (i["id"] for i in ro["interventions"])
            a.request("POST", f"/o/{token}/decisions", {"decisions": {str(vidange): "accept", str(pads): "decline"}})

            drafts = c.post(f"/api/v1/offers/{offer['id']}/apply-answers", {})
            self.assertEqual(drafts.status, 409, drafts)
            self.assertEqual(drafts.json()["error"]["code"], "answers_not_confirmed")
            self.assertEqual(c.post(f"/api/v1/offers/{offer['id']}/apply-answers", {"drafts": "yes"}).status, 422)
            self.assertEqual(c.post(f"/api/v1/offers/{offer['id']}/apply-answers", {"drafts": True}).json()["changed"], 2)

            status, _, _ = a.request("POST", f"/o/{token}/decisions", {"decisions": {str(pads): "accept"}, "confirm": True})
            self.assertEqual(status, 200)
            item = f"/api/v1/repair-orders/{ro['id']}/interventions/{pads}"
            agreed = next(i["price_incl_cents"] for i in ro["interventions"] if i["id"] == pads)
            refused = c.patch(item, {"price_incl_cents": agreed + 7600})
            self.assertEqual(refused.status, 409, refused)
            error = refused.json()["error"]
            self.assertEqual(error["code"], "agreed_by_customer")
            self.assertEqual(error["params"]["offer"], str(offer["id"]))
            self.assertEqual(error["params"]["label"], "Plaquettes avant")
            self.assertEqual(error["params"]["price_incl_cents"], str(agreed))
            self.assertIn("Plaquettes avant", error["message"])
            self.assertEqual(c.patch(item, {"shown": False}).status, 409)
            self.assertEqual(c.delete(item).status, 409)
            self.assertEqual(c.delete(item + "?change_agreed=maybe").status, 422)
            self.assertEqual(c.patch(item, {"change_agreed": 1, "mechanic_note": "x"}).status, 422)
            self.assertEqual(c.patch(item, {"mechanic_note": "Disques à surveiller"}).status, 200, "a note is free")
            now = c.get(f"/api/v1/repair-orders/{ro['id']}").json()
            self.assertEqual(next(i["price_incl_cents"] for i in now["interventions"] if i["id"] == pads), agreed)

            changed = c.patch(item, {"price_incl_cents": agreed + 7600, "change_agreed": True})
            self.assertEqual(changed.status, 200, changed)
            self.assertEqual(changed.json()["price_incl_cents"], agreed + 7600)
            timeline = c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
            self.assertEqual(timeline[-1]["type"], "intervention.updated")
            self.assertEqual(c.delete(item + "?change_agreed=true").status, 204)


if __name__ == "__main__":
    unittest.main(verbosity=2)
