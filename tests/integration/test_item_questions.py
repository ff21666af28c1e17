"""Questions on an item through the real `relais` (issue 15): the customer asks on the public
listener (refusals name the field), the advisor is notified and sees the thread through the API,
answers three times; the answers show on the customer's page at once, but no SMS leaves before the
ten quiet minutes; the message's due time moved back in the database while relais is stopped (as
test_notifications.py does with digests, rather than waiting), ONE SMS with the link reaches the
emulated modem at the next start, and more restarts send no second one. The harness's
configuration is always open (`[hours] open = ""`)."""

import json
import os
import sqlite3
import time
import unittest

from relais_harness import RelaisTestCase
from test_customer_links import RO, Device, SmsLinks

PASSWORD = "Garage-Test-2026"


class ItemQuestionTest(SmsLinks, RelaisTestCase):

    def journal(self, r):
        path = os.path.join(r.data, "modem", "journal.jsonl")
        with open(path, encoding="utf-8") as f:
            return [m["text"] for m in map(json.loads, f) if m.get("kind") == "message"]

    def test_questions_answers_and_one_message_after_the_burst(self):
        r = self.relais()
        r.start()
        c = self.admin(r, PASSWORD)
        ro = c.post("/api/v1/repair-orders", RO).json()
        phone = ro["parties"][0]["contact_points"][0]["id"]
        self.assertEqual(c.post(f"/api/v1/repair-orders/{ro['id']}/offers", {"recipients": [phone]}).status, 201)
        token = self.wait_for_links(r, 1)[0]
        items = [i["id"] for i in ro["interventions"]]
        device = Device(r.public)
        self.assertEqual(device.request("POST", f"/o/{token}/open", {})[0], 200)

        # Untrusted input: each refusal names what is wrong.
        for body, field, code in [({"intervention_id": items[1], "text": "   "}, "text", "required"),
                                  ({"intervention_id": items[1], "text": "x" * 1001}, "text", "too_long"),
                                  ({"intervention_id": 999999, "text": "Quoi ?"}, "intervention_id", "unknown_item"),
                                  ({"text": "Quoi ?"}, "intervention_id", "required"),
                                  ({"intervention_id": "2", "text": "Quoi ?"}, "intervention_id", "invalid_type")]:
            status, answer, _ = device.request("POST", f"/o/{token}/question", body)
            self.assertEqual(status, 422, answer)
            self.assertEqual(answer["error"]["fields"][0]["field"], field, answer)
            self.assertEqual(answer["error"]["fields"][0]["code"], code, answer)
            self.assertTrue(answer["error"]["fields"][0]["message"])
        stranger = Device(r.public)
        self.assertEqual(stranger.request("POST", f"/o/{token}/question",
                                          {"intervention_id": items[1], "text": "Et moi ?"})[0], 403)

        status, asked, _ = device.request("POST", f"/o/{token}/question",
                                          {"intervention_id": items[1], "text": "C'est vraiment urgent ?"})
        self.assertEqual(status, 201, asked)
        thread = [i for i in asked["offer"]["items"] if i["id"] == items[1]][0]["questions"]
        self.assertEqual([(q["author"], q["text"]) for q in thread], [("customer", "C'est vraiment urgent ?")])
        status, _, _ = device.request("POST", f"/o/{token}/question",
                                      {"intervention_id": items[0], "text": "La vidange est comprise ?"})
        self.assertEqual(status, 201)

        # The advisor: notified, the threads through the API.
        kinds = [n["kind"] for n in c.get("/api/v1/notifications?unread=1").json()["items"]]
        self.assertEqual(kinds.count("question"), 2, kinds)
        listed = c.get(f"/api/v1/repair-orders/{ro['id']}/questions").json()["items"]
        self.assertEqual(len(listed), 2)
        url = f"/api/v1/repair-orders/{ro['id']}/questions"
        self.assertEqual(c.post(f"{url}/{items[1]}/answers", {"text": ""}).status, 422)
        self.assertEqual(c.post(f"{url}/{items[1]}/answers", {"text": "Oui", "extra": 1}).status, 422)
        for item, text in [(items[1], "Oui : 2 mm de garniture."), (items[1], "Je peux les faire ce matin."),
                           (items[0], "Oui, elle est dans le forfait.")]:
            answered = c.post(f"{url}/{item}/answers", {"text": text})
            self.assertEqual(answered.status, 201, answered)
        timeline = [e["type"] for e in c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]]
        self.assertEqual(timeline.count("item.question_answered"), 3, timeline)

        # On the page at once; the message waits.
        status, opened, _ = device.request("POST", f"/o/{token}/open", {})
        thread = [i for i in opened["offer"]["items"] if i["id"] == items[1]][0]["questions"]
        self.assertEqual([q["author"] for q in thread], ["customer", "advisor", "advisor"])
        time.sleep(1.0)
        self.assertEqual(len(self.journal(r)), 1)

        # Stopped ten minutes: the message fell due, and goes at the next start, once.
        self.assertEqual(r.stop(), 0)
        db = sqlite3.connect(os.path.join(r.data, "relais.db"))
        with db:
            n = db.execute("UPDATE offer_answer_messages SET due_at = due_at - 600001, first_at = first_at - 600001"
                           ).rowcount
        db.close()
        self.assertEqual(n, 1)
        r.start()
        links = self.wait_for_links(r, 2)
        texts = self.journal(r)
        self.assertEqual(len(texts), 2, texts)
        self.assertIn("répondu à vos questions", texts[1])
        self.assertEqual(len(links[1]), 22)
        for _ in range(2):
            self.assertEqual(r.stop(), 0)
            r.start()
            time.sleep(1.5)
            self.assertEqual(len(self.journal(r)), 2)
        c = r.client()
        self.assertEqual(c.sign_in("admin", PASSWORD).status, 200)
        timeline = [e["type"] for e in c.get(f"/api/v1/repair-orders/{ro['id']}/timeline").json()["items"]]
        self.assertEqual(timeline.count("item.answers_queued"), 1, timeline)
        r.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
