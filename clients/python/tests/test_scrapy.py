"""The Scrapy pipeline in a real crawl of SLUICE_TEST_SITE (served by PythonClientIT), posting to the real API."""

import os
import unittest

try:
    import scrapy
    from scrapy.crawler import CrawlerProcess
except ImportError:  # the client works without Scrapy; this test needs it
    scrapy = None

API = os.environ.get("SLUICE_API_URL")
KEY = os.environ.get("SLUICE_API_KEY")
SITE = os.environ.get("SLUICE_TEST_SITE")


@unittest.skipUnless(scrapy, "Scrapy is not installed (Debian: apt-get install python3-scrapy)")
@unittest.skipUnless(API and KEY and SITE, "needs a running API and a site: PythonClientIT sets them")
class ScrapyPipelineTest(unittest.TestCase):

    def test_a_crawl_posts_every_page_it_scraped(self):
        class SiteSpider(scrapy.Spider):
            name = "site"
            start_urls = [SITE + "/index.html"]

            def parse(self, response):
                yield {"url": response.url, "status": response.status, "title": response.css("title::text").get(),
                       "content_type": response.headers.get("Content-Type", b"").decode("latin-1"), "body": response.text,
                       "crawler": "scrapy-test"}
                yield from response.follow_all(css="a", callback=self.parse)

        process = CrawlerProcess(settings={
            "ITEM_PIPELINES": {"sluice.scrapy.SluicePipeline": 800},
            "SLUICE_API_URL": API, "SLUICE_API_KEY": KEY, "SLUICE_BATCH_SIZE": 5,
            "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": False,
        })
        crawler = process.create_crawler(SiteSpider)
        process.crawl(crawler)
        process.start()
        stats = crawler.stats.get_stats()
        self.assertEqual(stats.get("sluice/rejected"), 0)
        self.assertEqual(stats.get("sluice/accepted"), stats.get("item_scraped_count"))
        self.assertGreaterEqual(stats.get("sluice/accepted"), 13)


if __name__ == "__main__":
    unittest.main()
