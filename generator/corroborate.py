"""Group what several sources report into points, and count the independent sources.

Near-linear in the corpus: candidate pairs come only from passages that share a
rare word (postings longer than `MAX_POSTINGS` are skipped, like LSH buckets
that are too full). Points grow by leader clustering: taken in date order, a
passage joins the earliest point whose first passage it resembles (weighted word
overlap), so a chain of loosely similar sentences cannot merge unrelated facts.
There is no all-pairs comparison anywhere.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from typing import Any

from generator.article import Article, Paragraph, Sentence
from generator.records import pickled_as_tuple
from generator.sentences import sentences_in

MIN_WORDS = 5
"""Shorter sentences ('He declined to comment.') carry no checkable fact."""
RARE_WORDS_PER_PASSAGE = 10
MAX_POSTINGS = 100
SIMILARITY = 0.45
"""Share of the smaller passage's weighted words that the other must carry."""
MIN_SHARED = 4


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence of a body paragraph, located precisely enough to link to. Its text is cut from
    its paragraph's (`source`, one string shared by every passage of the paragraph) each time it
    is read, never kept: the build keeps a passage of every sentence of the corpus."""

    article: str
    n: int
    """Paragraph number (the `#p-N` anchor)."""
    index: int
    """Sentence number within the paragraph, from 1."""
    source: str = field(compare=False, repr=False)
    """The paragraph's text, with `span`; or, without, the sentence's own."""
    words: str = field(default="", compare=False, repr=False)
    """Its content words, sorted, one space between (see `Sentence.words`)."""
    span: Sentence | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return self.source if self.span is None else self.source[self.span.start:self.span.end]

    @property
    def length(self) -> int:
        """`len(text)`, without reading the text out of its paragraph."""
        return len(self.source) if self.span is None else self.span.end - self.span.start

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.article, self.n, self.index)


@pickled_as_tuple
@dataclass(frozen=True, slots=True)
class SourceGroup:
    """One independent source: an agency with the outlets that ran its copy, or one outlet."""

    name: str
    via: tuple[str, ...]
    articles: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.name}, via {_and(self.via)}" if self.via else self.name


@dataclass(frozen=True, slots=True)
class Point:
    """A fact and every passage that reports it. Its independent sources (`sources`) are grouped
    when first read, not when the point is made: a build makes every point of the corpus (33,000 at
    10,000 articles) in the process every later step waits for, and ranks them by how many sources
    they have (`source_names`), while the groups are read by the pages and files that show a point,
    most of them made by the render workers (and topics.json copies most points from the previous
    build's file). Grouped for every point here, they were 0.3-0.8 s of a rebuild at 10,000."""

    id: str
    passages: tuple[Passage, ...]
    """Representative first."""
    source_names: frozenset[str]
    """The names of its independent sources (`SourceGroup.name`): one per group."""
    counter: SourceCounter = field(compare=False, repr=False)
    found: list[tuple[SourceGroup, ...]] = field(default_factory=list, compare=False, repr=False)
    """The groups, once read."""
    newest: str = field(default="", compare=False, repr=False)
    """The date of its latest report ('' if none is dated): topics list the most recent first."""

    @property
    def sources(self) -> tuple[SourceGroup, ...]:
        if not self.found:
            self.found.append(self.counter(self.passages))
        return self.found[0]

    @property
    def single_source(self) -> bool:
        return len(self.source_names) == 1

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its groups, not the counter (which holds the corpus)."""
        return _point_with_sources, (self.id, self.passages, self.source_names, self.sources, self.newest)


class PointDigests(dict[str, str]):
    """Point id -> a digest of what the point is made from: its id, its passages' places and their
    articles' inputs (`Article.inputs`), which fix the passages' text, order and sources. Made once
    per point (a point is on several topics), read by the keys of the topics' later pages and of
    topics.json's items. A wire story's point has thousands of passages, so they are read in C
    (`map`, `join`), not in a Python loop per passage."""

    def __init__(self, articles: Iterable[Article]) -> None:
        super().__init__()
        self.article = {a.id: hashlib.blake2b(a.inputs.encode(), digest_size=8).hexdigest() for a in articles}

    def of(self, point: Point) -> str:
        found = self.get(point.id)
        if found is None:
            passages = point.passages
            digest = hashlib.blake2b(f"{point.id}\0{list(map(_PLACE, passages))!r}".encode(), digest_size=12)
            digest.update("".join(map(self.article.__getitem__, map(_ARTICLE, passages))).encode())
            found = self[point.id] = digest.hexdigest()
        return found


def _point_with_sources(point_id: str, passages: tuple[Passage, ...], names: frozenset[str],
                        sources: tuple[SourceGroup, ...], newest: str) -> Point:
    return Point(point_id, passages, names, _GIVEN, [sources], newest)


def passages_of(article: Article) -> list[Passage]:
    """Made for every sentence of the corpus (316,000 at 10,000 articles) on each build: each
    passage refers to its paragraph's text and sentence, copies nothing."""
    article_id, passages = article.id, []
    for paragraph in article.paragraphs:
        n, text = paragraph.n, paragraph.text
        passages += [Passage(article_id, n, s.index, text, s.words, s)
                     for s in paragraph.sentences or sentences_in(text)]
    return passages


def sentences_of(article: Article) -> Iterator[tuple[Paragraph, Sentence]]:
    """(paragraph, sentence) in reading order, from the sentences the analyse stage split (and
    cached); split here only if it did not."""
    for paragraph in article.paragraphs:
        for sentence in paragraph.sentences or sentences_in(paragraph.text):
            yield paragraph, sentence


def corroborate(articles: tuple[Article, ...], sentences: dict[str, list[Passage]]) -> tuple[Point, ...]:
    """`sentences`: each article's passages, split once for the whole assemble stage."""
    return corroborate_indexed(articles, sentences)[0]


class PointIndex(dict[str, tuple[str, ...]]):
    """Article id -> the point of each of its passages, in the order of its passages: what the
    topic and event steps look up for every passage, made by `corroborate_indexed` as it groups
    them (each step made its own dict of 316,000 (article, paragraph, sentence) keys at 10,000
    articles, a third of a second each)."""

    def __init__(self, ids: dict[str, tuple[str, ...]], sentences: Mapping[str, list[Passage]],
                 placed: dict[str, dict[tuple[int, int], str]] | None = None) -> None:
        super().__init__(ids)
        self.sentences = sentences
        self.placed = placed if placed is not None else {}

    @classmethod
    def of_points(cls, points: Iterable[Point]) -> PointIndex:
        """For a caller that has only the points (every passage of a corpus is in one), in passage
        order: paragraph, then sentence."""
        placed: dict[str, dict[tuple[int, int], str]] = defaultdict(dict)
        for point in points:
            for p in point.passages:
                placed[p.article][(p.n, p.index)] = point.id
        return cls({article: tuple(ids[place] for place in sorted(ids)) for article, ids in placed.items()},
                   {}, dict(placed))

    def at(self, article: str, n: int, index: int) -> str | None:
        """The point of one passage, by where it is (None if the article has no such sentence)."""
        places = self.placed.get(article)
        if places is None:
            places = self.placed[article] = dict(zip(map(_PLACE, self.sentences.get(article, ())), self.get(article, ())))
        return places.get((n, index))


_PLACE = attrgetter("n", "index")


def corroborate_indexed(articles: tuple[Article, ...], sentences: dict[str, list[Passage]],
                        lookups: ArticleLookups | None = None) -> tuple[tuple[Point, ...], PointIndex]:
    """The points, and the point of each passage (`PointIndex`)."""
    lookups = lookups or ArticleLookups(articles)
    date_of = {a.id: a.date or "9999" for a in articles}
    passages = list(chain.from_iterable(map(sentences.__getitem__, map(_ID, articles))))
    first = _first_copies(list(map(_WORDS, passages)))
    words = _bags(passages, first)
    weight = _idf(words, first, len(passages))
    nodes = [i for i in words if len(words[i]) >= MIN_WORDS]
    neighbours: dict[int, list[int]] = defaultdict(list)
    for i, j in _candidates(passages, words, weight, nodes):
        neighbours[i].append(j)
        neighbours[j].append(i)
    totals = {i: sum(map(weight.__getitem__, words[i])) for i in neighbours}
    order = sorted(nodes, key=lambda i: (date_of[passages[i].article], passages[i].key))
    rank = {node: r for r, node in enumerate(order)}
    leader: dict[int, int] = {}
    for i in order:
        near = neighbours.get(i)
        # no candidate pair: its own leader, without building an empty sort
        leader[i] = _leader(i, near, leader, rank, words, weight, totals) if near else i
    groups = _groups(first, leader)
    report_order = [(date_of[p.article], -p.length, p.article, p.n, p.index) for p in passages]
    sources, dated = lookups.sources, {a.id: a.date or "" for a in articles}
    points = [_point(members, passages, report_order, sources, dated) for members in groups]
    point_of = [""] * len(passages)
    for members, point in zip(groups, points):
        point_id = point.id
        for i in members:
            point_of[i] = point_id
    ids, start = {}, 0
    for article in articles:
        end = start + len(sentences[article.id])
        ids[article.id] = tuple(point_of[start:end])
        start = end
    points.sort(key=lambda p: (-len(p.source_names), -len(p.passages), p.id))
    return tuple(points), PointIndex(ids, sentences)


_ID = attrgetter("id")
_WORDS = attrgetter("words")


def _groups(first: list[int], leader: dict[int, int]) -> list[list[int]]:
    """The passages of each point, each list in passage order. A point is a leader with the
    passages that chose it, and each passage goes where the first passage with its words went
    (copies are one node); a passage too short to be a node (not in `leader`) is a point alone,
    copies included. Each passage's group is looked up once, in C (`map`), instead of through a
    union-find over the 316,000 passages of 10,000 articles."""
    group_of = list(map(leader.get, first))
    groups: dict[int, list[int]] = {}
    for i, group in enumerate(group_of):
        if group is None:
            groups[-1 - i] = [i]
        elif group in groups:
            groups[group].append(i)
        else:
            groups[group] = [i]
    return list(groups.values())


def _leader(i: int, near: list[int], leader: dict[int, int], rank: dict[int, int],
            words: dict[int, tuple[str, ...]], weight: dict[str, float], totals: dict[int, float]) -> int:
    """The earliest-ranked leader among the neighbours' leaders that passage i resembles, or i."""
    earlier = sorted({leader[j] for j in near if j in leader}, key=rank.__getitem__)
    return next((lead for lead in earlier
                 if _similar(words[i], words[lead], weight, min(totals[i], totals[lead]))), i)


def _first_copies(keys: list[str]) -> list[int]:
    """For each passage, the first passage with the same words (itself if none came before).
    Most passages are wire copies, and comparing two equal bags is what costs: done once here,
    for both the word weights and the collapsing of copies."""
    first: dict[str, int] = {}
    return [first.setdefault(key, i) for i, key in enumerate(keys)]


def _bags(passages: list[Passage], first: list[int]) -> dict[int, tuple[str, ...]]:
    """The words of each distinct passage (the first of its copies), made for this step only, each
    word one shared string."""
    return {i: tuple(map(sys.intern, passages[i].words.split())) for i, known in enumerate(first) if known == i}


def _idf(words: dict[int, tuple[str, ...]], first: list[int], passages: int) -> dict[str, float]:
    """Each distinct bag is counted once, times its copies."""
    counts: dict[str, int] = defaultdict(int)
    for i, copies in Counter(first).items():
        for word in words[i]:
            counts[word] += copies
    total = passages + 1
    return {w: math.log(total / c) for w, c in counts.items()}


def _candidates(passages: list[Passage], words: dict[int, tuple[str, ...]], weight: dict[str, float],
                nodes: list[int]) -> set[tuple[int, int]]:
    """Pairs from different articles that share one of each other's rarest words; a word shared
    by more than MAX_POSTINGS passages is too common to say two passages report one fact.
    Words are ranked (rarest first, then alphabetically) once for the corpus, so each passage's
    sort compares ints from a dict instead of calling a key function per word. Unordered: the
    leader step reads each passage's neighbours as a set."""
    rarity = {w: r for r, w in enumerate(sorted(weight, key=lambda w: (-weight[w], w)))}
    by_rarity = rarity.__getitem__
    postings: dict[str, list[int]] = defaultdict(list)
    for i in nodes:
        for word in sorted(words[i], key=by_rarity)[:RARE_WORDS_PER_PASSAGE]:
            postings[word].append(i)
    article_of = [p.article for p in passages]
    pairs = set()
    for members in postings.values():
        if len(members) > MAX_POSTINGS:
            continue
        for a in range(len(members)):
            i = members[a]
            for j in members[a + 1:]:
                if article_of[i] != article_of[j]:
                    pairs.add((i, j))
    return pairs


def _similar(a: tuple[str, ...], b: tuple[str, ...], weight: dict[str, float], smaller: float) -> bool:
    shared = set(a).intersection(b)
    if len(shared) < MIN_SHARED:
        return False
    return sum(weight[w] for w in a if w in shared) >= SIMILARITY * smaller


def _point(members: list[int], passages: list[Passage], report_order: list[tuple[str, int, str, int, int]],
           sources: SourceCounter, dated: dict[str, str]) -> Point:
    """Representative: from the earliest-dated article (the first report), then the longest.
    `report_order`: per passage, (date, -length, article, n, index), made once for all points;
    `dated`: article id -> its date or ''. Sorted by report, the newest report is the last dated
    one (the undated sort last): found here, not by reading every passage's date again (the
    topics did, 0.25 s at 10,000 articles)."""
    if len(members) == 1:
        only = passages[members[0]]
        return Point(f"{only.article}-{only.n}-{only.index}", (only,), sources.names((only,)), sources, [],
                     dated[only.article])
    members.sort(key=report_order.__getitem__)
    chosen = [passages[i] for i in members]
    first = min(chosen, key=_KEY)
    newest = next(filter(None, map(dated.__getitem__, map(_ARTICLE, reversed(chosen)))), "")
    return Point(f"{first.article}-{first.n}-{first.index}", tuple(chosen), sources.names(chosen), sources, [],
                 newest)


_KEY = attrgetter("article", "n", "index")
"""`Passage.key` without the property call: (article, n, index)."""
_ARTICLE = attrgetter("article")


def independent_sources(members: Iterable[Passage], by_id: Mapping[str, Article]) -> tuple[SourceGroup, ...]:
    """Copies of one wire story count once: the agency, via the outlets that ran it.
    For many sets of passages of one corpus, make one `SourceCounter` and call it instead."""
    return SourceCounter(by_id)(members)


class SourceCounter:
    """`independent_sources` for many sets of passages of one corpus: each article's source
    (and the outlet it came via) is worked out once, on first use, not once per passage."""

    def __init__(self, by_id: Mapping[str, Article]) -> None:
        self.name_of = _PerArticle(by_id, _source_name)
        self.via_of = _PerArticle(by_id, _via_outlet)
        self.alone = _PerArticle(by_id, self._alone)
        self.named = _PerArticle(by_id, lambda article: frozenset((self.name_of[article.id],)))

    def names(self, members: Iterable[Any]) -> frozenset[str]:
        """The names of the groups `__call__` makes of `members` (as many as there are groups)."""
        articles = set(map(_ARTICLE, members))
        if len(articles) == 1:
            return self.named[articles.pop()]
        return frozenset(map(self.name_of.__getitem__, articles))

    def _alone(self, article: Article) -> tuple[SourceGroup, ...]:
        """The sources of anything found in this article alone: made once per article, shared
        by its points (most points and quotes are one article's, three to four an article)."""
        via = self.via_of[article.id]
        return (SourceGroup(self.name_of[article.id], (via,) if via else (), (article.id,)),)

    def __call__(self, members: Iterable[Any]) -> tuple[SourceGroup, ...]:
        """`members`: anything with an `.article` id (passages, quote or date mentions)."""
        articles = set(map(_ARTICLE, members))
        if len(articles) == 1:  # nothing to group or sort
            return self.alone[articles.pop()]
        name_of, via_of = self.name_of, self.via_of
        ids: dict[str, list[str]] = {}
        for article_id in sorted(articles):
            name = name_of[article_id]
            if name in ids:
                ids[name].append(article_id)
            else:
                ids[name] = [article_id]
        return tuple([SourceGroup(name, tuple(sorted(set(filter(None, map(via_of.__getitem__, group))))),
                                  tuple(group)) for name, group in sorted(ids.items())])


class _PerArticle(dict[str, Any]):
    """article id -> function(article), computed on first use."""

    def __init__(self, by_id: Mapping[str, Article], function: Callable[[Article], Any]) -> None:
        super().__init__()
        self.by_id, self.function = by_id, function

    def __missing__(self, article_id: str) -> Any:
        value = self[article_id] = self.function(self.by_id[article_id])
        return value


def _source_name(article: Article) -> str:
    return article.agency or article.outlet or f"Unknown source ({article.id})"


def _via_outlet(article: Article) -> str | None:
    """The outlet that ran an agency's copy (the agency is the source, the outlet its carrier)."""
    return article.outlet if article.agency and article.outlet and article.outlet != article.agency else None


class ArticleLookups:
    """What the corpus-wide steps (points, quotes, events, discrepancies) look up per article, its
    source and its paragraphs' topics, worked out once per article for all of them: each step
    made its own, a tenth of a second each at 10,000 articles."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self.by_id = {a.id: a for a in articles}
        self.sources = SourceCounter(self.by_id)
        self.topics_of = paragraph_topics(self.by_id)


def paragraph_topics(by_id: Mapping[str, Article]) -> Callable[[Iterable[Any]], tuple[str, ...]]:
    """Items with `.article` and `.n` (passages, mentions) -> the topics of their paragraphs,
    first seen first. Each paragraph's topics are found once and kept, instead of scanning the
    article's paragraphs again for every item."""
    of_paragraph = _ParagraphTopics(by_id)

    def topics(items: Iterable[Any]) -> tuple[str, ...]:
        paragraphs = dict.fromkeys(map(_PARAGRAPH, items))
        return tuple(dict.fromkeys(chain.from_iterable(map(of_paragraph.__getitem__, paragraphs))))
    return topics


_PARAGRAPH = attrgetter("article", "n")
_TOPIC = attrgetter("topic")


class _ParagraphTopics(dict[tuple[str, int], tuple[str, ...]]):
    """(article id, paragraph n) -> that paragraph's topics, in order (of all paragraphs numbered n,
    should there be two). An article's paragraphs are all filed on its first lookup."""

    def __init__(self, by_id: Mapping[str, Article]) -> None:
        super().__init__()
        self.by_id = by_id
        self.filed: set[str] = set()

    def __missing__(self, key: tuple[str, int]) -> tuple[str, ...]:
        article_id = key[0]
        if article_id not in self.filed:
            self.filed.add(article_id)
            for paragraph in self.by_id[article_id].paragraphs:
                if paragraph.topics:  # a paragraph without is filed as () when looked up
                    at = (article_id, paragraph.n)
                    self[at] = self.get(at, ()) + tuple(map(_TOPIC, paragraph.topics))
        return self.setdefault(key, ())


def _and(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


_GIVEN = SourceCounter({})
"""The counter of a point whose groups came with it (unpickled): never called."""
