"""Atom feeds: timestamps in RFC 3339, entry ids that never change for an article."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from generator.article import Article


def rfc3339(date: str | None, fallback: str) -> str:
    """Feeds need a full timestamp; a date alone is read as midnight UTC, for the feed only."""
    value = date or fallback
    if len(value) == 10:
        return f"{value}T00:00:00Z"
    if value[-6] in "+-" or value.endswith("Z"):
        return value
    return value + "Z"


def feed_updated(articles: tuple[Article, ...]) -> str:
    """The newest article's date, or SOURCE_DATE_EPOCH: never the wall clock, so builds repeat."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    newest = max((a.date for a in articles if a.date), default="1970-01-01")
    return rfc3339(newest, "1970-01-01")
