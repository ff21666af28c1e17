"""Real SMTP servers for the mail tests and benchmark: Debian's aiosmtpd (python3-aiosmtpd 1.4)
on 127.0.0.1, on ports chosen by the kernel, in a thread of this process. Standard library +
aiosmtpd only; run with Debian's /usr/bin/python3.

    certs = make_certs(directory)            # test CA, server / wrong-name / self-signed certificates
    with SmtpServer("starttls", certs=certs, user="garage", password="secret") as srv:
        ...  # a client sends to 127.0.0.1:srv.port
        msg = srv.wait_for(1)[0]            # Received: mail_from, rcpt_tos, raw, tls, login, ...

Kinds (`SmtpServer(kind, ...)`):
    "plain"          no TLS. AUTH only when `user` is given, then offered over plain text and required.
    "starttls"       STARTTLS offered and required before anything else; AUTH (PLAIN, LOGIN) after
                     TLS, required when `user` is given.
    "tls"            implicit TLS from the first byte (port 465 style); AUTH required when `user` given.
    "opportunistic"  STARTTLS offered, not required; no AUTH unless `user` is given.

Options: user/password (the only pair accepted; anything else gets 535), require_auth,
mechanisms=("PLAIN", "LOGIN"), cert="server" | "wrong" | "selfsigned", smtputf8=False (advertise
SMTPUTF8), data_size_limit, keep=False (only count: for benchmarks), log_file (aiosmtpd's debug
log, the server's side of the transcript).
Observations: srv.messages (Received), srv.count, srv.connections (TCP connections accepted),
srv.auth_attempts, srv.rejected_rcpts, srv.wait_for(n, timeout) / srv.wait_count(n).

Recipients whose local part starts with "nobody" are refused with 550, "busy" with 450. Each
accepted message is answered "250 2.0.0 Ok: queued as <queue_id>".

Also: SilentServer (accepts, never greets), ScriptedRelay (a raw-socket relay whose replies are
bytes chosen by the test, not always UTF-8, and which can stop answering after the data) and
free_port() (a port where nothing listens).

Notes on aiosmtpd 1.4.3 that shaped this module:
  * Its Controller cannot use port 0: after binding it connects to `self.port` (0) to trigger
    the lazy SMTP factory. We bind the socket ourselves and run our own loop thread (no probe
    connection, so connection counts are exact).
  * With implicit TLS, aiosmtpd's `auth_require_tls` only knows about STARTTLS: AUTH would be
    hidden and refused with 538. Implicit TLS therefore runs with auth_require_tls=False (the
    whole connection is TLS anyway).
  * `envelope.original_content` and `envelope.content` are the same bytes when decode_data is
    False (our setting): dot-unstuffed, CRLF kept, nothing else touched.
  * Controller defaults enable_SMTPUTF8 to True while SMTP defaults it to False; we always pass
    it explicitly (default False).
  * Every handler attribute named auth_* is taken for an AUTH mechanism (a list called
    auth_attempts showed up as "AUTH LOGIN PLAIN attempts"); after STARTTLS an empty "250-AUTH "
    is advertised when no mechanism is left, hence the EHLO hook.
"""

import asyncio
import base64
import binascii
import itertools
import logging
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings
import weakref
from dataclasses import dataclass, field
from typing import List, Optional

try:
    from aiosmtpd.smtp import SMTP, AuthResult
except ImportError as error:  # the tests must fail, not skip
    raise ImportError("aiosmtpd is missing: the mail tests need Debian's python3-aiosmtpd "
                      "(scripts/setup-deps --tests installs it) and Debian's /usr/bin/python3 "
                      f"(this is {sys.executable})") from error

HOST = "127.0.0.1"
SERVER_NAME = "relay.garage.test"

_log = logging.getLogger("mail.log")  # aiosmtpd's logger
_log.addHandler(logging.NullHandler())  # no "lastResort" warnings on stderr (login_data deprecation, ...)
_log.propagate = False
_log.setLevel(logging.ERROR)
_log_files = []
_log_lock = threading.Lock()


# ---------------------------------------------------------------------------- certificates

