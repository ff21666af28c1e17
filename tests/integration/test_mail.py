"""Email against a real SMTP server (Debian's aiosmtpd, smtp_servers.py): the SMTP client and MIME
builder through `relais_mail_probe` (plain, STARTTLS, implicit TLS, opportunistic, AUTH, refused
recipients, certificates, timeouts, several messages over one connection, the MIME parsed back
by Python's `email`), and `relais send-test-email` (relay, wrong password, relay down, maildir).

    RELAIS_MAIL_PROBE=build/tests/relais_mail_probe /usr/bin/python3 tests/integration/test_mail.py

The probe reads one JSON job on stdin and prints one JSON line per message, then a summary."""

import datetime
import email
import email.policy
import email.utils
import json
import os
import re
import subprocess
import time
import unittest

from relais_harness import BIN, Relais, RelaisTestCase
from smtp_servers import SilentServer, SmtpServer, auth_secrets, free_port, make_certs


def _default_probe():
    # Next to the relais binary in the same build tree: build/server/relais -> build/tests/relais_mail_probe.
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(BIN))), "tests", "relais_mail_probe")


PROBE = os.environ.get("RELAIS_MAIL_PROBE") or _default_probe()

USER = "atelier-dupont"
PASSWORD = "Pa55 w0rd:Gar/age+=%"  # a space, ':', '/', '+', '=' and '%': what escaping bugs trip on
FROM = {"name": "Garage Dupont & Fils, Lyon", "address": "atelier@garage.test"}  # the comma needs quoting

LONG_URL = "https://relais.garage-test.fr/c/" + "Zx9" * 89 + "k"  # 300 characters, no space
assert len(LONG_URL) == 300

TEXT_FR = (
    "Bonjour Madame Lefèvre,\n"
    "\n"
    "Votre Peugeot 308 (AB-123-CD) est prête : « révision des 60 000 km » terminée.\n"
    "Montant : 189,90 € TTC — règlement à l'accueil, à côté de l'hôtel de ville.\n"
    "Œuvre, cœur, ça, où, naïve, Noël, garçon, hôpital, forêt, déjà vu… “guillemets” ‘simples’\n"
    "Votre voiture vous attend 🚗 À bientôt 👍\n"
    "\n"
    f"{LONG_URL}\n"
    "Référence:" + "éèêàçôœ€" * 20 + "\n"
    ".Une ligne qui commence par un point\n"
    ".\n"
    "..\n"
    "From the workshop: cette ligne commence par « From ».\n"
    "Espaces en fin de ligne   \n"
    "Tabulation\tfinale\t\n"
    "=?utf-8?q?pas_un_mot_encod=C3=A9?= et =3D et =\n"
    "\n"
    "-- \n"
    "L'équipe du Garage Dupont\n"
)
HTML_FR = (
    "<!DOCTYPE html>\n"
    '<html lang="fr"><head><meta charset="utf-8"><title>Votre véhicule est prêt</title></head>\n'
    "<body>\n"
    "<p>Bonjour Madame Lefèvre,</p>\n"
    "<p>Votre Peugeot 308 est prête&nbsp;: « révision des 60 000 km » terminée. "
    "Montant&nbsp;: <strong>189,90 €</strong> TTC.</p>\n"
    "<p>Œuvre, cœur, ça, où, naïve, Noël 🚗 👍</p>\n"
    f'<p><a href="{LONG_URL}">Voir le détail des travaux</a></p>\n'
    + "<p>" + "Détail des travaux effectués sur le véhicule, pièces et main-d’œuvre. " * 30 + "</p>\n"
    + "<p>" + "éèêàçôœ€" * 40 + "</p>\n"
    ".\n"
    ".<span>point</span>\n"
    "From the workshop\n"
    "<p>Cordialement,<br>   \n"
    "L'équipe du Garage Dupont</p>\n"
    "</body>\n"
    "</html>\n"
)
SUBJECT_FR = ("Votre Peugeot 308 immatriculée AB-123-CD est prête : révision des 60 000 km terminée, "
              "à récupérer avant 18 h 30 — Garage Dupont 🚗")
# Mostly ASCII (likely quoted-printable), with lines that need SMTP dot-stuffing if they reach the wire as is.
TEXT_EN = ("Hello Mr O'Brien,\n\nYour Renault Clio is ready 🚗. Total: €189.90 incl. VAT.\n"
           ".\n"
           ".NET-style line starting with a dot\n"
           "..\n"
           "From here on, a line starting with From.\n"
           "See you soon 👍\n— Garage Dupont")  # no final line break: it must not gain one
