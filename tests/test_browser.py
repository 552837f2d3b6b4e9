"""End to end: Debian's chromium, driven by Playwright, against the built site served on 127.0.0.1.

The site is built once for this file (with two hostile articles in its seeds) and served from a
background thread. Screenshots of every page type, at 390 px and 1280 px and in dark mode, are written
to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.config import load_config
from generator.search_index import SIGNATURE
from tests.browser.sitebuild import (ARTIFACTS, AXE_JS, EVIL_IDS, build_site, page_types, require,
                                     serve)

pytest.importorskip("playwright.sync_api", reason="make test installs the test extras (playwright)")
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser
NewContext = Callable[..., BrowserContext]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDE, NARROW = 1280, 390
SEARCH_WORD, SEARCH_ARTICLE = "rapprochement", "001-3a454840917e6663"
PAGE_TYPES = ("home", "topics", "topic", "topic-page-2", "article", "sources", "source", "timeline", "events",
              "left-out", "other", "quotes", "entities", "entity", "discrepancies", "about",
              "search", "changes", "404", "evil-article", "evil-front-matter")


# ---------------------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """Served where its configuration says it lives (site.base_url's path), as a host would."""
    with serve(site, urlsplit(load_config(site.parent / "briefing.yml").site.base_url).path) as url:
        yield url


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, str]:
    found = page_types(site)
    assert set(found) <= set(PAGE_TYPES) and set(PAGE_TYPES) - set(found) <= {"topic-page-2"}, found
    return found


def page_of(pages: dict[str, str], kind: str) -> str:
    if kind not in pages:
        pytest.skip(f"this build has no {kind} page")
    return pages[kind]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture()
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Fresh browser contexts (a viewport `width` px wide), all closed after the test, pass or fail."""
    made: list[BrowserContext] = []

    def make(width: int = WIDE, **options: Any) -> BrowserContext:
        context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


class Watch:
    """Everything on a page that should not happen: console errors, uncaught exceptions, failed
    requests, HTTP errors, and dialogs (alert/confirm/prompt: a sign that article text ran as script)."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


def open_page(page: Page, base_url: str, path: str) -> None:
    """Load a page; the search page is loaded with a query typed, so its results are on screen."""
    page.goto(base_url + path, wait_until="load")
    if path.startswith("search/"):
        search(page, "Venezuela")


def search(page: Page, word: str) -> None:
    box = page.locator(".pagefind-ui__search-input")
    expect(box).to_be_visible()
    box.fill(word)
    expect(page.locator(".pagefind-ui__result-link").first).to_be_visible()
    page.wait_for_load_state("networkidle")


def run_axe(page: Page) -> list[str]:
    """axe-core's default rule set (WCAG 2 A/AA and best practices) on the whole page, as it is now."""
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(
                n => n.target.join(" ") + ": " + n.failureSummary.replace(/\\s+/g, " "))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations]


def hrefs_and_handlers(page: Page) -> dict[str, list[str]]:
    """Every URL-valued attribute, and every on* attribute, of every element in the document.

    Pagefind's own search form (action="javascript:void(0);", whose submit event it cancels) is left out."""
    return page.evaluate("""() => {
        const urls = [], handlers = [];
        for (const el of document.querySelectorAll("*")) {
            for (const a of el.attributes) {
                const name = a.name.toLowerCase();
                if (name.startsWith("on")) handlers.push(el.tagName + " " + a.name);
                if (el.matches("form.pagefind-ui__form") && name === "action"
                    && a.value === "javascript:void(0);") continue;
                if (["href", "src", "action", "formaction", "xlink:href", "cite", "data", "poster"]
                    .includes(name)) urls.push(a.value);
            }
        }
        return {urls, handlers};
    }""")


def script_urls(found: dict[str, list[str]]) -> list[str]:
    return [u for u in found["urls"] if re.match(r"\s*(javascript|vbscript|data:text/html)", u, re.I)]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", name.lower())


# ------------------------------------------------------------------------------------------------ flows

def test_home_topic_and_attribution_to_the_article_paragraph(new_context: NewContext, base_url: str) -> None:
    context = new_context()
    page = context.new_page()
    watch = Watch(page)
    page.goto(base_url)
    expect(page.locator("h1")).to_have_text(re.compile(r"\S"))
    topic_link = page.locator(".topic-brief h2 a").first
    topic_title = topic_link.inner_text()
    topic_link.click()
    expect(page).to_have_url(re.compile(r"/topics/[a-z0-9-]+/$"))
    expect(page.locator("h1")).to_have_text(topic_title)
    expect(page.locator(".point").first).to_be_visible()

    # A point's attribution: outlet, title, date and paragraph, linking to that paragraph's anchor.
    attribution = page.locator(".point .sources-list a").nth(0)
    expect(attribution).to_contain_text("¶")
    quote = page.locator(".point blockquote").first.inner_text().strip()
    href = attribution.get_attribute("href") or ""
    match = re.search(r"articles/([^/]+)/#(p-\d+)$", href)
    assert match, href
    attribution.click()
    expect(page).to_have_url(re.compile(rf"/articles/{re.escape(match[1])}/#{match[2]}$"))
    target = page.locator(f"#{match[2]}")
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target')?.id") == match[2]
    assert quote[:60] in " ".join(target.inner_text().split())
    assert not watch.problems and not watch.dialogs, watch.problems + watch.dialogs


