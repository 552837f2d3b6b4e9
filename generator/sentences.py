"""Sentences and their content words: the unit that corroboration compares across sources."""

from __future__ import annotations

import re
from functools import lru_cache

from generator.article import Sentence

ABBREVIATIONS = {
    "u.s", "u.n", "u.k", "e.u", "mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col",
    "sgt", "capt", "inc", "corp", "co", "ltd", "no", "vs", "e.g", "i.e", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "jr", "sr", "prof", "dept", "approx",
}
_BOUNDARY = re.compile(r"([.!?][\"”’')\]]*)\s+(?=[\"“‘'(\[]?[A-Z0-9À-Þ])")
"""The end of a sentence, from its final mark; the mark and the quotes or brackets that close
after it stay in the sentence (`He said “it will work.”`), the spaces after them are dropped.
Starting with the mark rather than a look-behind lets the regex engine skip to the marks."""
_WORD = re.compile(r"[a-zà-ÿ0-9]+(?:[-'’][a-zà-ÿ0-9]+)*")
STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves said says say told according would could may might must
shall one two new also last next year years week weeks month months day days monday tuesday
wednesday thursday friday saturday sunday january february march april june july august september
october november december mr ms mrs its it's s
""".split())


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(start offset, sentence) pairs; abbreviations like 'U.S.' and initials do not end a sentence."""
    return list(_split(text))


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[tuple[int, str], ...]:
    """Cached: the analyse stage and each extractor split the same paragraph."""
    out = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end(1)  # after the mark and its closing quotes
        before = text[start: end].rstrip("\"”’')]").rsplit(None, 1)  # [..., last word]
        last = before[-1].rstrip(".!?").lower() if before else ""
        if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        out.append((start, text[start: end].strip()))
        start = match.end()
    if text[start:].strip():
        out.append((start, text[start:].strip()))
    return tuple(out)


@lru_cache(maxsize=4096)
def exact_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence `split_sentences` cuts, such that `text[start:end]` is the
    sentence: what a `Sentence` keeps instead of a copy of its text."""
    spans = []
    for offset, sentence in _split(text):
        begin = text.find(sentence, offset) if sentence else offset
        begin = offset if begin < 0 else begin
        spans.append((begin, begin + len(sentence)))
    return tuple(spans)


def sentences_in(text: str) -> tuple[Sentence, ...]:
    """Each sentence of a paragraph with its content words: what corroboration compares."""
    return tuple(Sentence(i, start, end, word_key(text[start:end]))
                 for i, (start, end) in enumerate(exact_spans(text), start=1))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Crude suffix stripping: 'visited', 'visits', 'visiting' -> 'visit'. Enough to match reports."""
    word = word.replace("’", "'").removesuffix("'s")
    if word.endswith(("ss", "us", "is")):
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


SYNONYMS = {
    "trip": "visit", "tour": "visit", "ties": "relation", "re-establish": "restor", "reestablish": "restor",
    "restore": "restor", "nation": "country", "countrie": "country", "u.s": "us", "united": "us",
    "american": "us", "washington": "us", "caracas": "venezuela", "venezuelan": "venezuela",
    "kilogram": "kg", "tonne": "ton", "accus": "allege", "allegation": "allege",
}
"""Words reporters use interchangeably for the same fact (after stemming)."""


@lru_cache(maxsize=8192)
def word_key(sentence: str) -> str:
    """`content_words` as one string, sorted: equal for sentences with the same words, and
    small enough to keep for every sentence of the corpus."""
    return " ".join(sorted(content_words(sentence)))


@lru_cache(maxsize=8192)
def content_words(sentence: str) -> frozenset[str]:
    """Cached: the same sentence recurs in every copy of a wire story, and the corpus-wide
    stages ask again for sentences the analyse stage has read."""
    return frozenset(filter(None, map(_content_word, _WORD.findall(sentence.lower()))))


@lru_cache(maxsize=200_000)
def _content_word(word: str) -> str:
    """A word as `content_words` keeps it (stemmed, synonyms merged), or '' for a stopword;
    cached, because the same words recur in every sentence."""
    if word in STOPWORDS or len(word) <= 1:
        return ""
    stemmed = stem(word)
    return SYNONYMS.get(stemmed, stemmed)
