"""The organisation's settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class OrganisationForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    timezone = StringField(_l("Timezone"), validators=[DataRequired(), Length(max=64)])
    website = StringField(_l("Website domain"), validators=[Optional(), Length(max=200)])
    hashtag = StringField(_l("Organisation hashtag"), validators=[Optional(), Length(max=60)])
    own_domains = TextAreaField(_l("Other own domains"), validators=[Optional(), Length(max=1000)])
    privacy_url = StringField(
        _l("Privacy statement (address)"), validators=[Optional(), Length(max=500)]
    )