HTML_EN = "<p>Hello Mr O'Brien,</p>\n<p>Your Renault Clio is ready 🚗. Total: <b>€189.90</b> incl. VAT.</p>"
SUBJECT_EN = ("Your Renault Clio (AB-123-CD) is ready for collection: 60,000 km service completed, "
              "please pick it up before 6:30 pm")
assert len(SUBJECT_FR) > 100 and len(SUBJECT_EN) > 100

MESSAGE_FR = {
    "from": FROM,
    "reply_to": {"name": "Hélène Lefèvre", "address": "helene@garage.test"},
    "to": [{"name": "Zoé Brûlé", "address": "zoe@example.test"},
           {"name": "O'Brien, Seán", "address": "sean@example.test"}],
    "subject": SUBJECT_FR, "text": TEXT_FR, "html": HTML_FR, "auto_submitted": False,
}
MESSAGE_EN = {
    "from": FROM,
    "to": [{"name": "John Smith", "address": "john.smith@example.test"}],
    "subject": SUBJECT_EN, "text": TEXT_EN, "html": HTML_EN, "auto_submitted": True,
}


def simple(to=("zoe@example.test",), subject="Votre véhicule est prêt",
           text="Bonjour,\nVotre véhicule est prêt.\n"):
    return {"from": FROM, "to": [{"name": "", "address": a} for a in to], "subject": subject, "text": text,
            "html": "<p>" + text.replace("\n", "<br>\n") + "</p>"}


def decoded(part):
    """The text of a MIME part as the reader sees it: canonical CRLF line breaks read as \\n."""
    text = part.get_content()
    return text.replace("\r\n", "\n")


class Run:
    def __init__(self, proc, stdout, stderr):
        self.returncode = proc.returncode
        self.stdout, self.stderr = stdout, stderr
        lines, self.unparsed = [], []
        for line in stdout.splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                if line.strip():
                    self.unparsed.append(line)
        self.results = [line for line in lines if not line.get("summary")]
        summaries = [line for line in lines if line.get("summary")]
        self.summary = summaries[-1] if summaries else None

    def __repr__(self):
        return f"<probe exit {self.returncode}\nstdout: {self.stdout[-3000:]}\nstderr: {self.stderr[-3000:]}>"


