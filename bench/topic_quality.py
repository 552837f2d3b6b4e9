"""Precision, recall and F1 of the topic rules against hand-labelled paragraphs.

    python bench/topic_quality.py [--split train|heldout|all] [--show-errors]

Labels live in tests/topics/labels.yml (guide: tests/topics/README.md). Tune the
rules in briefing.yml on the `train` split only; `heldout` measures them.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.analyse import analyse  # noqa: E402
from generator.config import Config, load_config  # noqa: E402
from generator.load import decode  # noqa: E402
from generator.normalise import normalise  # noqa: E402

LABELS = ROOT / "tests/topics/labels.yml"


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


def labelled_paragraphs(config: Config, split: str) -> list[tuple[str, str, set[str], set[str]]]:
    """(file, paragraph start, labelled topics, predicted topics) for every labelled paragraph."""
    data = yaml.safe_load(LABELS.read_text())
    rows = []
    for entry in data["articles"]:
        if split != "all" and entry["split"] != split:
            continue
        path = ROOT / entry["file"]
        article = analyse(normalise(decode(entry["file"], path.read_bytes()), config), config)  # type: ignore[arg-type]
        paragraphs = list(article.paragraphs)
        for label in entry["paragraphs"]:
            match = next((p for p in paragraphs if p.text.lstrip("-•* ").startswith(label["starts"])), None)
            if match is None:
                raise SystemExit(f"{entry['file']}: no paragraph starts with {label['starts']!r}")
            predicted = {m.topic for m in match.topics}
            rows.append((entry["file"], label["starts"], set(label["topics"]), predicted))
    return rows


def score(rows: list[tuple[str, str, set[str], set[str]]], topic: str) -> Scores:
    tp = sum(1 for _, _, gold, got in rows if topic in gold and topic in got)
    fp = sum(1 for _, _, gold, got in rows if topic not in gold and topic in got)
    fn = sum(1 for _, _, gold, got in rows if topic in gold and topic not in got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp + fn)


def table(config: Config, split: str) -> tuple[str, dict[str, Scores]]:
    rows = labelled_paragraphs(config, split)
    results = {t.slug: score(rows, t.slug) for t in config.topics}
    lines = [f"split: {split} ({len(rows)} paragraphs)", "",
             "| topic | precision | recall | F1 | labelled paragraphs |", "|---|---|---|---|---|"]
    for slug, s in results.items():
        lines.append(f"| {slug} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} | {s.support} |")
    macro = sum(s.f1 for s in results.values()) / len(results)
    lines.append(f"| **macro F1** | | | {macro:.2f} | |")
    return "\n".join(lines), results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="all", choices=["train", "heldout", "all"])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    config = load_config(ROOT / "briefing.yml")
    splits = ["train", "heldout"] if args.split == "all" else [args.split]
    for split in splits:
        text, _ = table(config, split)
        print(text + "\n")
        if args.show_errors:
            for file, start, gold, got in labelled_paragraphs(config, split):
                if gold != got:
                    print(f"  {Path(file).name[:22]:22} {start[:50]:50} gold={sorted(gold)} got={sorted(got)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
