"""The form an editor corrects a published blog post with."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from planner.blog.services import MAX_NOTE


class CorrectionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    lead = TextAreaField(_l("Lead"), validators=[Optional(), Length(max=2000)])
    body = TextAreaField(_l("Body (Markdown)"), validators=[Optional(), Length(max=70_000)])
    note = StringField(
        _l("What was corrected?"),
        validators=[DataRequired(_l("Say what was corrected.")), Length(max=MAX_NOTE)],
    )
