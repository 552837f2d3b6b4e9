"""Every page type's HTML passes the Nu HTML Checker (vnu.jar from tests/browser/node_modules)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.sitebuild import VNU_JAR, build_site, page_types, require


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("valid"))


def html_file(site: Path, path: str) -> Path:
    return site / path / "index.html" if path == "" or path.endswith("/") else site / path


def test_every_page_type_passes_the_nu_html_checker(site: Path) -> None:
    require(VNU_JAR, "make test installs it: npm --prefix tests/browser ci")
    java = shutil.which("java")
    if not java:
        if os.environ.get("CI"):
            pytest.fail("java is missing (.ci/run installs default-jre-headless)")
        pytest.skip("java is missing (apt-get install default-jre-headless)")
    # Every HTML page the build wrote, so each page type is covered, with all its variants.
    files = sorted(site.rglob("*.html"))
    expected = {html_file(site, path) for path in page_types(site).values()}
    assert expected <= set(files)
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                             *map(str, files)], capture_output=True, text=True, timeout=300)
    report = json.loads(result.stderr or result.stdout)
    errors = [f"{m.get('url', '').removeprefix('file:').replace(str(site), 'site')}:{m.get('lastLine')}: "
              f"{m['message']}  [{m.get('extract', '').strip()}]"
              for m in report["messages"] if m["type"] in ("error", "non-document-error")]
    assert not errors, "Nu HTML Checker errors:\n" + "\n".join(errors)
    assert result.returncode == 0
