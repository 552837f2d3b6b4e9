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


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: TopicRule
    pattern: re.Pattern[str]
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
        names = {f"t{i}": term for i, (term, _) in enumerate(rule.terms)}
        weights = {f"t{i}": weight for i, (_, weight) in enumerate(rule.terms)}
        pattern = re.compile("|".join(f"(?P<t{i}>{term_regex(term)})"
                                      for i, (term, _) in enumerate(rule.terms)), re.I)
        compiled.append(CompiledRule(rule, pattern, weights, names, _any(rule.require_any),
                                     _any(rule.exclude)))
    return tuple(compiled)


def score_paragraph(text: str, rule: CompiledRule) -> TopicMatch | None:
    counts: dict[str, int] = {}
    for match in rule.pattern.finditer(text):
        group = match.lastgroup
        if group:
            counts[group] = counts.get(group, 0) + 1
    if not counts:
        return None
    score = sum(rule.weights[g] * (1 + REPEAT_BONUS * (min(n, 2) - 1)) for g, n in counts.items())
    if score < rule.rule.min_score:
        return None
    if rule.require and not rule.require.search(text):
        return None
    if rule.exclude and rule.exclude.search(text):
        return None
    evidence = tuple(rule.names[g] for g in sorted(counts, key=lambda g: (-rule.weights[g], rule.names[g])))
    return TopicMatch(rule.rule.slug, round(score, 2), evidence)


def analyse(article: Article, config: Config) -> Article:
    rules = compile_rules(config)
    if not rules:
        return article
    paragraphs = tuple(_classify(p, rules) for p in article.paragraphs)
    return replace(article, paragraphs=paragraphs)


def _classify(paragraph: Paragraph, rules: tuple[CompiledRule, ...]) -> Paragraph:
    matches = tuple(m for m in (score_paragraph(paragraph.text, r) for r in rules) if m)
    return replace(paragraph, topics=matches) if matches else paragraph
