"""Finding and replacing links in outgoing text, and the UTM parameters a redirect adds."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from planner.effect.links import find_links, medium_for, referrer_host, rewrite, slug, with_utm


def test_links_are_found_once_in_order_without_the_sentence_around_them() -> None:
    text = (
        "Lees https://a.example/x. Of [hier](https://b.example/y_(z)) en "
        '<a href="https://c.example/?q=1&amp;r=2">c</a>, nogmaals https://a.example/x!'
        " Eigen: https://planner.test/media/public/k.jpg"
    )
    assert find_links([text, None], skip_prefix="https://planner.test/") == [
        "https://a.example/x",
        "https://b.example/y_(z)",
        "https://c.example/?q=1&amp;r=2",
    ]
    assert find_links(["geen link, wel http:// en mailto:a@b.nl"]) == []


def test_rewrite_keeps_the_punctuation_and_leaves_other_links() -> None:
    replaced = rewrite(
        "Zie https://a.example/x. En https://d.example/",
        {"https://a.example/x": "https://p.test/l/Abc1234"},
    )
    assert replaced == "Zie https://p.test/l/Abc1234. En https://d.example/"


def test_utm_parameters_are_added_where_the_editor_set_none() -> None:
    target = with_utm(
        "https://w.example/p?utm_source=krant&id=3#top",
        {"utm_source": "mastodon", "utm_medium": "social", "utm_campaign": ""},
    )
    parts = urlsplit(target)
    assert dict(parse_qsl(parts.query)) == {
        "utm_source": "krant",
        "id": "3",
        "utm_medium": "social",
    }
    assert parts.fragment == "top"


def test_small_helpers() -> None:
    assert medium_for("newsletter") == "email"
    assert medium_for("wordpress") == "web"
    assert medium_for("instagram") == "social"
    assert slug("Samen bouwen aan de buurt!") == "samen-bouwen-aan-de-buurt"
    assert referrer_host("https://Mail.Example/inbox/42?user=piet") == "mail.example"
    assert referrer_host("niet een adres") == ""
    assert referrer_host(None) == ""
