"""Checks that used to never fire (issue 13, item 14), on the real database and through the
pages: links to the organisation's own domains need UTM parameters, the sponsored flag reaches
the disclosure check (saved, live and in the API), a lowercase hashtag gets one CamelCase finding,
and an imported substitution rule offers the same one-click fix as the built-in ones."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from planner.brand import services as brand_services
from planner.channels import services as channel_services
from planner.fragments import gate, services
from planner.fragments.models import Fragment
from planner.organisation.services import get_organisation
from planner.stories.models import Story, StorySource
from tests.conftest import EN, Login

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _fragment(db: Session, editor: User, parts: list[str], *, kind: str = "mastodon") -> Fragment:
    """A post (or a thread, for several parts) on a channel of ``kind``."""
    story = Story(
        title="Bankjes",
        body="Het Havenpark heeft nieuwe bankjes.",
        language="nl",
        source=StorySource.EMPLOYEE,
    )
    db.add(story)
    db.flush()
    channel = channel_services.create_channel(db, editor, name="Kanaal", kind_key=kind)
    shape = "thread" if len(parts) > 1 else "post"
    fragment = services.split_story(db, editor, story, [channel.id], fragment_kind=shape)[0]
    services.update_fragment(db, editor, fragment, parts=parts)
    db.commit()
    return fragment


def _checks(db: Session, fragment: Fragment) -> list[tuple[str, str, str]]:
    return [
        (found.field, alert.check, alert.match)
        for found in gate.check_fragment_parts(fragment)
        for alert in found.alerts
        if alert.check.startswith("Channel.")
    ]


def test_links_to_own_domains_need_utm_parameters(db: Session, editor: User) -> None:
    org = get_organisation(db)
    org.website = "https://www.zuiderhaven.example"
    org.own_domains = "werkenbijzuiderhaven.example"
    bare = (
        "Bekijk https://zuiderhaven.example/afval en https://werkenbijzuiderhaven.example/vacatures"
    )
    fragment = _fragment(db, editor, [bare])
    links = [c for c in _checks(db, fragment) if c[1] == "Channel.Links"]
    assert [match for _field, _check, match in links] == [
        "https://zuiderhaven.example/afval",
        "https://werkenbijzuiderhaven.example/vacatures",
    ]
    tagged = (
        "Bekijk https://zuiderhaven.example/afval?utm_source=mastodon&utm_medium=social"
        " en https://andere.example/pagina"
    )
    services.update_fragment(db, editor, fragment, parts=[tagged])
    assert [c for c in _checks(db, fragment) if c[1] == "Channel.Links"] == []


def test_the_sponsored_flag_reaches_the_disclosure_check(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    fragment = _fragment(db, editor, ["Nieuwe bankjes in het Havenpark.", "Kom ze proberen."])
    assert "Channel.Disclosure" not in {c[1] for c in _checks(db, fragment)}
    services.update_fragment(db, editor, fragment, is_sponsored=True)
    db.commit()
    # the first post carries the disclosure; the thread's later posts need none
    assert [c[:2] for c in _checks(db, fragment) if c[1] == "Channel.Disclosure"] == [
        ("part-0", "Channel.Disclosure")
    ]
    services.update_fragment(
        db, editor, fragment, parts=["#adv Nieuwe bankjes in het Havenpark.", "Kom ze proberen."]
    )
    assert "Channel.Disclosure" not in {c[1] for c in _checks(db, fragment)}

    # the editor's live check reads the unsaved box: ticked (and saved text without disclosure)
    login(client, editor)
    form = {"csrf_token": "x", "parts": "Nieuwe bankjes.", "is_sponsored": "y"}
    html = client.post(f"/fragments/{fragment.id}/live", data=form, headers=EN).get_data(True)
    assert 'data-check="Channel.Disclosure"' in html
    form.pop("is_sponsored")
    html = client.post(f"/fragments/{fragment.id}/live", data=form, headers=EN).get_data(True)
    assert 'data-check="Channel.Disclosure"' not in html

    # and the API's check of any text takes the flag too
    token = create_token(db, editor, editor, "checks")
    db.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    body = {"text": "Nieuwe bankjes.", "channel": "instagram", "sponsored": True}
    found = client.post("/api/v1/check", json=body, headers=bearer).get_json()
    assert "Channel.Disclosure" in {a["check"] for a in found}
    body["sponsored"] = False
    found = client.post("/api/v1/check", json=body, headers=bearer).get_json()
    assert "Channel.Disclosure" not in {a["check"] for a in found}


def test_a_lowercase_hashtag_gets_one_camelcase_finding(db: Session) -> None:
    alerts = gate.check_draft("Kom naar de #opendagzuiderhaven!", "mastodon", session=db)
    about = [a for a in alerts if a.match == "#opendagzuiderhaven"]
    assert len(about) == 1
    assert "CamelCase" in about[0].message
    # where the house style has no such rule, the channel check still says it once
    alerts = gate.check_draft("Come to the #opendaytoday!", "mastodon", "en", session=db)
    assert [a.check for a in alerts if a.match == "#opendaytoday"] == ["Channel.Hashtags"]


SWAP = """extends: substitution
message: "Gebruik '%s' in plaats van '%s'."
level: warning
ignorecase: true
swap:
  middels: met
  teneinde: om
"""


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_imported_substitution_rule_offers_the_one_click_fix(
    client: FlaskClient, login: Login, admin: User, editor: User, db: Session
) -> None:
    result = brand_services.import_style_package(
        db, admin, name="Acme", data=_zip({"Acme/Woorden.yml": SWAP}), now=NOW
    )
    assert result.package is not None
    db.commit()
    fragment = _fragment(db, editor, ["Meld het middels het formulier."])
    [alert] = [a for a in gate.check_fragment(db, fragment) if a.check == "Acme.Woorden"]
    assert (alert.action.name, alert.action.params) == ("replace", ("met",))
    login(client, editor)
    html = client.post(
        f"/fragments/{fragment.id}/live",
        data={"parts": "Meld het middels het formulier."},
        headers=EN,
    ).get_data(as_text=True)
    assert 'data-replacement="met"' in html
