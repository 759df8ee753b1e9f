"""The API's hashtags of a post are the ones in its text; another list is refused with 409."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from planner.accounts.models import User
from planner.accounts.services import create_token
from tests import factories as make


def test_the_api_reads_a_posts_tags_from_its_text_and_refuses_another_list(
    client: FlaskClient, db: Session, editor: User
) -> None:
    fragment = make.fragment(db, editor, submit=False)
    token = create_token(db, None, editor, "test")
    db.commit()
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/fragments/{fragment.id}"
    patched = client.patch(
        url, json={"version": fragment.version, "parts": ["Zaterdag #OpenDag"]}, headers=auth
    )
    assert patched.status_code == 200
    assert patched.get_json()["hashtags"] == ["OpenDag"]
    version = patched.get_json()["version"]
    same = client.patch(url, json={"version": version, "hashtags": ["#opendag"]}, headers=auth)
    assert same.status_code == 200
    refused = client.patch(
        url, json={"version": version, "hashtags": ["Zuiderhaven"]}, headers=auth
    )
    assert refused.status_code == 409
    assert "part of its text" in refused.get_data(as_text=True)
    assert client.get(url, headers=auth).get_json()["hashtags"] == ["OpenDag"]
