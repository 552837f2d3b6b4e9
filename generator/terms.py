"""Find an editor's terms in text fast: one pass over the words, dictionary look-ups, no regex.

A term is a word or phrase ('mining code', 'chargé d'affaires'); a final `*` makes
its last word a prefix ('arraign*'); a plain word also matches its plural and
possessive. Words in phrases are matched on word boundaries across spaces and
hyphens. At one position the longest single-word term wins ('mineral*' over
'miner*'), while phrases are counted on top of their words.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

_TOKEN = re.compile(r"[0-9a-zà-öø-ÿ]+(?:['’][a-z]+)?")


def tokens(text: str) -> list[str]:
    return [t.replace("’", "'").removesuffix("'s") for t in _TOKEN.findall(text.lower())]


@dataclass(frozen=True, slots=True)
class _Term:
    index: int
    words: tuple[str, ...]
    prefix: bool
    """The last word is a prefix."""
    group: int
    """Terms of one group compete: at a position only the longest single word of a group counts."""


def _word_matches(token: str, word: str, prefix: bool) -> bool:
    if prefix:
        return token.startswith(word)
    return token == word or token == word + "s" or token == word + "es"


class TermMatcher:
    """Counts, for each term, how often it occurs in a list of tokens."""

    def __init__(self, terms: tuple[str, ...], groups: tuple[int, ...] | None = None) -> None:
        self.terms = terms
        groups = groups or (0,) * len(terms)
        self._exact: dict[str, list[_Term]] = defaultdict(list)
        self._prefix: dict[int, dict[str, list[_Term]]] = defaultdict(lambda: defaultdict(list))
        for i, term in enumerate(terms):
            prefix = term.endswith("*")
            words = tuple(tokens(term.rstrip("*")))
            if not words:
                continue
            item = _Term(i, words, prefix, groups[i])
            if prefix and len(words) == 1:
                self._prefix[len(words[0])][words[0]].append(item)
            else:
                self._exact[words[0]].append(item)
        self._prefix_lengths = sorted(self._prefix, reverse=True)
        self._memo: dict[str, tuple[_Term, ...]] = {}

    def _starting(self, token: str) -> tuple[_Term, ...]:
        """Terms that may start at this word; memoised, since most words start none."""
        found = self._memo.get(token)
        if found is None:
            found = self._lookup(token)
            if len(self._memo) < 500_000:
                self._memo[token] = found
        return found

    def _lookup(self, token: str) -> tuple[_Term, ...]:
        found = list(self._exact.get(token, ()))
        for stem in (token[:-1], token[:-2]):
            if stem and stem in self._exact:
                found.extend(t for t in self._exact[stem] if t.words[0] == stem)
        for length in self._prefix_lengths:
            if len(token) >= length:
                found.extend(self._prefix[length].get(token[:length], ()))
        return tuple(found)

    def counts(self, words: list[str]) -> dict[int, int]:
        counts: dict[int, int] = {}
        starting = self._starting
        for i, token in enumerate(words):
            candidates = starting(token)
            if not candidates:
                continue
            best: dict[int, _Term] = {}
            for term in candidates:
                if not self._matches_at(term, words, i):
                    continue
                if len(term.words) > 1:
                    counts[term.index] = counts.get(term.index, 0) + 1
                elif term.group not in best or len(term.words[0]) > len(best[term.group].words[0]):
                    best[term.group] = term
            for term in best.values():
                counts[term.index] = counts.get(term.index, 0) + 1
        return counts

    @staticmethod
    def _matches_at(term: _Term, words: list[str], i: int) -> bool:
        if i + len(term.words) > len(words):
            return False
        last = len(term.words) - 1
        return all(_word_matches(words[i + k], w, term.prefix and k == last)
                   for k, w in enumerate(term.words))

    def any(self, words: list[str]) -> bool:
        return bool(self.counts(words))
