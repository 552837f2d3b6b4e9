"""Stage 3: give each body paragraph its topics, with a score and the evidence.

A pure function of one article and the configuration. Rules are plain data
from `briefing.yml` (weighted terms and phrases, co-occurrence, exclusions, a
threshold), so an editor can read why a paragraph is on a topic page and
change it without touching code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache, wraps
from itertools import chain
from typing import TypeVar

from generator.article import Article, Paragraph, TopicMatch
from generator.config import Config, TopicRule
from generator.sentences import sentences_in, split_sentences
from generator.terms import TermMatcher, tokens

REPEAT_BONUS = 0.5
"""A term counted a second time adds half its weight; a third adds nothing."""
OWN_SHARE = 0.5
"""A paragraph needs at least this share of the threshold from its own words."""
REQUIRE_WINDOW = 2
"""`require_any` terms may be this many paragraphs away, or in the title: the case is named,
then discussed."""
CONTEXT_WEIGHT = 0.25
"""How much the neighbouring paragraphs' scores count towards a paragraph's."""


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: TopicRule
    terms: tuple[int, ...]
    """Indexes into the shared matcher of this rule's weighted terms, require and exclude terms."""
    weights: dict[int, float]
    require: frozenset[int]
    exclude: frozenset[int]


@dataclass(frozen=True, slots=True)
class CompiledRules:
    """All topics' terms in one matcher, so each paragraph is read once, not once per topic."""

    matcher: TermMatcher
    rules: tuple[CompiledRule, ...]
    owner: dict[int, int]
    """Weighted term index -> position of its rule in `rules`."""


T = TypeVar("T")


def last_config(function: Callable[[Config], T]) -> Callable[[Config], T]:
    """For a cached function of the configuration: the Config of the previous call is recognised by
    identity. A build passes the same object for every article, and `lru_cache` would hash all of
    it (every topic, source and entity rule) on each call."""
    last: list[tuple[Config, T] | None] = [None]

    @wraps(function)
    def cached(config: Config) -> T:
        hit = last[0]  # read once: another thread (serve) may replace it meanwhile
        if hit is not None and hit[0] is config:
            return hit[1]
        result = function(config)
        last[0] = (config, result)
        return result
    return cached


@last_config
@lru_cache(maxsize=8)
def compile_rules(config: Config) -> CompiledRules:
    terms: list[str] = []
    groups: list[int] = []
    rules = []
    for r, rule in enumerate(config.topics):
        def add(items: tuple[str, ...], kind: int) -> list[int]:
            start = len(terms)
            terms.extend(items)
            groups.extend([r * 3 + kind] * len(items))
            return list(range(start, len(terms)))

        weighted = add(tuple(t for t, _ in rule.terms), 0)
        rules.append(CompiledRule(rule, tuple(weighted),
                                  {i: w for i, (_, w) in zip(weighted, rule.terms)},
                                  frozenset(add(rule.require_any, 1)), frozenset(add(rule.exclude, 2))))
    owner = {i: r for r, rule in enumerate(rules) for i in rule.weights}
    return CompiledRules(TermMatcher(tuple(terms), tuple(groups)), tuple(rules), owner)


@dataclass(frozen=True, slots=True)
class RawScore:
    score: float
    evidence: tuple[str, ...]
    required: bool
    vetoed: bool


NO_SCORE = RawScore(0.0, (), False, False)


def raw_scores(words: list[str], compiled: CompiledRules) -> list[RawScore]:
    counts = compiled.matcher.counts(words)
    mine: list[list[int]] = [[] for _ in compiled.rules]  # each rule's weighted terms found, in order
    for i in counts:
        r = compiled.owner.get(i)
        if r is not None:
            mine[r].append(i)
    return [_score(counts, found, rule, compiled.matcher.terms) if found else NO_SCORE
            for found, rule in zip(mine, compiled.rules)]


