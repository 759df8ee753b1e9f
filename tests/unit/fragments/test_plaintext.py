"""Markdown to sentences: the splitter's reading of a story."""

from __future__ import annotations

from planner.fragments.plaintext import (
    markdown_paragraphs,
    split_sentences,
    strip_inline_markdown,
    terms,
    words_of,
)


def test_split_sentences_cuts_at_sentence_ends() -> None:
    assert split_sentences("Het regent. Neem een jas mee! Waarom? Daarom.") == [
        "Het regent.",
        "Neem een jas mee!",
        "Waarom?",
        "Daarom.",
    ]


def test_split_sentences_does_not_cut_after_abbreviations_or_initials() -> None:
    text = "Er komen o.a. Bomen en bijv. Bankjes. J. de Vries opent de dag."
    assert split_sentences(text) == [
        "Er komen o.a. Bomen en bijv. Bankjes.",
        "J. de Vries opent de dag.",
    ]


def test_split_sentences_keeps_a_quotation_together() -> None:
    text = 'Hij zegt: "Ik kom. Echt waar." Daarna gaat hij weg.'
    assert split_sentences(text) == ['Hij zegt: "Ik kom. Echt waar."', "Daarna gaat hij weg."]


def test_strip_inline_markdown_keeps_link_text_and_drops_markers() -> None:
    text = "Zie **vet**, *schuin* en [de site](https://zuiderhaven.nl) ![foto](a.jpg)"
    assert strip_inline_markdown(text).strip() == "Zie vet, schuin en de site"


def test_markdown_paragraphs_separates_headings_and_list_items() -> None:
    body = "Eerste zin. Tweede zin.\n\n## Kop\n\n- een punt\n- nog een punt"
    paragraphs = markdown_paragraphs(body)
    assert paragraphs[0].sentences == ("Eerste zin.", "Tweede zin.")
    assert paragraphs[1].is_heading
    assert paragraphs[2].sentences == ("een punt", "nog een punt")
    assert paragraphs[2].list_items == frozenset({0, 1})


def test_terms_drops_stop_words_and_short_words() -> None:
    assert terms("De gemeente en de inwoners bouwen een speeltuin") == [
        "gemeente",
        "inwoners",
        "bouwen",
        "speeltuin",
    ]


def test_words_of_never_splits_a_space_with_a_combining_mark() -> None:
    # " \u0301" is one grapheme (a space carrying an accent), so it is not a word boundary.
    assert words_of("a \u0301b c") == ["a \u0301b", "c"]
