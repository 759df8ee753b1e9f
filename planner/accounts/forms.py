"""Forms for signing in and managing people and tokens (Flask-WTF adds the CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, FloatField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from planner.accounts.models import Role


def role_choices() -> list[tuple[str, object]]:
    return [
        (Role.CONTRIBUTOR.value, _l("Contributor")),
        (Role.EDITOR.value, _l("Editor")),
        (Role.ADMIN.value, _l("Admin")),
    ]


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    weekly_hours = FloatField(
        _l("Hours a week for content work"),
        default=8.0,
        validators=[NumberRange(min=0, max=80)],
    )
    is_active = BooleanField(_l("Account active"), default=True)
    password = PasswordField(
        _l("Password (at least 10 characters; leave empty to keep)"),
        validators=[Optional(), Length(min=10, max=200)],
    )


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=10, max=200)]
    )


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
