"""Standard SMS software works against the emulated modem unchanged, as on the hardware each
profile reproduces: Debian's gammu (connection = at) identifies it, sends plain, accented, long
and Unicode texts that arrive in the bridge's journal exactly, and reads injected inbound
messages exactly — against the generic modem and each of the four profiles."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from relais_harness import RelaisTestCase

BRIDGE = os.environ.get("RELAIS_BRIDGE_BIN", os.path.join(os.path.dirname(__file__), "../../build/firmware-bridge/firmware-bridge"))
GAMMU = shutil.which("gammu")


class GammuTest(unittest.TestCase):
    PROFILE = "generic"
    IDENTITY = ("Manufacturer         : Relais", "EM-1 emulated modem")

    @classmethod
    def setUpClass(cls):
        assert GAMMU, "gammu is not installed: scripts/setup-deps --tests installs it"
        cls.dir = tempfile.mkdtemp(prefix="relais-gammu-")
        cls.link = os.path.join(cls.dir, "modem")
        cls.control = os.path.join(cls.dir, "control.sock")
        cls.journal = os.path.join(cls.dir, "journal.jsonl")
        # Boots at a tenth (at most 2 s); no random +CMS 500, which gammu's sendsms would report.
        cls.bridge = subprocess.Popen([BRIDGE, "--link", cls.link, "--journal", cls.journal, "--control", cls.control,
                                       "--profile", cls.PROFILE, "--time-scale", "0.1", "--cms500-share", "0"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not (os.path.exists(cls.link) and os.path.exists(cls.control)):
            assert time.monotonic() < deadline, "firmware-bridge did not start"
            time.sleep(0.01)
        time.sleep(2.1)  # like a person who waits for the modem to boot before using it
        cls.rc = os.path.join(cls.dir, "gammurc")
        with open(cls.rc, "w") as f:
            f.write(f"[gammu]\ndevice = {cls.link}\nconnection = at\nlogformat = textall\nlogfile = {cls.dir}/gammu.log\n")
        cls.failed = False

    @classmethod
    def tearDownClass(cls):
        cls.bridge.send_signal(signal.SIGTERM)
        cls.bridge.wait(timeout=10)
        if cls.failed:
            print(f"\n  kept {cls.dir} for inspection")
        else:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def tearDown(self):
        if RelaisTestCase.failed(self):
            type(self).failed = True

    def gammu(self, *args):
        r = subprocess.run([GAMMU, "-c", self.rc, *args], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def control_command(self, request):
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.control)
            f = s.makefile("rw")
            f.write(json.dumps(request) + "\n")
            f.flush()
            return json.loads(f.readline())

    def journal_messages(self):
        with open(self.journal) as f:
            return [json.loads(line) for line in f if json.loads(line)["kind"] == "message"]

    def send_and_read_back(self, text, *options):
        before = len(self.journal_messages())
        self.gammu("sendsms", "TEXT", "0612345678", *options, "-text", text)
        messages = self.journal_messages()
        self.assertEqual(len(messages), before + 1)
        return messages[-1]

    def test_1_identify(self):
        out = self.gammu("identify")
        for expected in self.IDENTITY:
            self.assertIn(expected, out)
        self.assertIn("IMEI                 : 356938035643809", out)
        self.assertIn("SIM IMSI             : 208011234567890", out)

    def test_2_plain(self):
        m = self.send_and_read_back("Bonjour, votre voiture est prete.")
        self.assertEqual(m["text"], "Bonjour, votre voiture est prete.")
        self.assertEqual(m["encoding"], "gsm7")
        self.assertEqual(m["recipient"], "0612345678")

    def test_3_accented(self):
        # Accents that GSM 7-bit has: gammu sends them as they are.
        text = "Véhicule réparé, à récupérer à 18h : 45 € (ÄÖÜ ñ ß)"
        m = self.send_and_read_back(text)
        self.assertEqual(m["text"], text)
        self.assertEqual(m["encoding"], "gsm7")

    def test_4_three_parts(self):
        text = " ".join(f"Ligne {i:02d} du devis." for i in range(22))  # 395 characters
        m = self.send_and_read_back(text, "-len", str(len(text)))
        self.assertEqual(m["text"], text)
        self.assertEqual(m["parts"], 3)
        self.assertEqual(len(m["references"]), 3)

    def test_5_unicode(self):
        text = "prêt à 18h, ça coûte 45 € 🚗"
        m = self.send_and_read_back(text, "-unicode")
        self.assertEqual(m["text"], text)
        self.assertEqual(m["encoding"], "ucs2")

    def test_6_getallsms(self):
        texts = {"+33612345678": "Oui pour les plaquettes, merci !",
                 "+33698765432": "Ça roule, je passe à 18h 🚗"}
        for sender, text in texts.items():
            self.assertTrue(self.control_command({"cmd": "inject_sms", "from": sender, "text": text})["ok"])
        out = self.gammu("getallsms")
        for sender, text in texts.items():
            self.assertIn(f'Remote number        : "{sender}"', out)
            self.assertIn("\n" + text + "\n", out)
        self.assertIn("2 SMS parts in 2 SMS sequences", out)


class GammuQuectelEc25(GammuTest):
    PROFILE = "quectel-ec25"
    IDENTITY = ("Manufacturer         : Quectel", "EC25", "EC25EFAR06A15M4G")


class GammuSimcomSim7600(GammuTest):
    # Boots in text mode with an unset +CSMP: gammu sets PDU mode and sends all the same.
    PROFILE = "simcom-sim7600"
    IDENTITY = ("Manufacturer         : SIMCOM INCORPORATED", "SIMCOM_SIM7600E-H")


class GammuHuaweiE3372(GammuTest):
    # gammu knows the E3372 by its exact model: it sends ^CURC=0, +CFUN=1 and ^PORTSEL=1, and
    # counts message locations from 0.
    PROFILE = "huawei-e3372"
    IDENTITY = ("Manufacturer         : Huawei", "E3372 (E3372)")

    def test_7_huawei_init(self):
        with open(os.path.join(self.dir, "gammu.log"), errors="replace") as f:
            log = f.read()
        for command in ("AT^CURC=0", "AT^PORTSEL=1"):
            self.assertIn(command, log)


class GammuTelitLe910c1(GammuTest):
    # +CSMS=1 stored: "+CMGS: <mr>,<ackpdu>", whose reference gammu cannot read (as on the
    # hardware); the message goes all the same.
    PROFILE = "telit-le910c1"
    IDENTITY = ("Manufacturer         : Telit", "LE910C1-EU")


if __name__ == "__main__":
    unittest.main(verbosity=2)
