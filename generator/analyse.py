"""Stage 3: give each body paragraph its topics, with a score and the evidence.

A pure function of one article and the configuration. Rules are plain data
from `briefing.yml` (weighted terms and phrases, co-occurrence, exclusions, a
threshold), so an editor can read why a paragraph is on a topic page and
change it without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from generator.article import Article, Paragraph, Sentence, TopicMatch
from generator.config import Config, TopicRule
from generator.sentences import content_words, split_sentences
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
    return CompiledRules(TermMatcher(tuple(terms), tuple(groups)), tuple(rules))


@dataclass(frozen=True, slots=True)
class RawScore:
    score: float
    evidence: tuple[str, ...]
    required: bool
    vetoed: bool


NO_SCORE = RawScore(0.0, (), False, False)


def raw_scores(words: list[str], compiled: CompiledRules) -> list[RawScore]:
    counts = compiled.matcher.counts(words)
    return [_score(counts, rule, compiled.matcher.terms) for rule in compiled.rules]


def _score(counts: dict[int, int], rule: CompiledRule, names: tuple[str, ...]) -> RawScore:
    mine = {i: n for i, n in counts.items() if i in rule.weights}
    if not mine:
        return NO_SCORE
    score = sum(rule.weights[i] * (1 + REPEAT_BONUS * (min(n, 2) - 1)) for i, n in mine.items())
    evidence = tuple(names[i] for i in sorted(mine, key=lambda i: (-rule.weights[i], names[i])))
    # `require_any` terms count when they are in this paragraph or nearby (see _classify).
    required = not rule.require or any(i in counts for i in rule.require)
    vetoed = any(i in counts for i in rule.exclude)
    return RawScore(round(score, 2), evidence, required, vetoed)


def analyse(article: Article, config: Config) -> Article:
    article = replace(article, paragraphs=tuple(with_sentences(p) for p in article.paragraphs))
    compiled = compile_rules(config)
    rules = compiled.rules
    if not rules:
        return _with_findings(article, config)
    raw = [raw_scores(tokens(p.text), compiled) for p in article.paragraphs]
    title = compiled.matcher.counts(tokens(article.title or ""))
    in_title = [any(i in title for i in r.require) for r in rules]
    paragraphs = tuple(_classify(p, i, raw, rules, in_title) for i, p in enumerate(article.paragraphs))
    return _with_findings(replace(article, paragraphs=paragraphs), config)


def _with_findings(article: Article, config: Config) -> Article:
    from generator.findings import with_findings  # late: findings imports the extractors

    return replace(article, findings=with_findings(article, config))


def with_sentences(paragraph: Paragraph) -> Paragraph:
    sentences = tuple(Sentence(i, text, content_words(text))
                      for i, (_, text) in enumerate(split_sentences(paragraph.text), start=1))
    return replace(paragraph, sentences=sentences)


def _classify(paragraph: Paragraph, index: int, raw: list[list[RawScore]],
              rules: tuple[CompiledRule, ...], in_title: list[bool]) -> Paragraph:
    """A paragraph's own evidence, plus a share of its neighbours': a quote that follows a
    paragraph about a gold deal is about the gold deal, even if it never says 'gold'."""
    matches = []
    for j, rule in enumerate(rules):
        own = raw[index][j]
        window = raw[max(0, index - REQUIRE_WINDOW): index + REQUIRE_WINDOW + 1]
        window = [scores[j] for scores in window]
        required = in_title[j] or any(w.required for w in window)
        if own.score < rule.rule.min_score * OWN_SHARE or own.vetoed or not required:
            continue
        context = sum(raw[k][j].score for k in (index - 1, index + 1) if 0 <= k < len(raw))
        total = own.score + CONTEXT_WEIGHT * min(context, rule.rule.min_score * 2)
        if total >= rule.rule.min_score:
            evidence = own.evidence + (("context",) if own.score < rule.rule.min_score else ())
            matches.append(TopicMatch(rule.rule.slug, round(total, 2), evidence))
    return replace(paragraph, topics=tuple(matches)) if matches else paragraph
