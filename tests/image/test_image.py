"""The appliance image, booted (issue 12). image/build-image builds a disk image from the .deb,
trusting a signed apt repository made here (reprepro, a key made for the test, served on the
host); QEMU boots it (KVM when /dev/kvm answers, else software emulation: the test says which)
with the emulated modem of firmware-bridge, running on the host, given to the guest as a USB
serial adapter, so relais drives a real /dev/ttyUSB0 through libserialport. Then, in order:

1. first boot: relais active, the console shows the addresses and the one-time password, the
   workspace and a customer page answer through QEMU's port forwarding, an offer goes out by SMS
   (read from the bridge's journal on the host), `relais modem-ports` names the udev rule;
2. an upgrade from the repository (unattended-upgrades, as the box does it each day) to N+1:
   data and the admin's edit of the configuration kept, the service restarted;
3. a power cut (QEMU killed) while an SMS is being sent and ROs are being written: the box
   boots again, `PRAGMA integrity_check` is ok, every RO the API acknowledged is there and the
   SMS goes out;
4. a power cut while dpkg is upgrading relais (the new package's preinst holds it there, relais
   half-installed): the box boots, relais-finish-upgrade finishes the upgrade from apt's cache,
   the new version serves, the data and the configuration are intact.

The test image differs from the shipped one by a command channel (tests/image/agent: a virtio
port the test writes shell commands to). Run: /usr/bin/python3 tests/image/test_image.py
(RELAIS_DEB=FILE or RELAIS_DEB_DIR=DIR: use that package; RELAIS_IMAGE_KEEP=1 keeps the folder).
"""

import http.server
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("RELAIS_SOURCE_DIR", os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("RELAIS_BUILD_DIR", os.path.join(SOURCE, "build"))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
sys.path.insert(0, os.path.join(SOURCE, "tests", "package"))
from relais_deb import find_deb  # noqa: E402
from relais_harness import Client  # noqa: E402

RO = {
    "vehicle": {"plate": "gh-456-ij", "make": "Renault", "model": "Clio"},
    "parties": [{"roles": ["driver", "owner"], "title": "M.", "first_name": "Jean", "last_name": "Dupont",
                 "contact_points": [{"kind": "phone", "value": "06 98 76 54 32"}]}],
    "interventions": [{"label": "Remplacement des balais d'essuie-glace", "price_excl_cents": 3500,
                       "kind": "optional", "severity": "orange"}],
}
PHONE = "+33698765432"
PASSWORD = "Atelier-Image-2026"


def log(message):
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


class Repository:
    """A signed apt repository made with reprepro, its key made for the test, served over HTTP
    on the host's loopback (the guest reaches it as 10.0.2.2)."""

    def __init__(self, root):
        self.root = root
        self.gnupg = os.path.join(root, "gnupg")
        self.www = os.path.join(root, "www")
        os.makedirs(self.gnupg, mode=0o700)
        os.makedirs(os.path.join(self.www, "conf"))
        self.env = dict(os.environ, GNUPGHOME=self.gnupg)
        run("gpg", "--batch", "--passphrase", "", "--quick-gen-key", "Relais test archive <archive@relais.invalid>",
            "ed25519", "sign", "1d", env=self.env)
        listing = run("gpg", "--batch", "--with-colons", "--list-keys", env=self.env)
        self.key_id = next(line.split(":")[4] for line in listing.splitlines() if line.startswith("pub:"))
        self.public_key = os.path.join(root, "relais-archive.asc")
        with open(self.public_key, "w") as f:
            f.write(run("gpg", "--batch", "--armor", "--export", self.key_id, env=self.env))
        with open(os.path.join(self.www, "conf", "distributions"), "w") as f:
            f.write("Origin: Relais\nLabel: Relais\nCodename: bookworm\nArchitectures: amd64\n"
                    f"Components: main\nDescription: Relais (test)\nSignWith: {self.key_id}\n")
        self.port = free_port()
        handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=self.www, **kw)  # noqa: E731
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, deb):
        run("reprepro", "-b", self.www, "includedeb", "bookworm", deb, env=self.env)

    def close(self):
        self.server.shutdown()


# The preinst of the package test 4 upgrades to: its first run holds dpkg there (relais
# half-installed: dpkg marks it so before the preinst) until the power cut. The mark on the
# disk, synced before the test is told through /run, lets its next run (the upgrade finished
# at boot) go through.
HOLDING_PREINST = """#!/bin/sh
if [ "$1" = upgrade ] && [ ! -e /var/lib/relais-test-upgrade-held ]; then
    touch /var/lib/relais-test-upgrade-held
    sync
    touch /run/relais-test-upgrade-holding
    sleep 3600
fi
exit 0
"""


