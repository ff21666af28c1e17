"""Runs the real `relais` binary for integration tests: a fresh data directory and config per
test, ports chosen by the kernel (port 0, learned from --port-file), the one-time admin
password read from stdout, and a small HTTP client that keeps cookies and the CSRF token like
the workspace does. The temporary directory is kept, and its path printed, when a test fails.
Standard library only (Debian's python3)."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("RELAIS_BIN", os.path.join(os.path.dirname(__file__), "../../build/server/relais"))
SOURCE = os.environ.get("RELAIS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))

CONFIG = """
[http]
lan_listen = "127.0.0.1:0"
public_listen = "127.0.0.1:0"
public_base_url = "https://relais.garage-test.fr"
web_root = "{web}"
[storage]
data_dir = "{data}"
[dealer]
name = "Garage Test"
timezone = "Europe/Paris"
language = "fr"
country = "FR"
[log]
level = "info"
[hours]
# Always open: scheduled sends and reminders must not wait for 08:00 when the tests run at night.
open = ""
"""


def wait_for(condition, timeout=10.0, what="condition"):
    """Polls `condition` until it returns a true value; the value is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


# A relay on loopback for [mail] (ScriptedRelay's port), without TLS.
RELAY_MAIL_CONFIG = """
[mail]
relay_host = "127.0.0.1"
relay_port = {port}
tls = "none"
from = "atelier@garage.test"
"""

# A small RO reachable by email and SMS.
SIMPLE_RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver"], "first_name": "Paul", "last_name": "Durand",
                 "contact_points": [{"kind": "email", "value": "paul.durand@exemple.fr"},
                                    {"kind": "phone", "value": "06 12 34 56 78"}]}],
    "interventions": [{"label": "Vidange", "price_excl_cents": 8900}],
}


class Relais:
    """One `relais` process. Use as a context manager, or start()/stop()."""

    def __init__(self, workdir, extra_config=""):
        self.workdir = workdir
        self.data = os.path.join(workdir, "var")
        self.config = os.path.join(workdir, "relais.toml")
        if not os.path.exists(self.config):
            with open(self.config, "w") as f:
                f.write(CONFIG.format(web=os.path.join(SOURCE, "web"), data=self.data) + extra_config)
        self.proc = None
        self.prefix = []  # a command to run relais under, such as ["prlimit", "--nofile=300"]
        self.env = None  # extra environment variables, such as systemd's NOTIFY_SOCKET
        self.lan = self.public = None
        self.runs = 0
        self.clients = []

    def start(self):
        self.runs += 1
        self.stdout_path = os.path.join(self.workdir, f"stdout.{self.runs}.txt")
        self.stderr_path = os.path.join(self.workdir, f"stderr.{self.runs}.txt")
        ports = os.path.join(self.workdir, "ports.json")
        if os.path.exists(ports):
            os.unlink(ports)
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            env = dict(os.environ, **self.env) if self.env else None
            self.proc = subprocess.Popen([*self.prefix, BIN, "--config", self.config, "--port-file", ports], stdout=out,
                                         stderr=err, env=env)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"relais exited with {self.proc.returncode}: {self.stderr()}")
            return os.path.exists(ports)
        wait_for(ready, what="the port file")
        with open(ports) as f:
            p = json.load(f)
        self.lan, self.public = p["lan"], p["public"]
        self.http = p.get("http")  # the plain-HTTP listener of [tls] redirect_listen
        return self

    def stdout(self):
        with open(self.stdout_path, errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.stderr_path, errors="replace") as f:
            return f.read()

    def sent_sms(self):
        """The complete SMS the emulated network took, from firmware-bridge's journal."""
        path = os.path.join(self.data, "modem", "journal.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [m for m in map(json.loads, f) if m.get("kind") == "message"]

    def one_time_password(self):
        lines = self.stdout().splitlines()
        for i, line in enumerate(lines):
            if "one-time password" in line:
                return next(l.strip() for l in lines[i + 1:] if l.strip())
        return None

    def stop(self, sig=signal.SIGTERM, timeout=15):
        for c in self.clients:
            c.conn.close()
        self.clients.clear()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        return self.proc.returncode

    def modem_control(self, request):
        """A command to the emulated modem's network (firmware-bridge's control socket): one
        JSON object, one reply (firmware-bridge/README.md)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(os.path.join(self.data, "modem", "control.sock"))
            f = s.makefile("rw")
            f.write(json.dumps(request) + "\n")
            f.flush()
            return json.loads(f.readline())

    def cli(self, *args, stdin=None):
        """Runs `relais ARGS --config <this config>` and returns the CompletedProcess."""
        return subprocess.run([BIN, *args, "--config", self.config], input=stdin, capture_output=True,
                              text=True, timeout=60)

    def client(self, listener="lan", tls=None):
        """A client of the lan or public listener; `tls` an ssl.SSLContext for an HTTPS one."""
        c = Client("127.0.0.1", self.lan if listener == "lan" else self.public, tls)
        self.clients.append(c)
        return c

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Response:
    def __init__(self, status, headers, body, raw=b""):
        self.status = status
        self.headers = headers
        self.body = body
        self.raw = raw  # the bytes as received (a compressed body, an icon)

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Client:
    """HTTP/1.1 over one keep-alive connection, with cookies, CSRF token and same-origin
    headers as the workspace's pages send them."""

    def __init__(self, host, port, tls=None):
        self.host, self.port, self.tls = host, port, tls
        self.cookies = {}
        self.csrf = None
        self.bearer = None
        self.language = "fr"
        self.conn = self.connect()

    def connect(self):
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port, timeout=30, context=self.tls)
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method, path, body=None, headers=None, raw=None):
        h = {"Connection": "keep-alive", "Accept-Language": self.language, "Host": f"{self.host}:{self.port}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD"):
            h["Origin"] = f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"
            h["Sec-Fetch-Site"] = "same-origin"
            if self.csrf:
                h["X-CSRF-Token"] = self.csrf
        if self.bearer:
            h["Authorization"] = f"Bearer {self.bearer}"
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                body_bytes = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: one retry on a new one.
                self.conn.close()
                self.conn = self.connect()
                if attempt:
                    raise
        headers_list = r.getheaders()
        for k, v in headers_list:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return Response(r.status, headers_list, body_bytes.decode("utf-8", "replace"), body_bytes)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def sign_in(self, username, password):
        r = self.post("/api/v1/session", {"username": username, "password": password})
        if r.status == 200:
            self.csrf = r.json()["csrf_token"]
        return r


