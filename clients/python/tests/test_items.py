"""How an item becomes a page (no API needed)."""

import unittest

from sluice.scrapy import item_to_page


class ItemToPageTest(unittest.TestCase):

    def test_known_fields_map_and_the_rest_goes_to_metadata(self):
        page = item_to_page({"url": "https://a.example/", "status": 200, "title": "A", "html": b"<p>\xc3\xa9</p>",
                             "crawler": "c-17", "metadata": {"depth": 2}, "empty": None})
        self.assertEqual(page["url"], "https://a.example/")
        self.assertEqual(page["body"], "<p>\u00e9</p>")
        self.assertEqual(page["metadata"], {"depth": 2, "crawler": "c-17"})
        self.assertRegex(page["fetched_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$")

    def test_a_given_fetch_time_is_kept(self):
        self.assertEqual(item_to_page({"url": "u", "fetched_at": "2026-11-20T10:00:00Z"})["fetched_at"], "2026-11-20T10:00:00Z")


if __name__ == "__main__":
    unittest.main()