def next_version(deb, out_dir, suffix, preinst=None):
    """Version N+1 of the package: the same files, a higher version (what the upgrade path sees),
    and `preinst` as its preinst when given."""
    tree = os.path.join(out_dir, "next")
    shutil.rmtree(tree, ignore_errors=True)
    run("dpkg-deb", "-R", deb, tree)
    if preinst:
        path = os.path.join(tree, "DEBIAN", "preinst")
        if os.path.exists(path):
            raise AssertionError("the package has a preinst of its own now: the test's must call it")
        with open(path, "w") as f:
            f.write(preinst)
        os.chmod(path, 0o755)
    control = os.path.join(tree, "DEBIAN", "control")
    with open(control) as f:
        text = f.read()
    version = re.search(r"^Version: (.*)$", text, re.M).group(1) + suffix
    with open(control, "w") as f:
        f.write(re.sub(r"^Version: .*$", f"Version: {version}", text, flags=re.M))
    out = os.path.join(out_dir, f"relais_{version}_amd64.deb")
    run("dpkg-deb", "--root-owner-group", "-Zxz", "-b", tree, out)
    shutil.rmtree(tree)
    return out, version


class Machine:
    """The image in QEMU: a copy-on-write overlay over the built image (kept across boots, as a
    disk is), the bridge's pty as a USB serial adapter, the workspace and customer ports
    forwarded, the console in a file, the test's command channel on a virtio port."""

    def __init__(self, workdir, image, modem_pty):
        self.workdir = workdir
        self.overlay = os.path.join(workdir, "disk.qcow2")
        # A disk larger than the image, as the mini-PC's is: the data partition grows into it.
        run("qemu-img", "create", "-q", "-f", "qcow2", "-b", image, "-F", "raw", self.overlay, "4G")
        self.modem_pty = modem_pty
        self.accel = "kvm" if os.access("/dev/kvm", os.R_OK | os.W_OK) else "tcg"
        self.proc = None
        self.boots = 0

    def boot(self):
        self.boots += 1
        self.lan_port, self.public_port, self.http_port = free_port(), free_port(), free_port()
        self.console_path = os.path.join(self.workdir, f"console-{self.boots}.log")
        self.agent_path = os.path.join(self.workdir, "agent.sock")
        if os.path.exists(self.agent_path):
            os.unlink(self.agent_path)
        cmd = ["qemu-system-x86_64", "-machine", "q35", "-accel", self.accel, "-cpu", "host" if self.accel == "kvm" else "max",
               "-smp", "2", "-m", "1024", "-bios", "/usr/share/ovmf/OVMF.fd",
               "-drive", f"file={self.overlay},if=virtio,format=qcow2,cache=writeback",
               "-netdev", f"user,id=n,hostfwd=tcp:127.0.0.1:{self.lan_port}-:8080,"
                          f"hostfwd=tcp:127.0.0.1:{self.public_port}-:443,"
                          f"hostfwd=tcp:127.0.0.1:{self.http_port}-:80",
               "-device", "virtio-net-pci,netdev=n",
               "-chardev", f"serial,id=modem,path={self.modem_pty}",
               "-device", "qemu-xhci", "-device", "usb-serial,chardev=modem",
               "-chardev", f"socket,id=agent,path={self.agent_path},server=on,wait=off",
               "-device", "virtio-serial", "-device", "virtserialport,chardev=agent,name=relais.test",
               "-display", "none", "-serial", f"file:{self.console_path}", "-monitor", "none"]
        self.started = time.monotonic()
        with open(os.path.join(self.workdir, "qemu.err"), "a") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        self.agent = None

    def console(self):
        try:
            with open(self.console_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""
        return re.sub(r"\x1b\[[0-9;=?]*[A-Za-z]", "", text)

    def wait(self, what, condition, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"QEMU ended ({self.proc.returncode}) while waiting for {what}; console:\n"
                                     + self.console()[-3000:])
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out ({timeout} s) waiting for {what}; console:\n" + self.console()[-3000:])
            time.sleep(1)

    def health(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.lan_port}/healthz", timeout=5) as r:
                return json.loads(r.read())
        except Exception:
            return None

    def wait_serving(self, timeout):
        self.wait("relais to serve the workspace", self.health, timeout)
        return time.monotonic() - self.started

    def sh(self, command, timeout=300, check=True):
        """Runs a shell command in the guest (the test agent), returns its output."""
        if self.agent is None:
            self.agent = self.wait("the test agent", self._connect_agent, 120)
        self.agent.settimeout(timeout)
        self.agent.sendall(command.encode() + b"\n")
        data = b""
        while b"__RELAIS_RC=" not in data or not data.endswith(b"\n"):
            chunk = self.agent.recv(65536)
            if not chunk:
                raise AssertionError(f"the agent closed while running {command!r}")
            data += chunk
        text = data.decode("utf-8", "replace")
        out, _, rc = text.rpartition("__RELAIS_RC=")
        if check and int(rc) != 0:
            raise AssertionError(f"{command!r} failed ({rc.strip()}):\n{out[-3000:]}")
        return out

    def _connect_agent(self):
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(self.agent_path)
        except OSError:
            s.close()
            return None
        s.settimeout(5)
        s.sendall(b"echo agent-ready\n")
        try:
            answer = b""
            while b"__RELAIS_RC=" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except socket.timeout:
            s.close()
            return None
        if b"agent-ready" not in answer:
            s.close()
            return None
        return s

    def power_cut(self):
        """Pulls the plug: QEMU killed, nothing flushed by the guest beyond what it had."""
        self.proc.kill()
        self.proc.wait()
        if self.agent:
            self.agent.close()
            self.agent = None

    def shutdown(self):
        """The end of the test: a clean poweroff when the agent answers, else QEMU is stopped."""
        if self.proc and self.proc.poll() is None:
            if self.agent:
                try:
                    self.agent.settimeout(10)
                    self.agent.sendall(b"systemctl poweroff\n")
                    self.proc.wait(timeout=120)
                except Exception:
                    pass
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        if self.agent:
            self.agent.close()
            self.agent = None


class ImageTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="relais-image-")
        cls.deb = find_deb(cls.tmp)
        cls.version = run("dpkg-deb", "-f", cls.deb, "Version").strip()
        cls.repo = Repository(os.path.join(cls.tmp, "repo"))
        cls.repo.publish(cls.deb)
        log(f"repository signed by {cls.repo.key_id} on port {cls.repo.port}, with relais {cls.version}")
        cls.image = os.path.join(cls.tmp, "relais.img")
        started = time.monotonic()
        built = subprocess.run([os.path.join(SOURCE, "image", "build-image"), "--deb", cls.deb, "--out", cls.image,
                                "--apt-url", f"http://10.0.2.2:{cls.repo.port}/", "--apt-key", cls.repo.public_key,
                                "--extra-tree", os.path.join(HERE, "agent")], capture_output=True, text=True)
        if built.returncode != 0:
            raise AssertionError(f"image/build-image failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}")
        size = os.stat(cls.image)
        log(f"image built in {time.monotonic() - started:.0f} s: {size.st_size / 2**20:.0f} MiB, "
            f"{size.st_blocks * 512 / 2**20:.0f} MiB written")
        # The modem: firmware-bridge on the host; its pty becomes the guest's USB serial adapter.
        bridge_dir = os.path.join(cls.tmp, "modem")
        os.makedirs(bridge_dir)
        cls.journal = os.path.join(bridge_dir, "journal.jsonl")
        cls.modem_link = os.path.join(bridge_dir, "pty")
        with open(os.path.join(bridge_dir, "bridge.err"), "w") as err:
            cls.bridge = subprocess.Popen([os.path.join(BUILD, "firmware-bridge", "firmware-bridge"),
                                           "--link", cls.modem_link, "--journal", cls.journal,
                                           "--control", os.path.join(bridge_dir, "control.sock"),
                                           "--cmgs-latency-ms", "3000"], stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 10
        while not os.path.exists(cls.modem_link):
            if time.monotonic() > deadline:
                raise AssertionError("firmware-bridge made no pty")
            time.sleep(0.05)
        cls.machine = Machine(cls.tmp, cls.image, os.path.realpath(cls.modem_link))
        log(f"QEMU with {'KVM' if cls.machine.accel == 'kvm' else 'software emulation (TCG): no usable /dev/kvm'}")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "machine", None):
            cls.machine.shutdown()
        if getattr(cls, "bridge", None):
            cls.bridge.terminate()
            cls.bridge.wait()
        if getattr(cls, "repo", None):
            cls.repo.close()
        if os.environ.get("RELAIS_IMAGE_KEEP"):
            print(f"\n  kept {cls.tmp}")
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def client(self, port=None):
        return Client("127.0.0.1", port or self.machine.lan_port)

    def signed_in(self):
        c = self.client()
        r = c.sign_in("admin", PASSWORD)
        self.assertEqual(r.status, 200, r)
        return c

    def messages(self):
        if not os.path.exists(self.journal):
            return []
        with open(self.journal, encoding="utf-8") as f:
            return [m for m in map(json.loads, f) if m.get("kind") == "message"]

    def test_1_first_boot_serves_and_sends_an_sms_through_a_usb_serial_modem(self):
        m = self.machine
        m.boot()
        seconds = m.wait_serving(600)
        log(f"first boot: serving after {seconds:.1f} s ({m.accel})")
        health = m.health()
        self.assertEqual(health["version"], self.version.split("-")[0].split("+")[0].split("~")[0], health)
        self.assertEqual(health["database"]["status"], "ok", health)
        # The USB serial adapter became /dev/relais-modem (the udev rule) and relais drives it.
        try:
            m.wait("the modem to be ready", lambda: (m.health() or {}).get("modem", {}).get("health") == "ready", 180)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{m.health()}\n" + m.sh("ls -l /dev/ttyUSB* /dev/relais-modem; "
                                                               "udevadm info /dev/ttyUSB0; lsusb -t", check=False))
        self.assertIn("ttyUSB0", m.sh("readlink -f /dev/relais-modem"))
        ports = m.sh("relais modem-ports")
        self.assertIn("serial-adapter", ports)
        self.assertEqual(m.sh("systemctl is-active relais").strip(), "active")
        # The data partition grew to fill the 4 GiB disk (it is 512 MiB in the image).
        data_mib = int(m.sh("df -BM --output=size /var/lib/relais | tail -1").strip().rstrip("M"))
        self.assertGreater(data_mib, 1000, m.sh("journalctl -b -u systemd-repart -u 'systemd-growfs*' --no-pager",
                                                check=False))

        # The console's login prompt shows the addresses and the one-time password.
        console = m.wait("the banner on the console",
                         lambda: (lambda c: c if re.search(r"one-time password:\s+\S+", c) else None)(m.console()), 180)
        self.assertRegex(console, r"Advisor workspace: http://10\.0\.2\.\d+:8080/")
        self.assertRegex(console, r"Customer pages:    https://10\.0\.2\.\d+:443/")
        password = re.search(r"one-time password:\s+(\S+)", console).group(1)
        self.assertIn(password, m.sh("journalctl -u relais -b --no-pager -o cat"))

        c = self.client()
        self.assertEqual(c.sign_in("admin", password).status, 200)
        r = c.post("/api/v1/session/password", {"current_password": password, "new_password": PASSWORD})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(c.get("/").status, 200)  # the workspace

        created = c.post("/api/v1/repair-orders", RO)
        self.assertEqual(created.status, 201, created)
        ro = created.json()
        phone = next(cp["id"] for p in ro["parties"] for cp in p["contact_points"])
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone], "note": "Bonjour !"})
        self.assertEqual(sent.status, 201, sent)
        sms = m.wait("the SMS in the bridge's journal", lambda: [x for x in self.messages() if x["recipient"] == PHONE], 240)
        self.assertIn("/o/", sms[0]["text"])
        log(f"SMS received by the emulated network: {sms[0]['text']!r}")
        offer = m.wait("the offer to be received",
                       lambda: (lambda o: o if o["state"] == "received" else None)(
                           c.get(f"/api/v1/offers/{sent.json()['id']}").json()), 120)
        self.assertEqual(offer["messages"][0]["state"], "delivered")

        # The customer's link, through the forwarded public port, over HTTPS: self-signed until the
        # box has a public name (the shipped relais.invalid is none), so no CA is asked.
        token = re.search(r"/o/([A-Za-z0-9_-]+)", sms[0]["text"]).group(1)
        self.assertTrue(sms[0]["text"].count(f"https://relais.invalid/o/{token}"), sms[0]["text"])
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
        page = Client("127.0.0.1", m.public_port, insecure).get(f"/o/{token}", headers={"Host": "relais.invalid"})
        self.assertEqual(page.status, 200, page)
        self.assertIn("<html", page.body.lower())
        self.assertEqual(page.header("strict-transport-security"), "max-age=31536000")
        cert = m.health()["certificate"]
        self.assertEqual((cert["source"], cert["state"], cert["customers_see_warning"]), ("acme", "no_public_name", True))
        # Port 80: a customer's http:// link goes to https://; an advisor typing the box's LAN
        # name goes to the workspace.
        plain = Client("127.0.0.1", m.http_port)
        moved = plain.get(f"/o/{token}", headers={"Host": "relais.invalid"})
        self.assertEqual((moved.status, moved.header("location")), (301, f"https://relais.invalid/o/{token}"))
        moved = plain.get("/", headers={"Host": "localhost"})
        self.assertEqual((moved.status, moved.header("location")), (301, "http://localhost:8080/"))

        meminfo = dict(line.split(":", 1) for line in m.sh("cat /proc/meminfo").splitlines() if ":" in line)
        kib = lambda k: int(meminfo[k].split()[0])  # noqa: E731
        rss = m.sh("grep VmRSS /proc/$(systemctl show -p MainPID --value relais)/status").split()[1]
        log(f"memory after the first send: system {(kib('MemTotal') - kib('MemAvailable')) / 1024:.0f} MiB in use "
            f"(MemTotal - MemAvailable) of {kib('MemTotal') / 1024:.0f} MiB; relais {int(rss) / 1024:.1f} MiB resident")

    def test_2_upgrade_from_the_signed_repository_keeps_data_and_config(self):
        m = self.machine
        c = self.signed_in()
        before = c.get("/api/v1/repair-orders").json()["items"]
        self.assertEqual(len(before), 1)
        # The admin edits the configuration (a conffile): the upgrade must keep it.
        m.sh("sed -i 's/^name = \"Garage\"/name = \"Garage Dupont Automobiles\"/' /etc/relais/relais.toml")
        m.sh("systemctl restart relais")
        m.wait_serving(120)
        next_deb, next_version = next_version_of(self)
        self.repo.publish(next_deb)
        pid = m.sh("systemctl show -p MainPID --value relais").strip()
        # As the box does it every morning: the lists, then unattended-upgrades (the Relais
        # origin is allowed in 52relais-unattended-upgrades); only the test's repository is asked.
        m.sh("printf 'Dir::Etc::SourceList \"/dev/null\";\\nUnattended-Upgrade::OnlyOnACPower \"false\";\\n' "
             ">/etc/apt/apt.conf.d/99relais-test")
        m.sh("apt-get update", timeout=600)
        out = m.sh("unattended-upgrade -v", timeout=900)
        self.assertIn("relais", out)
        self.assertEqual(m.sh("dpkg-query -W -f '${Version}' relais").strip(), next_version)
        self.assertIn('name = "Garage Dupont Automobiles"', m.sh("cat /etc/relais/relais.toml"))
        self.assertEqual(m.sh("systemctl is-active relais").strip(), "active")
        m.wait("relais to serve again", m.health, 120)
        self.assertNotIn(m.sh("systemctl show -p MainPID --value relais").strip(), (pid, "0"))  # restarted
        restarts = m.sh("journalctl -u relais -b --no-pager -o cat | grep -c 'stopped cleanly'").strip()
        self.assertGreaterEqual(int(restarts), 2)  # the admin's restart, then the upgrade's
        c = self.signed_in()
        after = c.get("/api/v1/repair-orders").json()["items"]
        self.assertEqual([r["id"] for r in after], [r["id"] for r in before])
        log(f"upgraded {self.version} → {next_version}: data and configuration kept")

        # A Debian security update replaces a library relais uses: apt's hook restarts relais
        # (here the library file is replaced by hand, as dpkg does: a new file renamed over it).
        self.assertIn("relais-restart-if-outdated", m.sh("apt-config dump DPkg::Post-Invoke"))
        self.assertEqual(m.sh("/usr/local/sbin/relais-restart-if-outdated").strip(), "")  # nothing replaced
        pid = m.sh("systemctl show -p MainPID --value relais").strip()
        m.sh("lib=$(readlink -f /usr/lib/x86_64-linux-gnu/libserialport.so.0) && cp -p $lib $lib.new && mv $lib.new $lib")
        self.assertIn("restarting", m.sh("/usr/local/sbin/relais-restart-if-outdated"))
        m.wait_serving(120)
        self.assertNotEqual(m.sh("systemctl show -p MainPID --value relais").strip(), pid)
        self.assertEqual(m.sh("systemctl is-active relais").strip(), "active")

    def test_3_a_power_cut_while_sending_loses_nothing(self):
        m = self.machine
        c = self.signed_in()
        before = len(self.messages())
        ro = c.post("/api/v1/repair-orders", RO).json()
        phone = next(cp["id"] for p in ro["parties"] for cp in p["contact_points"])
        sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]})
        self.assertEqual(sent.status, 201, sent)
        acknowledged = [ro["id"]]
        # ROs written right up to the cut; the SMS is in the modem's hands (+CMGS takes 3 s).
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            r = c.post("/api/v1/repair-orders", dict(RO, vehicle={"plate": f"pc-{len(acknowledged):03d}-xx"}))
            if r.status == 201:
                acknowledged.append(r.json()["id"])
        m.power_cut()
        log(f"power cut with {len(acknowledged)} ROs acknowledged and an SMS being sent")

        m.boot()
        log(f"after the power cut: serving after {m.wait_serving(600):.1f} s")
        self.assertEqual(m.sh("sqlite3 /var/lib/relais/relais.db 'PRAGMA integrity_check'").strip(), "ok")
        c = self.signed_in()
        ids = {r["id"] for r in c.get("/api/v1/repair-orders?per_page=200").json()["items"]}
        self.assertTrue(set(acknowledged) <= ids, f"lost: {set(acknowledged) - ids}")
        m.wait("the interrupted SMS to go out", lambda: len(self.messages()) > before, 240)
        m.wait("the offer to be sent", lambda: c.get(f"/api/v1/offers/{sent.json()['id']}").json()["state"]
               in ("sent", "received"), 120)

    def test_4_a_power_cut_during_an_upgrade_leaves_a_box_that_boots_and_serves(self):
        m = self.machine
        c = self.signed_in()
        ros = {r["id"] for r in c.get("/api/v1/repair-orders?per_page=200").json()["items"]}
        deb, version = next_version(self.deb, self.tmp, "+upgrade2", preinst=HOLDING_PREINST)
        self.repo.publish(deb)
        m.sh("apt-get update", timeout=600)
        # apt's cache holds this upgrade's package only (as after apt's weekly autoclean): the
        # finisher reinstalls the version dpkg recorded (the old one) when the cache has it,
        # else the newest there.
        m.sh("apt-get clean")
        m.sh("apt-get -y --download-only install relais", timeout=600)
        # The upgrade runs on its own; the plug is pulled while dpkg is inside relais's preinst.
        m.sh("nohup sh -c 'DEBIAN_FRONTEND=noninteractive apt-get -y install relais' >/root/upgrade.log 2>&1 &")
        m.wait("dpkg to be held in relais's preinst", lambda: "held" in m.sh(
            "test -e /run/relais-test-upgrade-holding && echo held", check=False), 300)
        self.assertIn("half-installed", m.sh("dpkg-query -W -f '${Status}' relais"))
        m.power_cut()
        log("power cut while dpkg was upgrading relais (relais half-installed)")

        m.boot()
        log(f"after the power cut during the upgrade: serving after {m.wait_serving(600):.1f} s")
        finished = m.sh("journalctl -b -u relais-finish-upgrade --no-pager -o cat", check=False)
        self.assertIn("relais-finish-upgrade: a package upgrade was interrupted; finishing it", finished)
        self.assertIn("relais-finish-upgrade: reinstalling relais", finished)
        self.assertNotIn("still unfinished", finished)
        self.assertEqual(m.sh("dpkg --audit").strip(), "")  # nothing left half-done
        installed = m.sh("dpkg-query -W -f '${Version}' relais").strip()
        self.assertEqual(installed, version)
        # The finisher's policy-rc.d (no service restarts while it works) is gone with it.
        self.assertEqual(m.sh("test -e /usr/sbin/policy-rc.d && echo present || echo absent").strip(), "absent")
        self.assertEqual(m.sh("systemctl is-active relais").strip(), "active")
        self.assertEqual(m.sh("sqlite3 /var/lib/relais/relais.db 'PRAGMA integrity_check'").strip(), "ok")
        self.assertIn('name = "Garage Dupont Automobiles"', m.sh("cat /etc/relais/relais.toml"))
        c = self.signed_in()
        self.assertEqual({r["id"] for r in c.get("/api/v1/repair-orders?per_page=200").json()["items"]}, ros)
        log(f"relais {installed} after the power cut; " + " / ".join(finished.strip().splitlines()[-3:]))


def next_version_of(test):
    return next_version(test.deb, test.tmp, "+upgrade1")


if __name__ == "__main__":
    unittest.main(verbosity=2)
