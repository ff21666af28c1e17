"""The emulated modem after a crash (issue 10, item 7): relais killed with SIGKILL must not leave
its firmware-bridge running, and a bridge left behind anyway (by an older relais) is ended by
the next start, which then has its modem. A second relais on the same data directory does not
start at all (the first holds its lock)."""

import json
import os
import signal
import socket
import subprocess
import time
import unittest

from relais_harness import BIN, RelaisTestCase, wait_for

BRIDGE = os.environ.get("RELAIS_BRIDGE_BIN", os.path.join(os.path.dirname(__file__),
                                                          "../../build/firmware-bridge/firmware-bridge"))


def bridges_in(directory):
    """The pids of the firmware-bridge processes whose link is under `directory`."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"firmware-bridge") and any(a.startswith(directory.encode()) for a in argv):
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue  # exited, not yet reaped
            pids.append(int(pid))
    return pids


class OrphanModemTest(RelaisTestCase):

    def modem_ready(self, r):
        c = r.client()
        c.bearer = None
        res = c.get("/healthz").json()
        return res["modem"]["health"] == "ready"

    def test_a_killed_relais_takes_its_modem_with_it(self):
        r = self.relais().start()
        wait_for(lambda: self.modem_ready(r), what="the modem ready")
        self.assertEqual(len(bridges_in(r.data)), 1)
        r.stop(signal.SIGKILL)
        wait_for(lambda: not bridges_in(r.data), what="the bridge to end with its relais")
        r.start()
        wait_for(lambda: self.modem_ready(r), what="the modem ready after the restart")
        self.assertEqual(len(bridges_in(r.data)), 1)

    def test_a_bridge_left_running_is_ended_and_replaced(self):
        r = self.relais()
        modem = os.path.join(r.data, "modem")
        os.makedirs(modem)
        # As an older relais left it: no --parent, so it outlives whoever started it.
        orphan = subprocess.Popen([BRIDGE, "--link", os.path.join(modem, "tty"), "--journal",
                                   os.path.join(modem, "journal.jsonl"), "--control",
                                   os.path.join(modem, "control.sock")], stdout=subprocess.DEVNULL,
                                  start_new_session=True)
        self.addCleanup(lambda: orphan.poll() is None and orphan.kill())
        wait_for(lambda: os.path.exists(os.path.join(modem, "control.sock")), what="the orphan's control socket")
        r.start()
        wait_for(lambda: self.modem_ready(r), what="the modem ready")
        self.assertIsNotNone(orphan.wait(timeout=10), "the orphaned bridge still runs")
        self.assertEqual(len(bridges_in(r.data)), 1)
        self.assertIn("ended the emulated modem an earlier relais left running", r.stderr())

    def test_a_second_relais_on_the_same_data_leaves_the_first_and_its_bridge_alone(self):
        first = self.relais().start()
        wait_for(lambda: self.modem_ready(first), what="the first relais's modem")
        other = os.path.join(self.workdir, "second")
        os.makedirs(other)
        with open(first.config) as f:
            cfg = f.read()
        second_config = os.path.join(other, "relais.toml")
        with open(second_config, "w") as f:
            f.write(cfg)  # the same data directory
        # The first holds the data directory's lock: the second stops before it opens anything.
        second = subprocess.run([BIN, "--config", second_config], capture_output=True, text=True, timeout=30)
        self.assertEqual(second.returncode, 2, second.stderr)
        self.assertIn(f"relais is running on the data directory {first.data}", second.stderr)
        self.assertTrue(self.modem_ready(first))
        self.assertEqual(len(bridges_in(first.data)), 1)

if __name__ == "__main__":
    unittest.main(verbosity=2)
