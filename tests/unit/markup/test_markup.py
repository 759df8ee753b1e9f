"""Markdown to safe HTML: what survives, what is removed, and which inputs are refused up front."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import ValidationError
from planner.markup import (
    MAX_LENGTH,
    MarkupTooComplexError,
    check_complexity,
    plain_text,
    render_markdown,
)

OWN_IMAGE = "/media/ab/cd/abcd.jpg"


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


# --------------------------------------------------------------------------------------------------
# What is removed


@pytest.mark.parametrize(
    "text",
    [
        "Hello <script>alert(1)</script>",
        "<script src='https://evil.example/x.js'></script>",
        "<div>\n<script>alert(1)</script>\n</div>",
        "<SCRIPT>alert(1)</SCRIPT>",
    ],
)
def test_render_markdown_never_emits_script_tags(text: str) -> None:
    html = render_markdown(text)
    assert "<script" not in html.lower()
    assert "alert(1)" not in html or "&lt;" in html  # shown as text at most, never as a tag


def test_render_markdown_shows_raw_html_as_text() -> None:
    html = render_markdown('<img src=x onerror="alert(1)"> and <b>bold</b>')
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ],
)
def test_render_markdown_drops_links_with_unsafe_schemes(url: str) -> None:
    html = render_markdown(f"[click]({url})")
    assert "click" in html
    assert hrefs(html) == []


@pytest.mark.parametrize(
    "url", ["https://example.nl/a?b=c", "http://example.nl", "mailto:pers@example.nl", "/stories/3"]
)
def test_render_markdown_keeps_safe_links_with_rel(url: str) -> None:
    html = render_markdown(f"[here]({url})")
    assert hrefs(html) == [url.replace("&", "&amp;")]
    assert 'rel="nofollow noopener"' in html


@pytest.mark.parametrize(
    "src",
    [
        "https://tracker.example/pixel.png",
        "//tracker.example/media/x.png",
        "/media/../secrets.png",
        "/uploads/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_render_markdown_drops_images_from_elsewhere_but_keeps_alt_text(src: str) -> None:
    html = render_markdown(f"![a cat]({src})")
    assert "<img" not in html
    assert "a cat" in html


def test_render_markdown_keeps_images_from_own_media() -> None:
    html = render_markdown(f"![a cat]({OWN_IMAGE})")
    assert re.search(rf'<img [^>]*src="{re.escape(OWN_IMAGE)}"', html)
    assert 'alt="a cat"' in html


def test_render_markdown_uses_the_given_media_prefix() -> None:
    html = render_markdown(f"![x]({OWN_IMAGE})", media_prefix="https://cdn.example/m/")
    assert "<img" not in html
    kept = render_markdown(
        "![x](https://cdn.example/m/ab.jpg)", media_prefix="https://cdn.example/m/"
    )
    assert 'src="https://cdn.example/m/ab.jpg"' in kept


# --------------------------------------------------------------------------------------------------
# What is kept


def test_render_markdown_keeps_the_allowed_structure() -> None:
    html = render_markdown(
        "## Kop\n\n**vet** en *schuin*\n\n- een\n- twee\n\n1. a\n2. b\n\n> citaat\n\n"
        "```\ncode <b>\n```\n\n---\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n"
    )
    for tag in ("<h2>", "<strong>", "<em>", "<ul>", "<ol>", "<li>", "<blockquote>", "<pre>"):
        assert tag in html
    assert "<code>code &lt;b&gt;" in html
    assert "<hr>" in html
    assert '<th align="left">a</th>' in html
    assert '<td align="right">2</td>' in html


def test_render_markdown_keeps_headings_between_h2_and_h4() -> None:
    html = render_markdown("# One\n\n###### Six")
    assert "<h1>" not in html
    assert "<h6>" not in html
    assert "<h2>One</h2>" in html
    assert "<h4>Six</h4>" in html


def test_render_markdown_drops_code_classes_and_ids() -> None:
    html = render_markdown("```python\nx = 1\n```")
    assert "class=" not in html
    assert "x = 1" in html


# --------------------------------------------------------------------------------------------------
# Bounded input


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        pytest.param("[" * 20_000, "inline_marks", id="20000 brackets"),
        pytest.param("[a " * 200, "bracket_depth", id="200 unclosed brackets"),
        pytest.param("[](" * 100, "bracket_depth", id="100 unclosed link targets"),
        pytest.param("- " * 300 + "deep", "nesting", id="list nested 300 deep inline"),
        pytest.param(
            "".join("    " * i + "- item\n" for i in range(40)), "nesting", id="list nested 40 deep"
        ),
        pytest.param(">" * 300 + " deep", "nesting", id="blockquote nested 300 deep"),
        pytest.param("> " * 300 + "deep", "nesting", id="spaced blockquote nested 300 deep"),
        pytest.param("a" * (MAX_LENGTH + 1), "length", id="too long"),
        pytest.param("word " * 5_000, "block_length", id="one huge paragraph"),
        pytest.param("`a" * 2_000, "inline_marks", id="backtick storm"),
    ],
)
def test_render_markdown_refuses_pathological_input(text: str, limit: str) -> None:
    with pytest.raises(MarkupTooComplexError) as caught:
        render_markdown(text)
    assert caught.value.details["limit"] == limit
    assert caught.value.details["actual"] > caught.value.details["maximum"]
    assert caught.value.field == "body"


def test_markup_too_complex_error_is_a_user_facing_validation_error() -> None:
    with pytest.raises(ValidationError, match="limit is 100,000"):
        render_markdown("x" * (MAX_LENGTH + 1))


def test_check_complexity_ignores_escaped_and_closed_brackets() -> None:
    check_complexity("\\[" * 500)  # escaped brackets open nothing
    check_complexity("[a](b) " * 150)  # closed ones never accumulate


def test_render_markdown_accepts_a_long_ordinary_article() -> None:
    paragraph = (
        "Op **dinsdag** opent de [bibliotheek](https://example.nl/bieb) haar deuren"
        " voor *iedereen* (ook kinderen).\n\n"
    )
    nested = "".join("    " * level + f"- niveau {level}\n" for level in range(6))
    text = paragraph * 400 + nested + "> > > drie keer geciteerd\n"
    html = render_markdown(text)
    assert html.count("<p>") >= 400
    assert html.count("<ul>") == 6


# --------------------------------------------------------------------------------------------------
# Plain text


def test_plain_text_removes_markup_and_keeps_link_addresses() -> None:
    text = plain_text(
        "# Open dag\n\nKom **zaterdag** naar [het stadhuis](https://example.nl/open).\n\n"
        "- koffie\n- taart\n\n<b>niet vet</b> &amp; klaar"
    )
    assert text == (
        "Open dag\n\nKom zaterdag naar het stadhuis (https://example.nl/open).\n\n"
        "- koffie\n- taart\n\n<b>niet vet</b> & klaar"
    )


def test_plain_text_does_not_repeat_a_link_that_is_its_own_label() -> None:
    assert plain_text("<https://example.nl>") == "https://example.nl"


def test_plain_text_is_bounded_like_rendering() -> None:
    with pytest.raises(MarkupTooComplexError):
        plain_text("[" * 20_000)


# --------------------------------------------------------------------------------------------------
# Properties


TOKENS = [
    *"[]()<>!*_`#->: \n\"'=/a",
    "javascript:",
    "data:",
    "<script>",
    "<img src=",
    " onerror=",
    "http://x",
    "/media/",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_render_markdown_output_never_contains_active_content(text: str) -> None:
    try:
        html = render_markdown(text)
    except MarkupTooComplexError:
        return
    lowered = html.lower()
    assert "<script" not in lowered
    assert not re.search(r"<[a-z][^>]*\son\w*=", lowered)  # no event handler on any real tag
    for href in hrefs(html):
        assert not href.lower().startswith(("javascript:", "data:", "vbscript:"))
    # only real <img> tags: typed HTML is escaped text and its "src=" is harmless
    for src in re.findall(r'<img\b[^>]*\ssrc="([^"]*)"', html):
        assert src.startswith("/media/")
