"""Direct quotations, who said them, and every source that carries them.

Per article (`article_quotes`, pure): quotation marks are paired per paragraph (curly, straight,
guillemets; single quotes only where they cannot be apostrophes); a quotation split around its
attribution ('"A," he said, "b."') is joined into one. The speaker comes only from the sentence that
carries the quotation: 'Burgum said', 'said David Alvarado', 'the statement by the US State
Department read', 'X described ... as "..."'. A name resolves through the article's entity mentions
('Burgum' -> 'Doug Burgum'); a pronoun ('she said', 'it said') resolves to the nearest speaker of a
matching kind named in the same or the two previous paragraphs, and stays unattributed otherwise.
Nothing is guessed: a quotation whose sentence names no speaker is unattributed.

Corpus (`index_quotes`): the same quotation carried by several articles, in full or in part, is
one `Quote`. Quotations of four words or more are matched through shared four-word shingles
(an inverted index, like LSH blocking) and joined when one is contained in the other or they share
80% of their shingles; shorter ones join the one longer quotation that contains them, if exactly
one does. Nothing compares all pairs.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from itertools import chain
from operator import attrgetter
from typing import Any

import orjson

from generator.article import FIELDS, Article
from generator.corroborate import ArticleLookups, SourceCounter, SourceGroup
from generator.entities import EntityMention, Gazetteer, article_entities, fold, name_key, sentence_spans
from generator.ordering import descending
from generator.records import pickled_as_tuple, shared_string

SHINGLE = 4
MAX_POSTINGS = 50
OVERLAP = 0.8
PRONOUN_WINDOW = 2
"""Paragraphs back (besides the pronoun's own) where 'she said' may find its speaker."""

SPEECH = (r"said|says|say|told|tells|added|adds|stated|states|wrote|writes|posted|tweeted|announced|"
          r"declared|declares|insisted|insists|argued|argues|noted|notes|stressed|stresses|warned|warns|"
          r"explained|explains|emphasi[sz]ed|emphasi[sz]es|described|describes|urged|urges|replied|"
          r"answered|acknowledged|recalled|asked|continued|commented|remarked|confirmed|conceded|"
          r"admitted|claimed|claims|read|reads|expressed|called|calls|predicted|promised|vowed|"
          r"pledged|cautioned|countered|observed|testified|quipped|concluded|tweeted|wrote")


def _prefix_tree(words: list[str]) -> str:
    """An alternation of words with their common beginnings factored out ('s(?:a(?:id|ys?)|...)'):
    the regex engine then tests a letter once, not once per word, at every word it scans."""
    follow: dict[str, list[str]] = defaultdict(list)
    for word in words:
        follow[word[:1]].append(word[1:])
    ends = "" in follow
    branches = [re.escape(first) + _prefix_tree(rest) for first, rest in sorted(follow.items()) if first]
    if not branches:
        return ""
    if len(branches) == 1 and not ends:
        return branches[0]
    return "(?:" + "|".join(branches) + ")" + ("?" if ends else "")


_SPEECH_WORDS = sorted({alt.replace("[sz]", letter) for alt in SPEECH.split("|") for letter in "sz"})
_VERB = re.compile(rf"\b(?:{_prefix_tree(_SPEECH_WORDS)})\b")
"""A speech verb (a word of SPEECH); scanning sentences for one was a good part of the quote time."""
_PARTICIPLE = re.compile(r",\s+(?:saying|adding|suggesting|noting|insisting|stressing|arguing|warning|"
                         r"calling|describing|explaining|telling)\b")
_ACCORDING = re.compile(r"\baccording to\s+")
_INVERTED = re.compile(rf"\s*[,:]?\s*(?P<verb>{SPEECH})\b")
_STATEMENT = re.compile(r"\b(?:statement|communiqu[eé]|message|letter|post|release|note)\b")
_GOES_ON = re.compile(r"[\s,\"”’']*(?:and\s+)?(?:adding|saying|noting|stressing|insisting|warning)\b")
_SAID_BETWEEN = re.compile(rf"\s*,?\s*(?:(?:[\w'’.\-]+\s+){{0,6}}(?:{SPEECH})|(?:{SPEECH})(?:\s+[\w'’.\-]+){{1,6}})"
                           r"(?:\s+\w+){0,2}\s*[,.:]\s*")
_STATEMENT_VERBS = {"read", "reads"}
PRONOUNS = {"he": "person", "she": "person", "it": "organisation"}

ADVERBS = frozenset("""further also later then again previously repeatedly recently earlier separately
publicly privately once reportedly has have had was were is would will subsequently simply only even
still already first last quickly flatly directly initially originally has had bluntly openly
""".split())
PREPOSITIONS = frozenset("in on at during via through with from over after before to for by".split())
HEAD_NOUNS = frozenset("""government ministry department office spokesperson spokesman spokeswoman
embassy administration presidency military army police agency company council court prosecutors
lawyers lawyer officials official campaign party cabinet foreign-ministry leader president minister
secretary team""".split())
ORG_HEAD_NOUNS = frozenset("""government ministry department office embassy administration presidency
military army police agency company council court party cabinet""".split())
MODIFIERS = frozenset("""foreign interior state state-owned national interim acting former top senior chief
official vice new federal central local regional defence defense justice energy press""".split())
DETERMINERS = frozenset({"the", "a", "an"})
NOT_NAMES = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march
april may june july august september october november december in on at the a an this that these those
meanwhile however but and or as after before when while""".split())


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class QuoteMention:
    """One quotation in one paragraph."""

    article: str
    n: int
    """Paragraph number (the `#p-N` anchor)."""
    index: int
    """Sentence number within the paragraph where the quotation opens, from 1."""
    start: int
    """Offset of the opening mark in the paragraph text."""
    text: str
    """The quoted words, without the marks; parts split around 'he said' are joined."""
    sentence: str
    """The sentence (or sentences) carrying it, as written."""
    speaker: str | None
    """Who said it ('Doug Burgum', 'State Department'), or None: unattributed."""
    speaker_as: str | None
    """How the sentence names the speaker: 'Burgum', 'the U.S. State Department', 'she'."""
    attribution: str
    """'named', 'pronoun' (resolved from 'she said'...) or 'none'."""
    how: str
    """In words: "'Burgum said'", "'she said' -> Delcy Rodríguez, named in ¶4", ''."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation and every article that carries it, in full or in part."""

    id: str
    text: str
    """The longest form carried."""
    speaker: str | None
    """The speaker most carriers name; None when none does."""
    speakers: tuple[tuple[str, int], ...]
    """Every speaker named by some carrier, with how many: disagreements show here."""
    mentions: tuple[QuoteMention, ...]
    """Earliest article first."""
    sources: tuple[SourceGroup, ...]
    topics: tuple[str, ...]

    @property
    def single_source(self) -> bool:
        return len(self.sources) == 1


@dataclass(frozen=True, slots=True)
class QuoteIndex:
    quotes: tuple[Quote, ...]
    """Most independent sources first, then most carriers, then newest."""
    by_topic: dict[str, tuple[Quote, ...]]

    @property
    def attributed(self) -> int:
        return sum(1 for q in self.quotes if q.speaker)


# ---------------------------------------------------------------------------------------------
# Finding quotation marks.

_MARKS = re.compile(r"[\"“”«»‘’'](?!(?<=[^\W_]['’])[^\W_])")
"""Quotation marks, less the apostrophes between two letters or digits ("Venezuela’s"), which
`_spans` would skip anyway: most paragraphs then have no mark to look at."""
_OPEN_BEFORE = set("([{—–-/“\"") | {""}
_CLOSE_AFTER = set(",.;:!?)]}—–-…") | {""}


@dataclass(frozen=True, slots=True, eq=False)
class _Span:
    """Compared by identity (no two spans of a paragraph share a mark), which keeps the `in group`
    tests of `article_quotes` out of the generated, field-by-field `__eq__`."""

    open: int
    close: int
    """Offset of the closing mark (or len(text) for a quotation running on to the next paragraph)."""

    @property
    def inner(self) -> tuple[int, int]:
        return self.open + 1, self.close


def quote_spans(text: str) -> list[tuple[int, int]]:
    """(opening mark, closing mark) offsets of the top-level quotations in a paragraph."""
    return [(s.open, s.close) for s in _spans(text)]


def _spans(text: str) -> list[_Span]:
    spans: list[_Span] = []
    current: tuple[str, int] | None = None
    for match in _MARKS.finditer(text):
        i = match.start()
        mark = text[i]
        prev = text[i - 1] if i > 0 else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        can_open = (prev in _OPEN_BEFORE or prev.isspace()) and nxt != "" and not nxt.isspace()
        can_close = prev != "" and not prev.isspace() and (nxt in _CLOSE_AFTER or nxt.isspace()
                                                            or nxt in "\"”’'")
        if mark in "“«" or (mark == '"' and can_open and not can_close):
            role, kind = "open", "d"
        elif mark in "”»" or (mark == '"' and can_close and not can_open):
            role, kind = "close", "d"
        elif mark == '"':
            role, kind = ("close" if current and current[0] == "d" else "open"), "d"
        elif mark == "‘" or (mark == "'" and current is None):
            role, kind = ("open" if can_open and nxt.isalpha() else "skip"), "s"
        else:  # ’ or ' : a closing single quote only where one is open, else an apostrophe
            role, kind = ("close" if current and current[0] == "s" and can_close
                          and not nxt.isalnum() else "skip"), "s"
        if role == "skip":
            continue
        if role == "open":
            if kind == "s" and current is not None:
                continue
            current = (kind, i)
        elif current and current[0] == kind:
            if kind == "s" and i - current[1] > 400:
                current = None
                continue
            spans.append(_Span(current[1], i))
            current = None
        elif kind == "d" and current and current[0] == "s":
            current = None
    if current and current[0] == "d" and not text[: current[1]].strip():
        spans.append(_Span(current[1], len(text)))
    return spans


_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _valid(inner: str) -> bool:
    words = _WORDS.findall(inner)
    if len(words) < 2:
        return False
    long_words = [w for w in words if len(w) > 3]
    if len(words) <= 6 and long_words and all(w[0].isupper() for w in long_words):
        return False  # a title or a name in quotation marks, not something said
    return True


_SPACES = re.compile(r"\s+")
_ODD_SPACES = re.compile(r"[^\S ]| {2}")


def _squeeze(text: str) -> str:
    """Runs of white space -> one space; most text has nothing to change, and `sub` would still
    replace each single space with a new one."""
    return _SPACES.sub(" ", text) if _ODD_SPACES.search(text) else text


def _clean(inner: str) -> str:
    return _squeeze(inner).strip().rstrip(",").rstrip()


# ---------------------------------------------------------------------------------------------
# Who said it.

@dataclass(frozen=True, slots=True)
class _NP:
    start: int
    end: int
    text: str
    pronoun: str | None = None


_TOKEN = re.compile(r"[^\s,;:()\"“”]+")


def _np_before(text: str, base: int, end: int, floor: int = 0) -> _NP | None:
    """The noun phrase that ends right before `end` in text[floor:end]: the subject of a speech verb.
    Adverbs, a prepositional phrase ('in a statement on Thursday') and an appositive between
    commas are stepped over."""
    segment = text[floor:end]
    for _ in range(5):
        stripped = segment.rstrip()
        words = list(_TOKEN.finditer(stripped))
        if not words:
            return None
        last = words[-1].group().lower()
        if last in ADVERBS and len(words) > 1:
            segment = stripped[: words[-1].start()]
            continue
        if stripped.endswith(","):
            inner = stripped[:-1]
            comma = inner.rfind(",")
            if comma > 0 and len(inner) - comma < 120:
                segment = inner[:comma]
                continue
            return None
        if last in PRONOUNS or last in {"they", "we", "i"}:
            word = words[-1]
            return _NP(base + floor + word.start(), base + floor + word.end(), word.group(), last)
        if not _np_able(words[-1].group()):
            cut = next((k for k in range(len(words) - 1, max(len(words) - 9, 0), -1)
                        if words[k].group().lower() in PREPOSITIONS), None)
            if cut is None or cut == 0:
                return None
            segment = stripped[: words[cut].start()]
            continue
        return _walk_back(stripped, words, base + floor)
    return None


def _np_able(word: str) -> bool:
    low = fold(word).lower().removesuffix("'s")
    if low in NOT_NAMES:
        return False
    return word[:1].isupper() or low in HEAD_NOUNS


def _walk_back(text: str, words: list[re.Match[str]], base: int) -> _NP | None:
    k = len(words) - 1
    taken: list[int] = []
    while k >= 0 and words[k].group().lower() in HEAD_NOUNS and not words[k].group()[:1].isupper():
        taken.append(k)
        k -= 1
    while k >= 0 and taken and words[k].group().lower() in MODIFIERS:
        taken.append(k)
        k -= 1
    capitalised = 0
    while k >= 0:
        word = words[k].group()
        low = fold(word).lower()
        if k + 1 < len(words) and text[words[k].end(): words[k + 1].start()].strip():
            break  # punctuation between words ends the phrase
        if word[:1].isupper() and low.removesuffix("'s") not in NOT_NAMES:
            if low.endswith("'s") and taken and not any(
                    words[t].group()[:1].isupper() for t in taken):
                pass  # "Venezuela's foreign ministry": the owner belongs to the phrase
            elif low.endswith("'s") and capitalised:
                break
            taken.append(k)
            capitalised += 1
        elif low in {"of", "de", "del", "the"} and capitalised and k > 0 and words[k - 1].group()[:1].isupper():
            taken.append(k)
        else:
            break
        k -= 1
    if not capitalised:
        return None
    if k >= 0 and words[k].group().lower() in DETERMINERS:
        taken.append(k)
    first, last = min(taken), max(taken)
    start, end = words[first].start(), words[last].end()
    return _NP(base + start, base + end, text[start:end])


_NAME_AFTER = re.compile(
    r"\s*((?:(?:the|The)\s+)?(?:[A-ZÀ-Þ][\w'’.\-]*\s*)(?:(?:of|de|del|the)?\s*[A-ZÀ-Þ][\w'’.\-]*\s*)*)")
_PRONOUN_AFTER = re.compile(r"\s*(he|she|it)\b")
_NON_SPACE = re.compile(r"\S+")


def _np_after(text: str, base: int, start: int, limit: int) -> _NP | None:
    """'said David Alvarado, a former diplomat': the phrase right after an inverted verb."""
    match = _NAME_AFTER.match(text[start:limit])
    if not match or not match.group(1).strip():
        pronoun = _PRONOUN_AFTER.match(text[start:limit])
        if pronoun:
            return _NP(base + start + pronoun.start(1), base + start + pronoun.end(1), pronoun.group(1),
                       pronoun.group(1))
        return None
    words = list(_NON_SPACE.finditer(match.group(1)))
    while words and fold(words[-1].group()).lower() in NOT_NAMES:
        words.pop()
    if not words:
        return None
    begin = start + match.start(1)
    return _NP(base + begin, base + begin + words[-1].end(), text[begin: begin + words[-1].end()])


@dataclass(frozen=True, slots=True)
class _Attribution:
    np: _NP
    verb: str
    where: str
    """'before' or 'after' the quotation."""


def _attribute(text: str, sentence_start: int, sentence_end: int, span: _Span,
               others: list[_Span]) -> _Attribution | None:
    """The speaker phrase in the quotation's own sentence, outside every quotation."""
    floor = max([s.close + 1 for s in others if s.close < span.open and s.close >= sentence_start],
                default=sentence_start)
    ceiling = min([s.open for s in others if s.open > span.close and s.open < sentence_end],
                  default=sentence_end)
    after_start = min(span.close + 1, len(text))
    post = text[after_start:ceiling]
    inverted = _INVERTED.match(post)
    if inverted:
        np = _np_after(text, 0, after_start + inverted.end(), ceiling)
        if np:
            return _Attribution(np, inverted.group("verb"), "after")
    verb = next((m for m in _VERB.finditer(post) if len(post[: m.start()].split()) <= 10), None)
    if verb and ";" not in post[: verb.start()]:
        np = _np_before(text, 0, after_start + verb.start(), after_start)
        if np:
            return _Attribution(np, verb.group(), "after")
    pre = text[floor: span.open]
    according = list(_ACCORDING.finditer(pre))
    verbs = [m for m in _VERB.finditer(pre) if len(pre[m.end():].split()) <= 20 and ";" not in pre[m.end():]]
    participle = _PARTICIPLE.search(pre)
    if participle and verbs and verbs[-1].start() > participle.start():
        verbs = []
    if participle:
        verbs = [m for m in verbs if m.start() < participle.start()] or verbs
    for match in reversed(verbs):
        if match.group() in _STATEMENT_VERBS and not _STATEMENT.search(pre, 0, match.start()):
            continue
        np = _np_before(text, 0, floor + match.start(), floor)
        if np:
            return _Attribution(np, match.group(), "before")
        break
    if according:
        after = floor + according[-1].end()
        np = _np_after(text, 0, after, span.open)
        if np:
            return _Attribution(np, "according to", "before")
    return None


# ---------------------------------------------------------------------------------------------
# Per article.

@dataclass(slots=True)
class _Said:
    n: int
    offset: int
    name: str
    kind: str | None


def article_quotes(article: Article, gazetteer: Gazetteer,
                   entities: tuple[EntityMention, ...] | None = None) -> tuple[QuoteMention, ...]:
    """Every quotation in the article, with its speaker where its sentence names one."""
    if entities is None:
        entities = article_entities(article, gazetteer)
    by_paragraph: dict[int, list[EntityMention]] = defaultdict(list)
    for mention in entities:
        by_paragraph[mention.n].append(mention)
    out: list[QuoteMention] = []
    quoted_said: dict[int, list[_Said]] = defaultdict(list)
    prepared: dict[int, tuple[str, list[tuple[int, int]], list[tuple[int, int]]]] = {}
    indirect_said: dict[int, list[_Said]] = {}

    def speakers_in(n: int) -> list[_Said]:
        """Who speaks in paragraph n, quoted or not ('Rodríguez said that...'), in reading order.
        Computed only when a pronoun needs it."""
        if n not in prepared:
            return []
        if n not in indirect_said:
            text_n, sentences_n, quoted_n = prepared[n]
            found = []
            for start, _ in _indirect(text_n, sentences_n, quoted_n):
                np = _np_before(text_n, 0, start, _sentence_of(sentences_n, start)[0])
                if np and not np.pronoun:
                    name, kind = _speaker_name(np, by_paragraph[n])
                    found.append(_Said(n, np.start, name, kind))
            indirect_said[n] = found
        return sorted(indirect_said[n] + quoted_said[n], key=lambda item: item.offset)

    for paragraph in article.paragraphs:
        text = paragraph.text
        sentences = list(sentence_spans(text))
        spans = [s for s in _spans(text) if _valid(text[s.open + 1: s.close])]
        prepared[paragraph.n] = (text, sentences, [(s.open, s.close) for s in spans])
        if not spans:
            continue
        joined = _join_split(text, spans, sentences)
        previous: tuple[int, _Attribution] | None = None
        for group in joined:
            first, last = group[0], group[-1]
            s_start, _ = _sentence_of(sentences, first.open)
            _, s_end = _sentence_of(sentences, max(last.close - 1, last.open))
            attribution = None
            for span in group:
                attribution = attribution or _attribute(text, s_start, s_end, span,
                                                        [s for s in spans if s not in group])
            inherited = False
            if attribution is None and previous is not None and previous[0] == s_start and _GOES_ON.match(
                    text[joined[joined.index(group) - 1][-1].close + 1: first.open]):
                attribution, inherited = previous[1], True
            if attribution is not None:
                previous = (s_start, attribution)
            speaker = speaker_as = None
            kind = None
            how = ""
            mode = "none"
            if attribution is not None:
                np = attribution.np
                speaker_as = np.text
                if np.pronoun:
                    wanted = PRONOUNS.get(np.pronoun)
                    found = _nearest(speakers_in, paragraph.n, np.start, wanted) if wanted else None
                    if found is not None:
                        speaker, kind, mode = found.name, found.kind, "pronoun"
                        where = "this paragraph" if found.n == paragraph.n else f"¶{found.n}"
                        how = f"'{np.text} {attribution.verb}' -> {found.name}, named in {where}"
                else:
                    speaker, kind = _speaker_name(np, by_paragraph[paragraph.n])
                    mode = "named"
                    how = (f"'{np.text} {attribution.verb}'" if attribution.where == "after" or attribution.verb
                           != "according to" else f"'according to {np.text}'")
                    if attribution.where == "after" and text[group[-1].close + 1:].lstrip(" ,:").startswith(
                            attribution.verb):
                        how = f"'{attribution.verb} {np.text}'"
                    if inherited:
                        how += ", same sentence"
                    else:
                        quoted_said[paragraph.n].append(_Said(paragraph.n, np.start, speaker, kind))
            quote_text = _joined_text(text, group)
            index = _sentence_number(sentences, first.open)
            out.append(QuoteMention(article.id, paragraph.n, index, first.open, shared_string(quote_text),
                                    shared_string(_clean(text[s_start:s_end])), shared_string(speaker),
                                    shared_string(speaker_as), mode, shared_string(how)))
    return tuple(out)


def _sentence_of(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    for start, end in spans:
        if offset < end:
            return start, end
    return spans[-1]


def _sentence_number(spans: list[tuple[int, int]], offset: int) -> int:
    for i, (_, end) in enumerate(spans, start=1):
        if offset < end:
            return i
    return len(spans)


def _indirect(text: str, sentences: list[tuple[int, int]],
              quoted: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Speech verbs outside quotation marks: 'Rodríguez said that...' names a speaker too."""
    out = []
    for match in _VERB.finditer(text):
        if any(a <= match.start() <= b for a, b in quoted):
            continue
        if match.group() in _STATEMENT_VERBS:
            continue
        out.append((match.start(), match.end()))
    return out


def _join_split(text: str, spans: list[_Span], sentences: list[tuple[int, int]]) -> list[list[_Span]]:
    """'"A," he said, "b."' and '"A," he said. "B."' are one quotation around its attribution."""
    groups: list[list[_Span]] = []
    for span in spans:
        if groups:
            previous = groups[-1][-1]
            between = text[previous.close + 1: span.open]
            ends_comma = text[previous.close - 1: previous.close] == "," or between.lstrip().startswith(",")
            if ends_comma and len(groups[-1]) == 1 and _SAID_BETWEEN.fullmatch(between):
                groups[-1].append(span)
                continue
        groups.append([span])
    return groups


def _joined_text(text: str, group: list[_Span]) -> str:
    if len(group) == 1:
        return _clean(text[group[0].open + 1: group[0].close])
    first = _squeeze(text[group[0].open + 1: group[0].close]).strip()
    second = _clean(text[group[1].open + 1: group[1].close])
    between = text[group[0].close + 1: group[1].open].strip()
    if between.endswith(".") and first.endswith(","):
        first = first[:-1] + "."
    return f"{first} {second}"


def _speaker_name(np: _NP, mentions: list[EntityMention]) -> tuple[str, str | None]:
    """A speaker phrase -> its entity's name ('Burgum' -> 'Doug Burgum') when the phrase ends with
    one; a role phrase ('Venezuela's foreign ministry') stays as written, without 'the'."""
    words = np.text.split()
    head = words[-1].lower() if words else ""
    if words and not words[-1][:1].isupper() and head in HEAD_NOUNS:
        text = np.text
        if text.lower().startswith("the "):
            text = text[4:]
        return text, "organisation" if head in ORG_HEAD_NOUNS else "person"
    inside = [m for m in mentions if m.start >= np.start and m.end <= np.end]
    if inside:
        chosen = max(inside, key=lambda m: (m.end, m.kind != "place", m.end - m.start))
        if chosen.kind == "place" and len(inside) > 1:
            chosen = next((m for m in reversed(inside) if m.kind != "place"), chosen)
        return chosen.name, chosen.kind
    text = np.text
    if text.lower().startswith("the "):
        text = text[4:]
    return text, None


def _nearest(speakers_in: Any, n: int, offset: int, wanted: str) -> _Said | None:
    """The closest speaker of the wanted kind before `offset`, in this or the previous paragraphs."""
    kinds = {"person": {"person"}, "organisation": {"organisation", "place"}}[wanted]
    for m in range(n, n - PRONOUN_WINDOW - 1, -1):
        for item in reversed(speakers_in(m)):
            if m == n and item.offset >= offset:
                continue
            if item.kind in kinds or (item.kind is None and wanted == "person" and " " in item.name
                                      and item.name[:1].isupper()):
                return item
    return None


# ---------------------------------------------------------------------------------------------
# Corpus.

def _tokens(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z0-9]+", fold(text).lower()))


def index_quotes(articles: Iterable[Article], gazetteer: Gazetteer,
                 mentions: Mapping[str, tuple[QuoteMention, ...]] | None = None,
                 entities: Mapping[str, tuple[EntityMention, ...]] | None = None,
                 lookups: ArticleLookups | None = None) -> QuoteIndex:
    """One `Quote` per quotation, with all its carriers."""
    articles = tuple(articles)
    lookups = lookups or ArticleLookups(articles)
    found: list[QuoteMention] = []
    for article in articles:
        if mentions is not None and article.id in mentions:
            found.extend(mentions[article.id])
        else:
            found.extend(article_quotes(article, gazetteer, entities.get(article.id) if entities else None))
    tokens_of = cache(_tokens)  # once per distinct text: wire copies repeat quotes thousands of times
    tokens = [tokens_of(q.text) for q in found]
    date = {a.id: a.date or "9999" for a in articles}
    order = sorted(range(len(found)), key=lambda i: (-len(tokens[i]), date[found[i].article],
                                                     found[i].article, found[i].n, found[i].start))
    family_of: list[int] = [-1] * len(found)
    reps: list[tuple[str, ...]] = []
    rep_text: list[str] = []
    postings = _Postings()
    short: list[int] = []
    seen: dict[tuple[str, ...], int] = {}
    for i in order:
        toks = tokens[i]
        if len(toks) < SHINGLE:
            short.append(i)
            continue
        if (known := seen.get(toks)) is not None:  # a copy (wire copies repeat a quotation thousands
            family_of[i] = known                   # of times): where its first carrier went
            continue
        shingles = {toks[k: k + SHINGLE] for k in range(len(toks) - SHINGLE + 1)}
        votes = postings.votes(shingles)
        chosen = None
        padded = " " + " ".join(toks) + " "
        for minus_shared, family in sorted([(-shared, family) for family, shared in votes.items()])[:5]:
            if padded in rep_text[family] or -minus_shared >= OVERLAP * len(shingles):
                chosen = family
                break
        if chosen is None:
            chosen = len(reps)
            reps.append(toks)
            rep_text.append(" " + " ".join(toks) + " ")
            postings.post(chosen, shingles)
        family_of[i] = seen[toks] = chosen
    grams: dict[tuple[str, ...], set[int]] = defaultdict(set)
    needed = {len(tokens[i]) for i in short if tokens[i]}
    for family, toks in enumerate(reps):
        for size in needed:
            for k in range(len(toks) - size + 1):
                grams[toks[k: k + size]].add(family)
    alone: dict[tuple[str, ...], int] = {}
    for i in short:
        owners = grams.get(tokens[i], set())
        if len(owners) == 1:
            family_of[i] = next(iter(owners))
        else:
            if tokens[i] not in alone:
                alone[tokens[i]] = len(reps)
                reps.append(tokens[i])
                rep_text.append(" " + " ".join(tokens[i]) + " ")
            family_of[i] = alone[tokens[i]]
    members: dict[int, list[QuoteMention]] = defaultdict(list)
    for i, family in enumerate(family_of):
        members[family].append(found[i])
    topics_of, keys, sources = lookups.topics_of, cache(name_key), lookups.sources
    quotes = [_quote(group, sources, date, tokens_of, keys, topics_of) for group in members.values()]
    newest = {q.id: max(date[m.article] if date[m.article] != "9999" else "" for m in q.mentions)
              for q in quotes}
    quotes.sort(key=lambda q: (-len(q.sources), -len(q.mentions), _desc(newest[q.id]), q.id))
    by_topic: dict[str, list[Quote]] = defaultdict(list)
    for quote in quotes:
        for topic in quote.topics:
            by_topic[topic].append(quote)
    return QuoteIndex(tuple(quotes), {k: tuple(v) for k, v in by_topic.items()})


_desc = descending


class _Postings:
    """Shingle -> the families that have it. A shingle of more than MAX_POSTINGS families is too
    common to tell quotations apart and stops counting; buckets only grow, so such a bucket is
    dropped for good, and a vote needs no size check."""

    def __init__(self) -> None:
        self.open: dict[tuple[str, ...], list[int]] = {}
        self.full: set[tuple[str, ...]] = set()

    def post(self, family: int, shingles: set[tuple[str, ...]]) -> None:
        for shingle in shingles:
            if shingle in self.full:
                continue
            bucket = self.open.setdefault(shingle, [])
            bucket.append(family)
            if len(bucket) > MAX_POSTINGS:
                del self.open[shingle]
                self.full.add(shingle)

    def votes(self, shingles: set[tuple[str, ...]]) -> Counter[int]:
        """Family -> how many of these shingles it has. A family is posted once per shingle, so
        counting the buckets' members counts shared shingles (one Counter call, in C)."""
        return Counter(chain.from_iterable(filter(None, map(self.open.get, shingles))))


def _quote(group: list[QuoteMention], sources: SourceCounter, date: dict[str, str],
           tokens_of: Callable[[str], Any], keys: Callable[[str], str], topics_of: Callable[[list[QuoteMention]], tuple[str, ...]]) -> Quote:
    group.sort(key=lambda m: (date[m.article], m.article, m.n, m.start))
    text = max(enumerate(group), key=lambda im: (len(im[1].text), -im[0]))[1].text  # longest, first wins
    votes: defaultdict[str, float] = defaultdict(float)
    shown: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    full = max(len(tokens_of(text)), 1)
    for position, m in enumerate(group):
        if m.speaker:
            key = keys(m.speaker)
            # a carrier of the whole quotation says more about its speaker than one of two words
            votes[key] += (2 if m.attribution == "named" else 1) * min(1.0, len(tokens_of(m.text)) / full)
            shown.setdefault(key, m.speaker)
            first_seen.setdefault(key, position)
    counts = Counter(keys(m.speaker) for m in group if m.speaker)
    speakers = tuple((shown[k], counts[k]) for k, _ in
                     sorted(votes.items(), key=lambda kv: (-round(kv[1], 6), first_seen[kv[0]])))
    speaker = speakers[0][0] if speakers else None
    first = group[0]
    return Quote(f"{first.article}-{first.n}-{first.start}", text, speaker, speakers, tuple(group),
                 sources(group), topics_of(group))


_MENTION_VALUES = attrgetter(*(f.name for f in fields(QuoteMention)))


def mentions_digest(mentions: tuple[QuoteMention, ...]) -> bytes:
    """A digest of an article's quotations, made in the analyse stage and cached with the article
    (encoding the 73,000 quotations of 10,000 articles took 0.2 s, twice what combining the digests
    does). orjson, not pickle: pickle's bytes depend on which equal strings are one object."""
    if not mentions:
        return b""
    return hashlib.blake2b(orjson.dumps(list(map(_MENTION_VALUES, mentions))), digest_size=16).digest()


def quote_inputs(article: Article, mentions: tuple[QuoteMention, ...], digest: bytes) -> bytes:
    """Everything `index_quotes` and the pages that show quotes read of one article: its
    quotations (`digest`, of `mentions`), its id and fields (sources, dates and the carriers'
    links come from them) and the topics of the paragraphs that carry them. Nothing for an article
    without quotations, which neither reads."""
    if not mentions:
        return b""
    at = {m.n for m in mentions}
    topics = [[match.topic for match in p.topics] for p in article.paragraphs if p.n in at]
    return digest + orjson.dumps((article.id, [getattr(article, f) for f in FIELDS], topics))


def kept_index(index: QuoteIndex, mentions_of: Mapping[str, tuple[QuoteMention, ...]]) -> tuple[Any, ...]:
    """The index as a later build reads it back (`restored_index`): each quotation by where it is
    among its article's (`mentions_of`, as the analyse stage found them), not with its text and
    sentence. Pickled whole, the index of 10,000 articles took 0.27 s to save and 0.16 s to read."""
    where: dict[str, dict[int, int]] = {}

    def place(m: QuoteMention) -> tuple[str, int]:
        found = where.get(m.article)
        if found is None:
            found = where[m.article] = {id(q): i for i, q in enumerate(mentions_of[m.article])}
        return m.article, found[id(m)]

    rows = [(q.id, next(i for i, m in enumerate(q.mentions) if m.text == q.text), q.speaker, q.speakers,
             tuple(map(place, q.mentions)), q.sources, q.topics) for q in index.quotes]
    position = {q.id: i for i, q in enumerate(index.quotes)}
    return rows, {topic: [position[q.id] for q in quotes] for topic, quotes in index.by_topic.items()}


def restored_index(kept: tuple[Any, ...], mentions_of: Mapping[str, tuple[QuoteMention, ...]]) -> QuoteIndex:
    rows, by_topic = kept
    quotes = []
    for quote_id, text_at, speaker, speakers, places, sources, topics in rows:
        mentions = tuple([mentions_of[article][i] for article, i in places])
        quotes.append(Quote(quote_id, mentions[text_at].text, speaker, speakers, mentions, sources, topics))
    return QuoteIndex(tuple(quotes), {topic: tuple(quotes[i] for i in at) for topic, at in by_topic.items()})


def quotes_json(index: QuoteIndex) -> dict[str, Any]:
    """`data/quotes.json`: see the README."""
    return {"quotes": [quote_json(q) for q in index.quotes]}


def quote_json(q: Quote) -> dict[str, Any]:
    return {
        "id": q.id, "text": q.text, "speaker": q.speaker,
        "speakers": [{"name": name, "mentions": count} for name, count in q.speakers],
        "single_source": q.single_source,
        "independent_sources": [{"name": s.name, "via": list(s.via), "articles": list(s.articles)}
                                for s in q.sources],
        "topics": list(q.topics),
        "mentions": [{"article": m.article, "n": m.n, "sentence": m.index, "text": m.text,
                      "speaker": m.speaker, "speaker_as": m.speaker_as, "attribution": m.attribution,
                      "how": m.how} for m in q.mentions],
    }
