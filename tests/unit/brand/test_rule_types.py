from __future__ import annotations

from planner.brand.engine import build_config, check_text

SUBST = """
extends: substitution
message: "Gebruik '%s' in plaats van '%s'."
level: error
ignorecase: true
swap:
  klanten: inwoners
  klant: inwoner
"""


def test_substitution_reports_position_match_and_message(check):
    [alert] = check({"H.Inwoners": SUBST}, "Onze klanten zijn tevreden.")
    assert (alert.check, alert.severity, alert.line, alert.span) == (
        "H.Inwoners",
        "error",
        1,
        (6, 12),
    )
    assert alert.match == "klanten"
    assert alert.message == "Gebruik 'inwoners' in plaats van 'klanten'."
    assert (alert.start, alert.end) == (5, 12)


CONTRACTION = """
extends: substitution
message: "Use '%s' instead of '%s'."
level: error
ignorecase: true
action:
  name: replace
swap:
  are not: aren't
"""


def test_substitution_replace_keeps_a_replacement_with_capitals_as_written(check):
    rule = CONTRACTION.replace("are not: aren't", "Mutual TLS: mutual TLS")
    [alert] = check({"S.C": rule}, "The Mutual TLS is good.")
    assert alert.message == "Use 'mutual TLS' instead of 'Mutual TLS'."


def test_substitution_capitalize_false_keeps_the_rules_case(check):
    [alert] = check({"S.C": CONTRACTION + "capitalize: false\n"}, "Are not you tired?")
    assert alert.message == "Use 'aren't' instead of 'Are not'."
    assert alert.action.params == ("aren't",)


def test_substitution_capitalize_true_follows_the_observed_capital(check):
    [alert] = check({"S.C": CONTRACTION + "capitalize: true\n"}, "Are not you tired?")
    assert alert.message == "Use 'Aren't' instead of 'Are not'."
    assert alert.action.name == "replace"
    assert alert.action.params == ("Aren't",)


def test_substitution_capture_groups_fill_the_replacement(check):
    rule = (
        "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\nignorecase: true\n"
        "swap:\n  'change in(?: )?to the (\\w+) folder': change to the $1 folder\n"
    )
    [alert] = check({"S.C": rule}, "Change into the tmp folder now.")
    assert (
        alert.message == "Use 'change to the tmp folder' instead of 'Change into the tmp folder'."
    )


def test_substitution_tries_the_longest_key_first(check):
    rule = (
        "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\n"
        "swap:\n  web: Web\n  web site: website\n"
    )
    [alert] = check({"S.C": rule}, "Our web site.")
    assert alert.match == "web site"


def test_existence_word_boundaries_are_unicode_aware(check):
    rule = (
        "extends: existence\nmessage: \"Vermijd '%s'.\"\nignorecase: true\ntokens: [twee, idee]\n"
    )
    alerts = check({"H.T": rule}, "Met z'n tweeën of twee keer, ideeën en een idee.")
    assert [(a.match, a.span) for a in alerts] == [("twee", (19, 22)), ("idee", (44, 47))]


def test_existence_decomposed_diaeresis_is_part_of_the_word(check):
    rule = "extends: existence\nmessage: x\ntokens: [idee]\n"
    assert check({"H.T": rule}, "Twee idee\u0308n.") == []


def test_existence_raw_and_nonword_patterns(check):
    rule = "extends: existence\nmessage: \"'%s'\"\nnonword: true\ntokens: ['\\d{1,2}[AP]M']\n"
    [alert] = check({"M.AMPM": rule}, "Tot 10PM of 11 PM.")
    assert alert.match == "10PM"


def test_existence_exceptions_are_skipped(check):
    rule = "extends: existence\nmessage: x\ntokens: ['[A-Z]{3}']\nexceptions: [API]\n"
    alerts = check({"A.B": rule}, "De API en de CMS.")
    assert [a.match for a in alerts] == ["CMS"]


def test_occurrence_flags_long_sentences(check):
    rule = "extends: occurrence\nmessage: Te lang.\nscope: sentence\nmax: 5\ntoken: '\\b\\w+\\b'\n"
    alerts = check({"H.Z": rule}, "Kort is fijn. Dit is een zin met veel te veel woorden erin.")
    assert len(alerts) == 1
    assert alerts[0].span[0] == 15


def test_repetition_flags_repeated_word_once(check):
    rule = "extends: repetition\nmessage: \"'%s' is repeated!\"\nalpha: true\ntokens: ['[^\\s]+']\n"
    alerts = check({"W.I": rule}, "the the book. // // ok")
    assert [(a.match, a.message) for a in alerts] == [("the the", "'the' is repeated!")]


def test_consistency_flags_the_later_variant(check):
    rule = "extends: consistency\nmessage: \"Kies: '%s'\"\nignorecase: true\neither:\n  je: u\n"
    alerts = check({"H.A": rule}, "Kom je ook? Dan ziet u ons. Bel je?")
    assert [a.match for a in alerts] == ["u"]


def test_conditional_requires_a_definition_first(check):
    rule = (
        "extends: conditional\nmessage: \"'%s' has no definition.\"\n"
        "first: '\\b([A-Z]{3,5})\\b'\nsecond: '(?:\\b[A-Z][a-z]+ )+\\(([A-Z]{3,5})\\)'\n"
    )
    text = "The World Health Organization (WHO) helps. WHO and DAFB too."
    assert [a.match for a in check({"M.A": rule}, text)] == ["DAFB"]