def _score(counts: dict[int, int], mine: list[int], rule: CompiledRule, names: tuple[str, ...]) -> RawScore:
    weights = rule.weights
    score = sum(weights[i] * (1 + REPEAT_BONUS * (min(counts[i], 2) - 1)) for i in mine)
    evidence = tuple(names[i] for i in sorted(mine, key=lambda i: (-weights[i], names[i])))
    # `require_any` terms count when they are in this paragraph or nearby (see _classify).
    required = not rule.require or not rule.require.isdisjoint(counts)
    vetoed = not rule.exclude.isdisjoint(counts)
    return RawScore(round(score, 2), evidence, required, vetoed)


def analyse(article: Article, config: Config) -> Article:
    # one copy of each paragraph, with its sentences and topics together
    paragraphs = tuple(replace(p, sentences=sentences_in(p.text), topics=t)
                       for p, t in zip(article.paragraphs, paragraph_topics(article, config)))
    return _with_findings(replace(article, paragraphs=paragraphs), config)


def classify(article: Article, config: Config) -> Article:
    """An analysed article under other topic rules: only its paragraphs' topics change (nothing
    else the stages make reads them), so an edit to the rules costs this, not a new analysis."""
    paragraphs = tuple(p if p.topics == t else replace(p, topics=t)
                       for p, t in zip(article.paragraphs, paragraph_topics(article, config)))
    return replace(article, paragraphs=paragraphs)


def paragraph_topics(article: Article, config: Config) -> list[tuple[TopicMatch, ...]]:
    compiled = compile_rules(config)
    rules = compiled.rules
    if not rules:
        return [() for _ in article.paragraphs]
    raw = [raw_scores(_paragraph_tokens(p), compiled) for p in article.paragraphs]
    title = compiled.matcher.counts(tokens(article.title or ""))
    in_title = [any(i in title for i in r.require) for r in rules]
    return [_classify(i, raw, rules, in_title) for i in range(len(raw))]


def _paragraph_tokens(paragraph: Paragraph) -> list[str]:
    """`tokens(text)`, put together from its sentences' tokens: no word spans two sentences (what
    lies between them is spaces), and sentences recur in every copy of a story. An analysed
    paragraph's sentences (`classify`) are the spans `split_sentences` cuts: not cut again."""
    text = paragraph.text
    if paragraph.sentences:
        return list(chain.from_iterable(_sentence_tokens(text[s.start:s.end]) for s in paragraph.sentences))
    return list(chain.from_iterable(_sentence_tokens(sentence) for _, sentence in split_sentences(text)))


@lru_cache(maxsize=8192)
def _sentence_tokens(sentence: str) -> tuple[str, ...]:
    return tuple(tokens(sentence))


def _with_findings(article: Article, config: Config) -> Article:
    from generator.findings import with_findings  # late: findings imports the extractors

    return replace(article, findings=with_findings(article, config))


def _classify(index: int, raw: list[list[RawScore]], rules: tuple[CompiledRule, ...],
              in_title: list[bool]) -> tuple[TopicMatch, ...]:
    """A paragraph's own evidence, plus a share of its neighbours': a quote that follows a
    paragraph about a gold deal is about the gold deal, even if it never says 'gold'."""
    matches = []
    for j, rule in enumerate(rules):
        own = raw[index][j]
        if own.score < rule.rule.min_score * OWN_SHARE or own.vetoed:
            continue  # most paragraphs, most rules: no need to look at the neighbours
        window = raw[max(0, index - REQUIRE_WINDOW): index + REQUIRE_WINDOW + 1]
        if not (in_title[j] or any(scores[j].required for scores in window)):
            continue
        context = sum(raw[k][j].score for k in (index - 1, index + 1) if 0 <= k < len(raw))
        total = own.score + CONTEXT_WEIGHT * min(context, rule.rule.min_score * 2)
        if total >= rule.rule.min_score:
            evidence = own.evidence + (("context",) if own.score < rule.rule.min_score else ())
            matches.append(TopicMatch(rule.rule.slug, round(total, 2), evidence))
    return tuple(matches)
