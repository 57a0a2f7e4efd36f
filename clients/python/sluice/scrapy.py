"""A Scrapy item pipeline that posts scraped pages to Sluice.

    ITEM_PIPELINES = {"sluice.scrapy.SluicePipeline": 800}
    SLUICE_API_URL = "http://localhost:8080"
    SLUICE_API_KEY = "slk_..."          # or the SLUICE_API_KEY environment variable
    SLUICE_BATCH_SIZE = 500             # pages per request

An item becomes a page from its fields ``url`` (required), ``fetched_at`` (default: now), ``status``, ``title``,
``content_type``, ``body`` (or ``html``/``text``) and ``metadata``; any other field goes into ``metadata``. Pages are
batched and flushed when the spider closes; refused pages are logged with the API's reason and counted in the
crawler's stats (``sluice/accepted``, ``sluice/rejected``).
"""

import datetime
import os

from sluice.client import SluiceClient

PAGE_FIELDS = ("url", "fetched_at", "status", "title", "content_type", "body", "metadata")


def item_to_page(item) -> dict:
    fields = dict(item)
    page = {"url": fields.pop("url")}
    page["fetched_at"] = fields.pop("fetched_at", None) or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for name in ("status", "title", "content_type"):
        if fields.get(name) is not None:
            page[name] = fields.pop(name)
    body = fields.pop("body", None) or fields.pop("html", None) or fields.pop("text", None)
    if body is not None:
        page["body"] = body if isinstance(body, str) else body.decode("utf-8", "replace")
    metadata = dict(fields.pop("metadata", None) or {})
    metadata.update({key: value for key, value in fields.items() if value is not None})
    if metadata:
        page["metadata"] = metadata
    return page


class SluicePipeline:
    def __init__(self, api_url, api_key, batch_size, stats=None, logger=None):
        self.client = SluiceClient(api_url, api_key, batch_size=batch_size, on_rejected=self._rejected)
        self.stats = stats
        self.logger = logger

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        api_key = settings.get("SLUICE_API_KEY") or os.environ.get("SLUICE_API_KEY")
        api_url = settings.get("SLUICE_API_URL") or os.environ.get("SLUICE_API_URL", "http://localhost:8080")
        return cls(api_url, api_key, settings.getint("SLUICE_BATCH_SIZE", 500), stats=crawler.stats)

    def open_spider(self, spider):
        self.logger = spider.logger

    def process_item(self, item, spider):
        self.client.add(item_to_page(item))
        return item

    def close_spider(self, spider):
        summary = self.client.close()
        if self.stats is not None:
            self.stats.set_value("sluice/accepted", summary.accepted)
            self.stats.set_value("sluice/rejected", len(summary.rejected))
        spider.logger.info("Sluice: %d page(s) accepted, %d rejected", summary.accepted, len(summary.rejected))

    def _rejected(self, rejected):
        if self.logger is not None:
            self.logger.warning("Sluice refused %s: %s", rejected.page.get("url"), rejected.reason)