class MailTestCase(RelaisTestCase):
    """Servers started by a test are stopped before its directory is removed (or kept, with the
    servers' logs and each probe run's input, output and log)."""

    @classmethod
    def setUpClass(cls):
        assert os.access(PROBE, os.X_OK), (f"the mail probe {PROBE} is missing: build the relais_mail_probe target "
                                           "or set RELAIS_MAIL_PROBE")

    def setUp(self):
        super().setUp()
        self.servers = []
        self.runs = 0
        self._certs = None

    def tearDown(self):
        for s in self.servers:
            s.stop()
        super().tearDown()

    @property
    def certs(self):
        if self._certs is None:
            self._certs = make_certs(os.path.join(self.workdir, "certs"))
        return self._certs

    def server(self, kind="plain", **kw):
        if kind != "plain" or "cert" in kw:
            kw.setdefault("certs", self.certs)
        srv = SmtpServer(kind, log_file=os.path.join(self.workdir, f"smtp-server.{len(self.servers) + 1}.log"), **kw)
        srv.start()
        self.servers.append(srv)
        return srv

    def silent(self):
        srv = SilentServer().start()
        self.servers.append(srv)
        return srv

    def relay(self, srv, tls, **kw):
        r = {"host": "127.0.0.1", "port": srv if isinstance(srv, int) else srv.port, "tls": tls}
        if tls != "none" and "ca_file" not in kw:
            r["ca_file"] = self.certs.ca
        r.update({k: v for k, v in kw.items() if v is not None})
        return r

    def probe(self, relay, messages, expect_exit=0, raw_input=None, **options):
        """Runs relais_mail_probe on one job; its input, output and log are kept in the workdir."""
        self.runs += 1
        job = raw_input if raw_input is not None else json.dumps({"relay": relay, "messages": messages, **options},
                                                                   ensure_ascii=False)
        base = os.path.join(self.workdir, f"probe.{self.runs}")
        with open(base + ".input.json", "w", encoding="utf-8") as f:
            f.write(job)
        proc = subprocess.run([PROBE], input=job.encode(), capture_output=True, timeout=120)
        stdout, stderr = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
        with open(base + ".stdout", "w") as f:
            f.write(stdout)
        with open(base + ".stderr", "w") as f:
            f.write(stderr)
        if expect_exit is not None:
            self.assertEqual(proc.returncode, expect_exit, f"probe exit code; stderr:\n{stderr[-3000:]}")
        run = Run(proc, stdout, stderr)
        if expect_exit == 0 and raw_input is None:
            self.assertEqual(run.unparsed, [], "stdout has only JSON lines")
            repeat = options.get("repeat", 1)
            self.assertIsNotNone(run.summary, run)
            self.assertEqual(run.summary["messages"], len(messages) * repeat, run)
            if not options.get("summary_only"):
                self.assertEqual(len(run.results), len(messages) * repeat, run)
                self.assertEqual(run.summary["delivered"], sum(r["status"] == "delivered" for r in run.results), run)
        return run

    def send_one(self, relay, message=None, **options):
        run = self.probe(relay, [message or simple()], **options)
        return run.results[0], run

    # -- assertions

    def assertDelivered(self, result, srv, run=None):
        self.assertEqual(result["status"], "delivered", run or result)
        self.assertEqual(result["code"], 250, result)
        received = srv.messages
        self.assertTrue(received, f"the server recorded no message; probe said {result}")
        self.assertIn(received[-1].queue_id, result["text"], "the text is the server's final reply")
        for r in result["recipients"]:
            self.assertEqual((r["status"], r["code"]), ("delivered", 250), result)
        return received[-1]

    def assertNotDelivered(self, result, srv, status, run=None):
        self.assertEqual(result["status"], status, run or result)
        self.assertFalse(any(r["status"] == "delivered" for r in result.get("recipients", [])), result)
        if srv is not None and hasattr(srv, "messages"):
            self.assertEqual(srv.messages, [], "the server must have received nothing")

    def assertNoSecrets(self, text, user=USER, password=PASSWORD):
        for secret in auth_secrets(user, password):
            self.assertNotIn(secret, text, "an AUTH secret appears in the log/output")