@dataclass
class Certs:
    directory: str
    ca: str                # the test CA certificate (what a client trusts with ca_file)
    ca_key: str
    server: str            # signed by the CA, valid for DNS:localhost and IP:127.0.0.1
    server_key: str
    wrong: str             # signed by the CA, valid only for DNS:mail.elsewhere.test
    wrong_key: str
    selfsigned: str        # self-signed, valid for DNS:localhost and IP:127.0.0.1 (its own trust anchor)
    selfsigned_key: str

    def pair(self, name):
        """("server" | "wrong" | "selfsigned") -> (certificate, key)."""
        return getattr(self, name), getattr(self, name + "_key")


def _openssl(*args, cwd):
    exe = shutil.which("openssl")
    if not exe:
        raise AssertionError("the openssl command is missing: install Debian's openssl (scripts/setup-deps --tests)")
    r = subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed ({r.returncode}): {r.stderr}")


def make_certs(directory):
    """Creates the test CA and the certificates in `directory` (EC P-256, fast) and returns a
    Certs with their paths."""
    os.makedirs(directory, exist_ok=True)
    d = directory
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    _openssl("req", "-x509", "-new", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
             "-subj", "/O=Relais tests/CN=Relais Test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)

    def leaf(name, cn, san):
        _openssl("req", "-new", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr",
                 "-subj", f"/O=Relais tests/CN={cn}", cwd=d)
        ext = os.path.join(d, f"{name}.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial",
                 str(int.from_bytes(os.urandom(8), "big")), "-days", "365", "-sha256", "-extfile", ext,
                 "-out", f"{name}.pem", cwd=d)
        os.unlink(os.path.join(d, f"{name}.csr"))
        os.unlink(ext)

    leaf("server", "localhost", "DNS:localhost,IP:127.0.0.1")
    leaf("wrong", "mail.elsewhere.test", "DNS:mail.elsewhere.test")
    _openssl("req", "-x509", "-new", *ec, "-keyout", "selfsigned.key", "-out", "selfsigned.pem", "-days", "365",
             "-subj", "/O=Relais tests/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", cwd=d)
    p = lambda name: os.path.join(d, name)  # noqa: E731
    return Certs(d, p("ca.pem"), p("ca.key"), p("server.pem"), p("server.key"), p("wrong.pem"), p("wrong.key"),
                 p("selfsigned.pem"), p("selfsigned.key"))


def server_tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


# ---------------------------------------------------------------------------- what the server saw

@dataclass
class Received:
    mail_from: str
    rcpt_tos: List[str]
    raw: bytes               # the DATA content as received, dot-unstuffed, CRLF line ends
    tls: str                 # "TLSv1.3", "TLSv1.2" or "" (plain)
    login: Optional[str]     # the authenticated user, None without AUTH
    connection: int          # 1, 2, ...: which TCP connection of this server carried it
    smtputf8: bool           # MAIL FROM had the SMTPUTF8 parameter
    mail_options: List[str]  # MAIL FROM parameters, upper-cased (BODY=8BITMIME, SIZE=..., ...)
    queue_id: str            # in the 250 reply: "250 2.0.0 Ok: queued as <queue_id>"
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class AuthAttempt:
    mechanism: str
    login: str
    success: bool
    tls: str
    connection: int


class Recorder:
    """The aiosmtpd handler: refuses nobody*/busy* recipients, records each message (or only
    counts them when keep=False), and records AUTH attempts."""

    def __init__(self, keep=True, advertise_auth=True, pipelining=False):
        self.keep = keep
        self.advertise_auth = advertise_auth
        self.pipelining = pipelining
        self.cond = threading.Condition()
        self.messages = []
        self.count = 0
        self.attempts = []  # not "auth_...": aiosmtpd takes handler attributes named auth_* for AUTH mechanisms
        self.rejected_rcpts = []  # (address, reply)
        self._ids = itertools.count(1)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # aiosmtpd advertises an empty "250-AUTH " after STARTTLS even with no mechanism:
        # a server without credentials advertises no AUTH at all.
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        if not self.advertise_auth:
            responses = [r for r in responses if not r[4:].upper().startswith("AUTH")]
        if self.pipelining:
            # aiosmtpd reads one command line at a time from its stream, so commands sent
            # together (RFC 2920) are simply answered in order; it just never says so.
            responses = responses[:-1] + ["250-PIPELINING"] + responses[-1:]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.rpartition("@")[0].lower()
        if local.startswith("nobody"):
            reply = f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        elif local.startswith("busy"):
            reply = "450 4.2.1 Mailbox busy, try later"
        else:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            return "250 2.1.5 Ok"
        if self.keep:
            with self.cond:
                self.rejected_rcpts.append((address, reply))
        return reply

    async def handle_DATA(self, server, session, envelope):
        queue_id = f"{next(self._ids):08X}"
        if self.keep:
            raw = envelope.original_content
            assert raw is envelope.content or raw == envelope.content  # decode_data=False
            received = Received(mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), raw=bytes(raw),
                                tls=_tls_version(server), login=session.auth_data if session.authenticated else None,
                                connection=server.connection_number, smtputf8=bool(envelope.smtp_utf8),
                                mail_options=list(envelope.mail_options), queue_id=queue_id)
        with self.cond:
            self.count += 1
            if self.keep:
                self.messages.append(received)
            self.cond.notify_all()
        return f"250 2.0.0 Ok: queued as {queue_id}"

    def authenticator(self, user, password):
        def check(server, session, envelope, mechanism, auth_data):
            login = auth_data.login.decode("utf-8", "replace")
            ok = user is not None and auth_data.login == user.encode() and auth_data.password == password.encode()
            with self.cond:
                self.attempts.append(AuthAttempt(mechanism, login, ok, _tls_version(server),
                                                      server.connection_number))
            # auth_data becomes session.auth_data: keep the login only, never the password.
            return AuthResult(success=True, auth_data=login) if ok else AuthResult(success=False, handled=False)
        return check


