"""Live updates through the real `relais` (GET /api/v1/events, server-sent events): a signed-in
page receives one `ro` event per committed change of a repair order (an edit, an offer sent,
its SMS accepted by the emulated modem, the customer opening the link), a stranger gets 401,
a stop ends open streams cleanly instead of waiting on them, and signing out ends that
session's stream at once."""

import json
import select
import signal
import socket
import time
import unittest

from relais_harness import RelaisTestCase

RO = {
    "vehicle": {"plate": "ab-123-cd", "make": "Peugeot", "model": "308"},
    "parties": [{"roles": ["driver"], "first_name": "Hélène", "last_name": "Lefèvre",
                 "contact_points": [{"kind": "phone", "value": "06 12 34 56 78"}]}],
    "interventions": [{"label": "Vidange", "price_excl_cents": 8900}],
}


class EventStream:
    """A raw socket reading the event stream, so the test sees every byte as it comes."""

    def __init__(self, port, cookies):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.sock.sendall((f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                           f"Accept: text/event-stream\r\nCookie: {cookie}\r\n\r\n").encode())
        self.raw = b""

    def _read(self, done, timeout, what):
        """Reads until done() holds; fails naming `what` when time runs out or the stream ends."""
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {what} within {timeout} s; got {self.raw.decode(errors='replace')!r}")
            ready, _, _ = select.select([self.sock], [], [], left)
            if ready:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise AssertionError(f"stream closed before {what}: {self.raw.decode(errors='replace')!r}")
                self.raw += chunk

    def read_until(self, needle, timeout=10.0):
        self._read(lambda: needle.encode() in self.raw, timeout, repr(needle))
        return self.raw.decode()

    def events(self):
        """The `ro` events so far, as the ids they carry."""
        out = []
        for line in self.raw.decode().splitlines():
            if line.startswith("data: "):
                out.append(json.loads(line[6:])["ids"])
        return out

    def wait_events(self, count, timeout=20.0):
        """Reads until `count` events have come; returns them all."""
        self._read(lambda: len(self.events()) >= count, timeout, f"{count} events")
        return self.events()

    def read_to_end(self, timeout=15.0):
        """Reads until the server closes the stream."""
        self.sock.settimeout(timeout)
        while chunk := self.sock.recv(65536):
            self.raw += chunk

    def close(self):
        self.sock.close()


class EventsTest(RelaisTestCase):

    def test_changes_reach_an_open_stream(self):
        with self.relais() as r:
            c = self.admin(r)
            stranger = r.client().get("/api/v1/events")
            self.assertEqual(stranger.status, 401, stranger)

            stream = EventStream(r.lan, c.cookies)
            head = stream.read_until("\r\n\r\n")
            self.assertIn("HTTP/1.1 200", head)
            self.assertIn("Content-Type: text/event-stream", head)
            self.assertIn("Connection: close", head)
            stream.read_until("retry: 3000\n")

            created = c.post("/api/v1/repair-orders", RO)
            self.assertEqual(created.status, 201, created)
            ro = created.json()
            stream.read_until(f'data: {{"ids":[{ro["id"]}]}}')

            before = len(stream.events())
            patched = c.patch(f"/api/v1/repair-orders/{ro['id']}", {"note": "Client attend sur place"},
                              headers={"If-Match": str(ro["version"])})
            self.assertEqual(patched.status, 200, patched)
            self.assertEqual(stream.wait_events(before + 1)[-1], [ro["id"]])

            # An offer by SMS: sent, then accepted by the emulated modem — each its own event.
            phone = ro["parties"][0]["contact_points"][0]["id"]
            before = len(stream.events())
            sent = c.post(f"/api/v1/repair-orders/{ro['id']}/offers",
                          {"recipients": [{"contact_point_id": phone, "channel": "sms"}], "note": "Bonjour"})
            self.assertEqual(sent.status, 201, sent)
            events = stream.wait_events(before + 2)
            self.assertTrue(all(ids == [ro["id"]] for ids in events[before:]), events)
            offer = c.get(f"/api/v1/offers/{sent.json()['id']}").json()
            self.assertIn(offer["state"], ("sent", "received"))

            # A stop closes the open stream and exits without waiting on it.
            r.proc.send_signal(signal.SIGTERM)
            stream.read_to_end()
            self.assertEqual(r.proc.wait(timeout=15), 0)
            stream.close()
            self.assertIn("stopped cleanly", r.stderr())
            # A stream counted as in flight would hold the stop for its grace period, then be cut off.
            self.assertNotRegex(r.stderr(), r"[1-9]\d* cut off", "the stop waited on the open stream")

    def test_signing_out_ends_the_stream(self):
        with self.relais() as r:
            c = self.admin(r)
            other = r.client()  # the same admin in a second browser
            self.assertEqual(other.sign_in("admin", "Garage-Test-2026").status, 200)
            stream = EventStream(r.lan, c.cookies)
            stream.read_until("retry: 3000\n")
            kept = EventStream(r.lan, other.cookies)
            kept.read_until("retry: 3000\n")

            self.assertEqual(c.delete("/api/v1/session").status, 204)
            stream.read_to_end(timeout=5)  # ended at once, not after its 30 minutes
            stream.close()

            # The other browser's session is still valid: its stream goes on.
            created = other.post("/api/v1/repair-orders", RO)
            self.assertEqual(created.status, 201, created)
            kept.read_until(f'data: {{"ids":[{created.json()["id"]}]}}')
            kept.close()


if __name__ == "__main__":
    unittest.main()
