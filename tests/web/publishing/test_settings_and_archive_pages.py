"""Channel publisher settings and the archive export, through the test client: URLs are checked,
secrets are encrypted and never shown back, and the export carries the exact records."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.publishing import runtime as publishing_runtime
from planner.publishing.models import Publication
from planner.web import runtime
from tests import factories as make
from tests.conftest import EN, Login

SECRET = "whsec-super-geheim-123"


def test_admin_sets_up_a_webhook_and_the_secret_is_never_shown(
    client: FlaskClient, login: Login, admin: User, db: Session, app: Flask
) -> None:
    channel = make.channel(db, admin)
    db.commit()
    login(client, admin)
    assert client.get("/settings/publishing", headers=EN).status_code == 200
    response = client.post(
        f"/channels/{channel.id}/publishing",
        data={
            "pub-publisher_kind": "webhook",
            "pub-approval_steps": "2",
            "pub-url": "http://127.0.0.1:9/hook",
            "pub-secret": SECRET,
        },
        headers=EN,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.refresh(channel)
    assert channel.publisher_kind == "webhook"
    assert channel.approval_steps == 2
    assert channel.publisher_settings == {"url": "http://127.0.0.1:9/hook"}
    assert channel.publisher_secret
    assert SECRET not in channel.publisher_secret
    assert publishing_runtime.get(app).secret_box.decrypt(channel.publisher_secret) == SECRET
    page = client.get(f"/channels/{channel.id}/publishing", headers=EN).get_data(as_text=True)
    assert SECRET not in page
    assert "A secret is stored" in page
    # Saving again without typing a secret keeps it.
    kept = client.post(
        f"/channels/{channel.id}/publishing",
        data={
            "pub-publisher_kind": "webhook",
            "pub-approval_steps": "1",
            "pub-url": "http://127.0.0.1:9/x",
        },
    )
    assert kept.status_code == 302
    db.refresh(channel)
    assert publishing_runtime.get(app).secret_box.decrypt(channel.publisher_secret) == SECRET


def test_private_address_is_refused_with_the_input_kept(
    client: FlaskClient, login: Login, admin: User, db: Session, app_factory
) -> None:
    strict_app = app_factory()
    wired = runtime.get(strict_app)
    strict_settings = wired.settings.with_overrides(allow_loopback_targets=False)
    runtime.install(strict_app, dataclasses.replace(wired, settings=strict_settings))
    strict = strict_app.test_client()
    channel = make.channel(db, admin)
    db.commit()
    login(strict, admin)
    response = strict.post(
        f"/channels/{channel.id}/publishing",
        data={
            "pub-publisher_kind": "webhook",
            "pub-approval_steps": "1",
            "pub-url": "http://169.254.169.254/latest",
            "pub-secret": SECRET,
        },
        headers=EN,
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "link-local" in page
    assert "http://169.254.169.254/latest" in page
    assert SECRET not in page
    db.refresh(channel)
    assert channel.publisher_kind == "manual"


def test_webhook_without_secret_is_refused(
    client: FlaskClient, login: Login, admin: User, db: Session
) -> None:
    channel = make.channel(db, admin)
    db.commit()
    login(client, admin)
    response = client.post(
        f"/channels/{channel.id}/publishing",
        data={
            "pub-publisher_kind": "webhook",
            "pub-approval_steps": "1",
            "pub-url": "http://127.0.0.1:9/",
        },
        headers=EN,
    )
    assert response.status_code == 400
    assert "needs its secret" in response.get_data(as_text=True)


def test_editor_cannot_open_publisher_settings_or_archive(
    client: FlaskClient, login: Login, editor: User, db: Session
) -> None:
    channel = make.channel(db, editor)
    db.commit()
    login(client, editor)
    assert client.get(f"/channels/{channel.id}/publishing").status_code == 403
    assert client.get("/settings/archive").status_code == 403


def _publication(db: Session, at: datetime, text: str) -> Publication:
    record = Publication(
        channel_name="Mastodon",
        channel_kind="mastodon",
        fragment_kind="post",
        fragment_version=3,
        parts=[text],
        body=text,
        media=[{"sha256": "ab" * 32, "alt": "Een bankje", "mime": "image/jpeg"}],
        approvers=["Sam Second"],
        published_at=at,
        remote_id="109",
        remote_url="https://social.example/@z/109",
        method="engine",
    )
    db.add(record)
    db.commit()
    return record


def test_archive_exports_the_period_as_csv_and_json(
    client: FlaskClient, login: Login, admin: User, db: Session
) -> None:
    # 22:30 UTC is 23:30 on 31 October in Amsterdam; 23:30 UTC is already 1 November there.
    _publication(db, datetime(2026, 10, 31, 22, 30, tzinfo=UTC), "=Buiten de periode")
    _publication(db, datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "=SUM(1) Binnen")
    login(client, admin)
    page = client.get("/settings/archive?start=2026-11-01&end=2026-11-30", headers=EN)
    assert page.status_code == 200
    assert "1 publication<" in page.get_data(as_text=True)
    as_csv = client.get("/settings/archive?start=2026-11-01&end=2026-11-30&format=csv")
    assert as_csv.mimetype == "text/csv"
    assert "attachment" in as_csv.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert len(rows) == 1
    assert rows[0]["text"] == "'=SUM(1) Binnen"
    assert rows[0]["published_at"] == "2026-10-31T23:30:00Z"
    assert json.loads(rows[0]["media"])[0]["alt"] == "Een bankje"
    as_json = client.get("/settings/archive?format=json&start=2026-10-31&end=2026-10-31")
    document = json.loads(as_json.data)
    assert [p["text"] for p in document["publications"]] == ["=Buiten de periode"]
    everything = json.loads(client.get("/settings/archive?format=json").data)
    assert [p["text"] for p in everything["publications"]] == [
        "=Buiten de periode",
        "=SUM(1) Binnen",
    ]
    assert everything["publications"][0]["approvers"] == ["Sam Second"]


def test_archive_refuses_a_reversed_period(client: FlaskClient, login: Login, admin: User) -> None:
    login(client, admin)
    response = client.get("/settings/archive?start=2026-11-30&end=2026-11-01", headers=EN)
    assert response.status_code == 400
    assert "before its start" in response.get_data(as_text=True)


def test_archive_page_shows_a_reviewers_typed_name_as_a_reviewer(
    client: FlaskClient, login: Login, admin: User, db: Session
) -> None:
    """Issue 12 item 1: a reviewer without an account never reads as a staff approver."""
    from planner.approval.models import REVIEWER_MARK

    record = _publication(db, datetime(2026, 11, 2, 9, 0, tzinfo=UTC), "Bankjes")
    record.approvers = [f"Sam Second {REVIEWER_MARK}", "Tess Third"]
    db.commit()
    login(client, admin)
    page = client.get("/settings/archive", headers=EN).get_data(as_text=True)
    assert "Sam Second (reviewer via a link, no account), Tess Third" in page
