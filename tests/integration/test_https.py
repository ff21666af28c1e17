"""HTTPS ([tls], docs/CONFIG.md): the real relais serving TLS 1.2/1.3 only, HSTS and Secure
cookies, port 80's redirects and ACME challenges, handshakes that stall without holding anyone
up, own certificate files swapped without dropping a connection, and certificates from Pebble
(Let's Encrypt's test CA) by HTTP-01 and by DNS-01 through a hook, renewed on request, with
failures shown and retried later, and "renew now" not within 15 minutes of the last attempt."""

import json
import os
import socket
import ssl
import subprocess
import unittest

from acme_servers import Pebble, free_port, openssl
from relais_harness import RelaisTestCase, wait_for

NAME = "relais.garage-test.fr"  # the host of the harness's public_base_url


def insecure():
    """A client context that takes any certificate (the test looks at it itself)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def served_certificate(port, ctx=None):
    """The certificate a new TLS connection to `port` is shown, as openssl describes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with (ctx or insecure()).wrap_socket(raw, server_hostname=NAME) as s:
            der = s.getpeercert(binary_form=True)
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial", "-issuer", "-ext",
                          "subjectAltName"], input=der, capture_output=True, check=True).stdout.decode()
    return out


def raw_request(sock, path, host=NAME):
    """One GET on an open (TLS) socket, keep-alive; the response's head and body as text."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode())
    data = b""

    def more():
        got = sock.recv(65536)
        if not got:
            raise AssertionError("the connection was closed")
        return got

    while b"\r\n\r\n" not in data:
        data += more()
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
    while len(body) < length:
        body += more()
    return head.decode(), body.decode()


TLS_CONFIG = """
[tls]
public = true
lan = true
certificate = "self-signed"
redirect_listen = "127.0.0.1:0"
"""


class SelfSignedTest(RelaisTestCase):
    def test_tls_versions_ciphers_hsts_and_secure_cookies(self):
        r = self.relais(TLS_CONFIG).start()
        # TLS 1.2 and 1.3 are served; 1.0 and 1.1 are refused, as are ciphers without forward secrecy.
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = insecure()
            ctx.minimum_version = ctx.maximum_version = version
            with socket.create_connection(("127.0.0.1", r.public)) as raw, ctx.wrap_socket(raw) as s:
                self.assertEqual(s.version(), version.name.replace("v1_", "v1."))
        old = insecure()
        old.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("ALL:@SECLEVEL=0")
        with socket.create_connection(("127.0.0.1", r.public)) as raw, self.assertRaises(ssl.SSLError):
            old.wrap_socket(raw)
        weak = insecure()
        weak.maximum_version = ssl.TLSVersion.TLSv1_2
        weak.set_ciphers("AES128-SHA:AES256-GCM-SHA384")  # RSA key exchange: no forward secrecy
        with socket.create_connection(("127.0.0.1", r.public)) as raw, self.assertRaises(ssl.SSLError):
            weak.wrap_socket(raw)

        # The self-signed certificate names the public name and the box's own names.
        cert = served_certificate(r.public)
        self.assertIn(f"DNS:{NAME}", cert)
        self.assertIn("DNS:localhost", cert)

        # HSTS on the customer pages; the lan listener too, with its cookies Secure.
        customer = r.client("public", tls=insecure())
        res = customer.get("/robots.txt")
        self.assertEqual(res.status, 200)
        self.assertEqual(res.header("strict-transport-security"), "max-age=31536000")
        lan = r.client("lan", tls=insecure())
        res = lan.post("/api/v1/session", {"username": "admin", "password": r.one_time_password()})
        self.assertEqual(res.status, 200, res.body)
        cookies = [v for k, v in res.headers if k.lower() == "set-cookie"]
        self.assertTrue(cookies)
        for c in cookies:
            self.assertIn("Secure", c)
        health = lan.get("/healthz").json()
        self.assertEqual(health["certificate"]["state"], "self_signed")
        self.assertTrue(health["certificate"]["customers_see_warning"])

    def test_port_80_redirects_and_answers_challenges_only(self):
        r = self.relais(TLS_CONFIG)
        # A known workspace port, so that port 80 can send the box's LAN names there.
        lan_port = free_port()
        with open(r.config) as f:
            text = f.read()
        with open(r.config, "w") as f:
            f.write(text.replace('lan_listen = "127.0.0.1:0"', f'lan_listen = "127.0.0.1:{lan_port}"'))
        r.start()
        self.assertTrue(r.http)
        plain = r.client("lan")
        plain.port = r.http
        plain.conn = plain.connect()
        res = plain.get("/o/abcdef?x=1", headers={"Host": NAME})
        self.assertEqual(res.status, 301)
        self.assertEqual(res.header("location"), f"https://{NAME}/o/abcdef?x=1")
        # The public name however a client writes it (a final dot, capitals, a port) is the public
        # name, as the gate's Host check says: the customer pages, never the workspace.
        for host in (f"{NAME}.", NAME.upper(), f"{NAME}.:80"):
            res = plain.get("/o/abcdef", headers={"Host": host})
            self.assertEqual((res.status, res.header("location")), (301, f"https://{NAME}/o/abcdef"), host)
        # Nothing of the application: the API, the workspace are redirections too.
        res = plain.get("/api/v1/repair-orders", headers={"Host": NAME})
        self.assertEqual(res.status, 301)
        # A challenge nobody asked for, or a token that is not one: 404.
        for token in ("unknown-token", "..%2f..%2fetc%2fpasswd"):
            res = plain.get("/.well-known/acme-challenge/" + token, headers={"Host": NAME})
            self.assertEqual(res.status, 404, token)
        # A challenge lego wrote: its key authorization, as it is.
        challenges = os.path.join(r.data, "tls", "challenges", ".well-known", "acme-challenge")
        os.makedirs(challenges, exist_ok=True)
        with open(os.path.join(challenges, "tok_EN-1"), "w") as f:
            f.write("tok_EN-1.thumbprint")
        res = plain.get("/.well-known/acme-challenge/tok_EN-1", headers={"Host": NAME})
        self.assertEqual((res.status, res.body), (200, "tok_EN-1.thumbprint"))
        # A POST is sent on with 308 (stays a POST), and the connection ends: its body is no request.
        res = plain.post("/o/abcdef/confirm", {"x": 1}, headers={"Host": NAME})
        self.assertEqual(res.status, 308)
        self.assertEqual(res.header("connection"), "close")
        # An advisor typing the box's LAN name lands on the workspace (HTTPS here: [tls] lan).
        res = plain.get("/", headers={"Host": "localhost"})
        self.assertEqual((res.status, res.header("location")), (301, f"https://localhost:{lan_port}/"))
        # Another site's name is refused, as on every listener.
        res = plain.get("/", headers={"Host": "evil.example"})
        self.assertEqual(res.status, 421)

    def test_stalled_handshakes_hold_up_no_one(self):
        r = self.relais(TLS_CONFIG).start()
        hello = None
        stalled = []
        # Ten clients that connect and say nothing, ten that send the first bytes of a
        # ClientHello and stop.
        for i in range(20):
            s = socket.create_connection(("127.0.0.1", r.public))
            if i % 2:
                s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
            stalled.append(s)
        # Meanwhile a customer is served, on a new connection each time.
        for _ in range(5):
            customer = r.client("public", tls=insecure())
            customer.conn.timeout = 5
            self.assertEqual(customer.get("/robots.txt").status, 200)
            customer.conn.close()
        # And the stalled ones are let go once the handshake's time is up (10 s).
        for s in stalled:
            s.settimeout(30)
            try:
                hello = s.recv(1024)
            except ConnectionResetError:
                hello = b""
            self.assertEqual(hello, b"")  # closed by relais, nothing said
            s.close()
        lan = r.client("lan", tls=insecure())
        timed_out = lan.get("/healthz").json()["connections"]["public"]["timed_out"]
        self.assertGreaterEqual(timed_out, 20)

    def test_a_request_and_close_notify_read_at_once_are_answered_then_closed(self):
        r = self.relais(TLS_CONFIG).start()
        # The client's TLS in memory, so that its request and its close_notify leave in one
        # segment, and relais decrypts both in one read; the TCP connection stays open.
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = insecure().wrap_bio(incoming, outgoing, server_hostname=NAME)
        with socket.create_connection(("127.0.0.1", r.public), timeout=10) as raw:
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    raw.sendall(outgoing.read())
                    data = raw.recv(65536)
                    self.assertTrue(data, "closed during the handshake")
                    incoming.write(data)
            tls.write(f"GET /robots.txt HTTP/1.1\r\nHost: {NAME}\r\n\r\n".encode())
            with self.assertRaises(ssl.SSLWantReadError):
                tls.unwrap()  # close_notify written, relais's awaited
            raw.sendall(outgoing.read())
            # Answered, then closed at once: not after the idle timeout (15 s), as when the
            # close_notify read with the request was forgotten.
            raw.settimeout(5)
            received = b""
            while data := raw.recv(65536):
                received += data
        incoming.write(received)
        answer = b""
        try:
            while chunk := tls.read(65536):
                answer += chunk
        except (ssl.SSLZeroReturnError, ssl.SSLWantReadError):
            pass
        self.assertTrue(answer.startswith(b"HTTP/1.1 200 OK\r\n"), answer[:200])
        self.assertIn(b"User-agent", answer)

    def test_own_files_swapped_without_dropping_connections(self):
        d = self.workdir

        def make(serial):
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    f"{d}/new.key", "-out", f"{d}/new.crt", "-days", "30", "-subj", f"/CN={NAME}", "-set_serial",
                    str(serial), "-addext", f"subjectAltName=DNS:{NAME}")
            os.replace(f"{d}/new.key", f"{d}/own.key")
            os.replace(f"{d}/new.crt", f"{d}/own.crt")

        make(0x1111)
        r = self.relais(f"""
