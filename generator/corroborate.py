"""Group what several sources report into points, and count the independent sources.

Near-linear in the corpus: candidate pairs come only from passages that share a
rare word (postings longer than `MAX_POSTINGS` are skipped, like LSH buckets
that are too full). Points grow by leader clustering: taken in date order, a
passage joins the earliest point whose first passage it resembles (weighted word
overlap), so a chain of loosely similar sentences cannot merge unrelated facts.
There is no all-pairs comparison anywhere.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from generator.article import Article, Sentence
from generator.sentences import content_words, split_sentences

MIN_WORDS = 5
"""Shorter sentences ('He declined to comment.') carry no checkable fact."""
RARE_WORDS_PER_PASSAGE = 10
MAX_POSTINGS = 100
SIMILARITY = 0.45
"""Share of the smaller passage's weighted words that the other must carry."""
MIN_SHARED = 4


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence of a body paragraph, located precisely enough to link to."""

    article: str
    n: int
    """Paragraph number (the `#p-N` anchor)."""
    index: int
    """Sentence number within the paragraph, from 1."""
    text: str
    words: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.article, self.n, self.index)


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
    """A fact and every passage that reports it."""

    id: str
    passages: tuple[Passage, ...]
    """Representative first."""
    sources: tuple[SourceGroup, ...]

    @property
    def single_source(self) -> bool:
        return len(self.sources) == 1


def passages_of(article: Article) -> list[Passage]:
    """From the sentences the analyse stage split (and cached); split here only if it did not."""
    out = []
    for paragraph in article.paragraphs:
        sentences = paragraph.sentences or tuple(
            Sentence(i, text, content_words(text))
            for i, (_, text) in enumerate(split_sentences(paragraph.text), start=1))
        out.extend(Passage(article.id, paragraph.n, s.index, s.text, s.words) for s in sentences)
    return out


def corroborate(articles: tuple[Article, ...], sentences: dict[str, list[Passage]]) -> tuple[Point, ...]:
    """`sentences`: each article's passages, split once for the whole assemble stage."""
    by_id = {a.id: a for a in articles}
    passages = [p for a in articles for p in sentences[a.id]]
    words = [p.words for p in passages]
    weight = _idf(words)
    parent = list(range(len(passages)))
    nodes = _collapse_duplicates(words, parent)
    totals = {i: sum(weight[w] for w in words[i]) for i in nodes}
    neighbours: dict[int, list[int]] = defaultdict(list)
    for i, j in _candidates(passages, words, weight, nodes):
        neighbours[i].append(j)
        neighbours[j].append(i)
    order = sorted(nodes, key=lambda i: (by_id[passages[i].article].date or "9999", passages[i].key))
    rank = {node: r for r, node in enumerate(order)}
    leader: dict[int, int] = {}
    for i in order:
        earlier = sorted({leader[j] for j in neighbours[i] if j in leader}, key=rank.__getitem__)
        chosen = next((lead for lead in earlier
                       if _similar(words[i], words[lead], weight, min(totals[i], totals[lead]))), i)
        leader[i] = chosen
        if chosen != i:
            _union(parent, chosen, i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(passages)):
        groups[_find(parent, i)].append(i)
    points = [_point([passages[i] for i in members], by_id) for members in groups.values()]
    points.sort(key=lambda p: (-len(p.sources), -len(p.passages), p.id))
    return tuple(points)


def _collapse_duplicates(words: list[frozenset[str]], parent: list[int]) -> list[int]:
    """Sentences with the same words (wire copies, repeated quotes) are one node from the start:
    grouping them costs one dict, and the pairwise step then sees each text once."""
    first: dict[frozenset[str], int] = {}
    nodes = []
    for i, bag in enumerate(words):
        if len(bag) < MIN_WORDS:
            continue
        if bag in first:
            _union(parent, first[bag], i)
        else:
            first[bag] = i
            nodes.append(i)
    return nodes


def _idf(words: list[frozenset[str]]) -> dict[str, float]:
    counts: dict[str, int] = defaultdict(int)
    for bag in words:
        for word in bag:
            counts[word] += 1
    total = len(words) + 1
    return {w: math.log(total / c) for w, c in counts.items()}


def _candidates(passages: list[Passage], words: list[frozenset[str]], weight: dict[str, float],
                nodes: list[int]) -> list[tuple[int, int]]:
    """Pairs from different articles that share one of each other's rarest words; a word shared
    by more than MAX_POSTINGS passages is too common to say two passages report one fact."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i in nodes:
        for word in sorted(words[i], key=lambda w: (-weight[w], w))[:RARE_WORDS_PER_PASSAGE]:
            postings[word].append(i)
    pairs = set()
    for members in postings.values():
        if len(members) > MAX_POSTINGS:
            continue
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                i, j = members[a], members[b]
                if passages[i].article != passages[j].article:
                    pairs.add((i, j))
    return sorted(pairs)


def _similar(a: frozenset[str], b: frozenset[str], weight: dict[str, float], smaller: float) -> bool:
    shared = a & b
    if len(shared) < MIN_SHARED:
        return False
    return sum(weight[w] for w in shared) >= SIMILARITY * smaller


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union(parent: list[int], i: int, j: int) -> None:
    a, b = _find(parent, i), _find(parent, j)
    if a != b:
        parent[max(a, b)] = min(a, b)


def _point(members: list[Passage], by_id: dict[str, Article]) -> Point:
    """Representative: from the earliest-dated article (the first report), then the longest."""
    members.sort(key=lambda p: (by_id[p.article].date or "9999", -len(p.text), p.key))
    first = min(members, key=lambda p: p.key)
    point_id = f"{first.article}-{first.n}-{first.index}"
    return Point(point_id, tuple(members), independent_sources(members, by_id))


def independent_sources(members: list[Passage], by_id: dict[str, Article]) -> tuple[SourceGroup, ...]:
    """Copies of one wire story count once: the agency, via the outlets that ran it."""
    groups: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"via": set(), "articles": set()})
    for passage in members:
        article = by_id[passage.article]
        name = article.agency or article.outlet or f"Unknown source ({article.id})"
        group = groups[name]
        group["articles"].add(article.id)
        if article.agency and article.outlet and article.outlet != article.agency:
            group["via"].add(article.outlet)
    return tuple(SourceGroup(name, tuple(sorted(g["via"])), tuple(sorted(g["articles"])))
                 for name, g in sorted(groups.items()))


def _and(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
