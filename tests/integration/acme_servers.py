"""Pebble, Let's Encrypt's test ACME CA, and pebble-challtestsrv, its DNS (every name → 127.0.0.1,
TXT records set over HTTP for DNS-01), from Debian's `pebble` package, on loopback ports chosen
here. Pebble's own HTTPS certificate is made with the openssl command; its ACME root (what the
certificates it issues chain to) is fetched from its management port. Standard library only."""

import json
import os
import socket
import ssl
import subprocess
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


class Pebble:
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "pebble")
        os.makedirs(self.dir, exist_ok=True)
        self.acme_port, self.management_port = free_port(), free_port()
        self.http_port = free_port()  # where Pebble fetches HTTP-01 challenges (the box's port 80)
        self.dns_port, self.dns_management_port = free_port(), free_port()
        self.procs = []

    @property
    def directory(self):
        return f"https://127.0.0.1:{self.acme_port}/dir"

    @property
    def ca_file(self):
        """The root of Pebble's own HTTPS (what an ACME client must trust to talk to it)."""
        return os.path.join(self.dir, "ca.pem")

    @property
    def dns(self):
        return f"127.0.0.1:{self.dns_port}"

    def start(self):
        d = self.dir
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                f"{d}/ca.key", "-out", f"{d}/ca.pem", "-days", "2", "-subj", "/CN=Relais test ACME server root")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{d}/key.pem",
                "-out", f"{d}/req.csr", "-subj", "/CN=127.0.0.1")
        with open(f"{d}/ext.cnf", "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        openssl("x509", "-req", "-in", f"{d}/req.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
                "-CAcreateserial", "-out", f"{d}/cert.pem", "-days", "2", "-extfile", f"{d}/ext.cnf")
        with open(f"{d}/pebble.json", "w") as f:
            json.dump({"pebble": {
                "listenAddress": f"127.0.0.1:{self.acme_port}",
                "managementListenAddress": f"127.0.0.1:{self.management_port}",
                "certificate": f"{d}/cert.pem", "privateKey": f"{d}/key.pem",
                "httpPort": self.http_port, "tlsPort": free_port(),
                "ocspResponderURL": "", "externalAccountBindingRequired": False}}, f)
        log = open(f"{d}/challtestsrv.log", "w")
        self.procs.append(subprocess.Popen(
            ["pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-dns01", self.dns,
             "-http01", "", "-https01", "", "-tlsalpn01", "", "-management",
             f"127.0.0.1:{self.dns_management_port}"], stdout=log, stderr=subprocess.STDOUT))
        log = open(f"{d}/pebble.log", "w")
        # No random sleeps before validating, no nonces refused on purpose: the test is about
        # relais, not about lego's retries.
        env = dict(os.environ, PEBBLE_VA_NOSLEEP="1", PEBBLE_WFE_NONCEREJECT="0")
        self.procs.append(subprocess.Popen(["pebble", "-config", f"{d}/pebble.json", "-dnsserver", self.dns],
                                           stdout=log, stderr=subprocess.STDOUT, env=env))
        deadline = time.time() + 20
        while True:
            try:
                self.get(self.directory)
                return self
            except OSError:
                if time.time() > deadline or any(p.poll() is not None for p in self.procs):
                    raise AssertionError("pebble did not start: " + open(f"{d}/pebble.log").read()[-2000:])
                time.sleep(0.2)

    def get(self, url):
        ctx = ssl.create_default_context(cafile=self.ca_file)
        with urllib.request.urlopen(url, context=ctx, timeout=10) as r:
            return r.read()

    def issuing_root(self):
        """The root the certificates Pebble issues chain to (PEM); made anew at each start."""
        return self.get(f"https://127.0.0.1:{self.management_port}/roots/0").decode()

    def hook_script(self, path):
        """A DNS-01 hook for lego's "exec" provider that publishes the TXT record in challtestsrv,
        as a dealership's script would at its DNS host."""
        api = f"http://127.0.0.1:{self.dns_management_port}"
        with open(path, "w") as f:
            f.write(f"""#!/bin/sh
# lego's exec provider: $1 is present or cleanup, $2 the record's name, $3 its value.
case "$1" in
  present) curl -sf -d "{{\\"host\\":\\"$2\\",\\"value\\":\\"$3\\"}}" {api}/set-txt ;;
  cleanup) curl -sf -d "{{\\"host\\":\\"$2\\"}}" {api}/clear-txt ;;
esac
""")
        os.chmod(path, 0o755)
        return path

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []
