"""Forms for splitting a story and editing a fragment; thread parts come as a plain list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from planner.fragments.models import FragmentStatus


def status_labels() -> dict[str, object]:
    return {
        FragmentStatus.DRAFT.value: _l("Draft"),
        FragmentStatus.IN_REVIEW.value: _l("In review"),
        FragmentStatus.APPROVED.value: _l("Approved"),
        FragmentStatus.SCHEDULED.value: _l("Scheduled"),
        FragmentStatus.PUBLISHED.value: _l("Published"),
        FragmentStatus.FAILED.value: _l("Failed"),
        FragmentStatus.WITHDRAWN.value: _l("Withdrawn"),
    }


def kind_labels() -> dict[str, object]:
    return {
        "post": _l("Post"),
        "thread": _l("Thread"),
        "article": _l("Article"),
        "video_brief": _l("Video brief"),
    }


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    channel = SelectField(_l("Channel"), choices=[], validate_choice=False)


class SplitForm(FlaskForm):
    channels = SelectMultipleField(
        _l("Channels"),
        choices=[],
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class FragmentForm(FlaskForm):
    """The fixed fields; the parts of a post or thread are read as the list `parts`."""

    version = HiddenField()
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    lead = TextAreaField(_l("Lead"), validators=[Optional(), Length(max=2000)])
    body = TextAreaField(_l("Body (Markdown)"), validators=[Optional(), Length(max=70_000)])
    meta_description = StringField(_l("Meta description"), validators=[Optional(), Length(max=300)])
    hashtags = StringField(_l("Hashtags"), validators=[Optional(), Length(max=500)])
    is_sponsored = BooleanField(_l("Sponsored (paid partnership)"))
    hook = TextAreaField(_l("Hook"), validators=[Optional(), Length(max=1000)])
    key_message = TextAreaField(_l("Key message"), validators=[Optional(), Length(max=1000)])
    target_duration_seconds = IntegerField(
        _l("Length in seconds"), validators=[Optional(), NumberRange(min=1, max=3600)]
    )
    aspect = StringField(_l("Aspect ratio"), validators=[Optional(), Length(max=10)])
    audience = StringField(_l("Audience"), validators=[Optional(), Length(max=300)])
    goal = TextAreaField(_l("Goal"), validators=[Optional(), Length(max=1000)])
    call_to_action = StringField(_l("Call to action"), validators=[Optional(), Length(max=300)])


class AcknowledgeForm(FlaskForm):
    field = HiddenField(validators=[DataRequired(), Length(max=32)])
    check = HiddenField(validators=[DataRequired(), Length(max=200)])
    match = HiddenField(validators=[Length(max=500)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])
