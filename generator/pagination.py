"""Long lists split into numbered pages: no page grows with the corpus.

A list at `base` (a folder path such as "quotes/") is shown `size` items a page:
page 1 at `base`, page N at `base` + "page/N/", as Hugo and Pelican lay them out.
At 10,000 articles the unsplit home page, timeline and event timeline weighed
6, 4 and 13 MB; split, no list page holds more than `site.page_size` items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

PAGER_REACH = 2
"""Pages linked on each side of the current one; the first and last are always linked."""


@dataclass(frozen=True, slots=True)
class Pager:
    """Where one page sits among its list's pages, with the links a pager shows."""

    number: int
    count: int
    first: str
    previous: str | None
    next: str | None
    pages: tuple[tuple[int, str] | None, ...]
    """(number, url) for the first, the last and the pages near this one; None marks a gap."""


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def page_path(base: str, number: int) -> str:
    return page_url(base, number) + "index.html"


def page_count(items: int, size: int) -> int:
    return max(1, -(-items // size))


def pager(base: str, number: int, count: int) -> Pager:
    """Links to the first and last pages and a few around this one, with gaps between: a list
    with 400 pages would otherwise repeat 400 links on each of them."""
    shown = sorted({1, count, *range(max(1, number - PAGER_REACH), min(count, number + PAGER_REACH) + 1)})
    pages: list[tuple[int, str] | None] = []
    for n in shown:
        if pages and pages[-1] is not None and n > pages[-1][0] + 1:
            pages.append(None)
        pages.append((n, page_url(base, n)))
    return Pager(number, count, page_url(base, 1), page_url(base, number - 1) if number > 1 else None,
                 page_url(base, number + 1) if number < count else None, tuple(pages))


def paginate(base: str, items: Sequence[T], size: int) -> list[tuple[str, Sequence[T], Pager]]:
    """(output path, the page's items, its pager) for each page; an empty list still has page 1."""
    count = page_count(len(items), size)
    return [(page_path(base, n), items[(n - 1) * size:n * size], pager(base, n, count))
            for n in range(1, count + 1)]


def url_of_item(base: str, index: int, size: int) -> str:
    """The page that shows the item at `index` of the list (for links to it from elsewhere)."""
    return page_url(base, index // size + 1)
