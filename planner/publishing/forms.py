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
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class MarkPostedForm(FlaskForm):
    url = StringField(
        _l("Address of the post"),
        validators=[DataRequired(_l("Paste the address of the post.")), Length(max=2000)],
    )


class PauseForm(FlaskForm):
    reason = StringField(
        _l("Why are you pausing?"),
        validators=[DataRequired(_l("Say why publishing is paused.")), Length(max=1000)],
    )
    channel = SelectField(_l("What to pause"), default="")


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
        ("bluesky", _l("Bluesky (app password)")),
        ("linkedin", _l("LinkedIn page (connect)")),
        ("facebook", _l("Facebook page (connect)")),
        ("instagram", _l("Instagram (connect)")),
        ("threads", _l("Threads (connect)")),
        ("x", _l("X (connect)")),
    ]


def approval_step_choices() -> list[tuple[str, object]]:
    return [
        ("0", _l("No approval")),
        ("1", _l("One editor")),
        ("2", _l("Two editors in turn")),
    ]


class PublisherForm(FlaskForm):
    publisher_kind = SelectField(
        _l("How fragments are published"),
        choices=[],
        validate_choice=False,
        render_kw={"data-publisher-kind": ""},
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


class ConnectForm(FlaskForm):
    """ "Verbinden": the account to post as (LinkedIn's organisation, Facebook's Page) goes along,
    because the platform's answer is only complete with it."""

    account_id = StringField(_l("Account id"), validators=[Optional(), Length(max=64)])