def test_search_for_a_word_lands_on_the_right_article(new_context: NewContext, base_url: str) -> None:
    context = new_context()
    page = context.new_page()
    watch = Watch(page)
    page.goto(base_url + "search/")
    search(page, SEARCH_WORD)
    results = page.locator(".pagefind-ui__result-link")
    expect(results).to_have_count(1)
    expect(page.locator(".pagefind-ui__result-excerpt mark").first).to_have_text(
        re.compile(SEARCH_WORD, re.I))
    results.first.click()
    expect(page).to_have_url(re.compile(rf"/articles/{SEARCH_ARTICLE}/"))
    expect(page.locator("main")).to_contain_text(SEARCH_WORD)
    assert not watch.problems and not watch.dialogs, watch.problems + watch.dialogs


# ------------------------------------------------------------------------------- every page type

@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_type_loads_without_errors_and_fits_both_widths(
        new_context: NewContext, base_url: str, pages: dict[str, str], artifacts: Path, kind: str) -> None:
    """Under the site's own Content-Security-Policy: no console error, no failed request, no dialog;
    no sideways scrolling on a phone; screenshots at both widths."""
    for width in (WIDE, NARROW):
        context = new_context(width)
        page = context.new_page()
        watch = Watch(page)
        open_page(page, base_url, page_of(pages, kind))
        expect(page.locator("main h1").first).to_be_visible()
        page.screenshot(path=str(artifacts / f"{slug(kind)}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth"
                                 " - document.documentElement.clientWidth")
        assert overflow <= 0, f"{kind} at {width}px scrolls sideways by {overflow}px"
        assert not watch.problems, f"{kind} at {width}px: " + "\n".join(watch.problems)
        assert not watch.dialogs, f"{kind}: a dialog opened: {watch.dialogs}"


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_type_has_no_axe_violations_light_and_dark(
        new_context: NewContext, base_url: str, pages: dict[str, str], artifacts: Path, kind: str) -> None:
    require(AXE_JS, "make test installs it: npm --prefix tests/browser ci")
    # bypass_csp: only so that axe can be injected into the page; the site's CSP is tested above.
    context = new_context(color_scheme="light", bypass_csp=True)
    page = context.new_page()
    watch = Watch(page)
    open_page(page, base_url, page_of(pages, kind))
    page.add_script_tag(path=str(AXE_JS))
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        if scheme == "dark":
            page.screenshot(path=str(artifacts / f"{slug(kind)}-dark-{WIDE}.png"), full_page=True)
        found[scheme] = run_axe(page)
    assert found == {"light": [], "dark": []}, f"{kind}: axe-core violations:\n" + "\n".join(
        f"[{scheme}] {v}" for scheme, violations in found.items() for v in violations)
    assert not watch.dialogs


# ----------------------------------------------------------------------------- untrusted articles

@pytest.mark.parametrize("kind", ["evil-article", "evil-front-matter", "home", "topic", "timeline",
                                  "sources", "about"])
def test_hostile_article_text_shows_as_text_and_runs_nothing(
        new_context: NewContext, base_url: str, pages: dict[str, str], kind: str) -> None:
    context = new_context()
    page = context.new_page()
    watch = Watch(page)
    open_page(page, base_url, pages[kind])
    # Give handlers a chance to fire: hover the hostile links, open every <details>.
    for element in page.locator("main a", has_text="<").all()[:10]:
        element.hover(timeout=2_000)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    found = hrefs_and_handlers(page)
    assert not script_urls(found), found["urls"]
    assert not found["handlers"], found["handlers"]
    scripts = page.evaluate("[...document.scripts].map(s => s.getAttribute('src'))")
    assert None not in scripts, "an inline <script> element is in the page"
    assert not page.locator("main iframe, main img, main svg[onload], main form").count()
    assert not watch.dialogs, f"article text ran as script: {watch.dialogs}"
    assert not watch.problems, watch.problems
    text = page.locator("main").inner_text()
    if kind == "evil-article":
        assert '<script>alert("body")</script>' in text
        assert 'onerror=alert("img")' in text and "<b>Evil headline</b>" in page.locator("h1").inner_text()
    if kind == "evil-front-matter":
        title = page.locator("h1").inner_text()
        assert title == '<img src=x onerror=alert("fmtitle")> Evil <b>front</b> matter'
        assert '<script>alert("author")</script> Mallory' in text
        assert '<i onmouseover=alert("outlet")>Evil</i> Times' in text


def test_search_finds_articles_in_every_shard_of_the_index(new_context: NewContext, base_url: str,
                                                          site: Path) -> None:
    shards = json.loads((site / "pagefind/shards.json").read_text())["bundles"]
    assert len(shards) >= 3, "the test site is indexed in shards of two articles"
    shard_of, venezuela = {}, set()
    for shard in shards:
        for fragment in (site / "pagefind" / shard / "fragment").glob("*.pf_fragment"):
            indexed = json.loads(gzip.decompress(fragment.read_bytes())[len(SIGNATURE):])
            article = indexed["url"].strip("/").split("/")[-1]
            shard_of[article] = shard
            if "venezuela" in indexed["content"].lower():
                venezuela.add(article)
    page = new_context().new_page()
    watch = Watch(page)
    page.goto(base_url + "search/")
    search(page, "Venezuela")
    while page.locator(".pagefind-ui__button", has_text="Load more").count():
        page.locator(".pagefind-ui__button", has_text="Load more").click()
    hrefs = page.locator(".pagefind-ui__result-link").evaluate_all("links => links.map(a => a.href)")
    found = {re.search(r"/articles/([^/]+)/", href)[1] for href in hrefs}
    assert found == venezuela and len({shard_of[a] for a in found}) >= 3, (found, venezuela)
    assert not watch.problems and not watch.dialogs, watch.problems + watch.dialogs


def test_hostile_article_in_search_results_runs_nothing(new_context: NewContext, base_url: str) -> None:
    context = new_context()
    page = context.new_page()
    watch = Watch(page)
    page.goto(base_url + "search/")
    search(page, "Mallory")
    expect(page.locator(".pagefind-ui__result-link").first).to_contain_text("<b>front</b>")
    page.evaluate("document.querySelectorAll('#search details').forEach(d => d.open = true)")
    expect(page.locator(".pagefind-ui__filter-label", has_text="Evil").first).to_be_visible()
    found = hrefs_and_handlers(page)
    assert not script_urls(found), found["urls"]
    assert not found["handlers"], found["handlers"]
    page.locator(".pagefind-ui__search-input").press("Enter")  # Pagefind cancels the form's submit
    page.wait_for_timeout(200)
    page.locator(".pagefind-ui__result-link").first.click()
    expect(page).to_have_url(re.compile(rf"/articles/({'|'.join(EVIL_IDS)})/"))
    assert not watch.dialogs and not watch.problems, watch.dialogs + watch.problems


# ---------------------------------------------------------------------- without script, dark, print, keys

def test_site_works_without_javascript(new_context: NewContext, base_url: str, pages: dict[str, str]) -> None:
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url)
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator(".topic-brief .point").first).to_be_visible()
    expect(page.locator("ol.articles li").first).to_be_visible()
    page.goto(base_url + pages["topic"])
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator(".point blockquote").first).to_be_visible()
    expect(page.locator(".point .sources-list a").first).to_be_visible()
    page.goto(base_url + pages["search"])
    expect(page.locator("main .notice")).to_be_visible()
    expect(page.locator("main .notice")).to_contain_text("Search needs JavaScript")


