"""The Debian package (issue 12): image/build-deb builds relais_<version>_<arch>.deb with
debhelper and lintian passes it (the script fails otherwise); then what is inside is checked:
the files where an appliance expects them, the configuration as a conffile, the system user
in group dialout, the udev rule for the supported modems, and the systemd units — relais and
its daily backup (a timer enabled at install) — whose `systemd-analyze security` exposure must
stay "OK" or better.

    /usr/bin/python3 tests/package/test_package.py     (RELAIS_DEB=FILE: check that .deb;
                                                        RELAIS_DEB_DIR=DIR: the newest one there)
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from relais_deb import find_deb

EXPOSURE_LIMIT = 2.5  # "OK" goes up to 4.9; the unit is at 1.6 and should not slip
# Where Debian 12's debhelper puts them (not yet under /usr).
UNIT = "/lib/systemd/system/relais.service"
BACKUP_UNIT = "/lib/systemd/system/relais-backup.service"
BACKUP_TIMER = "/lib/systemd/system/relais-backup.timer"
UDEV = "/lib/udev/rules.d/61-relais.rules"


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


class PackageTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="relais-package-")
        cls.deb = find_deb(cls.tmp)
        cls.tree = os.path.join(cls.tmp, "tree")
        run("dpkg-deb", "-R", cls.deb, cls.tree)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, p):
        return os.path.join(self.tree, p.lstrip("/"))

    def test_the_name_says_version_and_architecture(self):
        arch = run("dpkg", "--print-architecture").strip()
        self.assertRegex(os.path.basename(self.deb), rf"^relais_[0-9][0-9.]*(-[0-9]+)?_{arch}\.deb$")
        fields = run("dpkg-deb", "-f", self.deb, "Package", "Depends")
        self.assertIn("Package: relais", fields)
        self.assertRegex(fields, r"libserialport0")  # found by dh_shlibdeps, not written by hand

    def test_the_files_are_where_an_appliance_expects_them(self):
        for p in ("/usr/bin/relais", "/usr/libexec/relais/firmware-bridge"):
            self.assertTrue(os.access(self.path(p), os.X_OK), p)
        for p in ("/usr/share/relais/web/customer/index.html", "/usr/share/relais/web/workspace/index.html",
                  "/usr/share/relais/web/favicon.ico", UNIT, "/usr/lib/sysusers.d/relais.conf",
                  "/usr/lib/tmpfiles.d/relais.conf", UDEV, "/usr/share/doc/relais/CONFIG.md.gz",
                  "/usr/share/man/man1/relais.1.gz"):
            self.assertTrue(os.path.isfile(self.path(p)), p)
        # The binary looks for its web files and emulated modem where the package puts them.
        strings = run("strings", self.path("/usr/bin/relais"))
        self.assertIn("/usr/share/relais/web", strings)
        self.assertIn("/usr/libexec/relais/firmware-bridge", strings)

    def test_the_configuration_is_a_conffile_with_the_appliance_defaults(self):
        with open(self.path("/DEBIAN/conffiles")) as f:
            self.assertIn("/etc/relais/relais.toml", f.read().split())
        with open(self.path("/etc/relais/relais.toml")) as f:
            config = f.read()
        self.assertRegex(config, r'(?m)^data_dir = "/var/lib/relais"$')
        self.assertRegex(config, r'(?m)^device = "/dev/relais-modem"$')
        self.assertRegex(config, r'(?m)^lan_listen = "0\.0\.0\.0:8080"$')
        self.assertRegex(config, r'(?m)^public_listen = "0\.0\.0\.0:443"$')
        self.assertRegex(config, r'(?m)^redirect_listen = "0\.0\.0\.0:80"$')
        self.assertRegex(config, r'(?m)^web_root = "/usr/share/relais/web"$')
        # The packaged relais accepts it as it is.
        checked = subprocess.run([self.path("/usr/bin/relais"), "check-config", "--config",
                                  self.path("/etc/relais/relais.toml")], capture_output=True, text=True)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

    def test_a_system_user_in_group_dialout_and_data_kept_until_purge(self):
        with open(self.path("/usr/lib/sysusers.d/relais.conf")) as f:
            sysusers = f.read()
        self.assertRegex(sysusers, r"(?m)^u relais ")
        self.assertRegex(sysusers, r"(?m)^m relais dialout$")
        with open(self.path("/DEBIAN/postrm")) as f:
            postrm = f.read()
        self.assertRegex(postrm, r'"\$1" = "purge"[\s\S]*rm -rf /var/lib/relais')
        with open(self.path("/DEBIAN/postinst")) as f:
            postinst = f.read()
        self.assertIn("systemd-sysusers", postinst)  # dh_installsysusers
        self.assertIn("deb-systemd-invoke", postinst)  # dh_installsystemd starts or restarts it

    def test_the_udev_rule_names_the_modems_people_buy(self):
        with open(self.path(UDEV)) as f:
            rules = f.read()
        for vendor, product, interface in (("2c7c", "0125", "02"), ("1e0e", "9001", "02"), ("12d1", "1506", "02"),
                                           ("1199", "9079", "03"), ("1199", "9071", "03"), ("1bc7", "1201", "04")):
            self.assertRegex(rules, rf'ENV{{ID_VENDOR_ID}}=="{vendor}", ENV{{ID_MODEL_ID}}=="{product}", '
                                    rf'ENV{{ID_USB_INTERFACE_NUM}}=="{interface}"')
        self.assertIn('KERNEL=="ttyACM*", ENV{ID_VENDOR_ID}=="1546"', rules)
        self.assertIn('SYMLINK+="relais-modem", ENV{ID_MM_DEVICE_IGNORE}="1"', rules)

    def test_the_unit_is_notify_with_a_watchdog_and_rated_ok_or_better(self):
        unit = self.path(UNIT)
        with open(unit) as f:
            text = f.read()
        for line in ("Type=notify", "Restart=on-failure", "StateDirectory=relais", "ProtectSystem=strict",
                     "DevicePolicy=closed", "SystemCallFilter=@system-service",
                     "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "NoNewPrivileges=yes"):
            self.assertRegex(text, rf"(?m)^{re.escape(line)}$")
        self.assertRegex(text, r"(?m)^WatchdogSec=\d+s$")
        self.assert_rated_ok_or_better(unit)

    def assert_rated_ok_or_better(self, unit):
        rating = subprocess.run(["systemd-analyze", "security", "--offline=true", unit], capture_output=True,
                                text=True)
        name = re.escape(os.path.basename(unit))
        found = re.search(rf"Overall exposure level for {name}: ([0-9.]+) (\w+)", rating.stdout)
        self.assertTrue(found, rating.stdout[-2000:] + rating.stderr)
        print(f"systemd-analyze security {os.path.basename(unit)}: {found.group(1)} {found.group(2)}")
        self.assertLessEqual(float(found.group(1)), EXPOSURE_LIMIT)
        self.assertIn(found.group(2), ("OK", "SAFE", "PERFECT"))

    def test_the_daily_backup_timer_is_enabled_at_install_and_its_unit_rated_ok_or_better(self):
        with open(self.path(BACKUP_TIMER)) as f:
            timer = f.read()
        for line in ("OnCalendar=*-*-* 01:30", "Persistent=true", "WantedBy=timers.target"):
            self.assertRegex(timer, rf"(?m)^{re.escape(line)}$")
        self.assertRegex(timer, r"(?m)^RandomizedDelaySec=\d+")
        with open(self.path(BACKUP_UNIT)) as f:
            unit = f.read()
        for line in ("Type=oneshot", "ExecStart=/usr/bin/relais backup --config /etc/relais/relais.toml",
                     "User=relais", "ProtectSystem=strict", "PrivateNetwork=yes", "CapabilityBoundingSet="):
            self.assertRegex(unit, rf"(?m)^{re.escape(line)}$")
        self.assertNotIn("[Install]", unit)  # run by its timer, or by hand
        with open(self.path("/DEBIAN/postinst")) as f:
            postinst = f.read()
        # dh_installsystemd: the timer enabled and started at install; the backup never run then.
        self.assertRegex(postinst, r"deb-systemd-helper (--quiet )?enable 'relais-backup\.timer'")
        self.assertRegex(postinst, r"deb-systemd-invoke \$_dh_action .*'relais-backup\.timer'")
        self.assertNotIn("relais-backup.service", postinst)
        self.assert_rated_ok_or_better(self.path(BACKUP_UNIT))


if __name__ == "__main__":
    unittest.main(verbosity=2)
