"""Limits on what a link-holder or a guesser can do, through the real `relais` (issue 10):
asking for a fresh link signs nobody out until the fresh link is opened, and is limited per
link, per recipient and per address, each request on the timeline; guessed links are answered
from a reader, throttled per address and counted on /healthz; one account cannot take every
live-update stream."""

import json
import os
import re
import socket
import time
import unittest

from relais_harness import RelaisTestCase, wait_for
from test_customer_links import Device, SmsLinks
from test_events import EventStream

RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver"], "first_name": "Paul", "last_name": "Durand",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"}]}],
    "interventions": [{"label": "Vidange", "price_excl_cents": 8900}],
}


class CustomerLimitsTest(SmsLinks, RelaisTestCase):

    def sent_offer(self, r):
        c = self.admin(r)
        ro = c.post("/api/v1/repair-orders", RO).json()
        cp = ro["parties"][0]["contact_points"][0]["id"]
        offer = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp]}).json()
        token = self.wait_for_links(r, 1)[0]
        return c, ro, offer, token

    def timeline_types(self, c, ro):
        return [e["type"] for e in c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]]

    def test_asking_for_a_fresh_link_signs_nobody_out_until_it_is_opened(self):
        r = self.relais().start()
        c, ro, offer, token = self.sent_offer(r)
        phone = Device(r.public)
        self.assertEqual(phone.request("POST", f"/o/{token}/open", {})[0], 200)

        # Someone else who has the link (a forwarded SMS, an old browser) asks for a fresh one.
        other = Device(r.public)
        self.assertEqual(other.request("POST", f"/o/{token}/open", {})[0], 403)
        self.assertEqual(other.request("POST", f"/o/{token}/access-link", {})[0], 202)
        fresh = self.wait_for_links(r, 2)[1]
        # The customer's phone keeps its offer: the fresh link went to the customer, unopened.
        status, body, _ = phone.request("POST", f"/o/{token}/open", {})
        self.assertEqual(status, 200, body)
        self.assertEqual(phone.request("POST", f"/o/{token}/decisions", {"decisions": {}})[0], 200)

        # Once the fresh link is opened, it is that device's, and the old one stops.
        laptop = Device(r.public)
        self.assertEqual(laptop.request("POST", f"/o/{fresh}/open", {})[0], 200)
        self.assertEqual(phone.request("POST", f"/o/{token}/open", {})[0], 403)
        types = self.timeline_types(c, ro)
        self.assertEqual(types.count("link.access_link_sent"), 1)

    def test_fresh_links_are_limited_per_link_per_recipient_and_each_request_is_on_the_timeline(self):
        r = self.relais().start()
        c, ro, offer, token = self.sent_offer(r)
        a = Device(r.public)
        self.assertEqual(a.request("POST", f"/o/{token}/open", {})[0], 200)
        b = Device(r.public)
        # Two per link a day.
        self.assertEqual(b.request("POST", f"/o/{token}/access-link", {})[0], 202)
        self.assertEqual(b.request("POST", f"/o/{token}/access-link", {})[0], 202)
        status, body, _ = b.request("POST", f"/o/{token}/access-link", {})
        self.assertEqual(status, 429, body)
        self.assertEqual(body["error"]["code"], "too_many_access_links")
        self.assertEqual(body["error"]["params"]["limit"], "link")
        # Three per recipient an hour, whatever link they come from.
        links = self.wait_for_links(r, 3)
        status, body, _ = Device(r.public).request("POST", f"/o/{links[1]}/access-link", {})
        self.assertEqual(status, 202, body)
        status, body, _ = Device(r.public).request("POST", f"/o/{links[2]}/access-link", {})
        self.assertEqual(status, 429, body)
        self.assertEqual(body["error"]["params"]["limit"], "recipient_hour")
        self.wait_for_links(r, 4)
        time.sleep(0.3)  # room for a wrong fifth SMS to show up
        self.assertEqual(len(self.sms_links(r)), 4, "the offer and three fresh links")
        types = self.timeline_types(c, ro)
        self.assertEqual(types.count("link.access_link_sent"), 3)
        # Refusals are on the timeline too, once an hour (not at every click).
        self.assertEqual(types.count("link.access_link_refused"), 1)
        refused = next(e for e in c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
                       if e["type"] == "link.access_link_refused")
        self.assertEqual(refused["data"]["limit"], "link")
        self.assertEqual(refused["data"]["ip"], "127.0.0.1")

    def test_fresh_links_are_limited_per_address_across_offers(self):
        r = self.relais().start()
        c = self.admin(r)
        tokens = []
        for i in range(6):
            ro = c.post("/api/v1/repair-orders", dict(RO, parties=[{
                "roles": ["driver"], "last_name": f"Client {i}",
                "contact_points": [{"kind": "phone", "value": f"06 12 34 56 {10 + i}"}]}])).json()
            cp = ro["parties"][0]["contact_points"][0]["id"]
            c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp]})
            tokens.append(self.wait_for_links(r, i + 1)[i])
        asked = []
        for t in tokens:
            for _ in range(2):
                asked.append(Device(r.public).request("POST", f"/o/{t}/access-link", {}))
        self.assertEqual([s for s, _, _ in asked].count(202), 10, [s for s, _, _ in asked])
        self.assertEqual(asked[-1][0], 429)
        self.assertEqual(asked[-1][1]["error"]["params"]["limit"], "address")

    def test_guessed_links_are_throttled_per_address_and_counted(self):
        r = self.relais().start()
        c, ro, offer, token = self.sent_offer(r)
        guesser = Device(r.public)
        statuses = [guesser.request("POST", f"/o/{'G' * 31}{i % 10}/open", {})[0] for i in range(25)]
        self.assertEqual(statuses[:20], [404] * 20)
        self.assertEqual(set(statuses[20:]), {429})
        # Throttled before any lookup: even a real link waits, from that address.
        self.assertEqual(guesser.request("POST", f"/o/{token}/open", {})[0], 429)
        health = c.get("/healthz").json()
        self.assertEqual(health["links"]["unknown"], 20)
        self.assertGreaterEqual(health["links"]["throttled"], 6)
        self.assertNotIn("G" * 31, r.stderr())

    def test_one_account_cannot_take_every_live_update_stream(self):
        r = self.relais().start()
        c = self.admin(r)
        streams = [EventStream(r.lan, c.cookies) for _ in range(8)]
        for s in streams:
            s.read_until("retry:")
        ninth = c.get("/api/v1/events", headers={"Accept": "text/event-stream"})
        self.assertEqual(ninth.status, 429, ninth)
        self.assertEqual(ninth.json()["error"]["code"], "too_many_streams_for_you")
        # Another account still gets one.
        r.cli("user", "add", "marc", "--role", "advisor", stdin="Atelier-Marc-2026\n")
        m = r.client()
        self.assertEqual(m.sign_in("marc", "Atelier-Marc-2026").status, 200)
        other = EventStream(r.lan, m.cookies)
        other.read_until("retry:")
        for s in streams + [other]:
            s.sock.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