def _tls_version(server):
    transport = server.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    return ssl_object.version() if ssl_object is not None else ""


class _CountingSMTP(SMTP):
    connection_number = 0


# ---------------------------------------------------------------------------- servers

class SmtpServer:
    """An aiosmtpd server on 127.0.0.1:<free port> in its own thread. Context manager."""

    KINDS = ("plain", "starttls", "tls", "opportunistic")

    def __init__(self, kind="plain", *, certs=None, cert="server", user=None, password=None, require_auth=None,
                 mechanisms=("PLAIN", "LOGIN"), smtputf8=False, data_size_limit=33554432, keep=True,
                 log_file=None, hostname=SERVER_NAME, timeout=300, pipelining=False):
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}, got {kind!r}")
        if kind in ("starttls", "tls", "opportunistic") and certs is None:
            raise ValueError(f"kind {kind!r} needs certs (make_certs)")
        if (user is None) != (password is None):
            raise ValueError("give both user and password, or neither")
        self.kind = kind
        self.host = HOST
        self.port = None
        self.user, self.password = user, password
        self.handler = Recorder(keep=keep, advertise_auth=user is not None, pipelining=pipelining)
        self.connections = 0
        self.log_file = log_file
        self._protocols = weakref.WeakSet()
        self._thread = None
        self._error = None
        self.tls_context = server_tls_context(*certs.pair(cert)) if certs is not None and kind != "plain" else None
        auth = user is not None
        if require_auth is None:
            require_auth = auth
        all_mechanisms = {"PLAIN", "LOGIN"}
        self.smtp_kwargs = dict(
            hostname=hostname,  # never socket.getfqdn(): it may query DNS on every connection
            enable_SMTPUTF8=smtputf8,
            decode_data=False,
            data_size_limit=data_size_limit,
            timeout=timeout,
            auth_required=require_auth,
            # "plain" with a user: AUTH over plain text. "tls": aiosmtpd's check only knows STARTTLS.
            auth_require_tls=not (auth and kind in ("plain", "tls")),
            authenticator=self.handler.authenticator(user, password),
            auth_exclude_mechanism=sorted(all_mechanisms - set(mechanisms)) if auth else sorted(all_mechanisms),
        )
        if kind in ("starttls", "opportunistic"):
            self.smtp_kwargs["tls_context"] = self.tls_context
            self.smtp_kwargs["require_starttls"] = kind == "starttls"

    # -- what was received

    @property
    def messages(self):
        with self.handler.cond:
            return list(self.handler.messages)

    @property
    def count(self):
        with self.handler.cond:
            return self.handler.count

    @property
    def auth_attempts(self):
        with self.handler.cond:
            return list(self.handler.attempts)

    @property
    def rejected_rcpts(self):
        with self.handler.cond:
            return list(self.handler.rejected_rcpts)

    def wait_for(self, n, timeout=10.0):
        """Waits until at least n messages arrived; returns the messages (all of them).
        Raises AssertionError on timeout."""
        with self.handler.cond:
            if not self.handler.cond.wait_for(lambda: self.handler.count >= n, timeout):
                raise AssertionError(f"timed out after {timeout} s waiting for {n} messages "
                                     f"(got {self.handler.count}) on the {self.kind} server port {self.port}")
            return list(self.handler.messages)

    def wait_count(self, n, timeout=60.0):
        """Like wait_for, for keep=False servers: returns the count."""
        with self.handler.cond:
            if not self.handler.cond.wait_for(lambda: self.handler.count >= n, timeout):
                raise AssertionError(f"timed out after {timeout} s waiting for {n} messages (got {self.handler.count})")
            return self.handler.count

    def reset(self):
        with self.handler.cond:
            self.handler.messages.clear()
            self.handler.attempts.clear()
            self.handler.rejected_rcpts.clear()
            self.handler.count = 0
        self.connections = 0

    # -- life cycle

    def _factory(self):
        # Called by asyncio once per accepted TCP connection (before any TLS handshake).
        proto = _CountingSMTP(self.handler, loop=self.loop, **self.smtp_kwargs)
        self.connections += 1
        proto.connection_number = self.connections
        self._protocols.add(proto)
        return proto

    def start(self):
        assert self._thread is None, "already started"
        if self.log_file:
            self._attach_log()
        sock = socket.create_server((HOST, 0), backlog=128)
        self.port = sock.getsockname()[1]
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            try:
                with warnings.catch_warnings():
                    # "Requiring AUTH while not requiring TLS": intended for "plain" and "tls".
                    warnings.simplefilter("ignore")
                    SMTP(self.handler, loop=self.loop, **self.smtp_kwargs)  # bad arguments fail here, not later
                tls = dict(ssl=self.tls_context, ssl_handshake_timeout=10) if self.kind == "tls" else {}
                self._server = self.loop.run_until_complete(self.loop.create_server(self._factory, sock=sock, **tls))
            except BaseException as e:  # noqa: B902 - reported to start()
                self._error = e
                sock.close()
                ready.set()
                return
            ready.set()
            self.loop.run_forever()
            tasks = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for t in tasks:
                t.cancel()
            if tasks:
                self.loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

        # aiosmtpd warns (UserWarning) for auth_required without auth_require_tls on every connection.
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        self._thread = threading.Thread(target=run, name=f"smtp-{self.kind}", daemon=True)
        self._thread.start()
        ready.wait(30)
        if self._error is not None:
            self._thread.join(5)
            self._thread = None
            raise self._error
        return self

    def stop(self):
        if self._thread is None:
            return

        async def shutdown():
            self._server.close()
            protocols = list(self._protocols)
            for proto in protocols:
                # abort(), not close(): no TLS close_notify dance with a client that may be gone.
                for transport in (proto.transport, proto._original_transport):  # _original: the TCP one after STARTTLS
                    if transport is not None and not transport.is_closing():
                        transport.abort()
            for _ in range(100):  # until every connection_lost() ran (aiosmtpd then sets transport None)
                if all(p.transport is None for p in protocols):
                    break
                await asyncio.sleep(0.01)

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self._thread = None
            if self.log_file:
                self._detach_log()

    def _attach_log(self):
        handler = logging.FileHandler(self.log_file)
        handler.setFormatter(logging.Formatter(f"%(asctime)s {self.kind}: %(message)s"))
        with _log_lock:
            self._log_handler = handler
            _log_files.append(handler)
            _log.addHandler(handler)
            _log.setLevel(logging.DEBUG)

    def _detach_log(self):
        with _log_lock:
            _log.removeHandler(self._log_handler)
            _log_files.remove(self._log_handler)
            self._log_handler.close()
            if not _log_files:
                _log.setLevel(logging.ERROR)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        return f"<SmtpServer {self.kind} {self.host}:{self.port}>"


