"""relais under systemd's eyes, without systemd: a datagram socket stands in for the service
manager (NOTIFY_SOCKET), as for a `Type=notify` unit with `WatchdogSec=`. relais says READY=1
once it serves, pets the watchdog from its core loop at half the period, and says STOPPING=1
when asked to stop; without WATCHDOG_USEC it pets nothing."""

import os
import signal
import socket
import time
import unittest

from relais_harness import RelaisTestCase


class SystemdNotifyTest(RelaisTestCase):

    def manager(self):
        path = os.path.join(self.workdir, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(0.2)
        self.addCleanup(sock.close)
        return path, sock

    @staticmethod
    def collect(sock, seconds):
        """The messages received in `seconds`, each with the time it came."""
        got = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                got.append((time.monotonic(), sock.recv(4096).decode()))
            except socket.timeout:
                pass
        return got

    def test_ready_then_the_watchdog_is_petted_at_half_its_period_then_stopping(self):
        path, sock = self.manager()
        r = self.relais()
        r.env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"}
        with r:
            self.assertEqual(r.client().get("/healthz").status, 200)
            got = self.collect(sock, 3.2)
            texts = [m for _, m in got]
            self.assertIn("READY=1", texts)
            pets = [t for t, m in got if m == "WATCHDOG=1"]
            self.assertGreaterEqual(len(pets), 5, texts)  # every 0.5 s over 3.2 s
            gaps = [b - a for a, b in zip(pets, pets[1:])]
            self.assertTrue(all(0.2 < g < 1.0 for g in gaps), gaps)
            self.assertIn("systemd watchdog: petted every 500 ms", r.stdout() + r.stderr())
            # A stopped process pets nothing: systemd would kill and restart it.
            os.kill(r.proc.pid, signal.SIGSTOP)
            self.collect(sock, 0.3)  # what was already on its way
            self.assertEqual([m for _, m in self.collect(sock, 1.5) if m == "WATCHDOG=1"], [])
            os.kill(r.proc.pid, signal.SIGCONT)
            self.assertIn("WATCHDOG=1", [m for _, m in self.collect(sock, 1.2)])
            r.proc.send_signal(signal.SIGTERM)
            self.assertEqual(r.proc.wait(timeout=20), 0)
            self.assertIn("STOPPING=1", [m for _, m in self.collect(sock, 0.5)])

    def test_without_a_watchdog_nothing_is_petted(self):
        path, sock = self.manager()
        r = self.relais()
        r.env = {"NOTIFY_SOCKET": path}
        with r:
            got = [m for _, m in self.collect(sock, 1.5)]
            self.assertIn("READY=1", got)
            self.assertNotIn("WATCHDOG=1", got)


class ConsoleBannerTest(RelaisTestCase):
    """Under systemd (RuntimeDirectory=relais sets RUNTIME_DIRECTORY), relais writes its banner
    for the appliance's console too: banner.issue, which getty shows above the login prompt
    (/etc/issue.d/relais.issue links to it). Backslashes are agetty's escapes: doubled."""

    def test_the_banner_for_the_console_has_the_addresses_and_the_one_time_password(self):
        runtime = os.path.join(self.workdir, "run")
        os.makedirs(runtime)
        r = self.relais(extra_config='')
        with open(r.config) as f:
            config = f.read()
        with open(r.config, "w") as f:
            f.write(config.replace('name = "', 'name = "Garage \\\\ Fils ', 1))
        r.env = {"RUNTIME_DIRECTORY": runtime}
        with r:
            issue = os.path.join(runtime, "banner.issue")
            self.assertTrue(os.path.exists(issue), os.listdir(runtime))
            with open(issue) as f:
                text = f.read()
            password = r.one_time_password()
            self.assertIsNotNone(password)
            self.assertIn(password, text)
            self.assertIn(f"http://127.0.0.1:{r.lan}/", text)
            self.assertIn("Garage \\\\ Fils", text)  # one backslash in the name, two in the file
            self.assertIn("Garage \\ Fils", r.stdout())
            self.assertEqual(os.stat(issue).st_mode & 0o777, 0o640)
            self.assertFalse(os.path.exists(issue + ".tmp"))

    def test_no_banner_file_outside_systemd(self):
        with self.relais() as r:
            self.assertNotIn("banner.issue", os.listdir(r.workdir))
            self.assertNotIn("banner.issue", os.listdir(r.data))


if __name__ == "__main__":
    unittest.main()
