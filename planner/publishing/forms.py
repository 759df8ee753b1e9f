"""Forms for approving, scheduling, reviewer links, posting by hand, publisher settings and the
archive export; secrets are write-only fields that are never filled from the database."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from planner.publishing.review import DEFAULT_VALID_DAYS, MAX_VALID_DAYS
from planner.publishing.workflow import MAX_COMMENT_LENGTH


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


class MarkPostedForm(FlaskForm):
    url = StringField(
        _l("Address of the post"),
        validators=[DataRequired(_l("Paste the address of the post.")), Length(max=2000)],
    )


class ResolveForm(FlaskForm):
    action = HiddenField()
    url = StringField(_l("Address of the post"), validators=[Optional(), Length(max=2000)])


def publisher_kind_choices() -> list[tuple[str, object]]:
    return [
        ("manual", _l("By hand (a to-post list)")),
        ("blog", _l("The built-in blog")),
        ("webhook", _l("Webhook (Zapier, Make, n8n, your own system)")),
        ("mastodon", _l("Mastodon")),
        ("wordpress", _l("WordPress")),
        ("newsletter", _l("E-mail newsletter (SMTP)")),
    ]


def approval_step_choices() -> list[tuple[str, object]]:
    return [
        ("0", _l("No approval")),
        ("1", _l("One editor")),
        ("2", _l("Two editors in turn")),
    ]


class PublisherForm(FlaskForm):
    publisher_kind = SelectField(
        _l("How fragments are published"), choices=[], validate_choice=False
    )
    approval_steps = SelectField(_l("Approval"), choices=[], validate_choice=False)
    url = StringField(_l("Address (URL)"), validators=[Optional(), Length(max=2000)])
    username = StringField(_l("User name"), validators=[Optional(), Length(max=200)])
    smtp_host = StringField(_l("SMTP server"), validators=[Optional(), Length(max=255)])
    smtp_port = IntegerField(
        _l("SMTP port"), validators=[Optional(), NumberRange(min=1, max=65535)]
    )
    smtp_from = StringField(_l("From address"), validators=[Optional(), Length(max=320)])
    smtp_to = StringField(_l("To address (list)"), validators=[Optional(), Length(max=320)])
    secret = PasswordField(
        _l("Secret, token or password"), validators=[Optional(), Length(max=2000)]
    )
    clear_secret = BooleanField(_l("Remove the stored secret"))


def archive_format_choices() -> list[tuple[str, object]]:
    return [("html", _l("Show here")), ("csv", "CSV"), ("json", "JSON")]


class ArchiveForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Up to and including"), validators=[Optional()])
    format = SelectField(
        _l("Format"),
        choices=archive_format_choices,
        default="html",
        validate_choice=False,
    )
