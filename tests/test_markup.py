"""Article text to HTML: prose skips the Markdown parser, anything Markdown would read goes through it."""

import pytest

from generator.markup import _md, paragraph_html


@pytest.mark.parametrize("text", [
    "Officials said talks would continue on Monday, and 12 of them agreed.",
    "A sentence with a hyphen - not a list - and a 3.5% rise.",
    "Ends with a number 1. and a plus + sign inside.",
])
def test_prose_is_escaped_without_the_parser(text: str) -> None:
    assert paragraph_html(text) == f"<p>{text}</p>" == _md.render(text).strip()


@pytest.mark.parametrize("text", [
    "- one item", "  + indented item", "> quoted", "1. numbered", "12) numbered", "    code block",
    "first line\n- second line is a list item", "S&P rose", "a *stressed* word", "[link](http://x.y)",
    "<b>raw</b> is escaped", "# not a heading? it is",
])
def test_text_markdown_reads_goes_through_the_parser(text: str) -> None:
    assert paragraph_html(text) == _md.render(text).strip()
