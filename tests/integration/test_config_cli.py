"""`relais check-config` and refusing to start on a bad configuration."""

import os
import subprocess
import unittest

from relais_harness import BIN, SOURCE, RelaisTestCase

BAD = """[http]
lan_lisen = "0.0.0.0:8080"
public_listen = "127.0.0.1:8081"

[modem]
baud = "fast"

[mail]
tls = "ssl"
"""


class ConfigTest(RelaisTestCase):

    def write(self, text):
        path = os.path.join(self.workdir, "relais.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_relais(self, *args):
        return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30)

    def test_the_checkout_default_is_valid(self):
        r = self.run_relais("check-config", "--config", os.path.join(SOURCE, "config/relais.toml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK", r.stdout)
        self.assertIn("modem virtual", r.stdout)

    def test_problems_name_file_line_and_key(self):
        path = self.write(BAD)
        r = self.run_relais("check-config", "--config", path)
        self.assertEqual(r.returncode, 1)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(lines[0], f"{path}:2: [http] lan_lisen: unknown key (did you mean lan_listen?)")
        self.assertEqual(lines[1], f"{path}:6: [modem] baud: expected an integer, got a string")
        self.assertEqual(lines[2], f'{path}:9: [mail] tls: expected one of "none", "starttls", "opportunistic", "tls", got "ssl"')
        self.assertEqual(lines[3], f"3 problems in {path}")

    def test_relais_refuses_to_start_with_one_clear_line(self):
        path = self.write(BAD)
        r = self.run_relais("--config", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn(f"{path}:2: [http] lan_lisen: unknown key", lines[0])
        self.assertIn("and 2 more", lines[0])
        self.assertFalse(os.path.exists(os.path.join(self.workdir, "var")))  # nothing was created

    def test_a_missing_file_and_a_syntax_error(self):
        r = self.run_relais("check-config", "--config", os.path.join(self.workdir, "nope.toml"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot read the file", r.stderr)
        path = self.write('[dealer]\nname = "Garage\n')
        r = self.run_relais("--config", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(f"{path}:2:", r.stderr)
        self.assertIn("not valid TOML", r.stderr)

    def test_a_port_in_use_is_a_clear_error(self):
        with self.relais() as first:
            path = self.write(f"""[http]
lan_listen = "127.0.0.1:{first.lan}"
public_listen = "127.0.0.1:0"
[storage]
data_dir = "{self.workdir}/other"
""")
            r = self.run_relais("--config", path)
            self.assertEqual(r.returncode, 2)
            self.assertIn(f"cannot listen on 127.0.0.1:{first.lan} (lan)", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
