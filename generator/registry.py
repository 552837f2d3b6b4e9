"""The outlets and agencies a corpus can name, built from configuration.

Nothing about any particular outlet lives in code: `briefing.yml` lists each
source with its aliases, the cues that reveal it in text and its web domains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from generator.config import Config, Cue, SourceEntry


@dataclass(frozen=True, slots=True)
class CueHit:
    entry: SourceEntry
    cue: Cue


class SourceRegistry:
    """Looks sources up by name, alias, cue or domain."""

    def __init__(self, entries: tuple[SourceEntry, ...]) -> None:
        self.entries = entries
        self._by_name: dict[str, SourceEntry] = {}
        for entry in entries:
            for name in (entry.name, *entry.aliases):
                self._by_name.setdefault(_key(name), entry)
        self._by_domain = {d.lower(): e for e in entries for d in e.domains}

    def named(self, name: str) -> SourceEntry | None:
        """The entry a name or alias refers to ('Agence France-Presse' -> AFP)."""
        return self._by_name.get(_key(name))

    def canonical(self, name: str) -> str:
        entry = self.named(name)
        return entry.name if entry else name.strip()

    def by_url(self, url: str) -> SourceEntry | None:
        host = url_host(url)
        while host:
            if host in self._by_domain:
                return self._by_domain[host]
            host = host.partition(".")[2] if host.count(".") > 1 else ""
        return None

    def find_cues(self, text: str, where: str) -> list[CueHit]:
        """Cues of the given placement present in the text, in registry order."""
        hits = []
        for entry in self.entries:
            for cue in entry.cues:
                if cue.where == where and _cue_pattern(cue.text).search(text):
                    hits.append(CueHit(entry, cue))
        return hits


def url_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


@lru_cache(maxsize=1024)
def _cue_pattern(text: str) -> re.Pattern[str]:
    """A cue matches as written, not inside a longer word ('AP' is not in 'APPLE')."""
    start = r"(?<!\w)" if text[:1].isalnum() else ""
    end = r"(?!\w)" if text[-1:].isalnum() else ""
    return re.compile(start + re.escape(text) + end)


@lru_cache(maxsize=8)
def registry_for(config: Config) -> SourceRegistry:
    return SourceRegistry(config.sources)
