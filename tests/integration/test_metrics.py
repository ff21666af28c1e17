"""GET /metrics (issue 13, monitoring): Prometheus' text format on the lan listener, for the
dealership's IT — the outbox per channel and state, the modem, the data's disk, the listeners —
read here as a scraper would, around a real SMS sent through the emulated modem. The public
listener (the internet) does not serve it."""

import re
import time
import unittest

from relais_harness import SIMPLE_RO, RelaisTestCase, wait_for

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, frozenset(labels)): value}, and {name: type}; fails on a line a scraper rejects."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        if line.startswith("# HELP ") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(LABEL.findall(m.group(3) or ""))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples, types


class MetricsTest(RelaisTestCase):

    def test_a_scraper_reads_the_outbox_the_modem_the_disk_and_the_listeners(self):
        with self.relais() as r:
            scraper = r.client()  # no session: like /healthz, read by the IT's monitoring
            first = scraper.get("/metrics")
            self.assertEqual(first.status, 200, first)
            self.assertEqual(first.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8")
            samples, types = parse(first.body)
            self.assertEqual(samples[("relais_database_up", frozenset())], 1)
            self.assertEqual(types["relais_outbox_messages"], "gauge")
            self.assertEqual(types["relais_http_connections_accepted_total"], "counter")
            self.assertEqual(samples[("relais_outbox_messages", frozenset({("channel", "sms"), ("state", "delivered")}))],
                             0)
            self.assertGreater(samples[("relais_data_disk_size_bytes", frozenset())], 0)
            self.assertGreater(samples[("relais_data_disk_free_bytes", frozenset())], 0)
            self.assertTrue(any(name == "relais_info" and dict(labels).get("version") for name, labels in samples))

            c = self.admin(r)
            ro = c.post("/api/v1/repair-orders", SIMPLE_RO).json()
            phone = next(cp["id"] for cp in ro["parties"][0]["contact_points"] if cp["kind"] == "phone")
            offer = c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]}).json()
            wait_for(lambda: c.get(f"/api/v1/offers/{offer['id']}").json()["messages"][0]["state"] == "delivered",
                     timeout=20, what="the SMS delivered")

            samples, _ = parse(scraper.get("/metrics").body)
            by_state = {dict(labels)["state"]: v for (name, labels), v in samples.items()
                        if name == "relais_outbox_messages" and dict(labels)["channel"] == "sms"}
            self.assertEqual(by_state, {"pending": 0, "sending": 0, "sent": 0, "delivered": 1, "failed": 0,
                                        "quarantined": 0})
            modem = {name: v for (name, labels), v in samples.items() if name.startswith("relais_modem_")}
            self.assertEqual(modem["relais_modem_ready"], 1)
            self.assertEqual(modem["relais_modem_registered"], 1)
            self.assertTrue(0 <= modem["relais_modem_signal_rssi"] <= 31)
            self.assertGreaterEqual(samples[("relais_http_connections_accepted_total",
                                             frozenset({("listener", "lan")}))], 1)

            # Not on the customers' listener.
            self.assertEqual(r.client("public").get("/metrics").status, 404)


if __name__ == "__main__":
    unittest.main()
