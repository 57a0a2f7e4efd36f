"""The client against the real API (started by PythonClientIT, which passes SLUICE_API_URL and SLUICE_API_KEY)."""

import os
import unittest

from sluice import SluiceClient, SluiceError

API = os.environ.get("SLUICE_API_URL")
KEY = os.environ.get("SLUICE_API_KEY")


@unittest.skipUnless(API and KEY, "needs a running API: SLUICE_API_URL and SLUICE_API_KEY (PythonClientIT sets them)")
class ClientTest(unittest.TestCase):

    def test_every_page_is_accepted_across_413_and_429_and_a_bad_one_is_reported(self):
        reported = []
        client = SluiceClient(API, KEY, batch_size=500, on_rejected=reported.append)
        for i in range(1200):
            client.add({"url": "https://python-client.example/%d" % i, "fetched_at": "2026-11-20T10:00:00Z", "status": 200,
                        "title": "Page %d" % i, "content_type": "text/html", "body": "<p>caf\u00e9 %d</p>" % i})
        client.add({"fetched_at": "2026-11-20T10:00:00Z", "title": "no url"})
        summary = client.close()
        self.assertEqual(summary.accepted, 1200)
        self.assertEqual(len(summary.rejected), 1)
        self.assertIn("url", summary.rejected[0].reason)
        self.assertEqual(reported, summary.rejected)
        self.assertGreater(summary.retried, 0, "the key's rate made the API answer 429, and the client waited them out")

    def test_a_refused_key_stops_the_client(self):
        client = SluiceClient(API, "slk_00000000_00000000000000000000000000000000")
        client.add({"url": "https://python-client.example/refused", "fetched_at": "2026-11-20T10:00:00Z"})
        with self.assertRaises(SluiceError) as refused:
            client.close()
        self.assertIn("401", str(refused.exception))


if __name__ == "__main__":
    unittest.main()
