"""Forms for stories, intake links and the public intake page (Flask-WTF adds the CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from planner.stories.models import StorySource, StoryStatus


def status_labels() -> dict[str, object]:
    return {
        StoryStatus.NEW.value: _l("New"),
        StoryStatus.ACCEPTED.value: _l("Accepted"),
        StoryStatus.IN_PRODUCTION.value: _l("In use"),
        StoryStatus.TOLD.value: _l("Published"),
        StoryStatus.DECLINED.value: _l("Declined"),
    }


def source_labels() -> dict[str, object]:
    return {
        StorySource.EMPLOYEE.value: _l("Employee"),
        StorySource.RESIDENT.value: _l("Resident"),
        StorySource.PARTNER.value: _l("Partner"),
        StorySource.ORGANISATION.value: _l("Organisation"),
    }


def language_choices() -> list[tuple[str, object]]:
    return [("nl", _l("Dutch")), ("en", _l("English"))]


#: Photo slots on the forms that send a story in; more can be added on the story page.
PHOTO_SLOTS = 3


class PhotoEntryForm(Form):
    """One photo slot inside a story form (the outer form carries the CSRF token)."""

    file = FileField(_l("Photo"))
    alt = StringField(
        _l("What is in the photo? (alt text)"), validators=[Optional(), Length(max=1000)]
    )


def _photo_slots() -> FieldList:
    return FieldList(FormField(PhotoEntryForm), min_entries=PHOTO_SLOTS, max_entries=PHOTO_SLOTS)


class StoryForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Your story"), validators=[DataRequired(), Length(max=50_000)])
    language = SelectField(_l("Language"), choices=language_choices, default="nl")
    themes = SelectMultipleField(_l("Themes"), coerce=int, validate_choice=False)
    photos = _photo_slots()


class StoryEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Story"), validators=[DataRequired(), Length(max=50_000)])
    language = SelectField(_l("Language"), choices=language_choices, default="nl")
    themes = SelectMultipleField(_l("Themes"), coerce=int, validate_choice=False)
    campaign = SelectField(_l("Campaign"), validate_choice=False)


class PhotoUploadForm(FlaskForm):
    file = FileField(_l("Photo"))
    alt = StringField(
        _l("What is in the photo? (alt text)"), validators=[Optional(), Length(max=1000)]
    )


class AltTextForm(FlaskForm):
    alt = TextAreaField(
        _l("Alt text"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2}
    )


_FRACTION = {"type": "number", "step": "any", "min": "0", "max": "1", "inputmode": "decimal"}


class FocalPointForm(FlaskForm):
    focal_x = FloatField(
        _l("Across (0 left, 1 right)"),
        validators=[DataRequired(message=_l("Enter a number from 0 to 1.")), NumberRange(0, 1)],
        render_kw=_FRACTION,
    )
    focal_y = FloatField(
        _l("Down (0 top, 1 bottom)"),
        validators=[DataRequired(message=_l("Enter a number from 0 to 1.")), NumberRange(0, 1)],
        render_kw=_FRACTION,
    )


class ThemeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    target_share = IntegerField(
        _l("Target share (%)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 100, message=_l("Enter a percentage from 0 to 100.")),
        ],
    )


class CampaignForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])


class FilterForm(FlaskForm):
    """The list's filters travel in the query string, so a filtered list can be bookmarked."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    theme = SelectField(_l("Theme"), validators=[Optional()])
    source = SelectField(_l("Source"), validators=[Optional()])
    campaign = SelectField(_l("Campaign"), validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"))


class AssignForm(FlaskForm):
    editor = SelectField(_l("Editor"))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])


class IntakeLinkForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    intro = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=2000)])
    expires_on = DateField(_l("Open until (optional)"), validators=[Optional()])


class PublicStoryForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Your e-mail address (optional)"), validators=[Optional(), Length(max=254)]
    )
    title = StringField(_l("Title of your story"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Your story"), validators=[DataRequired(), Length(max=50_000)])
    allow_story = BooleanField(_l("Yes, you may use my story."))
    allow_name = BooleanField(_l("Yes, you may mention my name."))
    allow_photos = BooleanField(_l("Yes, you may use photos of me."))
    photos = _photo_slots()
    #: the honeypot; hidden from people and from screen readers
    website = StringField(_l("Leave this field empty"), validators=[Optional()])


class PrivacyForm(FlaskForm):
    # A Mastodon handle (@name@server) is accepted too: the inbox holds messages by handle.
    email = StringField(
        _l("E-mail address or handle"), validators=[DataRequired(), Length(max=320)]
    )
