"""The shell every signed-in page shares carries the phone's menu button, wired to the side menu;
pages without a menu (signing in) have no button that would open nothing."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from planner.accounts.models import User
from tests.conftest import EN, Login


def test_a_signed_in_page_has_a_menu_button_that_controls_the_side_menu(
    client: FlaskClient, editor: User, login: Login
) -> None:
    page = login(client, editor).get("/dashboard", headers=EN).get_data(as_text=True)
    button = re.search(
        r'<button type="button" class="nav-toggle"([^>]*)>(.*?)</button>', page, re.S
    )
    assert button is not None
    assert 'aria-expanded="false"' in button.group(1)
    assert 'aria-controls="sidenav"' in button.group(1)
    assert re.sub(r"<[^>]+>", "", button.group(2)).strip() == "Menu"
    menu = re.search(r'<nav class="sidenav" id="sidenav"[^>]*>(.*?)</nav>', page, re.S)
    assert menu is not None
    assert '<a href="/stories">Stories' in menu.group(1)
    assert '<script src="/static/js/phone.js"></script>' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None, "no inline script"


def test_the_sign_in_page_has_no_menu_button(client: FlaskClient) -> None:
    page = client.get("/sign-in", headers=EN).get_data(as_text=True)
    assert "nav-toggle" not in page
    assert client.get("/static/js/phone.js").status_code == 200