class ProbeDeliveryTest(MailTestCase):

    def test_plain_delivery(self):
        srv = self.server("plain")
        result, run = self.send_one(self.relay(srv, "none"), simple(to=["zoe@example.test", "sean@example.test"]))
        got = self.assertDelivered(result, srv, run)
        self.assertEqual(got.mail_from, "atelier@garage.test")
        self.assertEqual(got.rcpt_tos, ["zoe@example.test", "sean@example.test"])
        self.assertEqual([r["address"] for r in result["recipients"]], ["zoe@example.test", "sean@example.test"])
        self.assertEqual(result["tls"], "")
        self.assertEqual(got.tls, "")
        self.assertIsNone(got.login)
        msg = email.message_from_bytes(got.raw, policy=email.policy.default)
        self.assertEqual(msg["Message-ID"], result["message_id"])
        self.assertEqual(run.summary["delivered"], 1)
        self.assertGreater(run.summary["per_second"], 0)
        self.assertIn("EHLO", run.stderr, "the debug log has the SMTP transcript")

    def test_starttls_with_auth_plain(self):
        srv = self.server("starttls", user=USER, password=PASSWORD, mechanisms=("PLAIN",))
        result, run = self.send_one(self.relay(srv, "starttls", username=USER, password=PASSWORD))
        got = self.assertDelivered(result, srv, run)
        self.assertRegex(result["tls"], r"^TLSv1\.[23]$")
        self.assertEqual(got.tls, result["tls"])
        self.assertEqual(got.login, USER)
        self.assertEqual([(a.mechanism, a.success, a.tls) for a in srv.auth_attempts], [("PLAIN", True, got.tls)])
        self.assertIn("STARTTLS", run.stderr)
        self.assertIn("AUTH", run.stderr)
        self.assertNoSecrets(run.stderr + run.stdout)

    def test_starttls_with_auth_login(self):
        # Some relays (Exchange, Office 365) offer LOGIN only.
        srv = self.server("starttls", user=USER, password=PASSWORD, mechanisms=("LOGIN",))
        result, run = self.send_one(self.relay(srv, "starttls", username=USER, password=PASSWORD))
        got = self.assertDelivered(result, srv, run)
        self.assertEqual(got.login, USER)
        self.assertEqual([(a.mechanism, a.success) for a in srv.auth_attempts], [("LOGIN", True)])
        self.assertNoSecrets(run.stderr + run.stdout)

    def test_implicit_tls_with_auth(self):
        srv = self.server("tls", user=USER, password=PASSWORD)
        result, run = self.send_one(self.relay(srv, "tls", username=USER, password=PASSWORD))
        got = self.assertDelivered(result, srv, run)
        self.assertRegex(result["tls"], r"^TLSv1\.[23]$")
        self.assertEqual(got.tls, result["tls"])
        self.assertEqual(got.login, USER)
        self.assertNoSecrets(run.stderr + run.stdout)

    def test_opportunistic_upgrades_when_offered(self):
        srv = self.server("opportunistic")
        result, run = self.send_one(self.relay(srv, "opportunistic"))
        got = self.assertDelivered(result, srv, run)
        self.assertRegex(got.tls, r"^TLSv1\.[23]$", "STARTTLS was offered: the client must use it")
        self.assertEqual(result["tls"], got.tls)

    def test_opportunistic_stays_plain_when_not_offered(self):
        srv = self.server("plain")
        result, run = self.send_one(self.relay(srv, "opportunistic"))
        got = self.assertDelivered(result, srv, run)
        self.assertEqual((got.tls, result["tls"]), ("", ""))

    def test_starttls_mode_never_falls_back_to_plain(self):
        srv = self.server("plain", user=USER, password=PASSWORD)  # offers AUTH over plain text, no STARTTLS
        result, run = self.send_one(self.relay(srv, "starttls", username=USER, password=PASSWORD))
        self.assertNotEqual(result["status"], "delivered", run)
        self.assertEqual(srv.messages, [])
        self.assertEqual(srv.auth_attempts, [], "credentials must never go over plain text")
        self.assertRegex(result["text"], r"(?i)starttls|tls", "the reason names what is missing")
        self.assertNoSecrets(run.stderr + run.stdout)

    def test_wrong_password_is_permanent_with_the_535_text(self):
        srv = self.server("starttls", user=USER, password="the-real-one")
        result, run = self.send_one(self.relay(srv, "starttls", username=USER, password=PASSWORD))
        self.assertNotDelivered(result, srv, "permanent", run)
        self.assertEqual(result["code"], 535, result)
        self.assertIn("Authentication credentials invalid", result["text"])
        attempts = srv.auth_attempts
        self.assertTrue(attempts and not any(a.success for a in attempts), attempts)
        self.assertNoSecrets(run.stderr + run.stdout)

    def test_auth_over_plain_text_only_when_allowed(self):
        srv = self.server("plain", user=USER, password=PASSWORD)  # AUTH offered over plain text
        result, run = self.send_one(self.relay(srv, "none", username=USER, password=PASSWORD))
        self.assertNotDelivered(result, srv, "permanent", run)
        self.assertEqual(srv.auth_attempts, [], "the client must refuse to send credentials in clear")
        self.assertNoSecrets(run.stderr + run.stdout)

        result, run = self.send_one(self.relay(srv, "none", username=USER, password=PASSWORD, auth_without_tls=True))
        got = self.assertDelivered(result, srv, run)
        self.assertEqual((got.login, got.tls, result["tls"]), (USER, "", ""))
        self.assertNoSecrets(run.stderr + run.stdout)

    def test_relay_down_is_temporary(self):
        result, run = self.send_one(self.relay(free_port(), "none"))
        self.assertNotDelivered(result, None, "temporary", run)
        self.assertIn("refused", result["text"].lower())
        self.assertEqual(run.summary["delivered"], 0)

    def test_silent_server_times_out_as_temporary(self):
        srv = self.silent()
        t0 = time.monotonic()
        result, run = self.send_one(self.relay(srv, "none"), timeout_ms=500)
        elapsed = time.monotonic() - t0
        self.assertNotDelivered(result, None, "temporary", run)
        self.assertRegex(result["text"].lower(), r"time[ds]?[ -]?out", result)
        self.assertEqual(srv.connections, 1)
        self.assertLess(elapsed, 10, "timeout_ms 500 must not take this long")

    def test_rejected_recipient_is_permanent_while_another_is_delivered(self):
        for pipelining in (False, True):
            with self.subTest(pipelining=pipelining):
                srv = self.server("plain", pipelining=pipelining)
                result, run = self.send_one(self.relay(srv, "none"),
                                            simple(to=["zoe@example.test", "nobody@example.test", "sean@example.test"]))
                self.assertEqual(result["status"], "delivered", run)
                by = {r["address"]: r for r in result["recipients"]}
                self.assertEqual(list(by), ["zoe@example.test", "nobody@example.test", "sean@example.test"])
                self.assertEqual((by["zoe@example.test"]["status"], by["zoe@example.test"]["code"]), ("delivered", 250))
                self.assertEqual((by["sean@example.test"]["status"], by["sean@example.test"]["code"]), ("delivered", 250))
                nobody = by["nobody@example.test"]
                self.assertEqual((nobody["status"], nobody["code"]), ("permanent", 550), nobody)
                self.assertIn("<nobody@example.test>: Recipient address rejected: User unknown", nobody["text"])
                self.assertEqual([m.rcpt_tos for m in srv.messages], [["zoe@example.test", "sean@example.test"]])

    def test_busy_recipient_is_temporary(self):
        srv = self.server("plain")
        result, run = self.send_one(self.relay(srv, "none"), simple(to=["busy@example.test"]))
        self.assertNotDelivered(result, srv, "temporary", run)
        self.assertEqual(result["code"], 450, result)
        rcpt = result["recipients"][0]
        self.assertEqual((rcpt["status"], rcpt["code"]), ("temporary", 450))
        self.assertIn("Mailbox busy, try later", rcpt["text"])

    def test_only_refused_recipients_sends_no_data(self):
        srv = self.server("plain")
        result, run = self.send_one(self.relay(srv, "none"),
                                    simple(to=["nobody@example.test", "nobody.else@example.test"]))
        self.assertNotDelivered(result, srv, "permanent", run)
        self.assertEqual([r["status"] for r in result["recipients"]], ["permanent", "permanent"])
        self.assertEqual(srv.count, 0)

    def test_message_over_the_size_limit_is_permanent(self):
        srv = self.server("plain", data_size_limit=4000)
        run = self.probe(self.relay(srv, "none"), [simple(text="Détail des travaux.\n" * 500), simple()])
        big, small = run.results
        self.assertEqual(big["status"], "permanent", run)
        self.assertFalse(any(r["status"] == "delivered" for r in big["recipients"]), big)
        # 552 from the relay (after MAIL FROM SIZE=, or after DATA), or refused by the client (EHLO said SIZE 4000)
        self.assertTrue(big["code"] == 552 or "4000" in big["text"], big)
        self.assertEqual(small["status"], "delivered", "the next message on the connection still goes")
        self.assertEqual(len(srv.messages), 1)
        self.assertEqual(srv.connections, 1)

    def test_several_messages_over_one_connection(self):
        # With PIPELINING advertised, so the batched MAIL/RCPT/DATA path meets a real server.
        srv = self.server("starttls", user=USER, password=PASSWORD, pipelining=True)
        relay = self.relay(srv, "starttls", username=USER, password=PASSWORD)
        run = self.probe(relay, [MESSAGE_FR, MESSAGE_EN], repeat=25)
        self.assertEqual([r["status"] for r in run.results], ["delivered"] * 50, run)
        received = srv.messages
        self.assertEqual(len(received), 50)
        self.assertEqual(srv.connections, 1, "one connection for the whole job")
        self.assertEqual({m.connection for m in received}, {1})
        self.assertEqual(len(srv.auth_attempts), 1, "AUTH once per connection")
        ids = [r["message_id"] for r in run.results]
        self.assertEqual(len(set(ids)), 50, "every message has its own Message-ID")
        parsed = [email.message_from_bytes(m.raw, policy=email.policy.default) for m in received]
        self.assertEqual([p["Message-ID"] for p in parsed], ids)
        self.assertEqual([p["Subject"] for p in parsed], [SUBJECT_FR, SUBJECT_EN] * 25)
        self.assertEqual(run.summary["delivered"], 50)
        self.assertGreater(run.summary["seconds"], 0)
        self.assertGreater(run.summary["per_second"], 0)

    def test_summary_only(self):
        srv = self.server("plain")
        run = self.probe(self.relay(srv, "none"), [simple()], repeat=10, summary_only=True)
        self.assertEqual(len(run.stdout.strip().splitlines()), 1, run)
        self.assertEqual((run.summary["messages"], run.summary["delivered"]), (10, 10))
        self.assertEqual(srv.count, 10)

    def test_bad_input_exits_2(self):
        self.probe(None, None, expect_exit=2, raw_input="{not json")
        self.probe(None, None, expect_exit=2, raw_input=json.dumps(
            {"relay": {"host": "127.0.0.1", "port": 25, "tls": "ssl"}, "messages": [simple()]}))


