"""Forms an editor uses to add and change a channel; the kinds come from the catalogue.

A channel's colour is the background of white text in the calendar, so the form refuses colours
that would not reach WCAG AA contrast (4.5:1) against white.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, Field, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FormValidationError

from planner.channels.catalogue import all_kinds
from planner.channels.labels import kind_label

MIN_CONTRAST = 4.5
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _channel_luminance(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast_with_white(colour: str) -> float:
    """WCAG 2.1 contrast ratio between white text and the #RRGGBB background `colour`."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = (
        0.2126 * _channel_luminance(r)
        + 0.7152 * _channel_luminance(g)
        + 0.0722 * _channel_luminance(b)
    )
    return 1.05 / (luminance + 0.05)


def readable_with_white(form: FlaskForm, field: Field) -> None:
    value = (field.data or "").strip()
    if not _HEX.match(value):
        raise FormValidationError(str(_l("Give the colour as #RRGGBB.")))
    ratio = contrast_with_white(value)
    if ratio < MIN_CONTRAST:
        raise FormValidationError(
            str(
                _l(
                    "White text on this colour has a contrast of %(ratio)s:1; "
                    "choose a darker colour (at least 4.5:1).",
                    ratio=f"{ratio:.1f}",
                )
            )
        )


class ChannelForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind_key = SelectField(_l("Kind"), choices=[])
    handle = StringField(_l("Account name"), validators=[Optional(), Length(max=200)])
    colour = StringField(_l("Colour"), default="#4A5560", validators=[DataRequired()])
    timezone = StringField(_l("Timezone"), default="Europe/Amsterdam", validators=[DataRequired()])
    cadence_per_week = DecimalField(
        _l("Posts per week"), default=2, places=2, validators=[NumberRange(min=0, max=100)]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.kind_key.choices = [(kind.key, kind_label(kind)) for kind in all_kinds()]


class ChannelEditForm(FlaskForm):
    """Changing a channel; its kind stays (drafts and previews depend on it)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    handle = StringField(_l("Account name"), validators=[Optional(), Length(max=200)])
    colour = StringField(
        _l("Colour"), validators=[DataRequired(), Length(max=7), readable_with_white]
    )
    timezone = StringField(_l("Timezone"), validators=[DataRequired(), Length(max=64)])
    cadence_per_week = DecimalField(
        _l("Posts per week"),
        places=2,
        validators=[DataRequired(message=_l("Enter a number.")), NumberRange(min=0, max=100)],
    )
    is_active = BooleanField(_l("Active"))
