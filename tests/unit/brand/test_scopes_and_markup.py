from __future__ import annotations

import pytest

from planner.brand.engine import parse

WORD = (
    "extends: existence\nmessage: \"'%s'\"\nignorecase: true\nscope: {scope}\ntokens: [klanten]\n"
)

DOC = (
    "# Klanten\n\n"
    "Alle klanten lezen mee.\n\n"
    "- klanten in een lijst\n\n"
    "> klanten in een citaat\n\n"
    "![klanten op foto](x.jpg)\n"
)


@pytest.mark.parametrize(
    ("scope", "lines"),
    [
        ("heading", [1]),
        ("heading.h1", [1]),
        ("heading.h2", []),
        ("list", [5]),
        ("blockquote", [7]),
        ("alt", [9]),
        # As in Vale: only prose paragraphs are `paragraph` and split into sentences; list
        # items, quotes and headings are linted whole under `text`.
        ("paragraph", [3, 9]),
        ("text", [1, 3, 5, 7, 9]),
        ("'~heading'", [3, 5, 7, 9]),
        ("'paragraph & ~list'", [3, 9]),
        ("sentence", [3, 9]),
        ("text.md", [1, 3, 5, 7, 9]),
        ("text.html", []),
        ("'heading & ~md'", []),
        ("raw", [1, 3, 5, 7, 9]),
    ],
)
def test_scope_selects_blocks(check, scope, lines):
    alerts = check({"S.K": WORD.format(scope=scope)}, DOC, markdown=True)
    assert sorted({a.line for a in alerts}) == lines


def test_markdown_masks_code_links_urls_and_comments_keeping_length():
    text = (
        "Zie `klanten` en [alle klanten](https://example.nl/klanten).\n\n"
        "```\nklanten\n```\n\n    klanten\n\n<!-- klanten -->\nhttps://x.nl/klanten a@klanten.nl\n"
    )
    doc = parse(text, markdown=True)
    assert len(doc.masked) == len(text)
    assert doc.masked.count("klanten") == 1
    assert doc.masked.index("klanten") == text.index("alle klanten") + 5


def test_markdown_link_text_is_checked_destination_is_not(check):
    rule = "extends: substitution\nmessage: x\nignorecase: true\nswap:\n  klanten: inwoners\n"
    alerts = check(
        {"H.I": rule}, "Zie `klanten` en [alle klanten](https://example.nl/klanten).", markdown=True
    )
    assert [(a.span, a.match) for a in alerts] == [((24, 30), "klanten")]


def test_vale_off_and_on_switches(check):
    rule = "extends: existence\nmessage: x\ntokens: [foo]\n"
    text = "foo\n\n<!-- vale off -->\n\nfoo\n\n<!-- vale on -->\n\nfoo\n"
    assert [a.line for a in check({"A.B": rule}, text, markdown=True)] == [1, 9]


def test_vale_rule_switch_turns_one_rule_off(check):
    foo = "extends: existence\nmessage: x\ntokens: [foo]\n"
    bar = "extends: existence\nmessage: x\ntokens: [bar]\n"
    text = "<!-- vale A.Foo = NO -->\nfoo bar\n"
    alerts = check({"A.Foo": foo, "A.Bar": bar}, text, markdown=True)
    assert [a.check for a in alerts] == ["A.Bar"]


def test_columns_count_code_points_with_emoji_and_combining_marks(check):
    rule = "extends: existence\nmessage: x\ntokens: [fout]\n"
    text = "👩‍👩‍👧 cafe\u0301 fout"
    [alert] = check({"A.B": rule}, text)
    assert alert.span[0] == text.index("fout") + 1
    assert text[alert.start : alert.end] == "fout"


def test_english_text_with_curly_quotes_and_emoji(check):
    rule = 'extends: existence\nmessage: x\nnonword: true\ntokens: [\'["“][^"”“]+["”][.,]\']\n'
    text = "🎉 He said “bananas are not something people should hate”."
    [alert] = check({"M.Q": rule}, text)
    assert alert.match == "“bananas are not something people should hate”."
    assert alert.span[0] == 11
