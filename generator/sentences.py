"""Sentences and their content words: the unit that corroboration compares across sources."""

from __future__ import annotations

import re
from functools import lru_cache

ABBREVIATIONS = {
    "u.s", "u.n", "u.k", "e.u", "mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt", "col",
    "sgt", "capt", "inc", "corp", "co", "ltd", "no", "vs", "e.g", "i.e", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "jr", "sr", "prof", "dept", "approx",
}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9À-Þ])")
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
    out = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        before = text[start: match.start()].rstrip("\"”’')]")
        last = before.rsplit(None, 1)[-1].rstrip(".!?").lower() if before.split() else ""
        if last in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        out.append((start, text[start: match.start()].strip()))
        start = match.end()
    if text[start:].strip():
        out.append((start, text[start:].strip()))
    return out


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


def content_words(sentence: str) -> frozenset[str]:
    words = (stem(w) for w in _WORD.findall(sentence.lower()) if w not in STOPWORDS and len(w) > 1)
    return frozenset(SYNONYMS.get(w, w) for w in words)