[tls]
public = true
certificate = "files"
cert_file = "{d}/own.crt"
key_file = "{d}/own.key"
""").start()
        self.assertIn("serial=1111", served_certificate(r.public))
        # A customer's keep-alive connection, open across the swap.
        kept = insecure().wrap_socket(socket.create_connection(("127.0.0.1", r.public), timeout=10),
                                      server_hostname=NAME)
        self.assertIn("200 OK", raw_request(kept, "/robots.txt")[0])
        before = os.stat(f"{d}/own.crt").st_mtime_ns
        make(0x2222)
        # A modification time of its own, whatever the file system's clock granularity.
        os.utime(f"{d}/own.crt", ns=(before + 10**9, before + 10**9))

        def swapped():
            # The kept connection is used meanwhile: idle, it would end after 15 s, swap or not.
            self.assertIn("200 OK", raw_request(kept, "/robots.txt")[0])
            return "serial=2222" in served_certificate(r.public)

        wait_for(swapped, timeout=40, what="the new certificate")
        head, body = raw_request(kept, "/robots.txt")
        self.assertIn("200 OK", head)
        self.assertIn("User-agent", body)
        kept.close()
        self.assertIn("took the changed certificate files", r.stdout() + r.stderr())


class AcmeTest(RelaisTestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.pebble_dir = tempfile.mkdtemp(prefix="relais-pebble-")
        cls.pebble = Pebble(cls.pebble_dir).start()

    @classmethod
    def tearDownClass(cls):
        cls.pebble.stop()
        import shutil
        shutil.rmtree(cls.pebble_dir, ignore_errors=True)

    def acme_config(self, extra=""):
        return f"""