class CertificateTest(MailTestCase):

    def test_certificate_for_another_name_is_refused_before_auth(self):
        for kind in ("starttls", "tls"):
            for host_name in ("localhost", None):  # None: checked against the host, 127.0.0.1
                with self.subTest(kind=kind, host_name=host_name):
                    srv = self.server(kind, cert="wrong", user=USER, password=PASSWORD)
                    result, run = self.send_one(self.relay(srv, kind, username=USER, password=PASSWORD,
                                                           host_name=host_name))
                    self.assertNotDelivered(result, srv, "permanent", run)
                    self.assertIn("certificate", result["text"].lower(), result)
                    self.assertRegex(result["text"].lower(), r"host ?name|mismatch|not valid for|does not match",
                                     result)
                    self.assertEqual(srv.auth_attempts, [], "no credentials to an unverified server")
                    self.assertNoSecrets(run.stderr + run.stdout)

    def test_host_name_is_the_name_checked(self):
        srv = self.server("starttls", cert="wrong", user=USER, password=PASSWORD)
        result, run = self.send_one(self.relay(srv, "starttls", username=USER, password=PASSWORD,
                                               host_name="mail.elsewhere.test"))
        self.assertDelivered(result, srv, run)

    def test_unknown_ca_is_refused_and_trusted_with_ca_file(self):
        for kind in ("starttls", "tls"):
            with self.subTest(kind=kind):
                srv = self.server(kind, user=USER, password=PASSWORD)
                relay = self.relay(srv, kind, username=USER, password=PASSWORD, host_name="localhost")
                del relay["ca_file"]  # the system's trust store only
                result, run = self.send_one(relay)
                self.assertNotDelivered(result, srv, "permanent", run)
                self.assertIn("certificate", result["text"].lower(), result)
                self.assertIn("issuer", result["text"].lower(), "the verification reason")
                self.assertEqual(srv.auth_attempts, [])
                result, run = self.send_one(self.relay(srv, kind, username=USER, password=PASSWORD,
                                                       host_name="localhost"))
                self.assertDelivered(result, srv, run)

    def test_self_signed_is_refused_and_trusted_with_ca_file(self):
        srv = self.server("starttls", cert="selfsigned", user=USER, password=PASSWORD)
        relay = self.relay(srv, "starttls", username=USER, password=PASSWORD)
        del relay["ca_file"]
        result, run = self.send_one(relay)
        self.assertNotDelivered(result, srv, "permanent", run)
        self.assertIn("certificate", result["text"].lower(), result)
        self.assertRegex(result["text"].lower(), r"self.?signed", "the verification reason")
        relay["ca_file"] = self.certs.selfsigned
        result, run = self.send_one(relay)
        self.assertDelivered(result, srv, run)


