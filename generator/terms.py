"""Find an editor's terms in text fast: one pass over the words, dictionary look-ups, no regex.

A term is a word or phrase ('mining code', 'chargé d'affaires'); a final `*` makes
its last word a prefix ('arraign*'); a plain word also matches its plural and
possessive. Words in phrases are matched on word boundaries across spaces and
hyphens. At one position the longest single-word term wins ('mineral*' over
'miner*'), while phrases are counted on top of their words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress

_TOKEN = re.compile(r"[0-9a-zà-öø-ÿ]+(?:['’][a-z]+)?")


def tokens(text: str) -> list[str]:
    """Lower-case words, without a possessive 's."""
    low = text.lower().replace("’", "'")
    found = _TOKEN.findall(low)
    if "'s" not in low:
        return found
    return [t[:-2] if t.endswith("'s") else t for t in found]


@dataclass(frozen=True, slots=True)
class _Term:
    index: int
    words: tuple[str, ...]
    prefix: bool
    """The last word is a prefix."""
    group: int
    """Terms of one group compete: at a position only the longest single word of a group counts."""


_Start = tuple[tuple[tuple[_Term, "frozenset[str] | None"], ...], tuple[int, ...]]
"""(phrases that may start at a word, each with the forms its second word may take (None: a
prefix), indexes of the single-word terms it matches)."""


class _Memo(dict[str, "_Start | None"]):
    """Word -> what may start at it, worked out on first sight: most words start nothing."""

    def __init__(self, compute: Callable[[str], _Start | None]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, token: str) -> _Start | None:
        found = self.compute(token)
        if len(self) < 500_000:
            self[token] = found
        return found


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
        self._starting = _Memo(self._start)

    def _start(self, token: str) -> _Start | None:
        """The phrases whose first word this is, and the single-word terms it is, already reduced
        to the longest of each group: all that depends on the word alone, worked out once per word."""
        phrases: list[tuple[_Term, frozenset[str] | None]] = []
        best: dict[int, _Term] = {}
        for term in self._lookup(token):
            if not _word_matches(token, term.words[0], term.prefix and len(term.words) == 1):
                continue
            if len(term.words) > 1:
                second = term.words[1]
                last_is_prefix = term.prefix and len(term.words) == 2
                phrases.append((term, None if last_is_prefix else frozenset((second, second + "s", second + "es"))))
            elif term.group not in best or len(term.words[0]) > len(best[term.group].words[0]):
                best[term.group] = term
        if not phrases and not best:
            return None
        return tuple(phrases), tuple(term.index for term in best.values())

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
        """Term index -> occurrences; phrases are counted before the single words at a position."""
        found: list[int] = []  # term indexes, in the order they are found
        starts = list(map(self._starting.__getitem__, words))
        for i in compress(range(len(words)), starts):  # only the words where some term starts
            phrases, singles = starts[i]  # type: ignore[misc]  # compress left out the Nones
            for term, second in phrases:
                if second is not None and (i + 1 == len(words) or words[i + 1] not in second):
                    continue  # the usual case, told without a call
                if self._rest_matches(term, words, i):
                    found.append(term.index)
            found.extend(singles)
        return dict(Counter(found))  # counted in C; keys in order of first finding, as before

    @staticmethod
    def _rest_matches(term: _Term, words: list[str], i: int) -> bool:
        """The words of a phrase after its first (which `_start` has matched)."""
        if i + len(term.words) > len(words):
            return False
        last = len(term.words) - 1
        for k in range(1, last + 1):
            if not _word_matches(words[i + k], term.words[k], term.prefix and k == last):
                return False
        return True

    def any(self, words: list[str]) -> bool:
        return bool(self.counts(words))