class _RawServer:
    """A TCP server on 127.0.0.1 (port chosen by the kernel) in a thread of this process that
    keeps every accepted connection until stop(); `connections` counts them. Subclasses say what
    a connection gets (`_serve`, called on the accepting thread). Context manager."""

    name = "raw"

    def __init__(self):
        self.host = HOST
        self.connections = 0
        self._held = []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def start(self):
        self._sock = socket.create_server((HOST, 0), backlog=16)
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, name=f"smtp-{self.name}", daemon=True)
        self._thread.start()
        return self

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._held.append(conn)
            self._serve(conn)

    def _serve(self, conn):
        pass

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        self._sock.close()
        with self._lock:
            for c in self._held:
                c.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class ScriptedRelay(_RawServer):
    """A minimal plain SMTP relay on a raw socket, for what aiosmtpd cannot say: replies given
    as bytes (a French relay answering in Latin-1, say), and a relay that takes the message and
    never answers the final dot (`hang_after_data=True`), as one that crashes its client would.
    `replies` maps a stage ("greeting", "ehlo", "mail", "rcpt", "data", "end") to the bytes of
    the whole reply, CRLF included. With `hold_end=True` the final dot's answer waits until the
    test sets `release` (a relay slow to take a message, for stops in the middle of one).
    Observations: `connections`, `messages` (raw bytes of each message received), `hung`
    (messages received and never answered), `held` (messages whose answer waited)."""

    name = "scripted"
    DEFAULT = {"greeting": b"220 relay.garage.test ESMTP\r\n", "ehlo": b"250-relay.garage.test\r\n250 8BITMIME\r\n",
               "mail": b"250 2.1.0 Ok\r\n", "rcpt": b"250 2.1.5 Ok\r\n", "data": b"354 End data with .\r\n",
               "end": b"250 2.0.0 Ok: queued\r\n"}

    def __init__(self, replies=None, hang_after_data=False, hold_end=False):
        super().__init__()
        self.replies = dict(self.DEFAULT, **(replies or {}))
        self.hang_after_data = hang_after_data
        self.hold_end = hold_end
        self.release = threading.Event()
        self.messages = []
        self.hung = 0
        self.held = 0

    def _serve(self, conn):
        threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        try:
            conn.settimeout(30)
            f = conn.makefile("rb")
            conn.sendall(self.replies["greeting"])
            while True:
                line = f.readline()
                if not line:
                    return
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(self.replies["ehlo"])
                elif verb == b"MAIL":
                    conn.sendall(self.replies["mail"])
                elif verb == b"RCPT":
                    conn.sendall(self.replies["rcpt"])
                elif verb == b"DATA":
                    conn.sendall(self.replies["data"])
                    body = b""
                    while True:
                        chunk = f.readline()
                        if not chunk or chunk == b".\r\n":
                            break
                        body += chunk
                    with self._lock:
                        self.messages.append(body)
                    if self.hang_after_data:
                        with self._lock:
                            self.hung += 1
                        self._stop.wait()
                        return
                    if self.hold_end:
                        with self._lock:
                            self.held += 1
                        while not self.release.wait(0.05):
                            if self._stop.is_set():
                                return
                    conn.sendall(self.replies["end"])
                elif verb == b"QUIT":
                    conn.sendall(b"221 2.0.0 Bye\r\n")
                    return
                else:
                    conn.sendall(b"250 2.0.0 Ok\r\n")
        except OSError:
            return

    def wait_for(self, what, timeout=20):
        deadline = time.monotonic() + timeout
        while not what():
            if time.monotonic() > deadline:
                raise AssertionError(f"scripted relay: timed out ({self.connections} connections, "
                                     f"{len(self.messages)} messages)")
            time.sleep(0.02)


class SilentServer(_RawServer):
    """Accepts TCP connections and never says anything (for timeout tests). Context manager;
    `connections` counts the accepted ones."""

    name = "silent"


def free_port():
    """A port on 127.0.0.1 where nothing listens (bound, then closed: connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def auth_secrets(user, password):
    """The forms in which a client may send the password: to check a log never shows them."""
    plain = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
    return [password, plain, base64.b64encode(password.encode()).decode(),
            binascii.hexlify(password.encode()).decode()]
