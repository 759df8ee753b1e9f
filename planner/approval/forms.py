"""The approval forms: approve, request changes, make a reviewer link, and the public reviewer's
form. Approving and requesting changes carry the version the person read (a hidden field), so an
old form never decides about newer text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from planner.approval.reviewer_links import DEFAULT_VALID_DAYS, MAX_VALID_DAYS
from planner.approval.services import MAX_COMMENT_LENGTH


def version_field() -> HiddenField:
    """The version the person read, filled in when the form is shown."""
    return HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,9}$")])


def seen_version(form: FlaskForm) -> int:
    """The version a validated form carries."""
    return int(form.version.data)


class ApproveForm(FlaskForm):
    version = version_field()
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)]
    )


class RequestChangesForm(FlaskForm):
    version = version_field()
    comment = TextAreaField(
        _l("What should change?"),
        validators=[DataRequired(_l("Say what should change.")), Length(max=MAX_COMMENT_LENGTH)],
    )


class ReviewLinkForm(FlaskForm):
    days = IntegerField(
        _l("Valid for (days)"),
        default=DEFAULT_VALID_DAYS,
        validators=[DataRequired(), NumberRange(min=1, max=MAX_VALID_DAYS)],
    )


class ReviewerForm(FlaskForm):
    """The public review page: a name, a comment, and which of the two buttons was pressed."""

    name = StringField(
        _l("Your name"), validators=[DataRequired(_l("Fill in your name.")), Length(max=200)]
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])
    decision = HiddenField()
    version = version_field()
