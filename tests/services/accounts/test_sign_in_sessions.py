"""Sign-in sessions against the real database (issue 12 item 7): a key signs in until it ends or
expires (a working day; remember-me thirty days), and ending one leaves the others alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from planner.accounts import sessions
from planner.accounts.models import User
from planner.errors import ValidationError
from tests.conftest import PASSWORD

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_a_session_lasts_a_working_day_and_remember_me_thirty_days(
    db: Session, editor: User
) -> None:
    day = sessions.start_session(db, editor, NOW, remember=False)
    weeks = sessions.start_session(db, editor, NOW, remember=True)
    assert sessions.user_for_session(db, day, NOW + timedelta(hours=11)) is editor
    assert sessions.user_for_session(db, day, NOW + timedelta(hours=12)) is None
    assert sessions.user_for_session(db, weeks, NOW + timedelta(days=29)) is editor
    assert sessions.user_for_session(db, weeks, NOW + timedelta(days=30)) is None


def test_ending_one_session_leaves_the_others(db: Session, editor: User) -> None:
    laptop = sessions.start_session(db, editor, NOW, remember=False)
    phone = sessions.start_session(db, editor, NOW, remember=True)
    sessions.end_session(db, laptop, NOW)
    assert sessions.user_for_session(db, laptop, NOW) is None
    assert sessions.user_for_session(db, phone, NOW) is editor


def test_a_deactivated_person_and_unknown_keys_sign_nobody_in(db: Session, editor: User) -> None:
    key = sessions.start_session(db, editor, NOW, remember=False)
    for unknown in ("", str(editor.id), "s.not-a-key", key + "x", "s." + "a" * 500):
        assert sessions.user_for_session(db, unknown, NOW) is None
    editor.is_active = False
    assert sessions.user_for_session(db, key, NOW) is None


def test_a_password_change_needs_the_current_one_and_keeps_only_this_session(
    db: Session, editor: User
) -> None:
    here = sessions.start_session(db, editor, NOW, remember=False)
    there = sessions.start_session(db, editor, NOW, remember=True)
    with pytest.raises(ValidationError) as caught:
        sessions.change_own_password(db, editor, "wrong", "a brand new passphrase", NOW, keep=here)
    assert caught.value.field == "current"
    assert sessions.user_for_session(db, there, NOW) is editor
    ended = sessions.change_own_password(
        db, editor, PASSWORD, "a brand new passphrase", NOW, keep=here
    )
    assert ended == 1
    assert sessions.user_for_session(db, here, NOW) is editor
    assert sessions.user_for_session(db, there, NOW) is None
