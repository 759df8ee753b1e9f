"""After signing in, ``?next=`` only leads to a page on this site (issue 12 item 8): crafted
values land on the dashboard and none of them gives a 500."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from flask.testing import FlaskClient

from planner.accounts.models import User
from tests.conftest import PASSWORD

CRAFTED = [
    "/%09/evil.example",
    "//evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "%2F%2Fevil.example",
    "/%0D%0ALocation:%20https://evil.example",
    "/%00",
    "https://evil.example",
    "/%E2%88%95%E2%88%95evil.example",
    "%FF%FE",
]


@pytest.mark.parametrize("raw", CRAFTED)
def test_crafted_next_lands_on_the_dashboard(client: FlaskClient, editor: User, raw: str) -> None:
    response = client.post(
        f"/sign-in?next={raw}", data={"email": "editor@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_a_path_on_this_site_is_followed(client: FlaskClient, editor: User) -> None:
    target = "/fragments?status=in_review"
    response = client.post(
        f"/sign-in?next={quote(target, safe='')}",
        data={"email": "editor@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == target


@pytest.mark.parametrize("raw", CRAFTED)
def test_the_language_switch_refuses_them_too(client: FlaskClient, raw: str) -> None:
    # A form field arrives decoded: what the query string's %-escapes stood for.
    response = client.post("/language", data={"language": "en", "next": unquote(raw)})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]