class MimeTest(MailTestCase):
    """What the relay received, parsed by Python's email package."""

    def check_raw(self, raw, smtputf8):
        lines = raw.split(b"\r\n")
        self.assertEqual(lines[-1], b"", "the message ends with CRLF")
        for i, line in enumerate(lines):
            self.assertNotIn(b"\n", line, f"bare LF in line {i}: {line[:120]!r}")
            self.assertNotIn(b"\r", line, f"bare CR in line {i}: {line[:120]!r}")
            self.assertLessEqual(len(line), 998, f"line {i} has {len(line)} octets: {line[:120]!r}")
        if not smtputf8:  # MAIL FROM without SMTPUTF8: 7-bit only (encoded-words, quoted-printable or base64)
            for i, line in enumerate(lines):
                self.assertTrue(line.isascii(), f"8-bit octets without SMTPUTF8 in line {i}: {line[:200]!r}")
        head = raw.split(b"\r\n\r\n", 1)[0]
        for line in head.split(b"\r\n"):
            if len(line) > 78:
                value = line if line[:1] in (b" ", b"\t") else line.partition(b":")[2]
                self.assertNotRegex(value.strip(), rb"[ \t]", f"header line of {len(line)} octets not folded: {line!r}")
        for word in re.findall(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=", head):
            self.assertLessEqual(len(word), 75, f"encoded-word longer than 75 characters: {word!r}")

    def check_message(self, got, result, sent, smtputf8_offered):
        raw = got.raw
        self.check_raw(raw, got.smtputf8)
        if not smtputf8_offered:
            self.assertFalse(got.smtputf8, "SMTPUTF8 used though not offered")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg.defects, [], "header or structure defects")
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertEqual(msg["Subject"], sent["subject"])
        sender = msg["From"].addresses
        self.assertEqual([(a.display_name, a.addr_spec) for a in sender],
                         [(sent["from"]["name"], sent["from"]["address"])])
        self.assertEqual([(a.display_name, a.addr_spec) for a in msg["To"].addresses],
                         [(t["name"], t["address"]) for t in sent["to"]])
        if "reply_to" in sent:
            self.assertEqual([(a.display_name, a.addr_spec) for a in msg["Reply-To"].addresses],
                             [(sent["reply_to"]["name"], sent["reply_to"]["address"])])
        else:
            self.assertIsNone(msg["Reply-To"])
        self.assertEqual(got.mail_from, sent["from"]["address"])
        self.assertEqual(got.rcpt_tos, [t["address"] for t in sent["to"]])

        self.assertEqual(msg["Message-ID"], result["message_id"])
        self.assertRegex(result["message_id"], r"^<[^<>@\s]+@garage\.test>$")
        date = email.utils.parsedate_to_datetime(str(msg["Date"]))
        self.assertIsNotNone(date.tzinfo, "Date has a time zone")
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - date).total_seconds()), 600, f"Date {msg['Date']} is not now")
        if sent.get("auto_submitted"):
            self.assertEqual(msg["Auto-Submitted"], "auto-generated")
        else:
            self.assertIsNone(msg["Auto-Submitted"])

        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        parts = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts], ["text/plain", "text/html"])
        for part, expected in zip(parts, (sent["text"], sent["html"])):
            self.assertEqual(part.defects, [], f"{part.get_content_type()} defects")
            self.assertEqual(part.get_content_charset(), "utf-8")
            self.assertIn(part["Content-Transfer-Encoding"].lower(), ("quoted-printable", "base64"))
            self.assertEqual(decoded(part), expected, f"{part.get_content_type()} does not decode to the text sent")
        return msg

    def test_mime_round_trip(self):
        for smtputf8 in (False, True):
            with self.subTest(smtputf8_offered=smtputf8):
                srv = self.server("plain", smtputf8=smtputf8)
                run = self.probe(self.relay(srv, "none"), [MESSAGE_FR, MESSAGE_EN])
                self.assertEqual([r["status"] for r in run.results], ["delivered", "delivered"], run)
                received = srv.messages
                self.assertEqual(len(received), 2)
                for got, result, sent in zip(received, run.results, (MESSAGE_FR, MESSAGE_EN)):
                    self.check_message(got, result, sent, smtputf8)
                self.assertNotEqual(run.results[0]["message_id"], run.results[1]["message_id"])


