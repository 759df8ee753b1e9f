"""The effect's forms: figures typed in from a platform's own app, and a goal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from planner.effect.services import MAX_FIGURE
from planner.stories.models import Campaign, Theme


class MetricsForm(FlaskForm):
    reach = IntegerField(_l("Reach"), validators=[Optional(), NumberRange(0, MAX_FIGURE)])
    reactions = IntegerField(_l("Reactions"), validators=[Optional(), NumberRange(0, MAX_FIGURE)])
    shares = IntegerField(_l("Shares"), validators=[Optional(), NumberRange(0, MAX_FIGURE)])


class GoalForm(FlaskForm):
    owner = SelectField(_l("Campaign or theme"), choices=[], validate_choice=True)
    metric = SelectField(_l("Measure"), choices=[], validators=[InputRequired()])
    target = IntegerField(_l("Target"), validators=[InputRequired(), NumberRange(1, 100_000_000)])
    starts_on = DateField(_l("From"), validators=[InputRequired()])
    due_on = DateField(_l("By"), validators=[InputRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Set per instance: WTForms warns about choices bound from the class.
        self.metric.choices = [("clicks", _l("Clicks")), ("reactions", _l("Reactions"))]


def owner_choices(session: Session) -> list[tuple[str, str]]:
    campaigns = session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    themes = session.scalars(select(Theme).order_by(Theme.name)).all()
    return [(f"campaign:{c.id}", f"{_l('Campaign')}: {c.name}") for c in campaigns] + [
        (f"theme:{t.id}", f"{_l('Theme')}: {t.name}") for t in themes
    ]
