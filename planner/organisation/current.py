"""The organisation as the current request sees it: its name and its timezone, read once.

Every page shows the name and every time is shown in the timezone, so both are cached on the
request (flask.g) instead of read per use.
"""

from __future__ import annotations

from flask import g

from planner.organisation.services import get_organisation
from planner.web import runtime
from planner.web.database import db_session


def timezone() -> str:
    """The organisation's IANA timezone (the installation's default until an admin sets one)."""
    if "org_timezone" not in g:
        org = get_organisation(db_session(), runtime.settings().timezone)
        g.org_timezone, g.org_name = org.timezone, org.name
    return str(g.org_timezone)


def name() -> str:
    if "org_name" not in g:
        timezone()
    return str(g.org_name)
