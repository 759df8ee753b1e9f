"""The form an editor uses to add a channel; the kinds come from the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from planner.channels.catalogue import all_kinds


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
        self.kind_key.choices = [(kind.key, kind.label) for kind in all_kinds()]
