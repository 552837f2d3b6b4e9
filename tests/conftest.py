from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.article import Article
from generator.config import Config, load_config
from generator.load import decode
from generator.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = ROOT / "briefing.yml"


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(CONFIG_PATH)


def normalise_text(text: str | bytes, config: Config, name: str = "inbox/article.txt") -> Article:
    data = text.encode() if isinstance(text, str) else text
    source = decode(name, data)
    assert not isinstance(source, type(None))
    return normalise(source, config)  # type: ignore[arg-type]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the project's configuration, templates and seeds in a temporary folder."""
    for name in ("briefing.yml",):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return tmp_path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests skip where chromium is not installed, except in CI, where that is a failure."""
    if Path("/usr/bin/chromium").exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="/usr/bin/chromium not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
