"""What changed between builds: articles added, changed and removed.

The history lives in the cache folder, not the clock: a rebuild of the same
inputs adds no entry, so the site stays byte-identical; an entry is stamped
with SOURCE_DATE_EPOCH when it is set, and otherwise only numbered.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from generator.article import Article

KEEP = 100


@dataclass(frozen=True, slots=True)
class ChangeSet:
    build: int
    state: str
    """Hash of every article's id and content: equal states mean nothing changed."""
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    articles: int
    stamp: str | None = None

    @property
    def longest(self) -> int:
        """The longest of its three lists: pages name up to `page_size` of each, and say so when
        one is longer (a first build adds every article)."""
        return max(len(self.added), len(self.changed), len(self.removed))

    def as_json(self) -> dict[str, object]:
        return {"build": self.build, "state": self.state, "added": list(self.added),
                "changed": list(self.changed), "removed": list(self.removed),
                "articles": self.articles, "stamp": self.stamp}


@dataclass(frozen=True, slots=True)
class History:
    entries: tuple[ChangeSet, ...]
    hashes: dict[str, str]
    """Article id -> content hash at the last build."""

    @property
    def latest(self) -> ChangeSet | None:
        return self.entries[-1] if self.entries else None


def read_history(path: Path) -> History:
    """A missing or unreadable history starts afresh: it is a record, never trusted blindly."""
    try:
        data = json.loads(path.read_text())
        entries = tuple(ChangeSet(**{**e, "added": tuple(e["added"]), "changed": tuple(e["changed"]),
                                     "removed": tuple(e["removed"])}) for e in data["entries"])
        return History(entries, dict(data["hashes"]))
    except (OSError, ValueError, KeyError, TypeError):
        return History((), {})


def next_history(history: History, articles: tuple[Article, ...], version: str) -> History:
    hashes = {a.id: hashlib.sha256(f"{version}:{a.content_hash}".encode()).hexdigest()[:16]
              for a in articles}
    state = hashlib.sha256(json.dumps(sorted(hashes.items())).encode()).hexdigest()[:16]
    if history.latest and history.latest.state == state:
        return History(history.entries, hashes)
    old = history.hashes
    entry = ChangeSet(
        build=(history.latest.build + 1) if history.latest else 1, state=state,
        added=tuple(sorted(set(hashes) - set(old))),
        changed=tuple(sorted(i for i in hashes if i in old and old[i] != hashes[i])),
        removed=tuple(sorted(set(old) - set(hashes))), articles=len(hashes), stamp=_stamp())
    return History((*history.entries, entry)[-KEEP:], hashes)


def write_history(path: Path, history: History) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"entries": [e.as_json() for e in history.entries], "hashes": history.hashes}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    tmp.replace(path)


def _stamp() -> str | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        from datetime import datetime, timezone

        return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None
