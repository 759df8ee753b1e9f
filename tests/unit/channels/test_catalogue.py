"""The catalogue holds every channel kind the product knows, with consistent data."""

from __future__ import annotations

import pytest

from planner.channels.catalogue import (
    FRAGMENT_KINDS,
    ChannelKind,
    CountingMethod,
    all_kinds,
    find_kind,
    get_kind,
)
from planner.errors import NotFoundError

EXPECTED_KEYS = {
    "x",
    "mastodon",
    "bluesky",
    "threads",
    "linkedin",
    "facebook",
    "instagram",
    "youtube",
    "tiktok",
    "blog",
    "newsletter",
    "webhook",
}


def test_all_kinds_lists_every_channel_once() -> None:
    keys = [kind.key for kind in all_kinds()]
    assert set(keys) == EXPECTED_KEYS
    assert len(keys) == len(set(keys))


def test_get_kind_returns_the_record_for_its_key() -> None:
    kind = get_kind("bluesky")
    assert isinstance(kind, ChannelKind)
    assert kind.text_limit == 300
    assert kind.byte_limit == 3000
    assert kind.counting is CountingMethod.GRAPHEMES_AND_BYTES


def test_get_kind_raises_not_found_for_unknown_key() -> None:
    with pytest.raises(NotFoundError):
        get_kind("myspace")
    assert find_kind("myspace") is None


def test_catalogue_url_weights_match_the_platforms() -> None:
    assert get_kind("x").url_weight == 23
    assert get_kind("mastodon").url_weight == 23
    assert get_kind("bluesky").url_weight is None


def test_catalogue_webhook_has_no_limit() -> None:
    webhook = get_kind("webhook")
    assert webhook.text_limit is None
    assert webhook.is_unlimited


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda kind: kind.key)
def test_catalogue_records_are_internally_consistent(kind: ChannelKind) -> None:
    assert kind.fragment_kinds, "every kind takes at least one fragment kind"
    assert set(kind.fragment_kinds) <= set(FRAGMENT_KINDS)
    assert kind.supports_threads == ("thread" in kind.fragment_kinds)
    assert kind.default_fragment_kind == kind.fragment_kinds[0]
    for field_name in kind.unconfirmed:
        assert hasattr(kind, field_name), f"{kind.key}: unknown unconfirmed field {field_name}"
    for spec in kind.images:
        assert spec.width > 0
        assert spec.height > 0
    if kind.more_cut is not None and kind.text_limit is not None:
        assert kind.more_cut < kind.text_limit


def test_catalogue_marks_unconfirmed_figures() -> None:
    assert get_kind("instagram").is_unconfirmed("hashtag_limit")
    assert not get_kind("bluesky").is_unconfirmed("text_limit")
