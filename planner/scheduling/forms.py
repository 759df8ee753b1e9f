"""Forms of the calendar: filters, the keyboard way to schedule, slots, feeds, links and effort."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from planner.timekeeping.wallclock import DEFAULT_FOLD


def weekday_labels() -> list[tuple[str, object]]:
    return [
        ("0", _l("Monday")),
        ("1", _l("Tuesday")),
        ("2", _l("Wednesday")),
        ("3", _l("Thursday")),
        ("4", _l("Friday")),
        ("5", _l("Saturday")),
        ("6", _l("Sunday")),
    ]


def delivery_labels() -> dict[str, object]:
    return {
        "pending": _l("Waiting"),
        "sending": _l("Sending"),
        "retrying": _l("Retrying"),
        "sent": _l("Sent"),
        "failed": _l("Delivery failed"),
        "needs_check": _l("Check by hand"),
        "missed": _l("Missed"),
        "cancelled": _l("Cancelled"),
    }


class CalendarFilterForm(FlaskForm):
    class Meta:
        csrf = False

    channel = SelectField(_l("Channel"), choices=[], validate_choice=False)
    theme = SelectField(_l("Theme"), choices=[], validate_choice=False)
    campaign = SelectField(_l("Campaign"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    person = SelectField(_l("Person"), choices=[], validate_choice=False)


class ScheduleForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Choose a date."))])
    time = TimeField(_l("Time"), validators=[InputRequired(_l("Choose a time."))])
    fold = RadioField(_l("Which one?"), choices=[], default=DEFAULT_FOLD, validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set per instance: WTForms 3.3 warns about tuple choices bound from the class.
        self.fold.choices = [
            ("earlier", _l("The first time (summer time)")),
            ("later", _l("The second time (winter time)")),
        ]


class SlotForm(FlaskForm):
    channel = SelectField(_l("Channel"), choices=[], coerce=int)
    weekday = SelectField(_l("Day"), choices=[])
    time = TimeField(_l("Time"), validators=[InputRequired(_l("Choose a time."))])


class FeedForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    scope = SelectField(_l("Shows"), choices=[])
    channel = SelectField(_l("Channel"), choices=[], validate_choice=False)
    person = SelectField(_l("Person"), choices=[], validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope.choices = [
            ("organisation", _l("Everything")),
            ("channel", _l("One channel")),
            ("person", _l("One person")),
        ]


class ShareForm(FlaskForm):
    label = StringField(_l("For whom"), validators=[DataRequired(), Length(max=100)])
    days = IntegerField(
        _l("Valid for (days)"),
        default=14,
        validators=[InputRequired(), NumberRange(min=1, max=90)],
    )


class EffortForm(FlaskForm):
    post = IntegerField(_l("Post"), validators=[InputRequired(), NumberRange(min=0, max=6000)])
    thread = IntegerField(_l("Thread"), validators=[InputRequired(), NumberRange(min=0, max=6000)])
    article = IntegerField(
        _l("Article"), validators=[InputRequired(), NumberRange(min=0, max=6000)]
    )
    video_brief = IntegerField(
        _l("Video brief"), validators=[InputRequired(), NumberRange(min=0, max=6000)]
    )