def test_print_hides_the_navigation(
        new_context: NewContext, base_url: str, pages: dict[str, str], artifacts: Path) -> None:
    context = new_context()
    page = context.new_page()
    page.emulate_media(media="print")
    for kind in ("home", "article"):
        page.goto(base_url + pages[kind])
        expect(page.locator("main h1").first).to_be_visible()
        expect(page.locator(".masthead nav")).to_be_hidden()
        expect(page.locator(".skip")).to_be_hidden()
        expect(page.locator(".colophon")).to_be_hidden()
        page.screenshot(path=str(artifacts / f"{kind}-print.png"), full_page=True)


def test_tab_focuses_the_skip_link_and_enter_moves_focus_to_main(
        new_context: NewContext, base_url: str, pages: dict[str, str]) -> None:
    context = new_context()
    page = context.new_page()
    for kind in ("home", "article"):
        page.goto(base_url + pages[kind])
        page.keyboard.press("Tab")
        skip = page.locator("a.skip")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        expect(page).to_have_url(re.compile(r"#main$"))


def test_a_missing_address_at_any_depth_gets_a_working_not_found_page(new_context: NewContext,
                                                                       base_url: str) -> None:
    """A host answers every missing address with 404.html: its styles and links must work however
    deep the address was."""
    page = new_context().new_page()
    watch = Watch(page)
    response = page.goto(base_url + "articles/no-such-article/and/deeper/", wait_until="load")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert page.evaluate("[...document.styleSheets].some(s => s.href && s.href.endsWith('assets/style.css')"
                         " && s.cssRules.length > 0)"), "the stylesheet loaded"
    assert [p for p in watch.problems if "/and/deeper/" not in p] == []
    page.locator("main").get_by_role("link", name="timeline").click()
    assert page.url == base_url + "timeline/"
