"""Stage 3: give each body paragraph its topics, with a score and the evidence.

A pure function of one article and the configuration. Rules are plain data
from `briefing.yml` (weighted terms and phrases, co-occurrence, exclusions, a
threshold), so an editor can read why a paragraph is on a topic page and
change it without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from generator.article import Article, Paragraph, TopicMatch
from generator.config import Config, TopicRule

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
    patterns: tuple[re.Pattern[str], ...]
    """Single words in one alternation, phrases in another, so both can match the same text."""
    weights: dict[str, float]
    """Group name -> weight."""
    names: dict[str, str]
    """Group name -> the term as the editor wrote it."""
    require: re.Pattern[str] | None
    exclude: re.Pattern[str] | None


def term_regex(term: str) -> str:
    """'arraign*' matches arraigned/arraignment; other terms match whole words, plural allowed."""
    words = [re.escape(w) for w in term.split()]
    body = r"[\s-]+".join(words)
    if body.endswith(r"\*"):
        return r"(?<!\w)" + body[:-2] + r"\w*"
    return r"(?<!\w)" + body + r"(?:s|es|'s|’s)?(?!\w)"


def _any(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(term_regex(t) for t in terms), re.I) if terms else None


@lru_cache(maxsize=8)
def compile_rules(config: Config) -> tuple[CompiledRule, ...]:
    compiled = []
    for rule in config.topics:
        terms = sorted(rule.terms, key=lambda tw: (-len(tw[0]), tw[0]))  # 'mineral*' before 'miner*'
        names = {f"t{i}": term for i, (term, _) in enumerate(terms)}
        weights = {f"t{i}": weight for i, (_, weight) in enumerate(terms)}
        patterns = []
        for phrase in (False, True):  # a phrase adds to its words instead of hiding them
            group = [f"(?P<t{i}>{term_regex(t)})" for i, (t, _) in enumerate(terms) if (" " in t) == phrase]
            if group:
                patterns.append(re.compile("|".join(group), re.I))
        compiled.append(CompiledRule(rule, tuple(patterns), weights, names, _any(rule.require_any),
                                     _any(rule.exclude)))
    return tuple(compiled)


@dataclass(frozen=True, slots=True)
class RawScore:
    score: float
    evidence: tuple[str, ...]
    required: bool
    vetoed: bool


NO_SCORE = RawScore(0.0, (), False, False)


def raw_score(text: str, rule: CompiledRule) -> RawScore:
    counts: dict[str, int] = {}
    for pattern in rule.patterns:
        for match in pattern.finditer(text):
            group = match.lastgroup
            if group:
                counts[group] = counts.get(group, 0) + 1
    if not counts:
        return NO_SCORE
    score = sum(rule.weights[g] * (1 + REPEAT_BONUS * (min(n, 2) - 1)) for g, n in counts.items())
    evidence = tuple(rule.names[g] for g in sorted(counts, key=lambda g: (-rule.weights[g], rule.names[g])))
    required = rule.require is None or rule.require.search(text) is not None
    # `require_any` terms count when they are in this paragraph or nearby (see _classify).
    vetoed = rule.exclude is not None and rule.exclude.search(text) is not None
    return RawScore(round(score, 2), evidence, required, vetoed)


def analyse(article: Article, config: Config) -> Article:
    rules = compile_rules(config)
    if not rules:
        return article
    raw = [[raw_score(p.text, r) for r in rules] for p in article.paragraphs]
    in_title = [bool(article.title and r.require and r.require.search(article.title)) for r in rules]
    paragraphs = tuple(_classify(p, i, raw, rules, in_title) for i, p in enumerate(article.paragraphs))
    return replace(article, paragraphs=paragraphs)


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
