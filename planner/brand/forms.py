"""Forms for the brand settings: importing a style package, the term list, and acknowledging a
warning in the editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class StyleImportForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    file = FileField(_l("Style package (.zip)"))


class TermForm(FlaskForm):
    term = StringField(_l("Term"), validators=[DataRequired(), Length(max=100)])
    preferred = StringField(_l("Preferred form"), validators=[Optional(), Length(max=100)])
    forbidden = TextAreaField(
        _l("Forbidden variants"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3}
    )
    note = TextAreaField(
        _l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
