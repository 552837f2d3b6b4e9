"""Precision and recall of quote and dated-event extraction against hand labels.

    python bench/extraction_quality.py [--show-errors]

Labels live in tests/extraction/labels.yml (rules: tests/extraction/README.md). The extractors are
run exactly as generator/assemble.py `Findings` runs them: `build_gazetteer`, `article_entities`,
`article_quotes`, `article_events`.

Four measures:

- quotes found   a predicted quotation matches a label in the same article and paragraph whose
                 text overlaps it (see `_text_match`). One prediction may cover several labels
                 when the extractor joins quoted parts of one sentence.
- speakers       over matched quotations: a predicted speaker equal to the label (see
                 `same_speaker`) is right, a different non-null one is an error (also when the
                 label is null); a null prediction for a labelled speaker is a miss only.
                 precision = right / (right + errors); recall = right / labelled speakers.
- events found   a predicted date mention (DatedMention, or UndatedMention for undated articles)
                 matches a label in the same article and paragraph whose mention overlaps it or
                 whose resolved date is the same.
- event dates    a predicted mention is right when it matched and its resolved date equals the
                 label's (null == null for undated articles). precision = right / predictions,
                 recall = right / labels.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date as Date, timedelta
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.analyse import analyse  # noqa: E402
from generator.config import Config, load_config  # noqa: E402
from generator.entities import article_entities, build_gazetteer  # noqa: E402
from generator.events import article_events  # noqa: E402
from generator.load import decode  # noqa: E402
from generator.normalise import normalise  # noqa: E402
from generator.pipeline import read_corpus  # noqa: E402
from generator.quotes import article_quotes  # noqa: E402

LABELS = ROOT / "tests/extraction/labels.yml"
MEASURES = ("quotes found", "speakers", "events found", "event dates")


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    right: int
    predicted: int
    labelled: int


@dataclass(frozen=True)
class Pred:
    file: str
    n: int
    text: str
    """Quote text, or the date mention as written."""
    value: str | None
    """Speaker, or resolved date."""
    extra: str = ""


@dataclass
class Result:
    quote_pairs: list[tuple[dict[str, Any], Pred | None]] = field(default_factory=list)
    quote_unmatched: list[Pred] = field(default_factory=list)
    quote_preds: int = 0
    event_pairs: list[tuple[dict[str, Any], Pred | None]] = field(default_factory=list)
    event_unmatched: list[Pred] = field(default_factory=list)
    event_matched_preds: list[tuple[Pred, dict[str, Any]]] = field(default_factory=list)
    event_preds: int = 0
    articles: int = 0


# ---------------------------------------------------------------------------------------------
# Normalising and matching.

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"', "\u00a0": " "})
_STOP = frozenset("the a an of on in at s u us 's".split())


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def tokens(text: str) -> list[str]:
    text = "".join(c for c in unicodedata.normalize("NFKD", norm(text).lower()) if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", text)


def same_speaker(predicted: str | None, label: dict[str, Any]) -> bool:
    """Names match when the content words of one are all in the other ('Burgum' ~ 'Doug Burgum',
    'the U.S. State Department' ~ 'State Department'), against the label or one of its `accept`."""
    if predicted is None:
        return label["speaker"] is None
    got = {t for t in tokens(predicted) if t not in _STOP}
    for name in [label["speaker"], *label.get("accept", [])]:
        if name is None:
            continue
        want = {t for t in tokens(name) if t not in _STOP}
        if got and want and (got <= want or want <= got):
            return True
    return False


def _text_match(label_text: str, predicted: str) -> bool:
    """The label's words (its first ~40 characters) are mostly in the predicted quotation, or the
    prediction is a fragment of the label."""
    want, got = tokens(label_text), tokens(predicted)
    if not want or not got:
        return False
    got_set, want_set = set(got), set(want)
    return (sum(1 for t in want if t in got_set) / len(want) >= 0.6
            or sum(1 for t in got if t in want_set) / len(got) >= 0.8 and len(got) >= 2)


def _mention_match(label: dict[str, Any], pred: Pred) -> bool:
    want = {t for t in tokens(label["mention"]) if t not in _STOP}
    got = {t for t in tokens(pred.text) if t not in _STOP}
    return bool(want & got) or (label["date"] is not None and label["date"] == pred.value)


def _week_as_month(iso: str) -> str:
    """Labels give a week ('this week') as its month when the week lies in one month."""
    monday = Date.fromisoformat(iso)
    sunday = monday + timedelta(days=6)
    return iso[:7] if monday.month == sunday.month else iso


def _find_paragraph(article: Any, start: str, file: str) -> int:
    want = re.sub(r"^date \d{4}-\d\d-\d\d\s*", "", norm(start))
    for paragraph in article.paragraphs:
        got = norm(paragraph.text).lstrip("-•* ")
        if got.startswith(want) or (len(got) < len(want) and want.startswith(got) and got):
            return paragraph.n
    raise SystemExit(f"{file}: no paragraph starts with {start!r}")


# ---------------------------------------------------------------------------------------------
# Running the extractors.

def load_articles(config: Config, files: list[str]) -> dict[str, Any]:
    """file (as labelled) -> analysed Article. Seeds go through read_corpus (which reads their
    date lines); other files are normalised one by one, as bench/topic_quality.py does."""
    out: dict[str, Any] = {}
    seeds = [f for f in files if f.startswith("seeds/")]
    if seeds:
        articles, _ = read_corpus(ROOT / "seeds", config)
        by_name = {Path(str(a.source_path)).name: a for a in articles}
        for f in seeds:
            out[f] = by_name[Path(f).name]
    for f in files:
        if f not in out:
            path = ROOT / f
            out[f] = analyse(normalise(decode(f, path.read_bytes()), config), config)  # type: ignore[arg-type]
    return out


def evaluate(config: Config) -> Result:
    data = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    entries = data["articles"]
    articles = load_articles(config, [e["file"] for e in entries])
    gazetteer = build_gazetteer(config.entities, config.sources)
    result = Result(articles=len(entries))
    for entry in entries:
        file, article = entry["file"], articles[entry["file"]]
        entities = article_entities(article, gazetteer)
        quotes = [Pred(file, q.n, q.text, q.speaker, q.how) for q in article_quotes(article, gazetteer, entities)]
        found = article_events(article)
        events = [Pred(file, m.n, m.mention,
                       _week_as_month(m.date) if m.precision == "week" else m.date, m.how)
                  for m in found.mentions]
        events += [Pred(file, u.n, u.mention, None, u.reason) for u in found.left_out]
        if entry.get("relative") == "absolute-only":
            # Undated corpus article: only absolute dates are labelled; unresolved relative
            # mentions are out of scope rather than false positives.
            events = [p for p in events if p.value is not None]
        result.quote_preds += len(quotes)
        result.event_preds += len(events)

        used: set[int] = set()
        for label in entry.get("quotes") or []:
            n = _find_paragraph(article, label["paragraph"], file)
            match = next((p for p in quotes if p.n == n and _text_match(label["text"], p.text)), None)
            if match is not None:
                used.add(id(match))
            result.quote_pairs.append(({**label, "file": file, "n": n}, match))
        result.quote_unmatched += [p for p in quotes if id(p) not in used]

        taken: set[int] = set()
        labels = [{**label, "file": file, "n": _find_paragraph(article, label["paragraph"], file)}
                  for label in entry.get("events") or []]
        # Exact mention overlap first, then same date, one prediction per label.
        matched: dict[int, Pred] = {}
        for strict in (True, False):
            for i, label in enumerate(labels):
                if i in matched:
                    continue
                for p in events:
                    if id(p) in taken or p.n != label["n"]:
                        continue
                    ok = (bool({t for t in tokens(label["mention"]) if t not in _STOP}
                               & {t for t in tokens(p.text) if t not in _STOP}) if strict
                          else _mention_match(label, p))
                    if ok:
                        matched[i] = p
                        taken.add(id(p))
                        result.event_matched_preds.append((p, label))
                        break
        for i, label in enumerate(labels):
            result.event_pairs.append((label, matched.get(i)))
        result.event_unmatched += [p for p in events if id(p) not in taken]
    return result


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def scores(result: Result) -> dict[str, Scores]:
    q_found = sum(1 for _, p in result.quote_pairs if p is not None)
    q_pred_matched = len({id(p) for _, p in result.quote_pairs if p is not None})
    sp_right = sum(1 for label, p in result.quote_pairs if p is not None and label["speaker"] is not None
                   and p.value is not None and same_speaker(p.value, label))
    sp_errors = sum(1 for label, p in result.quote_pairs if p is not None and p.value is not None
                    and not same_speaker(p.value, label))
    sp_labelled = sum(1 for label, _ in result.quote_pairs if label["speaker"] is not None)
    e_found = sum(1 for _, p in result.event_pairs if p is not None)
    d_right = sum(1 for label, p in result.event_pairs if p is not None and p.value == label["date"])
    return {
        "quotes found": Scores(_ratio(q_pred_matched, result.quote_preds), _ratio(q_found, len(result.quote_pairs)),
                               q_found, result.quote_preds, len(result.quote_pairs)),
        "speakers": Scores(_ratio(sp_right, sp_right + sp_errors), _ratio(sp_right, sp_labelled),
                           sp_right, sp_right + sp_errors, sp_labelled),
        "events found": Scores(_ratio(e_found, result.event_preds), _ratio(e_found, len(result.event_pairs)),
                               e_found, result.event_preds, len(result.event_pairs)),
        "event dates": Scores(_ratio(d_right, result.event_preds), _ratio(d_right, len(result.event_pairs)),
                              d_right, result.event_preds, len(result.event_pairs)),
    }


def table(config: Config) -> tuple[str, dict[str, Scores], Result]:
    result = evaluate(config)
    results = scores(result)
    lines = [f"{result.articles} labelled articles, "
             f"{len(result.quote_pairs)} quotations, {len(result.event_pairs)} date mentions", "",
             "| measure | precision | recall | right | predicted | labelled |", "|---|---|---|---|---|---|"]
    for name, s in results.items():
        lines.append(f"| {name} | {s.precision:.2f} | {s.recall:.2f} | {s.right} | {s.predicted} | {s.labelled} |")
    return "\n".join(lines), results, result


def errors(result: Result) -> list[str]:
    out = []
    def where(file: str, n: int) -> str:
        return f"{Path(file).name[:12]:12} ¶{n:<2}"
    for label, p in result.quote_pairs:
        if p is None:
            out.append(f"quote   missed      {where(label['file'], label['n'])} {label['text'][:45]!r} ({label['speaker']})")
        elif p.value is not None and not same_speaker(p.value, label):
            out.append(f"speaker wrong       {where(label['file'], label['n'])} {label['text'][:45]!r} "
                       f"gold={label['speaker']!r} got={p.value!r} [{p.extra}]")
        elif p.value is None and label["speaker"] is not None:
            out.append(f"speaker missed      {where(label['file'], label['n'])} {label['text'][:45]!r} "
                       f"gold={label['speaker']!r}")
    for p in result.quote_unmatched:
        out.append(f"quote   spurious    {where(p.file, p.n)} {p.text[:45]!r} (speaker {p.value!r})")
    for label, p in result.event_pairs:
        if p is None:
            out.append(f"event   missed      {where(label['file'], label['n'])} {label['mention']!r} = {label['date']}")
        elif p.value != label["date"]:
            out.append(f"date    wrong       {where(label['file'], label['n'])} {label['mention']!r} "
                       f"gold={label['date']} got={p.value} (as {p.text!r}; {p.extra})")
    for p in result.event_unmatched:
        out.append(f"event   spurious    {where(p.file, p.n)} {p.text!r} = {p.value} ({p.extra})")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    config = load_config(ROOT / "briefing.yml")
    text, _, result = table(config)
    print(text)
    if args.show_errors:
        print()
        for line in errors(result):
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
