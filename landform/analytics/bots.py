"""Which requests are not people: crawlers, link previewers, monitors and browsers prefetching a page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crawlerdetect import CrawlerDetect

_detector = CrawlerDetect()


@lru_cache(maxsize=4096)
def _is_crawler(user_agent: str) -> bool:
    return _detector.isCrawler(user_agent)


def is_bot(headers: Any) -> bool:
    """True for requests that must not count as a view (`headers`: the request's headers)."""
    user_agent = (headers.get("user-agent") or "").strip()
    if not user_agent or _is_crawler(user_agent[:500]):
        return True
    # Speculative loads: the visitor may never see the page.
    purpose = (headers.get("sec-purpose") or headers.get("purpose") or headers.get("x-moz") or "").lower()
    return "prefetch" in purpose or "prerender" in purpose
