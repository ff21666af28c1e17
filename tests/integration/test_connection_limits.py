"""A flood on the public port through the real `relais` (issue 10, item 2), with its file
descriptor limit lowered by prlimit: thousands of idle connections from hundreds of loopback
addresses, slow clients that send a header line now and then, and clients that pipeline
requests and never read the answers. Meanwhile the workspace keeps answering, an SMS goes out,
relais does not spin, its memory stays bounded, and the public port serves again afterwards.
Then the limit is lowered under the running process, so that accepting fails with EMFILE: it
pauses instead of spinning, and recovers."""

import errno
import os
import re
import resource
import socket
import time
import unittest

from relais_harness import RelaisTestCase, wait_for
from test_customer_links import SmsLinks

RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver"], "first_name": "Paul", "last_name": "Durand",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"}]}],
    "interventions": [{"label": "Vidange", "price_excl_cents": 8900}],
}
LIMIT = 400        # relais's file descriptors
IDLE = 2000        # idle connections, from 200 addresses
SLOW = 40          # a header line every second
NON_READERS = 40   # pipelined requests, answers never read
# Under ASan or TSan (scripts/test-sanitizers) memory is the sanitizer's: not measured there.
SANITIZED = "ASAN_OPTIONS" in os.environ or "TSAN_OPTIONS" in os.environ


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024


