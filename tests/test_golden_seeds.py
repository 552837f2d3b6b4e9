"""The shipped corpus: normalised metadata and rendered pages pinned (regenerate: make golden)."""

import json
from pathlib import Path

import pytest

from tests.regenerate import GOLDEN_PAGES, PAGE_GOLDEN, SEED_GOLDEN, built_pages, seed_metadata


def test_seed_metadata_matches_golden() -> None:
    current = seed_metadata()
    files = sorted(SEED_GOLDEN.glob("*.json"))
    assert len(files) == 5
    for path in files:
        assert current[path.stem] == json.loads(path.read_text()), path.name


@pytest.mark.parametrize("page", GOLDEN_PAGES)
def test_rendered_pages_match_golden(page: str, tmp_path: Path) -> None:
    assert built_pages(tmp_path)[page] == (PAGE_GOLDEN / page).read_text()
