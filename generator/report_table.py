"""The table `briefing check` prints: every article's fields, derived ones marked, missing ones shown."""

from __future__ import annotations

from generator.article import FIELDS
from generator.assemble import Site

WIDTHS = {"file": 26, "title": 34, "date": 25, "outlet": 12, "agency": 9, "author": 16,
          "dateline": 14, "url": 8, "tags": 6}
LEGEND = ("legend: value* = derived (not given by the text as such), — = missing; "
          "how each field was found: data/report.json or the article page")


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def report_table(site: Site) -> str:
    columns = ["file", *FIELDS]
    rows = [[c.upper() for c in columns]]
    by_id = {a.id: a for a in site.articles}
    for report in site.inputs:
        name = report.path.split("/", 1)[-1]
        if report.article is None:
            rows.append([name, f"SKIPPED: {report.reason}"] + [""] * (len(FIELDS) - 1))
            continue
        article = by_id[report.article]
        row = [name]
        for field in FIELDS:
            value = getattr(article, field)
            text = ", ".join(value) if isinstance(value, tuple) else (value or "")
            if field == "url" and text:
                text = "yes"
            if field == "tags" and value:
                text = str(len(value))
            mark = "*" if field in report.derived else ""
            row.append(_cell(text, WIDTHS[field] - len(mark)) + mark if text else "—")
        rows.append(row)
    lines = []
    for row in rows:
        if row[1].startswith("SKIPPED"):
            lines.append(f"{_cell(row[0], WIDTHS['file']):<{WIDTHS['file']}}  {row[1]}")
            continue
        lines.append("  ".join(f"{_cell(cell, WIDTHS[col]):<{WIDTHS[col]}}" for col, cell in zip(columns, row)).rstrip())
    missing = {f: sum(1 for r in site.inputs if r.article and f in r.missing) for f in FIELDS}
    summary = ", ".join(f"{f} {n}" for f, n in missing.items() if n)
    lines.append("")
    lines.append(f"{len(site.articles)} articles, {sum(1 for r in site.inputs if r.article is None)} skipped; "
                 f"missing: {summary or 'nothing'}")
    lines.append(LEGEND)
    return "\n".join(lines)
