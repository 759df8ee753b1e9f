"""The resident's own way to withdraw consent: a link with a signed token, shown on the thank-you
page (to keep) after sending a story through an intake link.

The token names the story and is signed with the installation's secret key, so nobody can make
one for another story; it does not expire, because consent may be withdrawn at any time. Pure
apart from itsdangerous: no Flask, no database.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "planner.stories.withdraw-consent"


def withdrawal_token(secret_key: str, story_id: int) -> str:
    return URLSafeSerializer(secret_key, salt=_SALT).dumps({"story": story_id})


def story_of_token(secret_key: str, token: str) -> int | None:
    """The story a token names, or None for a token we did not make."""
    if not token or len(token) > 200:
        return None
    try:
        data = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    story = data.get("story") if isinstance(data, dict) else None
    return story if isinstance(story, int) else None