MAIL_CONFIG = """
[mail]
relay_host = "{host}"
relay_port = {port}
tls = "{tls}"
username = {username}
password = {password}
from = "atelier@garage.test"
{extra}
"""


class SendTestEmailTest(MailTestCase):

    @classmethod
    def setUpClass(cls):
        assert os.access(BIN, os.X_OK), f"the relais binary {BIN} is missing"

    def send_test_email(self, to="zoe@example.test", host="127.0.0.1", port=587, tls="starttls", username=USER,
                        password=PASSWORD, extra=""):
        cfg = MAIL_CONFIG.format(host=host, port=port, tls=tls, username=json.dumps(username),
                                 password=json.dumps(password), extra=extra)
        workdir = os.path.join(self.workdir, f"relais.{len(self.processes) + 1}")
        os.makedirs(workdir)
        relais = Relais(workdir, cfg)
        self.processes.append(relais)
        r = relais.cli("send-test-email", "--to", to)
        with open(os.path.join(workdir, "send-test-email.out"), "w") as f:
            f.write(f"exit {r.returncode}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}")
        return r, relais

    def test_through_starttls_with_auth(self):
        srv = self.server("starttls", user=USER, password=PASSWORD)
        r, _ = self.send_test_email(port=srv.port, extra=f'ca_file = "{self.certs.ca}"')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        got = srv.messages
        self.assertEqual(len(got), 1, r.stdout + r.stderr)
        self.assertIn("250", r.stdout)
        self.assertIn(got[0].queue_id, r.stdout, "the relay's answer is printed")
        self.assertEqual(got[0].rcpt_tos, ["zoe@example.test"])
        self.assertEqual(got[0].login, USER)
        self.assertRegex(got[0].tls, r"^TLSv1\.[23]$")
        msg = email.message_from_bytes(got[0].raw, policy=email.policy.default)
        self.assertEqual(msg.defects, [])
        self.assertTrue(msg["Subject"].strip())
        self.assertEqual([a.addr_spec for a in msg["To"].addresses], ["zoe@example.test"])
        self.assertEqual(msg["From"].addresses[0].addr_spec, "atelier@garage.test")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        self.assertIsNotNone(text)
        self.assertIsNotNone(html)
        self.assertTrue(text.get_content().strip())
        self.assertRegex(html.get_content(), r"<a\s[^>]*href=\"https?://[^\"]+\"", "the HTML has a link")
        self.assertNoSecrets(r.stdout + r.stderr)

    def test_wrong_password_exits_1_with_the_535_text(self):
        srv = self.server("starttls", user=USER, password="the-real-one")
        r, _ = self.send_test_email(port=srv.port, extra=f'ca_file = "{self.certs.ca}"')
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("Authentication credentials invalid", r.stdout + r.stderr)
        self.assertEqual(srv.messages, [])
        self.assertNoSecrets(r.stdout + r.stderr)

    def test_relay_down_exits_75(self):
        r, _ = self.send_test_email(port=free_port(), tls="none", username="", password="")
        self.assertEqual(r.returncode, 75, r.stdout + r.stderr)
        self.assertIn("refused", (r.stdout + r.stderr).lower())

    def test_without_relay_writes_the_maildir(self):
        r, relais = self.send_test_email(host="", username="", password="")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        new = os.path.join(relais.data, "mail", "new")
        files = os.listdir(new)
        self.assertEqual(len(files), 1, files)
        with open(os.path.join(new, files[0]), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        self.assertEqual([a.addr_spec for a in msg["To"].addresses], ["zoe@example.test"])
        self.assertTrue(msg["Subject"].strip())
        self.assertIsNotNone(msg.get_body(("html",)))
        tmp = os.path.join(relais.data, "mail", "tmp")
        self.assertEqual(os.listdir(tmp) if os.path.isdir(tmp) else [], [])


class OfferDeliveryFailureTest(MailTestCase):
    """An offer whose only email the dealership's relay refuses for good (550): the message and
    the offer are `failed`, on the offer, the RO list and the timeline, with the relay's words."""

    def test_a_refused_address_fails_the_offer(self):
        srv = self.server("plain")
        cfg = MAIL_CONFIG.format(host="127.0.0.1", port=srv.port, tls="none", username='""', password='""',
                                 extra="")
        with self.relais(cfg) as r:
            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", {
                "vehicle": {"plate": "ab-123-cd"},
                "parties": [{"roles": ["driver"], "first_name": "Paul", "last_name": "Durand",
                             "contact_points": [{"kind": "email", "value": "nobody.durand@exemple.fr"}]}],
                "interventions": [{"label": "Vidange", "price_excl_cents": 8900}]}).json()
            cp = ro["parties"][0]["contact_points"][0]["id"]
            sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp]})
            self.assertEqual(sent.status, 201, sent)
            offer_id = sent.json()["id"]
            deadline = time.monotonic() + 20
            while c.get(f"/api/v1/offers/{offer_id}").json()["state"] != "failed":
                self.assertLess(time.monotonic(), deadline, c.get(f"/api/v1/offers/{offer_id}").json())
                time.sleep(0.05)
            offer = c.get(f"/api/v1/offers/{offer_id}").json()
            message = offer["messages"][0]
            self.assertEqual((message["state"], message["attempts"]), ("failed", 1), "a 550 is not retried")
            self.assertIn("550", message["last_error"])
            self.assertEqual(len(srv.rejected_rcpts), 1)
            listed = c.get("/api/v1/repair-orders").json()["items"]
            self.assertEqual([x["offer"] for x in listed if x["id"] == ro["id"]], [{"state": "failed", "version": 1}])
            events = c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]
            failed = [e for e in events if e["type"] == "message.failed"]
            self.assertEqual(len(failed), 1, [e["type"] for e in events])
            self.assertIn("550", json.dumps(failed[0]["data"]))
            self.assertIn("offer.failed", [e["type"] for e in events])


if __name__ == "__main__":
    unittest.main(verbosity=2)
