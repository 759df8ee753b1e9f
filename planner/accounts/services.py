"""Use cases for accounts: people, sign-in, roles and personal API tokens.

Every function takes the acting user as an argument and checks the role itself; the views and the
API only translate.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, contains_eager, sessionmaker

from planner.accounts.models import ApiToken, Role, User
from planner.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from planner.accounts.permissions import require_role
from planner.audit.services import record_event
from planner.db import utcnow, write_session
from planner.errors import NotFoundError, PermissionDeniedError, ValidationError


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise ValidationError("Enter a valid e-mail address.", field="email")
    return email


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )


def find_user_by_email(session: Session, email: str) -> User | None:
    try:
        email = normalise_email(email)
    except ValidationError:
        return None
    return session.scalar(select(User).where(User.email == email))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("No such user.")
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def create_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None = None,
    weekly_hours: float = 8.0,
) -> User:
    """Create an account. ``actor`` None means the command line, which is trusted."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise ValidationError("Enter a name.", field="name")
    if find_user_by_email(session, email) is not None:
        raise ValidationError("Someone with this e-mail address already has an account.", "email")
    if password is not None:
        _check_password(password)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password) if password else None,
        weekly_hours=weekly_hours,
    )
    session.add(user)
    session.flush()
    record_event(session, actor, "user.create", user, email=email, role=role.value)
    return user


def update_user(
    session: Session,
    actor: User,
    user: User,
    *,
    name: str,
    role: Role,
    is_active: bool,
    weekly_hours: float,
) -> User:
    require_role(actor, Role.ADMIN)
    if user.id == actor.id and (role != Role.ADMIN or not is_active):
        raise ValidationError("You cannot take away your own admin rights.", field="role")
    if not name.strip():
        raise ValidationError("Enter a name.", field="name")
    if weekly_hours < 0 or weekly_hours > 80:
        raise ValidationError("Weekly hours must be between 0 and 80.", field="weekly_hours")
    changes = {}
    for attr, value in (
        ("name", name.strip()),
        ("role", role),
        ("is_active", is_active),
        ("weekly_hours", weekly_hours),
    ):
        old = getattr(user, attr)
        if old != value:
            changes[attr] = [getattr(old, "value", old), getattr(value, "value", value)]
            setattr(user, attr, value)
    if changes:
        record_event(session, actor, "user.update", user, changes=changes)
    return user


def set_password(session: Session, actor: User, user: User, password: str) -> None:
    if actor.id != user.id:
        require_role(actor, Role.ADMIN)
    _check_password(password)
    user.password_hash = hash_password(password)
    record_event(session, actor, "user.password", user)


def set_language(session: Session, user: User, language: str) -> None:
    if language not in {"nl", "en"}:
        raise ValidationError("Unsupported language.", field="language")
    user.language = language


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the credentials are right and the account active, else None."""
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        record_event(session, None, "auth.sign_in_failed", email=email.strip().lower()[:254])
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    record_event(session, user, "auth.sign_in", user)
    return user


def list_users(session: Session, actor: User) -> list[User]:
    require_role(actor, Role.ADMIN)
    return list(session.scalars(select(User).order_by(User.name)))


def list_people(session: Session, actor: User) -> list[User]:
    """Active colleagues, for assignment lists (editors and up may see who is on the team)."""
    require_role(actor, Role.CONTRIBUTOR)
    return list(session.scalars(select(User).where(User.is_active).order_by(User.name)))


# --- API tokens -----------------------------------------------------------------------------


def create_token(session: Session, actor: User | None, owner: User, name: str) -> str:
    """Create a token for ``owner`` and return it; it is never shown again."""
    if actor is not None and actor.id != owner.id:
        require_role(actor, Role.ADMIN)
    name = name.strip() or "API token"
    token = new_token()
    session.add(
        ApiToken(user=owner, name=name[:100], token_hash=token_digest(token), prefix=token[:10])
    )
    session.flush()
    record_event(session, actor or owner, "token.create", owner, name=name)
    return token


def list_tokens(session: Session, actor: User, owner: User) -> list[ApiToken]:
    if actor.id != owner.id:
        require_role(actor, Role.ADMIN)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id))
    )


def revoke_token(session: Session, actor: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError("No such token.")
    if token.user_id != actor.id and not actor.has_role(Role.ADMIN):
        raise PermissionDeniedError("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(session, actor, "token.revoke", token.user, token_id=token.id)
    return token


#: how stale a token's last_used_at may be before a request writes it again
LAST_USED_RESOLUTION = timedelta(minutes=1)


def find_token(session: Session, token: str) -> ApiToken | None:
    """The active token of an active user, loaded with its user in one statement; reads only."""
    row = session.scalar(
        select(ApiToken)
        .join(ApiToken.user)
        .options(contains_eager(ApiToken.user))
        .where(ApiToken.token_hash == token_digest(token))
    )
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    return row


def token_use_is_stale(row: ApiToken, now: datetime) -> bool:
    return row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION


def note_token_use(session: Session, token_id: int, now: datetime) -> None:
    """Write a token's last use, unless a concurrent request has just done so."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )


def authenticate_token(
    session: Session,
    token: str,
    now: datetime,
    *,
    writing: bool,
    apart: sessionmaker[Session],
) -> tuple[User, bool] | None:
    """The user a bearer token belongs to, noting the token's use at most once a minute; and
    whether that note was committed apart (None when the token is unknown or revoked).

    A writing request holds the write lock (SQLite) from its first statement and commits the note
    with the rest. A read notes it in a short transaction of its own (``apart``): in the request's
    transaction it would hold the token's row lock (PostgreSQL) until the answer is sent, queueing
    every request with that token, or fail to upgrade to a writer (SQLite).
    """
    row = find_token(session, token)
    if row is None:
        return None
    if not token_use_is_stale(row, now):
        return row.user, False
    if writing:
        row.last_used_at = now
        return row.user, False
    with write_session(apart) as separate:
        note_token_use(separate, row.id, now)
    return row.user, True


def user_for_token(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    row = find_token(session, token)
    if row is None:
        return None
    now = now or utcnow()
    # "Last used" is shown to a person, to the minute; writing it on every request would turn each
    # API read into a write (and, on SQLite, make concurrent readers queue for the lock).
    if token_use_is_stale(row, now):
        row.last_used_at = now
    return row.user
