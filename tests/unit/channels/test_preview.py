"""Previews escape the text, mark entities and fold where the channel folds."""

from __future__ import annotations

from markupsafe import Markup

from planner.channels.preview import more_cut_offset, render_preview, render_thread, tokenize


def test_render_preview_escapes_html_in_the_text() -> None:
    preview = render_preview('<script>alert("x")</script> & meer', "mastodon")
    assert isinstance(preview.html, Markup)
    assert "<script>" not in preview.html
    assert "&lt;script&gt;" in preview.html
    assert "&amp; meer" in preview.html


def test_render_preview_marks_links_hashtags_and_mentions() -> None:
    preview = render_preview(
        "Kom langs @zuiderhaven@social.example! Info: https://zuiderhaven.nl/a?b=1&c=2 #OpenDag",
        "mastodon",
    )
    html = str(preview.html)
    assert '<span class="pv-mention">@zuiderhaven@social.example</span>' in html
    assert 'href="https://zuiderhaven.nl/a?b=1&amp;c=2"' in html
    assert '<span class="pv-hashtag">#OpenDag</span>' in html


def test_render_preview_links_are_inert_where_the_channel_does_not_link() -> None:
    preview = render_preview("Zie https://zuiderhaven.nl/nieuws", "instagram")
    assert "<a " not in preview.html
    assert "pv-link--inert" in preview.html


def test_render_preview_turns_line_breaks_into_br() -> None:
    preview = render_preview("eerste regel\ntweede regel", "bluesky")
    assert "eerste regel<br>tweede regel" in preview.html


def test_a_blank_line_is_two_breaks_not_four() -> None:
    # The preview keeps spaces (white-space: pre-wrap); a newline after each <br> broke twice.
    preview = render_preview("Kom langs!\n\n#OpenDag", "mastodon")
    assert str(preview.html) == 'Kom langs!<br><br><span class="pv-hashtag">#OpenDag</span>'
    assert "\n" not in preview.html


def test_tokenize_keeps_hashtag_inside_url_as_part_of_the_url() -> None:
    tokens = tokenize("zie https://zuiderhaven.nl/pagina#kop")
    assert [token.kind for token in tokens] == ["text", "url"]


def test_more_cut_offset_folds_instagram_at_a_word_boundary() -> None:
    text = "Woord " * 40
    offset = more_cut_offset(text, "instagram")
    assert offset is not None
    assert offset <= 125
    assert text[offset] == " "
    assert more_cut_offset("Kort bericht.", "instagram") is None
    assert more_cut_offset(text, "mastodon") is None


def test_more_cut_offset_does_not_cut_through_a_link() -> None:
    text = "a" * 100 + " https://www.zuiderhaven.nl/nieuws/een-lang-adres-voorbij-de-vouw"
    offset = more_cut_offset(text, "instagram")
    assert offset == 100


def test_render_preview_splits_visible_and_folded_text() -> None:
    text = "Dit is de zin die je meteen ziet. " * 5 + "#Zuiderhaven"
    preview = render_preview(text, "instagram")
    assert preview.folded_html is not None
    assert preview.more_cut_offset is not None
    assert "#Zuiderhaven" in preview.folded_html
    assert "#Zuiderhaven" not in preview.visible_html


def test_render_preview_marks_text_past_the_limit() -> None:
    preview = render_preview("a" * 290, "x")
    assert not preview.fits
    assert preview.over_limit_offset == 280
    assert preview.html.endswith('<mark class="pv-over">' + "a" * 10 + "</mark>")
    assert preview.remaining == -10


def test_render_thread_renders_each_part() -> None:
    previews = render_thread(["een 1/2", "twee 2/2"], "bluesky")
    assert [p.count for p in previews] == [7, 8]
    assert all(p.fits for p in previews)