def connect_from(address, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((address, 0))
    s.setblocking(False)
    err = s.connect_ex(("127.0.0.1", port))
    if err not in (0, errno.EINPROGRESS):
        s.close()
        return None
    return s


class ConnectionLimitsTest(SmsLinks, RelaisTestCase):

    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 16384), hard))

    def serves_public(self, r, timeout=5):
        """Whether GET /robots.txt on the public port is answered 200; what happened otherwise is
        kept in self.last_public, for the message of a test that waited in vain."""
        try:
            with socket.create_connection(("127.0.0.1", r.public), timeout=timeout) as s:
                s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            self.last_public = data[:200]
            return data.startswith(b"HTTP/1.1 200")
        except OSError as e:
            self.last_public = repr(e)
            return False

    def wait_public_serving(self, r, c):
        """The public port serves again; if it does not, the failure says what relais and its
        listeners were doing (a run in CI failed here once, and could not be reproduced)."""
        self.last_public = None
        try:
            wait_for(lambda: self.serves_public(r), timeout=45, what="the public port serving again")
        except AssertionError as e:
            try:
                health = c.get("/healthz").body
            except OSError as h:
                health = repr(h)
            threads = sorted(os.listdir(f"/proc/{r.proc.pid}/task")) if r.proc.poll() is None else "exited"
            raise AssertionError(f"{e}; last answer: {self.last_public!r}; /healthz: {health!r}; "
                                 f"threads: {threads}; relais's log ends with:\n{r.stderr()[-4000:]}") from None

    def limits_from_log(self, r):
        m = re.search(r"connections at once: lan (\d+) \((\d+) per address\), public (\d+) \((\d+) per address\)",
                      r.stderr())
        self.assertIsNotNone(m, r.stderr())
        return tuple(int(x) for x in m.groups())

    def test_a_flood_on_the_public_port_leaves_the_workspace_and_the_modem_working(self):
        r = self.relais()
        r.prefix = ["prlimit", f"--nofile={LIMIT}:{LIMIT}"]
        r.start()
        lan_max, lan_per, public_max, public_per = self.limits_from_log(r)
        self.assertLess(public_max * 3 + lan_max * 3, LIMIT, "the shares fit in the limit")
        c = self.admin(r)
        ro = c.post("/api/v1/repair-orders", RO).json()
        cp = ro["parties"][0]["contact_points"][0]["id"]
        held = []
        try:
            slow = []
            for i in range(SLOW):
                s = socket.create_connection(("127.0.0.1", r.public), timeout=5, source_address=(f"127.1.0.{i + 1}", 0))
                s.sendall(b"GET /robots.txt HTTP/1.1\r\n")
                slow.append(s)
            non_readers = []
            request = b"GET /assets/customer/customer.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            for i in range(NON_READERS):
                try:
                    s = socket.create_connection(("127.0.0.1", r.public), timeout=2,
                                                 source_address=(f"127.2.0.{i + 1}", 0))
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                    s.setblocking(False)
                    try:
                        s.send(request * 200)
                    except BlockingIOError:
                        pass
                    non_readers.append(s)
                except OSError:
                    pass  # the kernel's queue is full: that is the flood doing its work
            held += slow + non_readers
            for i in range(IDLE):
                s = connect_from(f"127.0.{1 + i // 200}.{10 + i % 200}", r.public)
                if s:
                    held.append(s)

            # The flood settles: the answers the non-readers asked for are made and pile up.
            wait_for(lambda: c.get("/healthz").json()["connections"]["public"]["open"] >= public_max - 5,
                     what="the public listener at its cap")
            for s in slow:  # slow clients trickle on
                try:
                    s.send(b"X-Slow: 1\r\n")
                except OSError:
                    pass
            # Not a speed figure: a relais spinning on accept() or on a connection it cannot
            # finish burns every second of the flood. Sampled second by second while the test
            # itself asks nothing; the first seconds may still be spent on the flood's requests
            # (longer under a sanitizer or a busy machine), so the quietest two count.
            samples = []
            for _ in range(6):
                before = cpu_seconds(r.proc.pid)
                time.sleep(1)
                samples.append(cpu_seconds(r.proc.pid) - before)
            print("CPU seconds used in each second of the flood:", " ".join(f"{x:.2f}" for x in samples))
            self.assertLess(sorted(samples)[1], 0.2, f"relais kept busy while the flood held: {samples}")
            # The workspace answers, an SMS goes out, all while the flood holds.
            for _ in range(5):
                self.assertEqual(c.get("/api/v1/repair-orders").status, 200)
            sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [cp]})
            self.assertEqual(sent.status, 201, sent)
            self.wait_for_links(r, 1)
            health = c.get("/healthz").json()
            public = health["connections"]["public"]
            self.assertLessEqual(public["open"], public_max)
            self.assertGreaterEqual(public["at_capacity"], 1)
            self.assertEqual(health["modem"]["health"], "ready")
            self.assertIsNone(r.proc.poll())

            # Past the timeouts (header 10 s, idle and write 15 s), slow clients are answered 408 and
            # those that never read are dropped; memory held for them stays bounded.
            deadline = time.monotonic() + 25
            while time.monotonic() < deadline:
                self.assertEqual(c.get("/healthz").status, 200)
                time.sleep(1)
            self.assertGreater(c.get("/healthz").json()["connections"]["public"]["timed_out"], 0)
            if not SANITIZED:
                self.assertLess(rss_mb(r.proc.pid), 120, "memory held for clients that do not read")
        finally:
            for s in held:
                s.close()
        self.wait_public_serving(r, c)
        self.assertEqual(c.get("/api/v1/repair-orders").status, 200)

    # Under a sanitizer the runtime itself needs descriptors (UBSan's vptr check opens a pipe to
    # probe memory): with none left it reports a false "invalid vptr" and aborts relais, as a run
    # of scripts/test-sanitizers showed. The plain build runs it (scripts/test).
    @unittest.skipIf(SANITIZED, "the sanitizer runtime needs file descriptors of its own")
    def test_out_of_descriptors_it_pauses_instead_of_spinning_and_recovers(self):
        r = self.relais()
        r.start()
        c = self.admin(r)
        fds = len(os.listdir(f"/proc/{r.proc.pid}/fd"))
        soft, hard = resource.prlimit(r.proc.pid, resource.RLIMIT_NOFILE)
        # Lowered under the running process (the soft limit: raising the hard one again needs a
        # privilege CI may not have): its shares were made for a larger limit, so accepting runs
        # into EMFILE.
        resource.prlimit(r.proc.pid, resource.RLIMIT_NOFILE, (fds + 8, hard))
        held = []
        try:
            for i in range(100):
                s = connect_from(f"127.3.0.{i + 1}", r.public)
                if s:
                    held.append(s)
            time.sleep(0.5)
            before, started = cpu_seconds(r.proc.pid), time.monotonic()
            time.sleep(2)
            spent, elapsed = cpu_seconds(r.proc.pid) - before, time.monotonic() - started
            self.assertLess(spent, 0.5 * elapsed, f"relais used {spent:.2f} s of CPU in {elapsed:.2f} s")
            self.assertIn("out of file descriptors", r.stderr())
        finally:
            for s in held:
                s.close()
            resource.prlimit(r.proc.pid, resource.RLIMIT_NOFILE, (soft, hard))
        self.wait_public_serving(r, c)
        self.assertEqual(c.get("/api/v1/repair-orders").status, 200)
        self.assertGreaterEqual(c.get("/healthz").json()["connections"]["public"]["descriptor_pauses"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
