"""Sluice clients for crawlers: a batching HTTP client (standard library only) and a Scrapy item pipeline."""

from sluice.client import Rejected, SluiceClient, SluiceError, Summary

__all__ = ["SluiceClient", "Rejected", "SluiceError", "Summary"]
