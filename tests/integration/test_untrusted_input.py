"""Bytes from outside through the real `relais` (issue 10): a relay or a modem that does not speak
UTF-8, a message that kills the process at every start, cookies, Host and Origin headers, texts
with control characters, a user name meant to forge log lines, a NUL in a search, a STOP from an
alphanumeric sender, a duplicate Content-Length. Each case failed before its fix."""

import json
import os
import re
import signal
import socket
import time
import unittest

from relais_harness import RELAY_MAIL_CONFIG, SIMPLE_RO, RelaisTestCase, wait_for
from smtp_servers import ScriptedRelay

MAIL, RO = RELAY_MAIL_CONFIG, SIMPLE_RO


def raw_http(port, data, timeout=5):
    """Sends bytes as they are and returns what came back until the server closed or went quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
    return out


def status_of(raw):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", raw)
    return int(m.group(1)) if m else None


class UntrustedInputTest(RelaisTestCase):

    def contact(self, ro, kind):
        return next(cp["id"] for p in ro["parties"] for cp in p["contact_points"] if cp["kind"] == kind)

    def offer(self, c, offer_id):
        return c.get(f"/api/v1/offers/{offer_id}").json()

    def timeline(self, c, ro_id):
        return c.get(f"/api/v1/repair-orders/{ro_id}/timeline").json()["items"]

    # ---- item 1: a relay or a modem that does not speak UTF-8 ----------------------------------

    def test_a_relay_answering_in_latin1_is_shown_escaped_and_relais_carries_on(self):
        end = b"250 2.0.0 Message accept\xe9 (file d'attente 7)\r\n"
        with ScriptedRelay({"end": end, "greeting": b"220 relais.garage.test pr\xeat\r\n"}) as relay:
            r = self.relais(MAIL.format(port=relay.port)).start()
            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", RO).json()
            sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [self.contact(ro, "email")]})
            self.assertEqual(sent.status, 201, sent)
            offer_id = sent.json()["id"]
            got = wait_for(lambda: self.offer(c, offer_id)["messages"][0]["state"] == "delivered" or
                           r.proc.poll() is not None, what="the message delivered")
            self.assertIsNone(r.proc.poll(), f"relais died: {r.stderr()[-2000:]}")
            self.assertTrue(got)
            message = self.offer(c, offer_id)["messages"][0]
            # Shown as received: the byte that is not UTF-8 escaped, the rest as it was.
            self.assertIn("accept\\xE9 (file d'attente 7)", message["detail"])
            delivered = [e for e in self.timeline(c, ro["id"]) if e["type"] == "message.delivered"]
            self.assertEqual(len(delivered), 1)
            self.assertIn("accept\\xE9", delivered[0]["data"]["detail"])
            self.assertEqual(len(relay.messages), 1)
            # A restart sends nothing again.
            r.stop()
            r.start()
            self.admin_again(r)
            self.assertEqual(len(relay.messages), 1)
            self.assertEqual(relay.connections, 1)

    def admin_again(self, r, password="Garage-Test-2026"):
        c = r.client()
        self.assertEqual(c.sign_in("admin", password).status, 200)
        return c

    def test_a_modem_error_in_latin1_fails_the_message_and_relais_carries_on(self):
        r = self.relais().start()
        c = self.admin(r)
        ro = c.post("/api/v1/repair-orders", RO).json()
        # A translated firmware in verbose mode: "+CMS ERROR: réseau indisponible" in Latin-1.
        self.assertTrue(r.modem_control({"cmd": "fail_next", "count": 1, "cms_error": 500,
                                         "text_hex": "r\xe9seau indisponible".encode("latin-1").hex()})["ok"])
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [self.contact(ro, "phone")]})
        self.assertEqual(sent.status, 201, sent)
        offer_id = sent.json()["id"]
        message = wait_for(lambda: r.proc.poll() is not None or
                           (lambda m: m if m["last_error"] else None)(self.offer(c, offer_id)["messages"][0]),
                           what="the modem's refusal on the message")
        self.assertIsNone(r.proc.poll(), f"relais died: {r.stderr()[-2000:]}")
        self.assertIn("r\\xE9seau indisponible", message["last_error"])
        # It goes on: the next attempt would go out; the modem is still ready.
        self.assertEqual(c.get("/api/v1/modem").json()["health"], "ready")

    def test_a_message_that_kills_relais_at_every_start_is_quarantined(self):
        """The relay takes the message and never answers; relais is killed while it waits, three
        times. The fourth start does not send it again: the message is quarantined, the advisor
        sees why, and the rest of the outbox carries on."""
        with ScriptedRelay(hang_after_data=True) as relay:
            r = self.relais(MAIL.format(port=relay.port)).start()
            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", RO).json()
            sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [self.contact(ro, "email")]})
            offer_id = sent.json()["id"]
            for death in range(1, 4):
                relay.wait_for(lambda: relay.hung == death)
                r.stop(signal.SIGKILL)
                r.start()
            c = self.admin_again(r)
            message = wait_for(lambda: (lambda m: m if m["state"] == "quarantined" else None)(
                self.offer(c, offer_id)["messages"][0]), what="the message quarantined")
            self.assertIn("3", message["last_error"])
            self.assertIn("quarantine", message["last_error"])
            offer = self.offer(c, offer_id)
            self.assertEqual(offer["state"], "failed", offer)
            types = [e["type"] for e in self.timeline(c, ro["id"])]
            self.assertIn("message.quarantined", types)
            self.assertIn("offer.failed", types)
            # Not sent a fourth time; and an SMS offer sent now still goes out.
            self.assertEqual(relay.hung, 3)
            other = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [self.contact(ro, "phone")]})
            self.assertEqual(other.status, 201, other)
            wait_for(lambda: self.offer(c, other.json()["id"])["state"] in ("sent", "received"), what="the SMS")
            self.assertEqual(relay.hung, 3)
            self.assertIn("quarantined", r.stderr())

    # ---- item 4: a token never reaches the log -------------------------------------------------

    def test_a_wrongly_typed_field_is_a_422_and_the_token_stays_out_of_the_log(self):
        r = self.relais().start()
        c = self.admin(r)
        ro = c.post("/api/v1/repair-orders", RO).json()
        c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [self.contact(ro, "phone")]})
        token = wait_for(lambda: self.sms_token(r), what="the SMS link")
        device = r.client("public")
        origin = {"Origin": "https://relais.garage-test.fr"}
        opened = device.post(f"/o/{token}/open", {}, headers=origin)
        self.assertEqual(opened.status, 200, opened)
        bad = device.post(f"/o/{token}/decisions", {"confirm": "yes"}, headers=origin)
        self.assertEqual(bad.status, 422, bad)
        self.assertEqual(bad.json()["error"]["fields"][0]["field"], "confirm")
        self.assertEqual(bad.json()["error"]["fields"][0]["code"], "invalid_type")
        # A user agent that stops being UTF-8 once cut to 300 bytes.
        ua = "M" * 299 + "é"
        cut = device.post(f"/o/{token}/decisions", {"decisions": {}}, headers=dict(origin, **{"User-Agent": ua}))
        self.assertEqual(cut.status, 200, cut)
        self.assertNotIn(token, r.stderr())
        self.assertNotIn(token, json.dumps(self.timeline(c, ro["id"])))

    def sms_token(self, r, n=1):
        path = os.path.join(r.data, "modem", "journal.jsonl")
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            links = [m.group(1) for m in (re.search(r"/o/([A-Za-z0-9_-]{22,64})", x.get("text", ""))
                                          for x in map(json.loads, f) if x.get("kind") == "message") if m]
        return links[n - 1] if len(links) >= n else None

    def test_logged_paths_are_redacted_at_debug_level(self):
        r = self.relais()
        with open(r.config) as f:  # the harness's config says "info"
            text = f.read().replace('level = "info"', 'level = "debug"')
        with open(r.config, "w") as f:
            f.write(text)
        r.start()
        device = r.client("public")
        token = "A" * 32
        device.get(f"/o/{token}")
        device.post(f"/o/{token}/open", {}, headers={"Origin": "https://relais.garage-test.fr"})
        wait_for(lambda: "/o/" in r.stderr(), what="a logged request")
        self.assertNotIn(token, r.stderr())
        self.assertIn("/o/…", r.stderr())

    # ---- item 6: a cookie without '=' ----------------------------------------------------------

    def test_a_cookie_without_equals_is_skipped_on_both_listeners(self):
        r = self.relais().start()
        c = self.admin(r)
        session = dict(c.cookies)
        lan = c.get("/api/v1/session", headers={"Cookie": "foo; " + "; ".join(f"{k}={v}" for k, v in session.items())
                                                + "; =bar; baz="})
        self.assertEqual(lan.status, 200, lan)
        pub = r.client("public").get("/robots.txt", headers={"Cookie": "foo"})
        self.assertEqual(pub.status, 200, pub)
        self.assertEqual(r.client().get("/healthz", headers={"Cookie": "foo"}).status, 200)

    # ---- item 8: Host allow-list (DNS rebinding) -----------------------------------------------

    def test_an_unknown_host_name_is_refused_on_both_listeners(self):
        r = self.relais().start()
        c = self.admin(r)
        rebinding = c.get("/api/v1/session", headers={"Host": "evil.example:8080"})
        self.assertEqual(rebinding.status, 421, rebinding)
        self.assertIn("evil.example", rebinding.body)
        self.assertEqual(c.get("/api/v1/session", headers={"Host": f"localhost:{r.lan}"}).status, 200)
        self.assertEqual(c.get("/api/v1/session", headers={"Host": f"127.0.0.1:{r.lan}"}).status, 200)
        # Origin must be one of ours, not merely equal to whatever Host the request carries.
        cross = c.post("/api/v1/repair-orders", RO, headers={"Host": "evil.example", "Origin": "http://evil.example"})
        self.assertEqual(cross.status, 421, cross)
        pub = r.client("public")
        self.assertEqual(pub.get("/robots.txt", headers={"Host": "evil.example"}).status, 421)
        self.assertEqual(pub.get("/robots.txt", headers={"Host": "relais.garage-test.fr"}).status, 200)

    # ---- item 10: the offer note follows the text rules ----------------------------------------

    def test_the_offer_note_refuses_control_and_bidi_characters(self):
        r = self.relais().start()
        c = self.admin(r)
        ro = c.post("/api/v1/repair-orders", RO).json()
        cp = self.contact(ro, "phone")
        for bad in ["a\x00b", "a\x1bb", "a\x1ab", "a\u0085b", "a\u2028b", "prix \u202e0001\u202c €"]:
            with self.subTest(note=repr(bad)):
                res = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp], "note": bad})
                self.assertEqual(res.status, 422, res)
                self.assertEqual(res.json()["error"]["fields"][0]["field"], "note")
        # Line ends become "\n", as in every other text (a lone CR too).
        ok = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp], "note": "Bonjour,\r\nà\rbientôt"})
        self.assertEqual(ok.status, 201, ok)
        self.assertEqual(ok.json()["note"], "Bonjour,\nà\nbientôt")
        named = c.patch(f"/api/v1/repair-orders/{ro['id']}/parties/{ro['parties'][0]['id']}",
                        {"last_name": "Dur\u202eand"}, headers={"If-Match": None})
        self.assertEqual(named.status, 422, named)
        self.assertEqual(named.json()["error"]["fields"][0]["code"], "bidi_control")

    # ---- item 11: the sign-in user name in the log ---------------------------------------------

    def test_a_forged_user_name_is_escaped_in_the_log_and_a_huge_one_refused(self):
        r = self.relais().start()
        c = r.client()
        forged = "x\n12:00:00.000 info \"admin\" signed in"
        self.assertEqual(c.sign_in(forged, "whatever").status, 401)
        wait_for(lambda: "failed sign-in" in r.stderr(), what="the failed sign-in in the log")
        self.assertNotIn("\n12:00:00.000 info", r.stderr())
        self.assertIn("x\\x0A12:00:00.000 info", r.stderr())
        huge = c.sign_in("x" * 600_000, "whatever")
        self.assertEqual(huge.status, 422, huge)
        self.assertEqual(huge.json()["error"]["fields"][0]["code"], "too_long")
        self.assertLess(len(r.stderr()), 20_000)

    # ---- item 3: request data never shapes SQL; list parameters are capped ----------------------

    def rss_kb(self, r):
        with open(f"/proc/{r.proc.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    def test_a_long_status_list_is_a_400_and_memory_stays_put(self):
        r = self.relais().start()
        c = self.admin(r)
        c.post("/api/v1/repair-orders", RO)
        self.assertEqual(c.get("/api/v1/repair-orders?status=" + ",".join(["open"] * 20)).json()["total"], 1)
        self.assertEqual(c.get("/api/v1/repair-orders?status=open,closed,open").json()["total"], 1)
        before = self.rss_kb(r)
        for n in range(100):
            res = c.get("/api/v1/repair-orders?status=" + ",".join(["open"] * (1000 + n)))
            self.assertEqual(res.status, 400, res)
            self.assertEqual(res.json()["error"]["fields"][0]["field"], "query.status")
            self.assertEqual(res.json()["error"]["fields"][0]["code"], "too_many_values")
        # Each distinct list used to prepare and keep a statement of its own (+300 MB here).
        self.assertLess(self.rss_kb(r) - before, 20_000)

    # ---- item 12: a NUL in the search -----------------------------------------------------------

    def test_a_nul_in_the_search_is_a_400_naming_the_parameter(self):
        r = self.relais().start()
        c = self.admin(r)
        res = c.get("/api/v1/repair-orders?q=ab%00cd")
        self.assertEqual(res.status, 400, res)
        self.assertEqual(res.json()["error"]["fields"][0]["field"], "query.q")

    # ---- item 13: STOP from an alphanumeric sender ---------------------------------------------

    def test_stop_from_an_alphanumeric_sender_is_not_answered(self):
        r = self.relais().start()
        self.admin(r)
        self.assertTrue(r.modem_control({"cmd": "inject_sms", "from": "Orange", "text": "STOP"})["ok"])
        self.assertTrue(r.modem_control({"cmd": "inject_sms", "from": "+33611223344", "text": "STOP"})["ok"])
        path = os.path.join(r.data, "modem", "journal.jsonl")

        def sent():
            if not os.path.exists(path):
                return []
            with open(path, encoding="utf-8") as f:
                return [m["recipient"] for m in map(json.loads, f) if m.get("kind") == "message"]
        # Inbound SMS are handled in order: once the number's acknowledgement is out, the
        # alphanumeric sender's STOP has been handled too.
        wait_for(lambda: "+33611223344" in sent(), what="the acknowledgement to the number")
        self.assertEqual(sent(), ["+33611223344"])

    # ---- item 15: smaller ----------------------------------------------------------------------

    def test_a_duplicate_content_length_is_refused(self):
        r = self.relais().start()
        for port in (r.lan, r.public):
            with self.subTest(port=port):
                raw = raw_http(port, b"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                     b"application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}")
                self.assertEqual(status_of(raw), 400, raw[:300])

    def test_the_workspace_and_customer_cookies_have_different_names(self):
        r = self.relais().start()
        c = r.client()
        res = c.sign_in("admin", r.one_time_password())
        names = [v.split("=", 1)[0] for k, v in res.headers if k.lower() == "set-cookie"]
        self.assertNotIn("relais_device", names)
        self.assertIn("relais_browser", names)

    def test_shutdown_does_not_wait_for_a_client_that_reset(self):
        r = self.relais().start()
        c = self.admin(r)
        c.post("/api/v1/repair-orders", RO)
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", r.lan))
            s.sendall(f"GET /api/v1/repair-orders?per_page=100 HTTP/1.1\r\nHost: 127.0.0.1:{r.lan}\r\n"
                      f"Cookie: {'; '.join(f'{k}={v}' for k, v in c.cookies.items())}\r\n\r\n".encode())
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()  # RST
        started = time.monotonic()
        self.assertEqual(r.stop(), 0)
        self.assertLess(time.monotonic() - started, 5, "shutdown waited for requests nobody will read")
        self.assertNotRegex(r.stderr(), r"\b[1-9][0-9]* cut off", "a request was cut off at shutdown")


if __name__ == "__main__":
    unittest.main(verbosity=2)
