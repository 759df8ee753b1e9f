"""The organisation's settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional


class OrganisationForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    timezone = StringField(_l("Timezone"), validators=[DataRequired(), Length(max=64)])
    website = StringField(_l("Website domain"), validators=[Optional(), Length(max=200)])
    hashtag = StringField(_l("Organisation hashtag"), validators=[Optional(), Length(max=60)])
