"""The inbox's forms: answering, assigning, notes, closing, saved replies, linking, statements,
sources and the webcare settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=5000)])
    started_at = HiddenField()
    version = HiddenField()


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assigned to"), coerce=int, validators=[Optional()])


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=5000)])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (close, reopen, consent)."""

    version = HiddenField()


class ThemeForm(FlaskForm):
    theme = SelectField(_l("Theme"), coerce=int, validators=[Optional()])


class LinkForm(FlaskForm):
    story = IntegerField(_l("Story number"), validators=[Optional(), NumberRange(min=1)])
    fragment = IntegerField(_l("Fragment number"), validators=[Optional(), NumberRange(min=1)])


class StoryFromMessageForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    quote = BooleanField(_l("Quote the author's words (needs their consent)"))
    summary = TextAreaField(
        _l("What is the story about?"), validators=[Optional(), Length(max=5000)]
    )


class StatementForm(FlaskForm):
    channel = SelectField(_l("Channel"), coerce=int, validators=[DataRequired()])
    text = TextAreaField(_l("Statement"), validators=[DataRequired(), Length(max=5000)])


class SavedReplyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=5000)])


class SourceForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[
            ("mailbox", _l("Mailbox (IMAP)")),
            ("webhook", _l("Form (webhook)")),
            ("feed", _l("Feed (RSS/Atom)")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    url = StringField(_l("Feed address"), validators=[Optional(), Length(max=2000)])
    address = StringField(_l("E-mail address"), validators=[Optional(), Length(max=320)])
    imap_host = StringField(_l("IMAP server"), validators=[Optional(), Length(max=200)])
    imap_port = IntegerField(_l("IMAP port"), default=993, validators=[Optional()])
    username = StringField(_l("User name"), validators=[Optional(), Length(max=200)])
    smtp_host = StringField(_l("SMTP server"), validators=[Optional(), Length(max=200)])
    smtp_port = IntegerField(_l("SMTP port"), default=587, validators=[Optional()])
    secret = PasswordField(
        _l("Password or webhook secret"), validators=[Optional(), Length(max=500)]
    )


class SettingsForm(FlaskForm):
    day_0 = StringField(_l("Monday"), validators=[Optional(), Length(max=11)])
    day_1 = StringField(_l("Tuesday"), validators=[Optional(), Length(max=11)])
    day_2 = StringField(_l("Wednesday"), validators=[Optional(), Length(max=11)])
    day_3 = StringField(_l("Thursday"), validators=[Optional(), Length(max=11)])
    day_4 = StringField(_l("Friday"), validators=[Optional(), Length(max=11)])
    day_5 = StringField(_l("Saturday"), validators=[Optional(), Length(max=11)])
    day_6 = StringField(_l("Sunday"), validators=[Optional(), Length(max=11)])
    holiday_country = StringField(_l("Public holidays of"), validators=[Optional(), Length(max=8)])
    target_mastodon = IntegerField(
        _l("Target for Mastodon (office minutes)"),
        validators=[DataRequired(), NumberRange(min=1, max=10000)],
    )
    target_mailbox = IntegerField(
        _l("Target for e-mail (office minutes)"),
        validators=[DataRequired(), NumberRange(min=1, max=10000)],
    )
    target_webhook = IntegerField(
        _l("Target for forms (office minutes)"),
        validators=[DataRequired(), NumberRange(min=1, max=10000)],
    )
    retention_days = IntegerField(
        _l("Keep closed conversations (days)"),
        validators=[DataRequired(), NumberRange(min=30, max=3650)],
    )
    handling_minutes = IntegerField(
        _l("Minutes per message (estimate)"),
        validators=[DataRequired(), NumberRange(min=1, max=240)],
    )
    fte_hours = FloatField(
        _l("Hours in a full-time week"), validators=[DataRequired(), NumberRange(min=1, max=60)]
    )
    productive_share = FloatField(
        _l("Share of time for webcare (0.1 to 1)"),
        validators=[DataRequired(), NumberRange(min=0.1, max=1)],
    )