[tls]
public = true
certificate = "acme"
redirect_listen = "127.0.0.1:{self.pebble.http_port}"
[acme]
directory = "{self.pebble.directory}"
email = "it@garage-test.fr"
ca_file = "{self.pebble.ca_file}"
{extra}"""

    def certificate_state(self, r, state, timeout=90):
        lan = r.client("lan")
        return wait_for(lambda: (lambda c: c if c["state"] == state else None)(lan.get("/healthz").json()["certificate"]),
                        timeout=timeout, what=f"certificate state {state}")

    def verified(self, port):
        """A connection that checks the served chain against Pebble's issuing root, for NAME."""
        root = os.path.join(self.workdir, "pebble-root.pem")
        with open(root, "w") as f:
            f.write(self.pebble.issuing_root())
        ctx = ssl.create_default_context(cafile=root)
        return served_certificate(port, ctx)

    def test_http01_issue_then_renew_without_dropping(self):
        r = self.relais(self.acme_config()).start()
        cert = self.certificate_state(r, "ok")
        self.assertEqual(cert["source"], "acme")
        self.assertIn("Pebble", cert["issuer"])
        self.assertFalse(cert["customers_see_warning"])
        # Renewal is planned a third of the lifetime before the end.
        lifetime = cert["not_after"] - cert["not_before"]
        self.assertEqual(cert["next_attempt_at"], cert["not_after"] - lifetime // 3)
        first = self.verified(r.public)  # raises unless the chain and the name check out
        self.assertIn(f"DNS:{NAME}", first)

        # The admin's "renew now" right after the CA was asked: refused, saying when (Let's
        # Encrypt refuses a name after 5 failed validations in an hour).
        admin = self.admin(r)
        res = admin.post("/api/v1/certificate/renew")
        self.assertEqual(res.status, 429, res.body)
        self.assertEqual(res.json()["error"]["code"], "certificate_renew_too_soon")
        self.assertEqual(res.json()["error"]["params"]["gap_minutes"], "15")
        self.assertGreater(int(res.header("retry-after")), 800)

        # Started again, it has the certificate from its disk and has asked nobody yet: "renew
        # now" gets a new certificate, while an open connection goes on.
        r.stop()
        r.start()
        self.assertEqual(self.certificate_state(r, "ok")["not_after"], cert["not_after"])
        self.assertEqual(self.verified(r.public), first)
        kept = insecure().wrap_socket(socket.create_connection(("127.0.0.1", r.public), timeout=10),
                                      server_hostname=NAME)
        self.assertIn("200 OK", raw_request(kept, "/robots.txt")[0])
        admin = r.client()
        self.assertEqual(admin.sign_in("admin", "Garage-Test-2026").status, 200)
        res = admin.post("/api/v1/certificate/renew")
        self.assertEqual(res.status, 202, res.body)

        def renewed():
            # The kept connection is used meanwhile: idle, it would end after 15 s, renewal or not.
            self.assertIn("200 OK", raw_request(kept, "/robots.txt")[0])
            return self.verified(r.public) != first

        wait_for(renewed, timeout=90, what="a renewed certificate")
        self.assertIn("200 OK", raw_request(kept, "/robots.txt")[0])
        kept.close()
        metrics = admin.get("/metrics").body
        self.assertIn("relais_tls_certificate_self_signed 0", metrics)
        self.assertIn("relais_acme_failures 0", metrics)
        days = float([line.split()[1] for line in metrics.splitlines()
                      if line.startswith("relais_tls_certificate_days_left")][0])
        self.assertGreater(days, 7)

    def test_failure_is_shown_and_retried_later(self):
        # Port 80 is not where the CA looks (not forwarded): validation fails.
        config = self.acme_config().replace(f"127.0.0.1:{self.pebble.http_port}", "127.0.0.1:0")
        r = self.relais(config).start()
        cert = self.certificate_state(r, "failing")
        self.assertEqual(cert["failures"], 1)
        self.assertIn("relais.garage-test.fr", cert["last_error"])
        self.assertEqual(cert["next_attempt_at"], cert["last_error_at"] + 300)  # 5 min
        self.assertTrue(cert["customers_see_warning"])  # customers are still served, self-signed
        customer = r.client("public", tls=insecure())
        self.assertEqual(customer.get("/robots.txt").status, 200)
        lan = r.client("lan")
        self.assertIn("relais_acme_failures 1", lan.get("/metrics").body)

    def test_dns01_through_a_hook(self):
        hook = self.pebble.hook_script(os.path.join(self.workdir, "dns-hook"))
        env = os.path.join(self.workdir, "dns.env")
        with open(env, "w") as f:
            f.write(f"# lego's exec provider\nEXEC_PATH={hook}\nEXEC_POLLING_INTERVAL=1\nEXEC_PROPAGATION_TIMEOUT=30\n")
        os.chmod(env, 0o600)
        config = self.acme_config(f"""challenge = "dns-01"
dns_provider = "exec"
dns_env_file = "{env}"
dns_resolver = "{self.pebble.dns}"
""").replace(f'redirect_listen = "127.0.0.1:{self.pebble.http_port}"\n', "")
        r = self.relais(config).start()
        self.assertIsNone(r.http)  # no port 80 at all
        cert = self.certificate_state(r, "ok")
        self.assertIn("Pebble", cert["issuer"])
        self.assertIn(f"DNS:{NAME}", self.verified(r.public))


if __name__ == "__main__":
    unittest.main()
