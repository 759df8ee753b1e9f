"""TODO docstring."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from planner.approval.reviewer_links import DEFAULT_VALID_DAYS, MAX_VALID_DAYS
from planner.approval.services import MAX_COMMENT_LENGTH


class ApproveForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)]
    )


class RequestChangesForm(FlaskForm):
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
