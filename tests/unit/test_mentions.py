"""Who a comment @mentions: by first name or the e-mail's local part, any case; an e-mail address
in the text or an unknown handle mentions nobody."""

from planner.notifications.mentions import mentioned

PEOPLE = [
    (1, "Sanne Bakker", "sanne@zuiderhaven.example"),
    (2, "Daan Visser", "d.visser@zuiderhaven.example"),
    (3, "Ada Admin", "ada@zuiderhaven.example"),
]


def test_first_names_and_local_parts_in_any_case() -> None:
    assert mentioned("@Sanne kijk je even? en @d.visser ook", PEOPLE) == [1, 2]
    assert mentioned("(@ADA) graag", PEOPLE) == [3]
    assert mentioned("Dank, @sanne.", PEOPLE) == [1]


def test_addresses_and_strangers_mention_nobody() -> None:
    assert mentioned("mail sanne@zuiderhaven.example", PEOPLE) == []
    assert mentioned("@iemand anders", PEOPLE) == []
    assert mentioned("", PEOPLE) == []
