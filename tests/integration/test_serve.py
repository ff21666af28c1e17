"""The real `relais` on free ports: first start, sign-in, repair orders over HTTP, search,
CSRF, the public listener's 404s, bad input, restart keeping the data."""

import gzip
import os
import signal
import sqlite3
import unittest
import urllib.parse

from relais_harness import RelaisTestCase

RO = {
    "vehicle": {"plate": "ab-123-cd", "vin": "VF3ABCDEFGH123456", "make": "Peugeot", "model": "308", "mileage_km": 45210},
    "promised_at": "2026-11-24T17:30",
    "parties": [{"roles": ["driver", "owner"], "title": "Mme", "first_name": "Hélène", "last_name": "Lefèvre",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"},
                                    {"kind": "email", "value": "Helene.Lefevre@Exemple.FR"}]}],
    "interventions": [{"label": "Vidange et filtre à huile", "price_excl_cents": 8900, "kind": "initial", "severity": "green"},
                      {"label": "Plaquettes de frein avant", "mechanic_note": "Usées à 80 %", "price_excl_cents": 14500,
                       "kind": "optional", "severity": "red"}],
}


class ServeTest(RelaisTestCase):

    def test_first_start_prints_where_and_how_to_sign_in(self):
        with self.relais() as r:
            out = r.stdout()
            self.assertIn(f"Advisor workspace: http://127.0.0.1:{r.lan}/", out)
            self.assertIn('sign in as "admin"', out)
            password = r.one_time_password()
            self.assertRegex(password, r"^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$")
            health = r.client().get("/healthz").json()
            self.assertEqual(health["status"], "ok")
            self.assertEqual(health["database"]["schema_version"], 19)
            # No relay in the test configuration: email goes to the maildir, and the banner says so.
            maildir = os.path.join(r.data, "mail")
            self.assertEqual(health["mail"]["transport"], f"maildir {maildir}")
            self.assertIn(f"Email:             maildir {maildir} (no relay configured", out)
            # The data directory and database are private to the service's user.
            self.assertEqual(os.stat(r.data).st_mode & 0o777, 0o700)
            self.assertEqual(os.stat(os.path.join(r.data, "relais.db")).st_mode & 0o077, 0)

    def test_assets_go_compressed_and_both_listeners_have_an_icon(self):
        web = os.path.join(os.path.dirname(__file__), "..", "..", "web")
        with self.relais() as r:
            for listener, path, file in (("public", "/assets/customer/customer.js", "customer/customer.js"),
                                         ("lan", "/assets/app.js", "workspace/assets/app.js"),
                                         # a feature folder of the workspace: nested folders are served too
                                         ("lan", "/assets/repair-orders/ro.js", "workspace/assets/repair-orders/ro.js")):
                c = r.client(listener)
                with open(os.path.join(web, file), "rb") as f:
                    source = f.read()
                packed = c.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
                self.assertEqual(packed.status, 200, (listener, packed))
                self.assertEqual(packed.header("Content-Encoding"), "gzip")
                self.assertEqual(packed.header("Vary"), "Accept-Encoding")
                self.assertEqual(gzip.decompress(packed.raw), source)
                self.assertLess(len(packed.raw), len(source) / 2)
                again = c.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.header("ETag")})
                self.assertEqual(again.status, 304)
                plain = c.get(path, headers={"Accept-Encoding": "identity"})
                self.assertIsNone(plain.header("Content-Encoding"))
                self.assertEqual(plain.raw, source)
                self.assertNotEqual(plain.header("ETag"), packed.header("ETag"))
                icon = c.get("/favicon.ico")
                self.assertEqual(icon.status, 200, (listener, icon))
                self.assertEqual(icon.header("Content-Type"), "image/x-icon")
                self.assertEqual(icon.raw[:4], b"\x00\x00\x01\x00")  # an ICO header

    def test_the_customer_page_weighs_under_100_kb_compressed_or_not(self):
        # What a customer's phone downloads before any photo: the page, its script, its style.
        with self.relais() as r:
            c = r.client("public")
            paths = ["/o/" + "A" * 32, "/assets/customer/customer.js", "/assets/customer/customer.css"]
            weights = {}
            for encoding in ("identity", "gzip"):
                total = 0
                for path in paths:
                    got = c.get(path, headers={"Accept-Encoding": encoding})
                    self.assertEqual(got.status, 200, (path, got))
                    total += len(got.raw)
                weights[encoding] = total
            print(f"customer page weight: {weights['identity']} B uncompressed, {weights['gzip']} B gzip")
            self.assertLess(weights["identity"], 100 * 1024)
            self.assertLess(weights["gzip"], weights["identity"] / 2)

    def test_sign_in_create_search_and_edit_repair_orders(self):
        with self.relais() as r:
            c = self.admin(r)
            created = c.post("/api/v1/repair-orders", RO)
            self.assertEqual(created.status, 201, created)
            ro = created.json()
            self.assertEqual(ro["number"], "OR-2026-00001")
            self.assertEqual(ro["vehicle"]["plate"], "AB-123-CD")
            self.assertEqual(ro["promised_at"], "2026-11-24T16:30:00Z")
            party = ro["parties"][0]
            self.assertEqual(party["contact_points"][0]["value"], "+33612345678")
            self.assertEqual(party["contact_points"][1]["value"], "Helene.Lefevre@exemple.fr")
            self.assertEqual(ro["totals"]["shown_incl_cents"], 10680 + 17400)

            other = dict(RO, vehicle={"plate": "EF-456-GH"},
                         parties=[{"roles": ["driver"], "first_name": "Jean", "last_name": "Dupont"}])
            self.assertEqual(c.post("/api/v1/repair-orders", other).status, 201)

            for q, expected in [("lefevre", ["OR-2026-00001"]), ("HÉLÈNE", ["OR-2026-00001"]),
                                ("ab123cd", ["OR-2026-00001"]), ("06%2012%2034%2056%2078", ["OR-2026-00001"]),
                                ("dupont", ["OR-2026-00002"]), ("OR-2026", ["OR-2026-00002", "OR-2026-00001"]),
                                ("personne", [])]:
                page = c.get("/api/v1/repair-orders?q=" + urllib.parse.quote(q, safe="%")).json()
                self.assertEqual([i["number"] for i in page["items"]], expected, q)

            # Edit an intervention's price with If-Match; a stale version is refused.
            item = ro["interventions"][1]
            changed = c.patch(f"/api/v1/repair-orders/{ro['id']}/interventions/{item['id']}",
                              {"price_excl_cents": 12000}, headers={"If-Match": '"1"'})
            self.assertEqual(changed.status, 200, changed)
            self.assertEqual(changed.json()["price_incl_cents"], 14400)
            self.assertEqual(changed.header("ETag"), '"2"')
            stale = c.patch(f"/api/v1/repair-orders/{ro['id']}", {"status": "ready"}, headers={"If-Match": '"1"'})
            self.assertEqual(stale.status, 412)
            self.assertEqual(stale.json()["error"]["code"], "version_conflict")
            page = c.get("/api/v1/repair-orders?q=lefevre").json()
            self.assertEqual(page["items"][0]["shown_incl_cents"], 10680 + 14400)

    def test_csrf_and_cross_site_requests_are_refused(self):
        with self.relais() as r:
            c = self.admin(r)
            token = c.csrf
            c.csrf = None
            no_token = c.post("/api/v1/repair-orders", RO)
            self.assertEqual(no_token.status, 403)
            self.assertEqual(no_token.json()["error"]["code"], "csrf_failed")
            c.csrf = token
            cross = c.post("/api/v1/repair-orders", RO, headers={"Sec-Fetch-Site": "cross-site"})
            self.assertEqual(cross.json()["error"]["code"], "cross_site")
            evil = c.post("/api/v1/repair-orders", RO, headers={"Origin": "http://evil.example", "Sec-Fetch-Site": None})
            self.assertEqual(evil.json()["error"]["code"], "cross_site")
            self.assertEqual(c.get("/api/v1/repair-orders").json()["total"], 0)
            self.assertEqual(c.post("/api/v1/repair-orders", RO).status, 201)

    def test_public_listener_serves_no_advisor_or_api_path(self):
        with self.relais() as r:
            lan = self.admin(r)
            ro_id = lan.post("/api/v1/repair-orders", RO).json()["id"]
            pub = r.client("public")
            pub.cookies = dict(lan.cookies)  # even with a valid session cookie
            pub.csrf = lan.csrf
            for method in ("GET", "POST", "PATCH", "DELETE", "HEAD"):
                for path in ["/", "/login", "/repair-orders", f"/repair-orders/{ro_id}", "/admin/users", "/account",
                             "/assets/app.js", "/healthz", "/api/v1/session", "/api/v1/settings", "/api/v1/users",
                             "/api/v1/repair-orders", f"/api/v1/repair-orders/{ro_id}",
                             f"/api/v1/repair-orders/{ro_id}/interventions", "/api/v1/api-keys"]:
                    resp = pub.request(method, path, body={} if method in ("POST", "PATCH") else None)
                    self.assertEqual(resp.status, 404, f"{method} {path} on the public listener: {resp}")
            self.assertEqual(pub.get("/robots.txt").status, 200)
            # The same RO is still there on the lan listener, untouched.
            self.assertEqual(lan.get(f"/api/v1/repair-orders/{ro_id}").json()["version"], 1)

    def test_bad_input_answers(self):
        with self.relais() as r:
            c = self.admin(r)
            malformed = c.post("/api/v1/repair-orders", raw=b'{"vehicle": {"plate": ', headers={"Content-Type": "application/json"})
            self.assertEqual(malformed.status, 400)
            self.assertEqual(malformed.json()["error"]["code"], "malformed_json")
            big = c.post("/api/v1/repair-orders", {"note": "x" * (1024 * 1024 + 10)})
            self.assertEqual(big.status, 413)
            self.assertEqual(big.json()["error"]["code"], "body_too_large")
            huge = r.client()  # beyond what the server buffers at all: refused before parsing
            huge.cookies, huge.csrf = dict(c.cookies), c.csrf
            self.assertEqual(huge.post("/api/v1/repair-orders", {"note": "x" * (4 * 1024 * 1024)}).status, 413)
            form = c.post("/api/v1/repair-orders", raw=b"plate=AB", headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(form.status, 415)
            self.assertEqual(c.get("/api/v1/repair-orders/999").status, 404)
            self.assertEqual(c.get("/api/v1/repair-orders/999").json()["error"]["message"],
                             "Cet ordre de réparation n'existe pas.")
            self.assertEqual(c.get("/api/v1/repair-orders/1/parties/1").status, 404)
            invalid = c.post("/api/v1/repair-orders", {"vehicle": {"vin": "ABC"}, "status": "finished",
                                                       "parties": [{"roles": ["driver"], "last_name": "X",
                                                                    "contact_points": [{"kind": "phone", "value": "06 12"},
                                                                                       {"kind": "email", "value": "x@"}]}]})
            self.assertEqual(invalid.status, 422)
            # Shape errors come first (status); fix it to see the domain's checks.
            fields = {f["field"]: f for f in invalid.json()["error"]["fields"]}
            self.assertEqual(fields["status"]["code"], "invalid_choice")
            invalid = c.post("/api/v1/repair-orders", {"vehicle": {"vin": "ABC"},
                                                       "parties": [{"roles": ["driver"], "last_name": "X",
                                                                    "contact_points": [{"kind": "phone", "value": "06 12"},
                                                                                       {"kind": "email", "value": "x@"}]}]})
            fields = {f["field"]: f for f in invalid.json()["error"]["fields"]}
            self.assertEqual(fields["vehicle.vin"]["code"], "vin_length")
            self.assertEqual(fields["parties[0].contact_points[0].value"]["code"], "phone_too_short")
            self.assertEqual(fields["parties[0].contact_points[1].value"]["code"], "email_invalid")
            self.assertEqual(c.get("/api/v1/repair-orders").json()["total"], 0)
            self.assertEqual(c.request("PUT", "/api/v1/repair-orders", {}).status, 405)
            # A path that is not valid percent-encoding.
            self.assertEqual(c.get("/api/v1/repair-orders/%E9").status, 400)

    def test_restart_keeps_the_data_and_the_password(self):
        r = self.relais()
        r.start()
        c = self.admin(r, new_password="Garage-Test-2026")
        ro = c.post("/api/v1/repair-orders", RO).json()
        key = r.cli("apikey", "create", "DMS").stdout.strip()
        self.assertEqual(r.stop(), 0)
        self.assertIn("stopped cleanly", r.stderr())

        r.start()
        self.assertIsNone(r.one_time_password())  # no second admin
        self.assertIn("Sign in with your Relais account", r.stdout())
        c = r.client()
        self.assertEqual(c.sign_in("admin", "Garage-Test-2026").status, 200)
        again = c.get(f"/api/v1/repair-orders/{ro['id']}").json()
        self.assertEqual(again["number"], ro["number"])
        self.assertEqual(again["parties"][0]["last_name"], "Lefèvre")
        self.assertEqual(len(again["interventions"]), 2)
        self.assertEqual(c.get("/api/v1/repair-orders?q=lefevre").json()["total"], 1)
        dms = r.client()
        dms.bearer = key
        self.assertEqual(dms.get("/api/v1/repair-orders").json()["total"], 1)
        self.assertEqual(r.stop(signal.SIGINT), 0)
        # A clean stop leaves a consistent database.
        db = sqlite3.connect(os.path.join(r.data, "relais.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        self.assertEqual(db.execute("SELECT count(*) FROM events").fetchone()[0], 1)

    def test_dms_with_an_api_key(self):
        with self.relais() as r:
            created = r.cli("apikey", "create", "DMS Planet")
            self.assertEqual(created.returncode, 0, created.stderr)
            key = created.stdout.strip()
            self.assertTrue(key.startswith("rk_"))
            self.assertIn("shown only now", created.stderr)
            dms = r.client()
            dms.bearer = key
            dms.language = "en"
            made = dms.post("/api/v1/repair-orders", dict(RO, number="DMS-000123"), headers={"Origin": None, "Sec-Fetch-Site": None})
            self.assertEqual(made.status, 201, made)
            self.assertEqual(dms.get("/api/v1/repair-orders?q=DMS-000123").json()["total"], 1)
            timeline = dms.get(f"/api/v1/repair-orders/{made.json()['id']}/timeline").json()["items"]
            self.assertEqual(timeline[0]["actor"], {"kind": "api_key", "id": 1, "name": "DMS Planet"})
            self.assertEqual(dms.get("/api/v1/api-keys").status, 403)
            self.assertEqual(r.cli("apikey", "revoke", "DMS Planet").returncode, 0)
            refused = dms.get("/api/v1/repair-orders")
            self.assertEqual(refused.status, 401)
            self.assertEqual(refused.json()["error"]["message"], "This API key is unknown or revoked.")

    def test_users_from_the_command_line(self):
        with self.relais() as r:
            added = r.cli("user", "add", "marie.lambert", "--role", "advisor", "--display-name", "Marie Lambert",
                          stdin="Marie-Atelier-2026\n")
            self.assertEqual(added.returncode, 0, added.stderr)
            c = r.client()
            signed = c.sign_in("Marie.Lambert", "Marie-Atelier-2026")
            self.assertEqual(signed.status, 200, signed)
            self.assertEqual(signed.json()["user"]["role"], "advisor")
            self.assertFalse(signed.json()["user"]["must_change_password"])
            self.assertEqual(c.get("/api/v1/users").status, 200)
            self.assertEqual(c.post("/api/v1/users", {"username": "x"}).status, 403)
            weak = r.cli("user", "add", "paul", stdin="short\n")
            self.assertEqual(weak.returncode, 1)
            self.assertIn("password_too_short", weak.stderr)
            listed = r.cli("user", "list").stdout
            self.assertIn("marie.lambert\tadvisor\tactive\tMarie Lambert", listed)
            reset = r.cli("user", "passwd", "marie.lambert", stdin="Nouveau-Mot-2026\n")
            self.assertEqual(reset.returncode, 0, reset.stderr)
            self.assertEqual(c.get("/api/v1/repair-orders").status, 401)  # her sessions were closed
            self.assertEqual(r.client().sign_in("marie.lambert", "Nouveau-Mot-2026").status, 200)

    def test_failed_sign_ins_are_throttled(self):
        with self.relais() as r:
            self.admin(r)
            attacker = r.client()
            for _ in range(5):
                self.assertEqual(attacker.sign_in("admin", "guess").status, 401)
            blocked = attacker.sign_in("admin", "Garage-Test-2026")
            self.assertEqual(blocked.status, 429)
            self.assertEqual(blocked.header("Retry-After"), "30")


if __name__ == "__main__":
    unittest.main(verbosity=2)