class RelaisTestCase(unittest.TestCase):
    """Gives each test a fresh temporary directory, removed on success and kept (with its
    path printed) on failure, and stops every relais the test started."""

    def setUp(self):
        # Short: the emulated modem's control socket under it must fit in 107 bytes.
        self.workdir = tempfile.mkdtemp(prefix=f"relais-{self._testMethodName[5:35]}-")
        self.processes = []

    def relais(self, extra_config="", workdir=None):
        r = Relais(workdir or self.workdir, extra_config)
        self.processes.append(r)
        return r

    def tearDown(self):
        for p in self.processes:
            try:
                p.stop(signal.SIGKILL if p.proc and p.proc.poll() is None else signal.SIGTERM)
            except Exception:
                pass
        if self.failed():
            print(f"\n  kept {self.workdir} for inspection")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def failed(self):
        """Whether this test has failed so far. Python 3.11 resets _outcome.success to True
        while tearDown runs, so the result's failures and errors are looked at too."""
        outcome = getattr(self, "_outcome", None)
        if outcome is None:
            return False
        if not getattr(outcome, "success", True):
            return True
        result = getattr(outcome, "result", None)
        for test, _ in list(getattr(result, "failures", [])) + list(getattr(result, "errors", [])):
            if test is self or getattr(test, "test_case", None) is self:  # a subTest's failure names its test
                return True
        return False

    def admin(self, relais, new_password="Garage-Test-2026"):
        """Signs in as the first admin and replaces the one-time password."""
        c = relais.client()
        password = relais.one_time_password()
        self.assertIsNotNone(password, relais.stdout())
        r = c.sign_in("admin", password)
        self.assertEqual(r.status, 200, r)
        r = c.post("/api/v1/session/password", {"current_password": password, "new_password": new_password})
        self.assertEqual(r.status, 204, r)
        return c
