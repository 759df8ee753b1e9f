from __future__ import annotations

from planner.brand.readability import analyse, syllables

EASY = (
    "De speeltuin is open. Kinderen spelen er elke dag. Ouders zitten op de bank. "
    "Het is een fijne plek. Kom ook eens kijken met je kind."
)
HARD = (
    "Teneinde de dienstverlening betreffende de afvalinzameling te optimaliseren, "
    "verstrekken wij middels onderhavige correspondentie informatie inzake de gewijzigde "
    "inzamelingsfrequentie gedurende de feestdagenperiode aan alle belanghebbenden."
)


def test_syllables_uses_dutch_hyphenation():
    assert syllables("gemeente") == 3
    assert syllables("afvalinzameling") >= 5


def test_flesch_douma_follows_the_formula():
    report = analyse(EASY)
    per_100 = 100 * report.syllables / report.words
    expected = 206.84 - 0.77 * per_100 - 0.93 * report.words / report.sentences
    assert abs(report.flesch_douma - expected) < 0.01
    assert (
        abs(report.leesindex_a - (195 - 2 / 3 * per_100 - 2 * report.words / report.sentences))
        < 0.01
    )


def test_easy_text_is_b1_indication_and_hard_text_is_not():
    assert analyse(EASY).is_b1 is True
    hard = analyse(HARD)
    assert hard.is_b1 is False
    assert "indicatie" in hard.indication
    assert {"teneinde", "betreffende", "middels", "inzake", "verstrekken"} <= set(hard.officialese)
    assert hard.long_sentences == 1


def test_short_text_gets_no_indication():
    assert analyse("Kort.").is_b1 is None


def test_b1_check_is_emitted_when_configured():
    from planner.brand.engine import build_config, check_text

    config = build_config({}, based_on=["Leesbaarheid"])
    [alert] = check_text(HARD, markdown=False, config=config)
    assert (alert.check, alert.severity) == ("Leesbaarheid.B1", "warning")
    assert check_text(EASY, markdown=False, config=config) == []


def test_links_hashtags_and_mentions_are_not_read_as_prose():
    tail = (
        "\n\nhttps://www.zuiderhaven.nl/nieuws/speeltuin?utm_source=mastodon&utm_medium=social"
        "\n\n#Zuiderhaven #Toegankelijkheid @wijkagent@social.example info@zuiderhaven.nl"
    )
    plain = analyse(EASY)
    tagged = analyse(EASY + tail)
    assert tagged.words == plain.words
    assert tagged.long_words == plain.long_words
    assert tagged.is_b1 is True
    # a word with an @ or # inside prose is still a word ("e-mail" stays, "C#" is no hashtag)
    assert analyse("Mail ons via de e-mail of bel ons.").words == 8
