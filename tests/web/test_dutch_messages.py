"""Refusals and findings in the reader's and the text's language (issue 13, item 11): the gate's
and the DST gap's refusals in Dutch with the date written out, Vale's built-in findings in Dutch
for a Dutch text and the channel checks in English for an English one, the audit log's details
without ISO instants or "None", and the catalogue copies of messages pure modules raise kept
equal to their originals."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.audit.services import record_event
from planner.fragments import gate
from planner.publishing.engine import claim, request
from planner.publishing.views import ENGINE_ERRORS
from planner.scheduling import planning
from planner.timekeeping import wallclock
from planner.web.forms import CATALOGUE_TEMPLATES
from tests import factories as make
from tests.conftest import Login
from tests.factories import fragment_in_status

NL = {"Accept-Language": "nl"}


def test_gate_and_dst_refusals_read_dutch_with_the_date_written_out(
    client: FlaskClient, login: Login, db: Session, editor: User
) -> None:
    channel = make.channel(db, editor)
    fragment = fragment_in_status(db, editor, channel)
    gated = fragment_in_status(db, editor, channel)
    gated.parts = ["Veel te lang. " * 60]
    editor.language = "nl"
    db.commit()
    login(client, editor)

    refused = client.post(
        f"/calendar/fragments/{gated.id}/move", json={"day": "2026-12-01"}, headers=NL
    ).get_json()["message"]
    assert refused.startswith("Los eerst deze bevindingen op: Te lang voor Mastodon")
    assert "Fix" not in refused

    gap = client.post(
        f"/calendar/fragments/{fragment.id}/move", json={"local": "2027-03-28T02:30"}, headers=NL
    ).get_json()["message"]
    assert gap == (
        "02:30 bestaat niet op 28 maart 2027 in Europe/Amsterdam: de klok springt van 02:00 "
        "naar 03:00. Kies een tijd vóór 02:00 of vanaf 03:00."
    )


def test_findings_speak_the_language_of_the_text(db: Session) -> None:
    dutch = gate.check_draft("Dit is is een test.", "mastodon", "nl", session=db)
    [repeated] = [a for a in dutch if a.check == "Vale.Repetition"]
    assert repeated.message == "'is' staat er twee keer achter elkaar."
    english = gate.check_draft("Come to the #opendaytoday! " * 30, "mastodon", "en", session=db)
    messages = {a.check: a.message for a in english}
    assert messages["Channel.Length"].startswith("Too long for Mastodon:")
    assert messages["Channel.Hashtags"].startswith("Write '#opendaytoday' in CamelCase")


def test_the_audit_log_shows_details_for_people(
    client: FlaskClient, login: Login, db: Session, admin: User
) -> None:
    at = datetime(2026, 12, 15, 7, 30, tzinfo=UTC)
    record_event(db, admin, "fragment.schedule", None, at=at.isoformat(), previous=None)
    admin.language = "nl"
    db.commit()
    login(client, admin)
    page = client.get("/settings/audit", headers=NL).get_data(as_text=True)
    assert "om: 15-12-2026, 08:30" in page
    assert "vorige: —" in page
    assert "2026-12-15T07:30" not in page
    assert "None" not in page


def test_catalogue_copies_match_what_pure_modules_raise() -> None:
    copies = [t._args[0] for t in CATALOGUE_TEMPLATES]  # the msgids
    assert wallclock.GAP_TEMPLATE in copies
    assert wallclock.TWICE_TEMPLATE in copies
    errors = {e._args[0] for e in ENGINE_ERRORS}
    assert {
        claim.MISSED,
        claim.LEASE_LOST_UNKNOWN,
        claim.LEASE_LOST_RETRY,
        request.CONSENT_WITHDRAWN,
        request.CHANGED_SINCE_SCHEDULED,
        request.UNKNOWN_KIND,
        planning.EDITED_AFTER_SCHEDULING,
    } <= errors
