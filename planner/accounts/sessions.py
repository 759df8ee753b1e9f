"""Sign-in sessions that end on the server: signing out, changing the password, expiry.

Flask keeps its session in a signed cookie, which a copy keeps valid for as long as the cookie
lives; so the cookie (and Flask-Login's remember cookie) carry only a random session key, and
this module decides whether that key still signs someone in. Signing out ends that one session;
changing one's password asks for the current one and ends every other session of that person; an
administrator setting a password ends them all. Remember-me lasts ``REMEMBER_FOR`` (weeks), an
ordinary session ``SESSION_FOR`` (a working day). These are real hours: the callers pass the
wall clock (``planner.db.utcnow``), never the planner's clock, which a demo may run shifted.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, contains_eager

from planner.accounts.models import Role, SignInSession, User
from planner.accounts.passwords import token_digest, verify_password
from planner.accounts.permissions import require_role
from planner.accounts.services import authenticate, set_password
from planner.audit.services import record_event
from planner.errors import ValidationError

#: how long "keep me signed in on this device" lasts
REMEMBER_FOR = timedelta(days=30)
#: how long any other session lasts
SESSION_FOR = timedelta(hours=12)
#: what a session key starts with, so it cannot be mistaken for an old cookie's bare user id
KEY_PREFIX = "s."


def start_session(session: Session, user: User, now: datetime, *, remember: bool) -> str:
    """Open a session for ``user`` (who just proved who they are) and return its key."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        SignInSession(
            user_id=user.id,
            key_hash=token_digest(key),
            remember=remember,
            created_at=now,
            expires_at=now + (REMEMBER_FOR if remember else SESSION_FOR),
        )
    )
    session.flush()
    return key


def sign_in(
    session: Session, email: str, password: str, now: datetime, *, remember: bool
) -> tuple[User, str] | None:
    """Check the credentials and open a session: the user and the session's key, or None."""
    user = authenticate(session, email, password)
    if user is None:
        return None
    return user, start_session(session, user, now, remember=remember)


def _open(session: Session, key: str, now: datetime) -> SignInSession | None:
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None  # a bare user id from before sessions ended on the server: sign in again
    row = session.scalar(
        select(SignInSession)
        .join(SignInSession.user)
        .options(contains_eager(SignInSession.user))
        .where(SignInSession.key_hash == token_digest(key))
    )
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return row


def user_for_session(session: Session, key: str, now: datetime) -> User | None:
    """The active user a session key signs in, or None (unknown, ended, expired, deactivated)."""
    row = _open(session, key, now)
    if row is None or not row.user.is_active:
        return None
    return row.user


def end_session(session: Session, key: str | None, now: datetime) -> None:
    """Sign out: the session's key stops working, in this browser and in any copy of its cookie."""
    if not key:
        return
    row = _open(session, key, now)
    if row is None:
        return
    row.ended_at = now
    session.flush()
    record_event(session, row.user, "auth.sign_out", row.user)


def end_other_sessions(
    session: Session, user: User, now: datetime, *, keep: str | None = None
) -> int:
    """End every open session of ``user`` except the one with key ``keep``; how many ended."""
    query = update(SignInSession).where(
        SignInSession.user_id == user.id, SignInSession.ended_at.is_(None)
    )
    if keep:
        query = query.where(SignInSession.key_hash != token_digest(keep))
    result = session.execute(
        query.values(ended_at=now), execution_options={"synchronize_session": False}
    )
    return int(getattr(result, "rowcount", 0) or 0)


def change_own_password(
    session: Session,
    actor: User,
    current: str,
    new: str,
    now: datetime,
    *,
    keep: str | None,
) -> int:
    """Change one's own password: the current one first; then every other session ends (a thief
    who had the old password, or a copied cookie, is out). Returns how many sessions ended."""
    require_role(actor, Role.CONTRIBUTOR)
    if not verify_password(actor.password_hash, current):
        raise ValidationError("Your current password is not right.", field="current")
    set_password(session, actor, actor, new)
    ended = end_other_sessions(session, actor, now, keep=keep)
    record_event(session, actor, "auth.other_sessions_ended", actor, sessions=ended)
    return ended


def reset_password(session: Session, actor: User, user: User, new: str, now: datetime) -> int:
    """An administrator sets someone's password: all of that person's sessions end."""
    require_role(actor, Role.ADMIN)
    set_password(session, actor, user, new)
    return end_other_sessions(session, user, now, keep=None)
