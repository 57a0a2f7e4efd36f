"""A client for Sluice's write API, with nothing beyond Python's standard library.

Pages are batched (by count and by bytes), posted gzipped as NDJSON to ``POST /v1/pages/batch``, and retried the way
the API asks: ``429`` and ``503`` after ``Retry-After`` (with jitter), connection failures and other ``5xx`` with
bounded exponential backoff, ``413`` by splitting the batch. Pages the API refuses by name (``400``) are reported
with the API's reason, never silently dropped; ``401``/``403`` stop the client.

    client = SluiceClient("http://localhost:8080", api_key)
    client.add({"url": "https://example.com/", "fetched_at": "2026-11-20T10:15:30Z", "title": "Example"})
    summary = client.close()   # flushes; summary.accepted, summary.rejected
"""

import gzip
import json
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, List, Optional


class SluiceError(Exception):
    """The API refused the key (401/403): nothing more can be sent with it."""


@dataclass
class Rejected:
    page: dict
    reason: str


@dataclass
class Summary:
    accepted: int = 0
    rejected: List[Rejected] = field(default_factory=list)
    retried: int = 0


class SluiceClient:
    def __init__(self, api_url: str, api_key: str, batch_size: int = 500, batch_bytes: int = 4 << 20,
                 max_attempts: int = 8, timeout: float = 60.0, on_rejected: Optional[Callable[[Rejected], None]] = None,
                 sleep: Callable[[float], None] = time.sleep):
        if not api_key:
            raise ValueError("an API key is needed (sluice keys create)")
        self.endpoint = api_url.rstrip("/") + "/v1/pages/batch"
        self.api_key = api_key
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.on_rejected = on_rejected
        self.sleep = sleep
        self.summary = Summary()
        self._pending: List[bytes] = []
        self._pages: List[dict] = []
        self._pending_bytes = 0

    def add(self, page: dict) -> None:
        """Queues a page (the POST format: url and fetched_at, then any of status, title, content_type, body, metadata)."""
        line = json.dumps(page, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if self._pending and (len(self._pending) >= self.batch_size or self._pending_bytes + len(line) + 1 > self.batch_bytes):
            self.flush()
        self._pending.append(line)
        self._pages.append(page)
        self._pending_bytes += len(line) + 1

    def flush(self) -> None:
        """Sends what is queued; returns once every page of it is accepted or rejected."""
        lines, pages = self._pending, self._pages
        self._pending, self._pages, self._pending_bytes = [], [], 0
        if lines:
            self._send(lines, pages)

    def close(self) -> Summary:
        self.flush()
        return self.summary

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _send(self, lines: List[bytes], pages: List[dict]) -> None:
        attempt = 0
        while lines:
            try:
                status, headers, body = self._post(lines)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                attempt += 1
                if attempt >= self.max_attempts:
                    self._reject_all(pages, "not accepted after %d attempts: %s" % (attempt, error))
                    return
                self.sleep(self._backoff(attempt))
                continue
            problem = _json(body)
            if status == 202:
                self.summary.accepted += len(lines)
                return
            if status in (429, 503):
                self.summary.retried += len(lines)
                self.sleep(self._retry_after(headers))
                continue
            if status == 400 and problem.get("errors"):
                bad = {}
                for error in problem["errors"]:
                    index = error.get("index", -1)
                    if 0 <= index < len(lines):
                        where = (error["field"] + ": ") if error.get("field") else ""
                        bad[index] = "400 " + where + str(error.get("message") or error.get("code") or "invalid")
                if bad:
                    for index, reason in bad.items():
                        self._reject(pages[index], reason)
                    keep = [i for i in range(len(lines)) if i not in bad]
                    lines, pages = [lines[i] for i in keep], [pages[i] for i in keep]
                    continue
            if status == 413 and len(lines) > 1:
                limit = problem.get("limit_pages") or 0
                size = limit if 0 < limit < len(lines) else (len(lines) + 1) // 2
                for start in range(0, len(lines), size):
                    self._send(lines[start:start + size], pages[start:start + size])
                return
            if status in (400, 413, 415, 422):
                if len(lines) == 1:
                    self._reject(pages[0], "%d %s" % (status, problem.get("detail", body.decode("utf-8", "replace"))))
                    return
                half = len(lines) // 2  # the API named no item: halve until it does
                self._send(lines[:half], pages[:half])
                self._send(lines[half:], pages[half:])
                return
            if status in (401, 403):
                raise SluiceError("%d %s" % (status, problem.get("detail", "the API refused the key")))
            attempt += 1
            if attempt >= self.max_attempts:
                self._reject_all(pages, "not accepted after %d attempts: %d %s" % (attempt, status, problem.get("detail", "")))
                return
            self.sleep(self._backoff(attempt))

    def _post(self, lines: List[bytes]):
        request = urllib.request.Request(self.endpoint, data=gzip.compress(b"\n".join(lines) + b"\n"), method="POST", headers={
            "Content-Type": "application/x-ndjson", "Content-Encoding": "gzip", "Authorization": "Bearer " + self.api_key})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def _retry_after(self, headers) -> float:
        try:
            seconds = max(1.0, float(headers.get("Retry-After", "1")))
        except ValueError:
            seconds = 1.0
        return seconds * random.uniform(1.0, 1.25)  # jitter: a fleet does not come back all at once

    @staticmethod
    def _backoff(attempt: int) -> float:
        return min(30.0, 0.25 * (2 ** min(attempt, 10))) * random.uniform(0.5, 1.0)

    def _reject(self, page: dict, reason: str) -> None:
        rejected = Rejected(page, reason)
        self.summary.rejected.append(rejected)
        if self.on_rejected:
            self.on_rejected(rejected)

    def _reject_all(self, pages: List[dict], reason: str) -> None:
        for page in pages:
            self._reject(page, reason)


def _json(body: bytes) -> dict:
    try:
        value = json.loads(body.decode("utf-8"))
        return value if isinstance(value, dict) else {}
    except (ValueError, UnicodeDecodeError):
        return {}
