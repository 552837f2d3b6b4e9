"""Pictures drawn at build time as inline SVG: no scripts, no external resources.

Each chart comes with a text alternative (a title, a description, and the same
numbers as a table in the page) so it reads as well without the picture.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup, escape

from generator.article import Article
from generator.config import TopicRule

PALETTE = ("#1f6fb2", "#c2410c", "#2f855a", "#7c3aed", "#b7791f", "#0e7490", "#be185d", "#4a5568")


@dataclass(frozen=True, slots=True)
class CoverageRow:
    day: str
    counts: tuple[int, ...]
    """Articles of that day per topic, in configuration order."""


def coverage_rows(articles: tuple[Article, ...], topics: tuple[TopicRule, ...]) -> tuple[CoverageRow, ...]:
    per_day: dict[str, Counter[str]] = {}
    for article in articles:
        if article.date:
            per_day.setdefault(article.date[:10], Counter()).update(article.topics)
    return tuple(CoverageRow(day, tuple(per_day[day][t.slug] for t in topics)) for day in sorted(per_day))


def coverage_chart(rows: tuple[CoverageRow, ...], topics: tuple[TopicRule, ...]) -> Markup:
    """Grouped bars: articles per day per topic."""
    if not rows or not topics:
        return Markup("")
    peak = max(max(r.counts, default=0) for r in rows) or 1
    bar, gap, height = 14, 18, 160
    group = bar * len(topics) + gap
    width = max(360, 48 + group * len(rows))
    legend_rows = (len(topics) + 1) // 2
    parts = [f'<svg class="chart" role="img" aria-labelledby="cov-t cov-d" viewBox="0 0 {width} {height + 44 + 16 * legend_rows}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
             '<title id="cov-t">Articles per day per topic</title>',
             f'<desc id="cov-d">{escape(_describe(rows, topics))}</desc>']
    for i, row in enumerate(rows):
        x0 = 40 + i * group
        for j, count in enumerate(row.counts):
            h = round(height * count / peak)
            parts.append(f'<rect x="{x0 + j * bar}" y="{height - h + 10}" width="{bar - 2}" height="{h}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(topics[j].title)}, '
                         f'{row.day}: {count}</title></rect>')
        parts.append(f'<text x="{x0}" y="{height + 28}" class="tick">{row.day[5:]}</text>')
    parts.append(f'<text x="0" y="20" class="tick">{peak}</text><text x="0" y="{height + 10}" class="tick">0</text>')
    for j, topic in enumerate(topics):  # two legend entries per row, so none is cut off
        x, y = 40 + (j % 2) * 160, height + 42 + 16 * (j // 2)
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>'
                     f'<text x="{x + 14}" y="{y + 9}" class="tick">{escape(topic.title[:24])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(rows: tuple[CoverageRow, ...], topics: tuple[TopicRule, ...]) -> str:
    totals = [sum(r.counts[j] for r in rows) for j in range(len(topics))]
    summary = ", ".join(f"{t.title} {n}" for t, n in zip(topics, totals))
    return f"{len(rows)} days from {rows[0].day} to {rows[-1].day}; article-topic counts: {summary}."


def matrix_cell(count: int, peak: int) -> Markup:
    """A shaded square whose darkness is the number of articles: the matrix reads at a glance."""
    shade = 0.12 + 0.88 * count / peak if count and peak else 0
    return Markup(f'<svg class="cell" aria-hidden="true" width="14" height="14" viewBox="0 0 14 14">'
                  f'<rect width="14" height="14" rx="2" fill="#1f6fb2" fill-opacity="{shade:.2f}"/></svg>')
