"""Regenerate the golden files that the tool itself produces: `make golden`.

Review the diff before committing: a golden file is a claim that the output is right.
(The hand-written expectations in tests/golden/expected/ are never regenerated.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_GOLDEN = ROOT / "tests/golden/seeds"
PAGE_GOLDEN = ROOT / "tests/golden/pages"
GOLDEN_PAGES = ("index.html", "articles/000-7bc5df4f94addd73/index.html", "topics/mining/index.html")


def seed_metadata() -> dict[str, Any]:
    from generator.config import load_config
    from generator.datafiles import article_json
    from generator.pipeline import read_corpus

    config = load_config(ROOT / "briefing.yml")
    articles, _ = read_corpus(ROOT / "seeds", config)
    out = {}
    for article in articles:
        data = article_json(article)
        data["paragraphs"] = [{"n": p["n"], "starts": p["text"][:60], "topics": p["topics"]}
                              for p in data["paragraphs"]]
        data["furniture"] = [[f.line, f.kind, f.text] for f in article.furniture]
        out[article.id] = data
    return out


def built_pages(tmp: Path) -> dict[str, str]:
    from generator.config import load_config
    from generator.pipeline import build

    config = load_config(ROOT / "briefing.yml")
    build(config, ROOT / "seeds", tmp / "site", ROOT / "templates")
    return {page: (tmp / "site" / page).read_text() for page in GOLDEN_PAGES}


def main() -> int:
    import tempfile

    SEED_GOLDEN.mkdir(parents=True, exist_ok=True)
    for article_id, data in seed_metadata().items():
        (SEED_GOLDEN / f"{article_id}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    with tempfile.TemporaryDirectory() as tmp:
        for page, text in built_pages(Path(tmp)).items():
            target = PAGE_GOLDEN / page
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    print(f"wrote {SEED_GOLDEN} and {PAGE_GOLDEN}; review with git diff", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
