"""``?next=`` keeps people on this site (issue 12 item 8): only a plain relative path passes."""

from __future__ import annotations

import pytest

from planner.accounts.redirects import local_path


@pytest.mark.parametrize(
    "target",
    ["/", "/fragments", "/fragments?status=in_review&channel=2", "/stories/12#comments"],
)
def test_a_path_on_this_site_passes(target: str) -> None:
    assert local_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "\t//evil.example",
        " //evil.example",
        "/ /evil.example",
        "/\x00",
        "/\x7f/evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "/\u2215\u2215evil.example",
        "/\uff0f/evil.example",
        "/" + "a" * 3000,
    ],
)
def test_anything_else_is_no_next(target: str | None) -> None:
    assert local_path(target) is None