def test_capitalization_sentence_case_in_headings(check):
    rule = (
        "extends: capitalization\nmessage: \"'%s' should use sentence-style capitalization.\"\n"
        "scope: heading\nmatch: $sentence\nindicators: [':']\n"
    )
    alerts = check(
        {"M.H": rule}, "# This is a Heading\n\n# This is fine\n\nBody Text Here.", markdown=True
    )
    assert [(a.line, a.span[0], a.match) for a in alerts] == [(1, 3, "This is a Heading")]


def test_metric_condition_reports_at_document_start(check):
    rule = "extends: metric\nmessage: 'Te veel woorden: %s'\nformula: words\ncondition: '> 3'\n"
    [alert] = check({"H.M": rule}, "een twee drie vier vijf")
    assert (alert.line, alert.span, alert.message) == (1, (1, 1), "Te veel woorden: 5.00")


def test_readability_grade_above_threshold(check):
    rule = "extends: readability\nmessage: 'Grade %s'\ngrade: 1\nmetrics: [Flesch-Kincaid]\n"
    text = "Comprehensive institutional documentation necessitates considerable organisational deliberation."
    assert [a.check for a in check({"E.R": rule}, text)] == ["E.R"]
    assert check({"E.R": rule.replace("grade: 1", "grade: 200")}, text) == []


def test_sequence_rules_load_disabled_and_are_reported():
    config = build_config({"S.Seq": "extends: sequence\nmessage: x\ntokens: []\n"})
    [report] = [r for r in config.report.rules if r.check == "S.Seq"]
    assert report.status == "disabled"
    assert "part-of-speech" in report.reasons[0]
    assert check_text("anything", markdown=False, config=config) == []


def test_limit_caps_alerts_per_rule(check):
    rule = "extends: existence\nmessage: x\nlimit: 2\ntokens: [a]\n"
    assert len(check({"L.L": rule}, "a a a a")) == 2


def test_severity_and_min_alert_level(check):
    rule = "extends: existence\nmessage: x\nlevel: suggestion\ntokens: [foo]\n"
    assert check({"L.L": rule}, "foo", min_alert_level="warning") == []


def test_spelling_flags_unknown_words_with_the_built_in_en_us(check):
    rule = "extends: spelling\nmessage: \"'%s' is a typo!\"\nlevel: error\n"
    alerts = check({"S.Sp": rule}, "This is a typpo, and an other typpo in a sentence.")
    # One alert per misspelled word, at its first use, as Vale reports it.
    assert [(a.match, a.column) for a in alerts] == [("typpo", 11)]


def test_spelling_reads_a_hunspell_dictionary_and_ignore_list(check, tmp_path):
    (tmp_path / "nl.aff").write_text("SET UTF-8\nSFX S Y 1\nSFX S 0 en .\n", encoding="utf-8")
    (tmp_path / "nl.dic").write_text("2\nfiets/S\nstraat\n", encoding="utf-8")
    (tmp_path / "extra.txt").write_text("Zuiderhaven\n", encoding="utf-8")
    rule = (
        f"extends: spelling\nmessage: \"'%s'?\"\nlevel: error\ncustom: true\n"
        f"dic: {tmp_path / 'nl.dic'}\naff: {tmp_path / 'nl.aff'}\n"
        f"ignore: [{tmp_path / 'extra.txt'}]\n"
    )
    alerts = check({"S.Nl": rule}, "fietsen straat Zuiderhaven fietsn")
    assert [a.match for a in alerts] == ["fietsn"]


def test_conditional_reads_every_capture_group_of_second(check):
    rule = (
        "extends: conditional\nmessage: \"'%s' has no definition\"\nlevel: error\n"
        "first: '\\b([A-Z]{3,5})\\b'\n"
        "second: '([A-Z]{3,5}): (?:\\b[A-Z][a-z]+ )+|(?:\\b[A-Z][a-z]+ )+\\(([A-Z]{3,5})\\)'\n"
    )
    text = "The National Basketball Association (NBA) plays. The NBA and the NFL play."
    assert [a.match for a in check({"C.D": rule}, text)] == ["NFL"]


def test_sentence_case_treats_a_multiword_exception_as_one_token(check):
    rule = (
        "extends: capitalization\nmessage: \"'%s'\"\nlevel: warning\nscope: heading\n"
        "match: $sentence\nprefix: '^[a-z]\\.\\s'\nexceptions: [Axon Server]\n"
    )
    doc = "# Axon Server connection\n\n# a. An unimportant heading\n\n# An unimportant Heading\n"
    alerts = check({"C.S": rule}, doc, markdown=True)
    assert [a.line for a in alerts] == [5]


def test_occurrence_points_at_the_first_match_outside_code(check):
    rule = "extends: occurrence\nmessage: '%s chars'\nscope: heading\nmax: 10\ntoken: .\n"
    [alert] = check({"O.C": rule}, "## `a long code span`, then words\n", markdown=True)
    assert (alert.column, alert.message) == (22, "29 chars")
