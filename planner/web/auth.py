"""Sessions through Flask-Login: where strangers are sent, and how a session is protected.

Which user a session belongs to is the accounts feature's to say (it registers the loader); this
module only configures the login manager every page shares.
"""

from __future__ import annotations

from typing import cast

from flask import Flask
from flask_babel import lazy_gettext as _l

from planner.web.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = cast(str, _l("Please sign in to see this page."))
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
